import KoalaBear
import STARK
import TestSupport

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

/// The shared seedable generator, with field elements for these tests.
typealias TestRNG = SplitMix64

extension SplitMix64 {
    mutating func field() -> KoalaBear { KoalaBear(next() % UInt64(KoalaBear.modulus)) }
    mutating func ext() -> KoalaBearExt { KoalaBearExt(field(), field(), field(), field()) }
}
