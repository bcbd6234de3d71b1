import Locking
import KoalaBear

/// What a verifier needs besides the AIR: the commitment to the preprocessed columns (for
/// the height it was made for) and the constraint system's digest.
public struct VerifyingKey: Sendable, Equatable {
    /// log2 of the trace height the key is for: a verifier given this key accepts proofs
    /// of this height only.
    public let logTraceHeight: Int
    /// Merkle root of the preprocessed columns' LDE, if any.
    public let preprocessedRoot: Digest?
    /// Digest of the compiled constraint system.
    public let constraintDigest: Digest
}

/// The prover's copy of the preprocessed data: the columns, their LDE and its Merkle tree.
public struct ProvingKey: Sendable {
    public let verifyingKey: VerifyingKey
    let logTraceHeight: Int
    let preprocessed: ColumnMatrix?
    let preprocessedLDE: ColumnMatrix?
    let preprocessedTree: MerkleTree?
}

/// Entry points of the proof system.
public enum STARK {
    /// The domain separator of the transcript.
    static let protocolLabel = "ProverNet STARK v1"

    /// The coset shift of every LDE domain (the multiplicative generator, outside all
    /// two-adic subgroups).
    public static let cosetShift = KoalaBear.multiplicativeGenerator

    /// Commits to the AIR's preprocessed columns for traces of 2^logTraceHeight rows.
    public static func setup<A: AIR>(_ air: A, logTraceHeight: Int, config: StarkConfig = .standard,
                                     backend: any ProverBackend = CPUBackend()) throws(StarkError) -> ProvingKey {
        let system = try ConstraintSystem(air: air)
        return try setup(air, system: system, logTraceHeight: logTraceHeight, config: config, backend: backend)
    }

    static func setup<A: AIR>(_ air: A, system: ConstraintSystem, logTraceHeight: Int, config: StarkConfig,
                              backend: any ProverBackend) throws(StarkError) -> ProvingKey {
        try config.fri.validate()
        guard logTraceHeight >= 1, logTraceHeight + config.fri.logBlowup <= KoalaBear.twoAdicity else {
            throw .invalidTrace("trace height 2^\(logTraceHeight) is outside 2^1 … 2^\(KoalaBear.twoAdicity - config.fri.logBlowup)")
        }
        guard system.preprocessedWidth > 0 else {
            return ProvingKey(verifyingKey: VerifyingKey(logTraceHeight: logTraceHeight, preprocessedRoot: nil,
                                                         constraintDigest: system.digest),
                              logTraceHeight: logTraceHeight, preprocessed: nil, preprocessedLDE: nil,
                              preprocessedTree: nil)
        }
        guard let pre = air.preprocessedTrace(logHeight: logTraceHeight) else {
            throw .invalidAIR("the AIR declares \(system.preprocessedWidth) preprocessed columns but provides none")
        }
        guard pre.width == system.preprocessedWidth, pre.height == 1 << logTraceHeight else {
            throw .invalidTrace("preprocessed table is \(pre.width)×\(pre.height), expected "
                + "\(system.preprocessedWidth)×\(1 << logTraceHeight)")
        }
        let lde = backend.lowDegreeExtend(pre, logBlowup: config.fri.logBlowup, shift: cosetShift)
        let tree = backend.commitRows(lde, hasher: config.hasher)
        return ProvingKey(verifyingKey: VerifyingKey(logTraceHeight: logTraceHeight, preprocessedRoot: tree.root,
                                                     constraintDigest: system.digest),
                          logTraceHeight: logTraceHeight, preprocessed: pre, preprocessedLDE: lde,
                          preprocessedTree: tree)
    }

    /// Binds the statement into the transcript: configuration, constraint system, trace
    /// height, preprocessed commitment and public inputs.
    static func absorbStatement(_ t: inout Transcript, config: StarkConfig, system: ConstraintSystem, logN: Int,
                                preprocessedRoot: Digest?, publicInputs: [KoalaBear]) {
        t.absorb(bytes: config.fri.transcriptBytes)
        t.absorb(bytes: Array(config.hasher.identifier.utf8))
        t.absorb(system.digest)
        t.absorb(UInt64(logN))
        if let r = preprocessedRoot { t.absorb(r) }
        t.absorb(publicInputs)
    }

