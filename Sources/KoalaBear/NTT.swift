import Locking

/// Radix-2 number-theoretic transforms over KoalaBear.
///
/// Conventions: a column of n = 2^k values. The forward transform maps coefficients c_j to
/// evaluations f(ω^i) with ω = `KoalaBear.twoAdicGenerator(logN: k)`; the inverse maps back.
/// The kernels are decimation-in-frequency (natural order in, bit-reversed order out) and
/// decimation-in-time (bit-reversed in, natural out), so a transform pair needs no bit reversal
/// at all and a natural-to-natural transform needs exactly one. Layers whose butterflies span
/// less than `blockSize` elements run block by block so the block stays in cache; twiddles come
/// from one precomputed table per direction, laid out so each layer reads its twiddles
/// contiguously (`table[h + j] = ω_{2h}^j`).
public enum NTT {
    /// Butterfly spans up to this many elements run depth-first per block (fits in L1/L2).
    public static let blockSize = 1 << 12

    /// The largest supported transform, 2^24 (the two-adicity of p − 1).
    public static let maxLogSize = KoalaBear.twoAdicity

    // MARK: Natural-order conveniences

    /// In place: coefficients (natural order) → evaluations at ω^0, ω^1, … (natural order).
    public static func forward(_ values: inout [KoalaBear], threads: Int = 1) {
        values.withUnsafeMutableBufferPointer { p in
            forwardToBitReversed(p, threads: threads)
            bitReversePermute(p, threads: threads)
        }
    }

    /// In place: evaluations at ω^0, ω^1, … (natural order) → coefficients (natural order).
    public static func inverse(_ values: inout [KoalaBear], threads: Int = 1) {
        values.withUnsafeMutableBufferPointer { p in
            bitReversePermute(p, threads: threads)
            inverseFromBitReversed(p, threads: threads)
            scale(p, by: KoalaBear(UInt32(p.count)).inverseOrZero)
        }
    }

    // MARK: Kernels

    /// Decimation in frequency, in place: natural-order coefficients → evaluations at ω^i,
    /// stored at position bitreverse(i).
    public static func forwardToBitReversed(_ data: UnsafeMutableBufferPointer<KoalaBear>, threads: Int = 1) {
        let n = data.count
        guard n > 1, let a = data.baseAddress else { return }
        let logN = log2Exact(n)
        let table = Twiddles.shared.forwardTable(logN: logN)
        table.withUnsafeBufferPointer { tw in
            if threads > 1 && n >= 1 << 14 {
                difParallel(a, n: n, tw: tw.baseAddress!, threads: threads)
            } else {
                difSerial(a, n: n, tw: tw.baseAddress!)
            }
        }
    }

    /// Decimation in time, in place: evaluations at ω^i stored at bitreverse(i) → coefficients
    /// in natural order, times n (no 1/n scaling: callers fold it into a pass they make anyway).
    public static func inverseFromBitReversed(_ data: UnsafeMutableBufferPointer<KoalaBear>, threads: Int = 1) {
        let n = data.count
        guard n > 1, let a = data.baseAddress else { return }
        let logN = log2Exact(n)
        let table = Twiddles.shared.inverseTable(logN: logN)
        table.withUnsafeBufferPointer { tw in
            if threads > 1 && n >= 1 << 14 {
                ditParallel(a, n: n, tw: tw.baseAddress!, threads: threads)
            } else {
                ditSerial(a, n: n, tw: tw.baseAddress!)
            }
        }
    }

    /// Multiplies every element by `c`.
    public static func scale(_ data: UnsafeMutableBufferPointer<KoalaBear>, by c: KoalaBear) {
        for i in data.indices { data[i] = data[i] * c }
    }

    /// `bitReversePermute` split across threads: each swaps the pairs (i, bitreverse(i)),
    /// i < bitreverse(i), for the i of its own range, so no two threads touch one pair.
    public static func bitReversePermute(_ data: UnsafeMutableBufferPointer<KoalaBear>, threads: Int) {
        let n = data.count
        guard threads > 1, n >= 1 << 16, let a = data.baseAddress else {
            bitReversePermute(data)
            return
        }
        let bits = log2Exact(n)
        let p = UnsafeTransfer(a)
        Parallel.chunks(n, threads: threads, minChunk: 1 << 14, oversubscribe: 4) { r in
            for i in r {
                let j = reverseBits(i, bits: bits)
                if i < j { swap(&p.value[i], &p.value[j]) }
            }
        }
    }

