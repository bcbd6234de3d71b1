import KoalaBear

extension STARK {
    /// Verifies a proof given as bytes (strict decoding first).
    public static func verify<A: AIR>(_ air: A, proofBytes: [UInt8], publicInputs: [KoalaBear],
                                      config: StarkConfig = .standard, key: VerifyingKey? = nil) throws(StarkError) {
        let proof = try Proof(bytes: proofBytes)
        try verify(air, proof: proof, publicInputs: publicInputs, config: config, key: key)
    }

    /// Verifies `proof` for `air` and `publicInputs`; throws `StarkError.verificationFailed`
    /// (or `.malformedProof` for a proof of the wrong shape) with the first check that failed.
    ///
    /// Checks: the statement (configuration, AIR, height, preprocessed commitment, public
    /// inputs) bound into the transcript; every Merkle opening; the constraint identity at the
    /// out-of-domain point ζ; the LogUp total being zero; the DEEP composition at every query
    /// against FRI layer 0; FRI folding at every layer; the final polynomial; the grinding
    /// nonce. Memory is proportional to queries × tree depth, never to the trace.
    ///
    /// The trace height (`proof.logTraceHeight`) is part of the statement: pass a
    /// `VerifyingKey` from `setup` to accept one height only, or check it yourself. For an AIR
    /// with preprocessed columns pass the key; without it the commitment is recomputed from
    /// the AIR (work proportional to the table).
    public static func verify<A: AIR>(_ air: A, proof: Proof, publicInputs: [KoalaBear],
                                      config: StarkConfig = .standard, key: VerifyingKey? = nil) throws(StarkError) {
        try verify(air, system: try ConstraintSystem(air: air), proof: proof, publicInputs: publicInputs,
                   config: config, key: key)
    }

    static func verify<A: AIR>(_ air: A, system: ConstraintSystem, proof: Proof, publicInputs: [KoalaBear],
                               config: StarkConfig, key: VerifyingKey?) throws(StarkError) {
        try config.fri.validate()
        let fri = config.fri
        let hasher = config.hasher
        let logN = proof.logTraceHeight
        let n = 1 << logN
        let logB = fri.logBlowup
        let logLDE = logN + logB
        guard logN >= 1, logLDE <= KoalaBear.twoAdicity else {
            throw .verificationFailed("trace height 2^\(logN) is not allowed with blowup 2^\(logB)")
        }
        guard system.logQuotientChunks <= logB else {
            throw .invalidAIR("constraint degree \(system.maxEffectiveDegree) is too high for blowup 2^\(logB)")
        }
        guard publicInputs.count == system.publicInputCount else {
            throw .publicInputCount(expected: system.publicInputCount, got: publicInputs.count)
        }
        // Verifying key.
        var preRoot: Digest?
        if system.preprocessedWidth > 0 {
            let vk: VerifyingKey
            if let key {
                vk = key
            } else {
                vk = try setup(air, system: system, logTraceHeight: logN, config: config, backend: CPUBackend()).verifyingKey
            }
            guard vk.constraintDigest == system.digest else {
                throw .verificationFailed("the verifying key belongs to a different AIR")
            }
            guard vk.logTraceHeight == logN, let r = vk.preprocessedRoot else {
                throw .verificationFailed("the verifying key is for a different trace height")
            }
            preRoot = r
        } else if let key {
            guard key.constraintDigest == system.digest else {
                throw .verificationFailed("the verifying key belongs to a different AIR")
            }
            guard key.logTraceHeight == logN else {
                throw .verificationFailed("the verifying key is for a different trace height")
            }
        }
        // Shape.
        guard (proof.auxRoot != nil) == system.hasLookups, (proof.cumulativeSum != nil) == system.hasLookups else {
            throw .verificationFailed(system.hasLookups ? "the proof lacks the LogUp commitment" : "unexpected LogUp data")
        }
        guard proof.oodValues.count == system.oodCount else {
            throw .verificationFailed("expected \(system.oodCount) out-of-domain values, got \(proof.oodValues.count)")
        }
        let (arities, logFinal) = fri.schedule(logDegree: logN)
        guard proof.friRoots.count == arities.count else {
            throw .verificationFailed("expected \(arities.count) FRI layers, got \(proof.friRoots.count)")
        }
        guard proof.finalPolynomial.count == 1 << logFinal else {
            throw .verificationFailed("expected a final polynomial of \(1 << logFinal) coefficients")
        }
        let treeCount = 2 + (system.preprocessedWidth > 0 ? 1 : 0) + (system.hasLookups ? 1 : 0)
        guard proof.traceOpenings.count == treeCount else {
            throw .verificationFailed("expected \(treeCount) trace openings, got \(proof.traceOpenings.count)")
        }

        // Replay the transcript.
        var t = Transcript(label: protocolLabel)
        absorbStatement(&t, config: config, system: system, logN: logN, preprocessedRoot: preRoot,
                        publicInputs: publicInputs)
        t.absorb(proof.mainRoot)
        var challenges: [KoalaBearExt] = []
        var cumulativeSum = KoalaBearExt.zero
        if system.hasLookups, let a = proof.auxRoot, let s = proof.cumulativeSum {
            challenges = [t.sampleExt(), t.sampleExt()]
            t.absorb(a)
            t.absorb(s)
            cumulativeSum = s
            guard s.isZero else { throw .verificationFailed("the LogUp sum is not zero: a lookup is unbalanced") }
        }
        let lambda = t.sampleExt()
        t.absorb(proof.quotientRoot)
        let zeta = t.sampleExt()
        let omegaN = KoalaBear.twoAdicGenerator(logN: logN)
        let zetaNext = zeta * omegaN
        let zetaN = zeta.pow(UInt64(n))
        let zh = zetaN - KoalaBearExt.one
        guard !zeta.isInBaseField, !zh.isZero else {
            throw .verificationFailed("the out-of-domain point lies in the domain")
        }
        for v in proof.oodValues { t.absorb(v) }

        // Constraint identity at ζ.
        let ood = proof.oodValues
        try Machine.checkConstraints(system: system, logN: logN, ood: ood, publicInputs: publicInputs, challenges: challenges,
                                     cumulativeSum: cumulativeSum, lambda: lambda, zeta: zeta, table: 0)

        // DEEP and FRI challenges.
        let gamma = t.sampleExt()
        let layout = DeepLayout(system: system, gamma: gamma, ood: ood)
        var betas: [KoalaBearExt] = []
        for r in proof.friRoots {
            t.absorb(r)
            betas.append(t.sampleExt())
        }
        for c in proof.finalPolynomial { t.absorb(c) }
        guard t.checkGrinding(bits: fri.proofOfWorkBits, nonce: proof.powNonce) else {
            throw .verificationFailed("the proof-of-work nonce is invalid")
        }
        let queries = (0..<fri.numQueries).map { _ in t.sampleIndex(bits: logLDE) }
        let unique = Array(Set(queries)).sorted()

        // Trace openings.
        var widths = [system.mainWidth]
        if system.preprocessedWidth > 0 { widths.append(system.preprocessedWidth) }
        if system.hasLookups { widths.append(4 * system.auxWidth) }
        widths.append(4 * system.quotientChunks)
        var roots = [proof.mainRoot]
        if let preRoot { roots.append(preRoot) }
        if let a = proof.auxRoot { roots.append(a) }
        roots.append(proof.quotientRoot)
        try checkOpenings(proof.traceOpenings, widths: widths, roots: roots, rows: unique, depth: logLDE, hasher: hasher,
                          label: "trace opening")
        let preIndex = system.preprocessedWidth > 0 ? 1 : nil
        let auxIndex = system.hasLookups ? (system.preprocessedWidth > 0 ? 2 : 1) : nil
        let qIndex = treeCount - 1
        let omegaLDE = KoalaBear.twoAdicGenerator(logN: logLDE)
        var initial: [KoalaBearExt] = []
        initial.reserveCapacity(queries.count)
        for q in queries {
            let pos = FRI.binarySearch(unique, q)
            let x = cosetShift * omegaLDE.pow(UInt64(NTT.reverseBits(q, bits: logLDE)))
            guard let v = layout.evaluate(x: x, main: proof.traceOpenings[0].row(pos),
                                          preprocessed: preIndex.map { proof.traceOpenings[$0].row(pos) },
                                          aux: auxIndex.map { proof.traceOpenings[$0].row(pos) },
                                          quotient: proof.traceOpenings[qIndex].row(pos), zeta: zeta,
                                          zetaNext: zetaNext) else {
                throw .verificationFailed("the out-of-domain point lies in the LDE domain")
            }
            initial.append(v)
        }
        try FRI.verifyQueries(queries: queries, initialValues: initial, logDomain: logLDE, shift: cosetShift,
                              arities: arities, betas: betas, roots: proof.friRoots, openings: proof.friOpenings,
                              finalPolynomial: proof.finalPolynomial, hasher: hasher)
    }
}

