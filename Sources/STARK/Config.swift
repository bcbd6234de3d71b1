import KoalaBear

/// FRI parameters. The conjectured security of a proof is
/// `logBlowup × numQueries + proofOfWorkBits` bits (the ethSTARK conjecture, as Plonky3 and
/// Winterfell count it); the extension field (|F_p^4| ≈ 2^124) bounds the algebraic steps
/// well above that.
public struct FRIConfig: Sendable, Hashable, CustomStringConvertible {
    /// log2 of the Reed–Solomon blowup: the LDE domain is 2^logBlowup times the trace. It also
    /// bounds the constraint degree: the quotient needs at most 2^logBlowup chunks.
    public var logBlowup: Int
    /// Number of FRI queries.
    public var numQueries: Int
    /// Grinding: leading zero bits required of the proof-of-work hash before queries are drawn.
    public var proofOfWorkBits: Int
    /// log2 of how many values each FRI layer folds into one (leaves hold 2^this values).
    public var logFoldingArity: Int
    /// log2 of the number of coefficients of the final polynomial sent in the clear.
    public var logFinalPolynomialLength: Int

    /// A configuration; `validate()` checks the ranges.
    public init(logBlowup: Int, numQueries: Int, proofOfWorkBits: Int, logFoldingArity: Int = 3,
                logFinalPolynomialLength: Int = 5) {
        self.logBlowup = logBlowup
        self.numQueries = numQueries
        self.proofOfWorkBits = proofOfWorkBits
        self.logFoldingArity = logFoldingArity
        self.logFinalPolynomialLength = logFinalPolynomialLength
    }

    /// The default: blowup 4, 42 queries, 16 bits of grinding, folding by 8, a final
    /// polynomial of 32 coefficients: 2·42 + 16 = 100 conjectured bits. Blowup 4 allows
    /// constraints up to degree 5; compared with blowup 8 and 28 queries it halves the
    /// prover's LDE and hashing work for proofs about 30% larger (≈ 115 KB at 2^20 rows).
    public static let standard = FRIConfig(logBlowup: 2, numQueries: 42, proofOfWorkBits: 16)

    /// Conjectured security bits: logBlowup × numQueries + proofOfWorkBits.
    public var conjecturedSecurityBits: Int { logBlowup * numQueries + proofOfWorkBits }

    public var description: String {
        "FRI(log_blowup \(logBlowup), \(numQueries) queries, \(proofOfWorkBits) grinding bits, "
            + "folding arity \(1 << logFoldingArity), final polynomial \(1 << logFinalPolynomialLength) coefficients)"
            + ": \(conjecturedSecurityBits) conjectured security bits"
    }

    /// Checks the parameters are usable.
    public func validate() throws(StarkError) {
        guard (1...6).contains(logBlowup) else { throw .invalidConfig("logBlowup must be in 1...6, got \(logBlowup)") }
        guard (1...512).contains(numQueries) else { throw .invalidConfig("numQueries must be in 1...512, got \(numQueries)") }
        guard (0...40).contains(proofOfWorkBits) else {
            throw .invalidConfig("proofOfWorkBits must be in 0...40, got \(proofOfWorkBits)")
        }
        guard (1...4).contains(logFoldingArity) else {
            throw .invalidConfig("logFoldingArity must be in 1...4, got \(logFoldingArity)")
        }
        guard (0...10).contains(logFinalPolynomialLength) else {
            throw .invalidConfig("logFinalPolynomialLength must be in 0...10, got \(logFinalPolynomialLength)")
        }
    }

    /// The bytes bound into the transcript.
    var transcriptBytes: [UInt8] {
        [UInt8(logBlowup), UInt8(truncatingIfNeeded: numQueries), UInt8(truncatingIfNeeded: numQueries >> 8),
         UInt8(proofOfWorkBits), UInt8(logFoldingArity), UInt8(logFinalPolynomialLength)]
    }

    /// The folding schedule for polynomials of degree < 2^logDegree: the log arity of each
    /// committed layer, and the log length of the final polynomial.
    func schedule(logDegree: Int) -> (arities: [Int], logFinal: Int) { schedule(logDegrees: [logDegree]) }

    /// The folding schedule of a batch of polynomials of degrees < 2^d for each d in
    /// `logDegrees` (a machine's tables): folding starts at the largest, and every smaller
    /// degree above the final polynomial's falls on a layer boundary, where the codewords of
    /// that degree are rolled into the folded one.
    func schedule(logDegrees: [Int]) -> (arities: [Int], logFinal: Int) {
        let top = logDegrees.max() ?? 0
        let logFinal = Swift.min(logFinalPolynomialLength, logDegrees.min() ?? 0)
        let stops = Set(logDegrees.filter { $0 < top && $0 > logFinal })
        var arities: [Int] = []
        var d = top
        while d > logFinal {
            let next = stops.filter { $0 < d }.max() ?? logFinal
            let k = Swift.min(logFoldingArity, d - next)
            arities.append(k)
            d -= k
        }
        return (arities, logFinal)
    }
}

/// Everything a prover and verifier must agree on besides the AIR.
public struct StarkConfig: Sendable {
    /// FRI parameters (and so the security level).
    public var fri: FRIConfig
    /// The Merkle hash.
    public var hasher: any MerkleHasher
    /// Machine proofs: leading zero bits of a proof of work before the LogUp challenges (α, β)
    /// are drawn. Each try at other challenges then costs 2^bits hashes, which adds these bits to
    /// the LogUp step's security (as Stwo's interaction grinding does); docs/zkvm.md §2.
    public var lookupGrindingBits: Int
    /// Machine proofs: leading zero bits of a proof of work before each segment's out-of-domain
    /// point ζ is drawn (adds to the DEEP/ALI step's security the same way).
    public var deepGrindingBits: Int
    /// Prover only: check every constraint and the lookup balance on the trace before proving,
    /// failing with the constraint and row (default). Off, a bad trace yields a proof that
    /// the verifier rejects.
    public var checkConstraints: Bool
    /// Machine proofs: the least conjectured security (``SoundnessEstimate/bits``) a proof's
    /// shape must give; the verifier refuses, and the prover will not make, a proof below it
    /// (0: no floor).
    public var minimumSecurityBits: Int

    /// A configuration (default: the standard FRI parameters, SHA-256, checked proving).
    public init(fri: FRIConfig = .standard, hasher: any MerkleHasher = SHA256MerkleHasher(), lookupGrindingBits: Int = 0,
                deepGrindingBits: Int = 0, minimumSecurityBits: Int = 0, checkConstraints: Bool = true) {
        self.fri = fri
        self.hasher = hasher
        self.lookupGrindingBits = lookupGrindingBits
        self.deepGrindingBits = deepGrindingBits
        self.minimumSecurityBits = minimumSecurityBits
        self.checkConstraints = checkConstraints
    }

    /// Checks the parameters are usable.
    public func validate() throws(StarkError) {
        try fri.validate()
        guard (0...32).contains(lookupGrindingBits), (0...32).contains(deepGrindingBits) else {
            throw .invalidConfig("grinding bits before α, β and ζ must be in 0...32")
        }
        guard (0...256).contains(minimumSecurityBits) else { throw .invalidConfig("minimumSecurityBits must be in 0...256") }
    }

    /// 100 conjectured bits with SHA-256.
    public static let standard = StarkConfig()

    /// Conjectured security bits of proofs made with this configuration.
    public var conjecturedSecurityBits: Int { fri.conjecturedSecurityBits }
}