    /// Reorders in place so that element i moves to bitreverse(i) (an involution).
    public static func bitReversePermute(_ data: UnsafeMutableBufferPointer<KoalaBear>) {
        let n = data.count
        guard n > 2, let a = data.baseAddress else { return }
        precondition(n & (n - 1) == 0, "bit reversal needs a power-of-two length")
        var j = 0
        for i in 0..<n {
            if i < j { swap(&a[i], &a[j]) }
            var bit = n >> 1
            while j & bit != 0 {
                j ^= bit
                bit >>= 1
            }
            j |= bit
        }
    }

    /// Generic variant of `bitReversePermute` for any element type (used for extension columns).
    public static func bitReversePermute<T>(_ data: UnsafeMutableBufferPointer<T>) {
        let n = data.count
        guard n > 2 else { return }
        precondition(n & (n - 1) == 0, "bit reversal needs a power-of-two length")
        var j = 0
        for i in 0..<n {
            if i < j { data.swapAt(i, j) }
            var bit = n >> 1
            while j & bit != 0 {
                j ^= bit
                bit >>= 1
            }
            j |= bit
        }
    }

    /// The lowest `bits` bits of `x`, reversed.
    @inlinable @inline(__always)
    public static func reverseBits(_ x: Int, bits: Int) -> Int {
        if bits == 0 { return 0 }
        var v = UInt64(truncatingIfNeeded: x)
        v = ((v >> 1) & 0x5555_5555_5555_5555) | ((v & 0x5555_5555_5555_5555) << 1)
        v = ((v >> 2) & 0x3333_3333_3333_3333) | ((v & 0x3333_3333_3333_3333) << 2)
        v = ((v >> 4) & 0x0F0F_0F0F_0F0F_0F0F) | ((v & 0x0F0F_0F0F_0F0F_0F0F) << 4)
        v = ((v >> 8) & 0x00FF_00FF_00FF_00FF) | ((v & 0x00FF_00FF_00FF_00FF) << 8)
        v = ((v >> 16) & 0x0000_FFFF_0000_FFFF) | ((v & 0x0000_FFFF_0000_FFFF) << 16)
        v = (v >> 32) | (v << 32)
        return Int(truncatingIfNeeded: v >> UInt64(64 - bits))
    }

    /// log2 of a power of two (traps otherwise).
    @inlinable
    public static func log2Exact(_ n: Int) -> Int {
        precondition(n > 0 && n & (n - 1) == 0, "\(n) is not a power of two")
        return n.trailingZeroBitCount
    }

    // MARK: DIF (natural → bit-reversed)

    /// One DIF layer with half-span h over `size` elements: (x, y) → (x + y, (x − y)·ω_{2h}^j).
    @inline(__always)
    static func difLayer(_ a: UnsafeMutablePointer<KoalaBear>, size: Int, h: Int, tw: UnsafePointer<KoalaBear>) {
        if h == 1 {
            var s = 0
            while s < size {
                let x = a[s], y = a[s + 1]
                a[s] = x + y
                a[s + 1] = x - y
                s += 2
            }
            return
        }
        let t = tw + h
        var s = 0
        while s < size {
            let lo = a + s, hi = a + s + h
            for j in 0..<h {
                let x = lo[j], y = hi[j]
                lo[j] = x + y
                hi[j] = (x - y) * t[j]
            }
            s += 2 &* h
        }
    }

    static func difSerial(_ a: UnsafeMutablePointer<KoalaBear>, n: Int, tw: UnsafePointer<KoalaBear>) {
        var h = n >> 1
        while h > 0 && 2 * h > blockSize {
            difLayer(a, size: n, h: h, tw: tw)
            h >>= 1
        }
        if h == 0 { return }
        let b = 2 * h
        var s = 0
        while s < n {
            var hh = h
            while hh > 0 {
                difLayer(a + s, size: b, h: hh, tw: tw)
                hh >>= 1
            }
            s += b
        }
    }

    static func difParallel(_ a: UnsafeMutablePointer<KoalaBear>, n: Int, tw: UnsafePointer<KoalaBear>, threads: Int) {
        let pa = UnsafeTransfer(a), ptw = UnsafeTransfer(tw)
        var h = n >> 1
        // Few large blocks: split each layer's butterflies across threads.
        while h > 0 && n / (2 * h) < threads {
            let span = h
            Parallel.chunks(span, threads: threads, minChunk: 2048) { r in
                let a = pa.value, t = ptw.value + span
                var s = 0
                while s < n {
                    let lo = a + s, hi = a + s + span
                    for j in r {
                        let x = lo[j], y = hi[j]
                        lo[j] = x + y
                        hi[j] = (x - y) * t[j]
                    }
                    s += 2 * span
                }
            }
            h >>= 1
        }
        if h == 0 { return }
        // Enough independent blocks: each thread finishes whole blocks.
        let b = 2 * h
        Parallel.forEach(n / b, threads: threads) { k in
            difSerial(pa.value + k * b, n: b, tw: ptw.value)
        }
    }

