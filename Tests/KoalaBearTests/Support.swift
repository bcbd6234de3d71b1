import KoalaBear

/// Deterministic SplitMix64, so property tests are reproducible.
struct TestRNG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
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
