import Locking
import Foundation

/// Compares two byte strings like `memcmp`, then by length: `<0`, `0` or `>0`.
@inline(__always)
func compareBytes(_ a: [UInt8], _ b: [UInt8]) -> Int {
    let n = min(a.count, b.count)
    let c = a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in n == 0 ? 0 : Int(memcmp(pa.baseAddress!, pb.baseAddress!, n)) }
    }
    return c != 0 ? c : a.count - b.count
}

extension Array where Element == UInt8 {
    /// Whether `self` begins with `prefix`.
    @inline(__always)
    func hasBytePrefix(_ prefix: [UInt8]) -> Bool {
        guard count >= prefix.count else { return false }
        guard !prefix.isEmpty else { return true }
        return withUnsafeBufferPointer { a in
            prefix.withUnsafeBufferPointer { p in memcmp(a.baseAddress!, p.baseAddress!, p.count) == 0 }
        }
    }
}