    // MARK: DIT (bit-reversed → natural)

    /// One DIT layer with half-span h: (x, y) → (x + y·ω^j, x − y·ω^j).
    @inline(__always)
    static func ditLayer(_ a: UnsafeMutablePointer<KoalaBear>, size: Int, h: Int, tw: UnsafePointer<KoalaBear>) {
        if h == 1 {
            var s = 0
            while s < size {
                let x = a[s], y = a[s + 1]
                a[s] = x + y
                a[s + 1] = x - y
                s += 2
            }
            return
        }
        let t = tw + h
        var s = 0
        while s < size {
            let lo = a + s, hi = a + s + h
            for j in 0..<h {
                let x = lo[j], y = hi[j] * t[j]
                lo[j] = x + y
                hi[j] = x - y
            }
            s += 2 &* h
        }
    }

    static func ditSerial(_ a: UnsafeMutablePointer<KoalaBear>, n: Int, tw: UnsafePointer<KoalaBear>) {
        let b = Swift.min(n, blockSize)
        var s = 0
        while s < n {
            var hh = 1
            while hh < b {
                ditLayer(a + s, size: b, h: hh, tw: tw)
                hh <<= 1
            }
            s += b
        }
        var h = b
        while h < n {
            ditLayer(a, size: n, h: h, tw: tw)
            h <<= 1
        }
    }

    static func ditParallel(_ a: UnsafeMutablePointer<KoalaBear>, n: Int, tw: UnsafePointer<KoalaBear>, threads: Int) {
        let pa = UnsafeTransfer(a), ptw = UnsafeTransfer(tw)
        // Blocks small enough that there are at least `threads` of them.
        var b = n
        while b > 1 && n / b < threads { b >>= 1 }
        Parallel.forEach(n / b, threads: threads) { k in
            ditSerial(pa.value + k * b, n: b, tw: ptw.value)
        }
        var h = b
        while h < n {
            let span = h
            Parallel.chunks(span, threads: threads, minChunk: 2048) { r in
                let a = pa.value, t = ptw.value + span
                var s = 0
                while s < n {
                    let lo = a + s, hi = a + s + span
                    for j in r {
                        let x = lo[j], y = hi[j] * t[j]
                        lo[j] = x + y
                        hi[j] = x - y
                    }
                    s += 2 * span
                }
            }
            h <<= 1
        }
    }
}

/// Precomputed twiddle tables, grown on demand and shared by every transform.
/// `forward[h + j] = ω_{2h}^j` for h = 1, 2, 4, …, N/2 and j < h (ω_{2h} the primitive
/// 2h-th root of unity), `inverse` likewise with ω_{2h}^{-1}. A table for size N serves every
/// smaller size, since the entries do not depend on N.
final class Twiddles: @unchecked Sendable {
    static let shared = Twiddles()
    private let lock = Lock()
    private var forward: [KoalaBear] = []
    private var inverse: [KoalaBear] = []
    private var logN = 0

    func forwardTable(logN: Int) -> [KoalaBear] {
        ensure(logN)
        return lock.withLock { forward }
    }

    func inverseTable(logN: Int) -> [KoalaBear] {
        ensure(logN)
        return lock.withLock { inverse }
    }

    private func ensure(_ want: Int) {
        precondition(want <= KoalaBear.twoAdicity, "transform of size 2^\(want) exceeds the two-adicity 24")
        if lock.withLock({ logN >= want && !forward.isEmpty }) { return }
        let target = Swift.max(want, 10)
        let f = Twiddles.build(logN: target, root: KoalaBear.twoAdicGenerator(logN: target))
        let i = Twiddles.build(logN: target, root: KoalaBear.twoAdicGenerator(logN: target).inverseOrZero)
        lock.withLock {
            if target > logN || forward.isEmpty {
                forward = f
                inverse = i
                logN = target
            }
        }
    }

    private static func build(logN: Int, root: KoalaBear) -> [KoalaBear] {
        let n = 1 << logN
        var t = [KoalaBear](repeating: .zero, count: n)
        t.withUnsafeMutableBufferPointer { p in
            let h = n >> 1
            var acc = KoalaBear.one
            for j in 0..<h {
                p[h + j] = acc
                acc *= root
            }
            var hh = h >> 1
            while hh >= 1 {
                for j in 0..<hh { p[hh + j] = p[2 * hh + 2 * j] }
                hh >>= 1
            }
        }
        return t
    }
}
