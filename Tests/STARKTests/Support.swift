import KoalaBear
import STARK

/// Small, fast configurations for logic tests (security is not the point there).
enum TestConfigs {
    /// Blowup 4, 8 queries, 2 grinding bits, folding by 4, final polynomial of 4 coefficients.
    static let small = StarkConfig(fri: FRIConfig(logBlowup: 2, numQueries: 8, proofOfWorkBits: 2,
                                                  logFoldingArity: 2, logFinalPolynomialLength: 2))
    static var unchecked: StarkConfig {
        var c = small
        c.checkConstraints = false
        return c
    }
}

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
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
