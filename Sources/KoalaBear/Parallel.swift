import Dispatch
import Locking
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fork–join helpers over `DispatchQueue.concurrentPerform`.
public enum Parallel {
    /// The number of online CPU cores (at least 1).
    public static let coreCount: Int = {
        #if canImport(Glibc) || canImport(Darwin)
        let n = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        return n > 0 ? Int(n) : 1
        #else
        return 1
        #endif
    }()

    /// Runs `body(i)` for i in 0..<count, on up to `threads` threads (inline when 1).
    @inlinable
    public static func forEach(_ count: Int, threads: Int = Parallel.coreCount, _ body: (Int) -> Void) {
        if count <= 0 { return }
        if threads <= 1 || count == 1 {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { b in
            let box = UnsafeTransfer(b)
            DispatchQueue.concurrentPerform(iterations: count) { i in box.value(i) }
        }
    }

    /// Splits 0..<count into at most `threads` (times `oversubscribe`) contiguous ranges of at
    /// least `minChunk` elements and runs `body` on each in parallel.
    @inlinable
    public static func chunks(_ count: Int, threads: Int = Parallel.coreCount, minChunk: Int = 1024,
                              oversubscribe: Int = 1, _ body: (Range<Int>) -> Void) {
        if count <= 0 { return }
        let maxPieces = Swift.max(1, threads * oversubscribe)
        let pieces = Swift.max(1, Swift.min(maxPieces, count / Swift.max(1, minChunk)))
        if pieces == 1 || threads <= 1 {
            body(0..<count)
            return
        }
        let per = (count + pieces - 1) / pieces
        forEach(pieces, threads: threads) { k in
            let lo = k * per
            let hi = Swift.min(count, lo + per)
            if lo < hi { body(lo..<hi) }
        }
    }
}