/// A verifier for one AIR, configuration and key, with the constraint system compiled once:
/// what a node keeps around to check many proofs of the same program.
public struct STARKVerifier<A: AIR>: Sendable {
    /// The AIR.
    public let air: A
    /// The configuration proofs must use.
    public let config: StarkConfig
    /// The verifying key (required in practice for AIRs with preprocessed columns).
    public let key: VerifyingKey?
    let system: ConstraintSystem

    /// Compiles the AIR's constraints.
    public init(air: A, config: StarkConfig = .standard, key: VerifyingKey? = nil) throws(StarkError) {
        try config.fri.validate()
        self.air = air
        self.config = config
        self.key = key
        system = try ConstraintSystem(air: air)
    }

    /// Verifies a decoded proof (see `STARK.verify`).
    public func verify(_ proof: Proof, publicInputs: [KoalaBear]) throws(StarkError) {
        try STARK.verify(air, system: system, proof: proof, publicInputs: publicInputs, config: config, key: key)
    }

    /// Decodes strictly, then verifies.
    public func verify(proofBytes: [UInt8], publicInputs: [KoalaBear]) throws(StarkError) {
        try verify(try Proof(bytes: proofBytes), publicInputs: publicInputs)
    }
}

extension STARK {
    /// Checks row openings of several trees at the same `rows`: each opening's shape (one row
    /// of `widths[k]` values per index) and its Merkle authentication against `roots[k]`.
    static func checkOpenings(_ openings: [BatchOpening], widths: [Int], roots: [Digest], rows: [Int], depth: Int,
                              hasher: any MerkleHasher, label: String) throws(StarkError) {
        for (k, o) in openings.enumerated() {
            guard o.width == widths[k], o.rowCount == rows.count, o.values.count == rows.count * widths[k] else {
                throw .verificationFailed("\(label) \(k) has the wrong shape")
            }
            let digests = (0..<rows.count).map { MerkleTree.leafDigest(o.row($0), hasher: hasher) }
            guard MerkleTree.verifyBatch(root: roots[k], depth: depth, indices: rows, leaves: digests,
                                         siblings: o.siblings, hasher: hasher) else {
                throw .verificationFailed("\(label) \(k): Merkle authentication failed")
            }
        }
    }
}
