import Hashing
import KoalaBear
import STARK

/// `provernet bench field` and `provernet bench merkle`.
extension Benchmarks {
    /// KoalaBear multiplications per second (Montgomery form, `@inlinable` wrapping arithmetic)
    /// against the straightforward `(a · b) mod p` on canonical values, and quartic-extension
    /// multiplications against the schoolbook product reduced by x^4 = 3 with `%`, same run.
    static func field(seconds: Double) -> [BenchResult] {
        let n = 4_096
        let p: UInt64 = 0x7f00_0001
        let a = (0..<n).map { KoalaBear(UInt32(truncatingIfNeeded: $0 &* 2_654_435_761) % 0x7f00_0001) }
        let b = (0..<n).map { KoalaBear(UInt32(truncatingIfNeeded: $0 &* 40_503 &+ 7) % 0x7f00_0001) }
        let ca = a.map { UInt64($0.value) }, cb = b.map { UInt64($0.value) }
        var out = [KoalaBear](repeating: .zero, count: n)
        var cout = [UInt64](repeating: 0, count: n)
        let base = Measure.compare(seconds: seconds, batch: n, ours: {
            a.withUnsafeBufferPointer { x in
                b.withUnsafeBufferPointer { y in
                    out.withUnsafeMutableBufferPointer { o in
                        for i in 0..<n { o[i] = x[i] * y[i] }
                    }
                }
            }
            blackHole(out)
        }, reference: {
            ca.withUnsafeBufferPointer { x in
                cb.withUnsafeBufferPointer { y in
                    cout.withUnsafeMutableBufferPointer { o in
                        for i in 0..<n { o[i] = (x[i] &* y[i]) % p }
                    }
                }
            }
            blackHole(cout)
        })
        let m = n / 4
        let ea = (0..<m).map { KoalaBearExt(a[4 * $0], a[4 * $0 + 1], a[4 * $0 + 2], a[4 * $0 + 3]) }
        let eb = (0..<m).map { KoalaBearExt(b[4 * $0], b[4 * $0 + 1], b[4 * $0 + 2], b[4 * $0 + 3]) }
        var eout = [KoalaBearExt](repeating: .zero, count: m)
        var rout = [UInt64](repeating: 0, count: n)
        let ext = Measure.compare(seconds: seconds, batch: m, ours: {
            for i in 0..<m { eout[i] = ea[i] * eb[i] }
            blackHole(eout)
        }, reference: {
            ca.withUnsafeBufferPointer { x in
                cb.withUnsafeBufferPointer { y in
                    rout.withUnsafeMutableBufferPointer { o in
                        for i in 0..<m {
                            let b = 4 * i
                            @inline(__always) func mul(_ j: Int, _ k: Int) -> UInt64 { (x[b + j] &* y[b + k]) % p }
                            let r0 = mul(0, 0)
                            let r1 = (mul(0, 1) + mul(1, 0)) % p
                            let r2 = (mul(0, 2) + mul(1, 1) + mul(2, 0)) % p
                            let r3 = (mul(0, 3) + mul(1, 2) + mul(2, 1) + mul(3, 0)) % p
                            let r4 = (mul(1, 3) + mul(2, 2) + mul(3, 1)) % p
                            let r5 = (mul(2, 3) + mul(3, 2)) % p
                            let r6 = mul(3, 3)
                            o[b] = (r0 + 3 * r4) % p
                            o[b + 1] = (r1 + 3 * r5) % p
                            o[b + 2] = (r2 + 3 * r6) % p
                            o[b + 3] = r3
                        }
                    }
                }
            }
            blackHole(rout)
        })
        return [
            BenchResult(bench: "field", value: base.ours / 1e6, unit: "M mul/s", reference: base.reference / 1e6,
                        referenceName: "(a·b) mod p on canonical values", target: nil),
            BenchResult(bench: "field.ext", value: ext.ours / 1e6, unit: "M mul/s", reference: ext.reference / 1e6,
                        referenceName: "schoolbook extension product with %", target: nil),
        ]
    }

    /// Merkle commitment throughput (MB/s of hashed node input) for a 2^16-leaf tree on one
    /// core, against OpenSSL's SHA-256 on 64-byte inputs in a plain loop, same run.
    static func merkle(seconds: Double) -> [BenchResult] {
        let leaves = 1 << 16
        let digests = (0..<leaves).map { Digest(w0: UInt64($0), w1: UInt64($0) &* 31, w2: 7, w3: 9) }
        let hasher = SHA256MerkleHasher()
        var input = [UInt8](repeating: 0, count: 64 * 4_096)
        for i in input.indices { input[i] = UInt8(truncatingIfNeeded: i &* 13) }
        var out = [UInt8](repeating: 0, count: 32)
        let rates = Measure.compare(seconds: seconds, batch: leaves - 1, ours: {
            let t = MerkleTree(leaves: digests, hasher: hasher, threads: 1)
            blackHole(t.root)
        }, reference: {
            input.withUnsafeBytes { inp in
                out.withUnsafeMutableBytes { o in
                    for i in 0..<(leaves - 1) {
                        let j = i & 4_095
                        SHA256.hash(UnsafeRawBufferPointer(rebasing: inp[(j * 64)..<(j * 64 + 64)]), into: o)
                    }
                }
            }
            blackHole(out)
        })
        return [BenchResult(bench: "merkle", value: rates.ours * 64 / 1e6, unit: "MB/s", reference: rates.reference * 64 / 1e6,
                            referenceName: "OpenSSL SHA-256 on 64-byte inputs", target: 0.8)]
    }
}
