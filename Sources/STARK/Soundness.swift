import Foundation
import KoalaBear

/// The conjectured soundness of a machine proof of a given shape (docs/zkvm.md §2): each step's
/// error per attempt, in bits, with the grinding before it added (an attempt at new challenges
/// costs 2^bits hashes), and their sum.
///
/// - FRI: `logBlowup × queries + grinding` (the ethSTARK conjecture, as Plonky3 counts it), per
///   segment; a false statement needs only one bad segment, so segments do not add up.
/// - LogUp (α, β, drawn once for all segments): a multiset imbalance survives with probability
///   at most N·(L + 1)/|F|, N the fractions of every table of every segment plus the public
///   interactions, L the longest tuple (Schwartz–Zippel on the numerator of
///   Σ m/(α − fingerprint(β)), of total degree ≤ N·L, and the denominators' zeros).
/// - DEEP/ALI (ζ, one per segment): a false trace passes the out-of-domain check with
///   probability at most Σ_tables (D + 2)·n / |F| (D the constraint degree, n the height: the
///   constraint identity and the two opening points); the worst segment counts.
/// - Batching (λ, γ and the tables' ρ): the combined terms over |F|, summed over segments.
///
/// |F| = p⁴ ≈ 2^123.96 (the quartic extension every challenge is drawn from).
public struct SoundnessEstimate: Sendable, Equatable, CustomStringConvertible {
    public var friBits: Double
    public var logUpBits: Double
    public var deepBits: Double
    public var batchingBits: Double
    /// −log2 of the sum of the four errors.
    public var bits: Double

    /// log2 |F| of the challenge field.
    public static let fieldBits = 4 * log2(Double(KoalaBear.modulus))

    /// The estimate for `segments` (each a list of (constraint system, log2 height)) with
    /// `publicInteractions` tuples the verifier adds, under `config`.
    public init(segments: [[(system: ConstraintSystem, logHeight: Int)]], publicInteractions: Int, config: StarkConfig) {
        let field = SoundnessEstimate.fieldBits
        friBits = Double(config.fri.conjecturedSecurityBits)
        var fractions = Double(publicInteractions), tuple = 0
        var worstDeep = 0.0, batching = 0.0
        for tables in segments {
            var deep = 0.0
            for (system, logHeight) in tables {
                let n = Double(1 << logHeight)
                fractions += n * Double(system.interactionCount)
                tuple = Swift.max(tuple, system.maxTupleLength)
                deep += n * Double(system.maxEffectiveDegree + 2)
                batching += Double(system.constraintCount + system.oodCount + 1)
            }
            worstDeep = Swift.max(worstDeep, deep)
        }
        func bits(_ numerator: Double, grinding: Int) -> Double {
            numerator <= 0 ? Double.infinity : field - log2(numerator) + Double(grinding)
        }
        logUpBits = bits(fractions * Double(tuple + 1), grinding: config.lookupGrindingBits)
        deepBits = bits(worstDeep, grinding: config.deepGrindingBits)
        batchingBits = bits(batching, grinding: 0)
        let error = [friBits, logUpBits, deepBits, batchingBits].reduce(0.0) { $0 + exp2(-$1) }
        self.bits = -log2(error)
    }

    public var description: String {
        func f(_ x: Double) -> String { x.isInfinite ? "∞" : String(format: "%.1f", x) }
        return "\(f(bits)) bits (FRI \(f(friBits)), LogUp \(f(logUpBits)), DEEP \(f(deepBits)), batching \(f(batchingBits)))"
    }
}
