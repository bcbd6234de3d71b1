import KoalaBear
import TestSupport

/// The shared seedable generator, with field elements for these tests.
typealias TestRNG = SplitMix64

extension SplitMix64 {
    mutating func field() -> KoalaBear { KoalaBear(next() % UInt64(KoalaBear.modulus)) }
    mutating func ext() -> KoalaBearExt { KoalaBearExt(field(), field(), field(), field()) }
    mutating func fields(_ n: Int) -> [KoalaBear] { (0..<n).map { _ in field() } }
}

let P = UInt64(KoalaBear.modulus)

/// Reference modular arithmetic on canonical integers.
func mulmod(_ a: UInt64, _ b: UInt64) -> UInt64 { (a * b) % P }
func powmod(_ a: UInt64, _ e: UInt64) -> UInt64 {
    var r: UInt64 = 1, b = a % P, e = e
    while e > 0 {
        if e & 1 == 1 { r = mulmod(r, b) }
        b = mulmod(b, b)
        e >>= 1
    }
    return r
}

/// Naive O(n²) DFT: evaluations of the polynomial with these coefficients at shift·ω^i.
func naiveDFT(_ coeffs: [KoalaBear], shift: KoalaBear = .one) -> [KoalaBear] {
    let n = coeffs.count
    let omega = KoalaBear.twoAdicGenerator(logN: n.trailingZeroBitCount)
    var out = [KoalaBear](repeating: .zero, count: n)
    var x = shift
    for i in 0..<n {
        var acc = KoalaBear.zero
        for k in stride(from: n - 1, through: 0, by: -1) { acc = acc * x + coeffs[k] }
        out[i] = acc
        x *= omega
    }
    return out
}

func horner(_ coeffs: [KoalaBear], _ x: KoalaBear) -> KoalaBear {
    var acc = KoalaBear.zero
    for c in coeffs.reversed() { acc = acc * x + c }
    return acc
}