    /// Proves that `trace` satisfies `air` with these public inputs. With
    /// `config.checkConstraints` (the default) a trace that breaks a constraint or a lookup
    /// fails here with the constraint and row.
    public static func prove<A: AIR>(_ air: A, trace: ColumnMatrix, publicInputs: [KoalaBear],
                                     config: StarkConfig = .standard, backend: any ProverBackend = CPUBackend(),
                                     key: ProvingKey? = nil) throws(StarkError) -> Proof {
        let system = try ConstraintSystem(air: air)
        try config.fri.validate()
        let fri = config.fri
        let n = trace.height
        guard trace.width == system.mainWidth else {
            throw .invalidTrace("trace has \(trace.width) columns, the AIR declares \(system.mainWidth)")
        }
        guard n >= 2, n & (n - 1) == 0 else { throw .invalidTrace("trace height \(n) is not a power of two ≥ 2") }
        let logN = n.trailingZeroBitCount
        guard logN + fri.logBlowup <= KoalaBear.twoAdicity else {
            throw .invalidTrace("trace height 2^\(logN) with blowup 2^\(fri.logBlowup) exceeds the two-adicity")
        }
        guard system.logQuotientChunks <= fri.logBlowup else {
            throw .invalidAIR("constraint degree \(system.maxEffectiveDegree) needs \(system.quotientChunks) quotient "
                + "chunks but the blowup is only \(1 << fri.logBlowup)")
        }
        guard publicInputs.count == system.publicInputCount else {
            throw .publicInputCount(expected: system.publicInputCount, got: publicInputs.count)
        }
        let pk: ProvingKey
        if let key {
            guard key.verifyingKey.constraintDigest == system.digest else {
                throw .invalidAIR("the proving key was made for a different AIR")
            }
            guard key.logTraceHeight == logN else {
                throw .invalidTrace("the proving key is for 2^\(key.logTraceHeight) rows, the trace has 2^\(logN)")
            }
            pk = key
        } else {
            pk = try setup(air, system: system, logTraceHeight: logN, config: config, backend: backend)
        }
        let threads = backend.hostThreads
        let shift = cosetShift
        let logB = fri.logBlowup
        let logLDE = logN + logB

        var timer = PhaseTimer()
        var t = Transcript(label: protocolLabel)
        absorbStatement(&t, config: config, system: system, logN: logN,
                        preprocessedRoot: pk.verifyingKey.preprocessedRoot, publicInputs: publicInputs)

        if config.checkConstraints {
            try TraceWork.check(system: system, trace: trace, preprocessed: pk.preprocessed,
                                publicInputs: publicInputs, threads: threads)
            timer.mark("check")
        }

        // Main trace.
        let mainLDE = backend.lowDegreeExtend(trace, logBlowup: logB, shift: shift)
        timer.mark("main LDE")
        let mainTree = backend.commitRows(mainLDE, hasher: config.hasher)
        t.absorb(mainTree.root)
        timer.mark("main commit")

        // LogUp trace.
        var challenges: [KoalaBearExt] = []
        var aux: ColumnMatrix?
        var auxLDE: ColumnMatrix?
        var auxTree: MerkleTree?
        var cumulativeSum = KoalaBearExt.zero
        if system.hasLookups {
            let alpha = t.sampleExt(), beta = t.sampleExt()
            challenges = [alpha, beta]
            let built = try backend.buildLogUpTrace(LogUpJob(system: system, trace: trace, preprocessed: pk.preprocessed,
                                                             publicInputs: publicInputs, alpha: alpha, beta: beta))
            if config.checkConstraints, !built.total.isZero {
                let bad = built.busSums.filter { !$0.value.isZero }.keys.min() ?? -1
                throw .lookupNotBalanced(bus: bad)
            }
            aux = built.aux
            cumulativeSum = built.total
            let lde = backend.lowDegreeExtend(built.aux, logBlowup: logB, shift: shift)
            let tree = backend.commitRows(lde, hasher: config.hasher)
            auxLDE = lde
            auxTree = tree
            t.absorb(tree.root)
            t.absorb(cumulativeSum)
            timer.mark("LogUp")
        }

        // Quotient.
        let lambda = t.sampleExt()
        let job = QuotientJob(system: system, main: mainLDE, preprocessed: pk.preprocessedLDE, aux: auxLDE,
                              logTraceHeight: logN, logBlowup: logB, shift: shift, publicInputs: publicInputs,
                              challenges: challenges, cumulativeSum: cumulativeSum, lambda: lambda)
        let qValues = backend.evaluateQuotient(job)
        timer.mark("quotient eval")
        let (qCoeffs, extCoeffs) = Machine.splitQuotient(qValues, chunks: system.quotientChunks, n: n, shift: shift,
                                                         backend: backend, threads: threads)
        timer.mark("quotient split")
        let qLDE = backend.extendCoefficients(qCoeffs, logBlowup: logB, shift: shift, scale: .one)
        timer.mark("quotient LDE")
        let qTree = backend.commitRows(qLDE, hasher: config.hasher)
        t.absorb(qTree.root)
        timer.mark("quotient commit")

        // Out-of-domain point.
        let zeta = t.sampleExt()
        let zetaNext = zeta * KoalaBear.twoAdicGenerator(logN: logN)
        guard !zeta.isInBaseField else {
            throw .invalidTrace("internal: the out-of-domain point fell into the base field (probability ~2^-90)")
        }
        let ood = try Machine.outOfDomainValues(system: system, trace: trace, preprocessed: pk.preprocessed, aux: aux,
                                                quotientCoefficients: extCoeffs, logN: logN, at: zeta, threads: threads)
        for v in ood { t.absorb(v) }
        timer.mark("OOD")

        // DEEP composition.
        let gamma = t.sampleExt()
        let layout = DeepLayout(system: system, gamma: gamma, ood: ood)
        guard let deep = backend.composeDeep(DeepJob(layout: layout, main: mainLDE, preprocessed: pk.preprocessedLDE,
                                                     aux: auxLDE, quotient: qLDE, zeta: zeta, zetaNext: zetaNext,
                                                     shift: shift, logSize: logLDE)) else {
            throw .invalidTrace("internal: the out-of-domain point fell into the LDE domain (probability ~2^-90)")
        }
        timer.mark("DEEP")

        // FRI.
        let friData = try FRI.commit(codeword: deep, shift: shift, logDegree: logN, config: fri, hasher: config.hasher,
                                     backend: backend, transcript: &t)
        timer.mark("FRI commit")
        let nonce = t.grind(bits: fri.proofOfWorkBits, threads: threads)
        timer.mark("grinding")
        let queries = (0..<fri.numQueries).map { _ in t.sampleIndex(bits: logLDE) }

        // Openings.
        let unique = Array(Set(queries)).sorted()
        func openRows(_ mtx: ColumnMatrix, _ tree: MerkleTree) -> BatchOpening {
            var values: [KoalaBear] = []
            values.reserveCapacity(unique.count * mtx.width)
            for i in unique { for c in 0..<mtx.width { values.append(mtx[i, c]) } }
            return BatchOpening(width: mtx.width, values: values, siblings: tree.openBatch(unique))
        }
        var traceOpenings = [openRows(mainLDE, mainTree)]
        if let lde = pk.preprocessedLDE, let tree = pk.preprocessedTree { traceOpenings.append(openRows(lde, tree)) }
        if let lde = auxLDE, let tree = auxTree { traceOpenings.append(openRows(lde, tree)) }
        traceOpenings.append(openRows(qLDE, qTree))

        let friOpenings = FRI.open(friData, queries: queries)
        timer.mark("openings")
        timer.report("prove 2^\(logN) (\(air.name))")
        return Proof(logTraceHeight: logN, mainRoot: mainTree.root, auxRoot: auxTree?.root,
                     cumulativeSum: system.hasLookups ? cumulativeSum : nil, quotientRoot: qTree.root,
                     oodValues: ood, friRoots: friData.layers.map(\.tree.root), finalPolynomial: friData.finalPolynomial,
                     powNonce: nonce, traceOpenings: traceOpenings, friOpenings: friOpenings)
    }

    /// Σ c_k z^k with the sum split across threads.
    static func hornerParallel(_ coeffs: [KoalaBearExt], at z: KoalaBearExt, threads: Int) -> KoalaBearExt {
        let n = coeffs.count
        let pieces = Swift.max(1, Swift.min(threads * 2, n / 4096))
        let per = (n + pieces - 1) / pieces
        var partial = [KoalaBearExt](repeating: .zero, count: pieces)
        coeffs.withUnsafeBufferPointer { cb in
            partial.withUnsafeMutableBufferPointer { pb in
                let c = UnsafeTransfer(cb), p = UnsafeTransfer(pb.baseAddress!)
                Parallel.forEach(pieces, threads: threads) { k in
                    let lo = k * per, hi = Swift.min(n, lo + per)
                    guard lo < hi else { return }
                    p.value[k] = z.pow(UInt64(lo)) * PolynomialEvaluation.evaluate(UnsafeBufferPointer(rebasing: c.value[lo..<hi]), at: z)
                }
            }
        }
        return partial.reduce(.zero, +)
    }
}
