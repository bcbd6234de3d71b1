import KoalaBear
import Locking

/// One table of a machine, as the prover has it: an AIR, its trace (its own height) and its
/// public inputs.
public struct MachineTable: Sendable {
    public let air: any AIR
    public let trace: ColumnMatrix
    public let publicInputs: [KoalaBear]

    public init(air: any AIR, trace: ColumnMatrix, publicInputs: [KoalaBear] = []) {
        self.air = air
        self.trace = trace
        self.publicInputs = publicInputs
    }
}

/// One segment of a segmented machine proof, as the verifier has it: its tables' AIRs, its
/// proof and each table's public inputs.
public struct MachineSegment: Sendable {
    public var airs: [any AIR]
    public var proof: MachineProof
    public var publicInputs: [[KoalaBear]]

    public init(airs: [any AIR], proof: MachineProof, publicInputs: [[KoalaBear]]) {
        self.airs = airs
        self.proof = proof
        self.publicInputs = publicInputs
    }
}

/// One table's part of a machine proof.
public struct TableProof: Sendable, Equatable {
    public var logTraceHeight: Int
    public var mainRoot: Digest
    /// The LogUp commitment and the table's share of the LogUp sum (tables with lookups).
    public var auxRoot: Digest?
    public var cumulativeSum: KoalaBearExt?
    public var quotientRoot: Digest
    public var oodValues: [KoalaBearExt]
    /// Openings at the table's query rows: main, preprocessed (if any), auxiliary (if any),
    /// quotient.
    public var openings: [BatchOpening]
}

/// A proof that several tables, each with its own height, satisfy their AIRs and together
/// balance every bus (with the public interactions the verifier adds itself).
public struct MachineProof: Sendable, Equatable {
    public var tables: [TableProof]
    /// The proof of work before the LogUp challenges (the same in every segment of a proof).
    public var lookupNonce: UInt64
    /// The proof of work before ζ.
    public var deepNonce: UInt64
    public var friRoots: [Digest]
    public var finalPolynomial: [KoalaBearExt]
    public var powNonce: UInt64
    public var friOpenings: [BatchOpening]
}

/// The multi-table STARK: tables ("chips") of different heights proven together under one
/// transcript. Every table's main trace is committed before the LogUp challenges are drawn, so
/// the challenges are shared and the buses balance across tables: the verifier checks that the
/// tables' LogUp sums and the public interactions' share add up to zero. One λ combines every
/// table's constraints, one out-of-domain point ζ opens them all (each table at ζ and ζ·ω of
/// its own height), and one FRI proves every DEEP composition low-degree: tables are grouped by
/// height, each weighted by its own challenge, and each group is rolled into the folded
/// codeword when folding reaches its size (as Plonky3 batches mixed heights). Queries are drawn
/// on the largest domain; a table of 2^j times fewer rows is opened at the query index shifted
/// right by j (bit-reversed order makes that the folded point).
public enum Machine {
    static let protocolLabel = "ProverNet machine v2"

    /// Binds the configuration and the number of segments.
    static func absorbHeader(_ t: inout Transcript, config: StarkConfig, segments: Int) {
        t.absorb(bytes: config.fri.transcriptBytes)
        t.absorb(bytes: [UInt8(config.lookupGrindingBits), UInt8(config.deepGrindingBits)])
        t.absorb(bytes: Array(config.hasher.identifier.utf8))
        t.absorb(UInt64(segments))
    }

    /// Binds one segment's statement: its index, each table's constraint system, height,
    /// preprocessed commitment and public inputs.
    static func absorbSegment(_ t: inout Transcript, segment: Int, systems: [ConstraintSystem], logHeights: [Int],
                              preprocessedRoots: [Digest?], publicInputs: [[KoalaBear]]) {
        t.absorb(UInt64(segment))
        t.absorb(UInt64(systems.count))
        for (i, sys) in systems.enumerated() {
            t.absorb(sys.digest)
            t.absorb(UInt64(logHeights[i]))
            t.absorb(UInt64(preprocessedRoots[i] == nil ? 0 : 1))
            if let r = preprocessedRoots[i] { t.absorb(r) }
            t.absorb(UInt64(publicInputs[i].count))
            t.absorb(publicInputs[i])
        }
    }

    /// Binds the interactions the verifier adds to the buses itself.
    static func absorbPublicInteractions(_ t: inout Transcript, _ publicInteractions: [PublicInteraction]) {
        t.absorb(UInt64(publicInteractions.count))
        for p in publicInteractions {
            t.absorb(UInt64(p.bus.id))
            t.absorb(UInt64(p.isSend ? 1 : 0))
            t.absorb(p.multiplicity)
            t.absorb(UInt64(p.values.count))
            t.absorb(p.values)
        }
    }

    static func validate(config: StarkConfig, system: ConstraintSystem, logN: Int, publicInputs: Int, table: Int) throws(StarkError) {
        guard logN >= 1, logN + config.fri.logBlowup <= KoalaBear.twoAdicity else {
            throw .invalidTrace("table \(table): height 2^\(logN) is outside 2^1 … 2^\(KoalaBear.twoAdicity - config.fri.logBlowup)")
        }
        guard system.logQuotientChunks <= config.fri.logBlowup else {
            throw .invalidAIR("table \(table): constraint degree \(system.maxEffectiveDegree) needs \(system.quotientChunks) "
                + "quotient chunks but the blowup is only \(1 << config.fri.logBlowup)")
        }
        guard publicInputs == system.publicInputCount else {
            throw .publicInputCount(expected: system.publicInputCount, got: publicInputs)
        }
    }

    // MARK: Prover

    /// The prover's per-table state between phases.
    struct TableWork {
        let system: ConstraintSystem
        let trace: ColumnMatrix
        let publicInputs: [KoalaBear]
        let key: ProvingKey
        let logN: Int
        var mainLDE = ColumnMatrix(width: 0, height: 0)
        var mainTree: MerkleTree?
        var aux: ColumnMatrix?
        var auxLDE: ColumnMatrix?
        var auxTree: MerkleTree?
        var cumulativeSum = KoalaBearExt.zero
        var quotientLDE = ColumnMatrix(width: 0, height: 0)
        var quotientTree: MerkleTree?
        var quotientCoefficients: [[KoalaBearExt]] = []
        var ood: [KoalaBearExt] = []
    }

    /// Proves that every table satisfies its AIR and that the buses balance across the tables
    /// together with `publicInteractions`. With `config.checkConstraints` a bad trace or an
    /// unbalanced bus fails here, naming it. One segment of ``proveSegments(count:publicInteractions:config:backend:progress:tables:)``.
    public static func prove(_ tables: [MachineTable], publicInteractions: [PublicInteraction] = [],
                             config: StarkConfig = .standard, backend: any ProverBackend = CPUBackend()) throws(StarkError) -> MachineProof {
        try proveSegments(count: 1, publicInteractions: publicInteractions, config: config, backend: backend) { _ throws(StarkError) in
            tables
        }[0]
    }

    /// Where a segmented proof is, for progress displays.
    public enum SegmentPhase: Sendable, Equatable {
        /// Committing segment `segment`'s main traces (first pass, in order, from 0).
        case committing(segment: Int)
        /// Proving segment `segment` under the shared challenges (second pass, from the last).
        case proving(segment: Int)
    }

    /// Proves `count` segments, each a list of tables, as one statement: every segment's tables
    /// satisfy their AIRs and the buses balance over all segments together with
    /// `publicInteractions` (so a tuple one segment sends may be received by another: memory,
    /// state carried across a boundary).
    ///
    /// The protocol (docs/zkvm.md): every segment's main traces are committed, in order, before
    /// the LogUp challenges (α, β) are drawn, so all segments share them; each segment then
    /// finishes its own proof (LogUp columns, quotients, ζ, FRI) on a transcript forked from the
    /// shared one with its index. The verifier checks that the LogUp sums of all segments and
    /// the public interactions add up to zero.
    ///
    /// `tables(k)` builds segment k's tables. It is called twice for every segment but the last
    /// (once to commit, once to prove, from the last segment down), so the prover holds one
    /// segment's work at a time; it must return the same tables both times.
    public static func proveSegments(count: Int, publicInteractions: [PublicInteraction] = [], config: StarkConfig = .standard,
                                     backend: any ProverBackend = CPUBackend(), progress: ((SegmentPhase) -> Void)? = nil,
                                     tables: (Int) throws(StarkError) -> [MachineTable]) throws(StarkError) -> [MachineProof] {
        try config.validate()
        guard count >= 1 else { throw .invalidAIR("a proof needs at least one segment") }
        var keys: [KeyID: ProvingKey] = [:]
        var t = Transcript(label: protocolLabel)
        absorbHeader(&t, config: config, segments: count)
        var mainRoots: [[Digest]] = []
        var shapes: [[(system: ConstraintSystem, logHeight: Int)]] = []
        var lookups = false
        var retained: [TableWork] = []
        for k in 0..<count {
            progress?(.committing(segment: k))
            var work = try prepare(tables(k), keys: &keys, config: config, backend: backend)
            absorbSegment(&t, segment: k, systems: work.map(\.system), logHeights: work.map(\.logN),
                          preprocessedRoots: work.map(\.key.verifyingKey.preprocessedRoot), publicInputs: work.map(\.publicInputs))
            if config.checkConstraints {
                for w in work {
                    try TraceWork.check(system: w.system, trace: w.trace, preprocessed: w.key.preprocessed,
                                        publicInputs: w.publicInputs, threads: backend.hostThreads)
                }
            }
            commitMain(&work, config: config, backend: backend)
            let roots = work.map { $0.mainTree!.root }
            for r in roots { t.absorb(r) }
            mainRoots.append(roots)
            shapes.append(work.map { ($0.system, $0.logN) })
            lookups = lookups || work.contains { $0.system.hasLookups }
            if k == count - 1 { retained = work }
        }
        if config.minimumSecurityBits > 0 {
            let estimate = SoundnessEstimate(segments: shapes, publicInteractions: publicInteractions.count, config: config)
            guard estimate.bits >= Double(config.minimumSecurityBits) else {
                throw .invalidConfig("these tables give \(estimate), below the \(config.minimumSecurityBits) bits required")
            }
        }
        absorbPublicInteractions(&t, publicInteractions)
        var challenges: [KoalaBearExt] = []
        var lookupNonce: UInt64 = 0
        if lookups {
            lookupNonce = t.grind(bits: config.lookupGrindingBits, threads: backend.hostThreads)
            challenges = [t.sampleExt(), t.sampleExt()]
        } else if !publicInteractions.isEmpty {
            throw .invalidAIR("public interactions need a table with lookups")
        }

        var proofs = [MachineProof?](repeating: nil, count: count)
        var total = KoalaBearExt.zero
        var busSums: [Int: KoalaBearExt] = [:]
        for k in (0..<count).reversed() {
            progress?(.proving(segment: k))
            var work: [TableWork]
            if k == count - 1 {
                work = retained
                retained = []
            } else {
                work = try prepare(tables(k), keys: &keys, config: config, backend: backend)
                commitMain(&work, config: config, backend: backend)
                guard work.map({ $0.mainTree!.root }) == mainRoots[k] else {
                    throw .invalidTrace("segment \(k): its tables changed between the commitment and the proof")
                }
            }
            var tk = t
            tk.absorb(UInt64(k))
            proofs[k] = try proveCommitted(&work, transcript: &tk, challenges: challenges, total: &total, busSums: &busSums,
                                           config: config, backend: backend)
            proofs[k]!.lookupNonce = lookupNonce
        }
        if lookups, config.checkConstraints {
            guard let publicSum = PublicInteraction.logUpSum(publicInteractions, alpha: challenges[0], beta: challenges[1]) else {
                throw .lookupDenominatorZero
            }
            if !(total + publicSum).isZero {
                for p in publicInteractions {
                    busSums[p.bus.id, default: .zero] += PublicInteraction.logUpSum([p], alpha: challenges[0], beta: challenges[1]) ?? .zero
                }
                throw .lookupNotBalanced(bus: busSums.filter { !$0.value.isZero }.keys.min() ?? -1)
            }
        }
        return proofs.map { $0! }
    }

    /// A preprocessed commitment's identity within one proof: table index and height.
    struct KeyID: Hashable {
        var table: Int
        var logN: Int
    }

    /// Checks a segment's tables and sets up their preprocessed columns (once per table and height).
    static func prepare(_ tables: [MachineTable], keys: inout [KeyID: ProvingKey], config: StarkConfig,
                        backend: any ProverBackend) throws(StarkError) -> [TableWork] {
        guard !tables.isEmpty else { throw .invalidAIR("a machine needs at least one table") }
        var work: [TableWork] = []
        for (i, table) in tables.enumerated() {
            let system = try ConstraintSystem(air: table.air)
            let n = table.trace.height
            guard table.trace.width == system.mainWidth else {
                throw .invalidTrace("table \(i) (\(table.air.name)): \(table.trace.width) columns, the AIR declares \(system.mainWidth)")
            }
            guard n >= 2, n & (n - 1) == 0 else { throw .invalidTrace("table \(i) (\(table.air.name)): height \(n) is not a power of two ≥ 2") }
            let logN = n.trailingZeroBitCount
            try validate(config: config, system: system, logN: logN, publicInputs: table.publicInputs.count, table: i)
            let id = KeyID(table: i, logN: logN)
            let key: ProvingKey
            if let cached = keys[id], system.preprocessedWidth > 0 {
                key = cached
            } else {
                key = try STARK.setup(table.air, system: system, logTraceHeight: logN, config: config, backend: backend)
                if system.preprocessedWidth > 0 { keys[id] = key }
            }
            work.append(TableWork(system: system, trace: table.trace, publicInputs: table.publicInputs, key: key, logN: logN))
        }
        return work
    }

    /// Low-degree extends and commits each table's main trace.
    static func commitMain(_ work: inout [TableWork], config: StarkConfig, backend: any ProverBackend) {
        for i in work.indices {
            work[i].mainLDE = backend.lowDegreeExtend(work[i].trace, logBlowup: config.fri.logBlowup, shift: STARK.cosetShift)
            work[i].mainTree = backend.commitRows(work[i].mainLDE, hasher: config.hasher)
        }
    }

    /// The rest of one segment's proof once every segment's main traces are committed and the
    /// LogUp challenges drawn: its LogUp columns, quotients, out-of-domain values, FRI and openings.
    static func proveCommitted(_ work: inout [TableWork], transcript t: inout Transcript, challenges: [KoalaBearExt],
                               total: inout KoalaBearExt, busSums: inout [Int: KoalaBearExt], config: StarkConfig,
                               backend: any ProverBackend) throws(StarkError) -> MachineProof {
        let fri = config.fri, logB = fri.logBlowup, shift = STARK.cosetShift
        let threads = backend.hostThreads
        if !challenges.isEmpty {
            let alpha = challenges[0], beta = challenges[1]
            for i in work.indices where work[i].system.hasLookups {
                let w = work[i]
                let built = try backend.buildLogUpTrace(LogUpJob(system: w.system, trace: w.trace, preprocessed: w.key.preprocessed,
                                                                 publicInputs: w.publicInputs, alpha: alpha, beta: beta))
                let lde = backend.lowDegreeExtend(built.aux, logBlowup: logB, shift: shift)
                let tree = backend.commitRows(lde, hasher: config.hasher)
                work[i].aux = built.aux
                work[i].auxLDE = lde
                work[i].auxTree = tree
                work[i].cumulativeSum = built.total
                total += built.total
                for (bus, s) in built.busSums { busSums[bus, default: .zero] += s }
                t.absorb(tree.root)
                t.absorb(built.total)
            }
        }

        // Quotients, one λ for every table.
        let lambda = t.sampleExt()
        for i in work.indices {
            let w = work[i]
            let n = 1 << w.logN
            let job = QuotientJob(system: w.system, main: w.mainLDE, preprocessed: w.key.preprocessedLDE, aux: w.auxLDE,
                                  logTraceHeight: w.logN, logBlowup: logB, shift: shift, publicInputs: w.publicInputs,
                                  challenges: w.system.hasLookups ? challenges : [], cumulativeSum: w.cumulativeSum, lambda: lambda)
            let values = backend.evaluateQuotient(job)
            let (coeffs, extCoeffs) = splitQuotient(values, chunks: w.system.quotientChunks, n: n, shift: shift,
                                                    backend: backend, threads: threads)
            let lde = backend.extendCoefficients(coeffs, logBlowup: logB, shift: shift, scale: .one)
            let tree = backend.commitRows(lde, hasher: config.hasher)
            work[i].quotientLDE = lde
            work[i].quotientTree = tree
            work[i].quotientCoefficients = extCoeffs
            t.absorb(tree.root)
        }

        // Out-of-domain openings at ζ (and ζ·ω of each table's height).
        let deepNonce = t.grind(bits: config.deepGrindingBits, threads: threads)
        let zeta = t.sampleExt()
        guard !zeta.isInBaseField else { throw .invalidTrace("internal: the out-of-domain point is in the base field") }
        for i in work.indices {
            work[i].ood = try openings(of: work[i], at: zeta, threads: threads)
            for v in work[i].ood { t.absorb(v) }
        }

        // DEEP compositions, one weight per table, grouped by LDE size.
        let gamma = t.sampleExt()
        let weights = work.map { _ in t.sampleExt() }
        var groups: [Int: [KoalaBearExt]] = [:]
        for (i, w) in work.enumerated() {
            let logLDE = w.logN + logB
            let layout = DeepLayout(system: w.system, gamma: gamma, ood: w.ood)
            let omega = KoalaBear.twoAdicGenerator(logN: w.logN)
            guard let deep = backend.composeDeep(DeepJob(layout: layout, main: w.mainLDE, preprocessed: w.key.preprocessedLDE,
                                                         aux: w.auxLDE, quotient: w.quotientLDE, zeta: zeta,
                                                         zetaNext: zeta * omega, shift: shift, logSize: logLDE)) else {
                throw .invalidTrace("internal: the out-of-domain point fell into the LDE domain")
            }
            let weight = weights[i]
            if var acc = groups[logLDE] {
                for k in acc.indices { acc[k] += weight * deep[k] }
                groups[logLDE] = acc
            } else {
                groups[logLDE] = deep.map { weight * $0 }
            }
        }
        let logMax = groups.keys.max()!
        let top = groups.removeValue(forKey: logMax)!
        let friData = try FRI.commit(codeword: top, rollIns: groups, shift: shift, logDegrees: work.map(\.logN), config: fri,
                                     hasher: config.hasher, backend: backend, transcript: &t)
        let nonce = t.grind(bits: fri.proofOfWorkBits, threads: threads)
        let queries = (0..<fri.numQueries).map { _ in t.sampleIndex(bits: logMax) }

        // Openings: each table at its own rows.
        var proofs: [TableProof] = []
        for w in work {
            let rows = Array(Set(queries.map { $0 >> (logMax - (w.logN + logB)) })).sorted()
            func open(_ m: ColumnMatrix, _ tree: MerkleTree) -> BatchOpening {
                var values: [KoalaBear] = []
                values.reserveCapacity(rows.count * m.width)
                for r in rows { for c in 0..<m.width { values.append(m[r, c]) } }
                return BatchOpening(width: m.width, values: values, siblings: tree.openBatch(rows))
            }
            var opened = [open(w.mainLDE, w.mainTree!)]
            if let lde = w.key.preprocessedLDE, let tree = w.key.preprocessedTree { opened.append(open(lde, tree)) }
            if let lde = w.auxLDE, let tree = w.auxTree { opened.append(open(lde, tree)) }
            opened.append(open(w.quotientLDE, w.quotientTree!))
            proofs.append(TableProof(logTraceHeight: w.logN, mainRoot: w.mainTree!.root, auxRoot: w.auxTree?.root,
                                     cumulativeSum: w.system.hasLookups ? w.cumulativeSum : nil,
                                     quotientRoot: w.quotientTree!.root, oodValues: w.ood, openings: opened))
        }
        return MachineProof(tables: proofs, lookupNonce: 0, deepNonce: deepNonce, friRoots: friData.layers.map(\.tree.root),
                            finalPolynomial: friData.finalPolynomial, powNonce: nonce, friOpenings: FRI.open(friData, queries: queries))
    }

    /// Splits the quotient's values (bit-reversed on shift·K_{n·D}) into D chunks of degree < n:
    /// the coefficient matrix (column 4c + j: coefficient j of chunk c) and each chunk's
    /// extension coefficients. Shared by the single-table prover and the machine.
    static func splitQuotient(_ values: [KoalaBearExt], chunks d: Int, n: Int, shift: KoalaBear,
                              backend: any ProverBackend, threads: Int) -> (ColumnMatrix, [[KoalaBearExt]]) {
        let m = n * d
        // Interpolate each coordinate of the extension values, then cut into D chunks of n.
        var comps = [KoalaBear](repeating: .zero, count: 4 * m)
        comps.withUnsafeMutableBufferPointer { cb in
            values.withUnsafeBufferPointer { qb in
                let c = UnsafeTransfer(cb.baseAddress!), q = UnsafeTransfer(qb.baseAddress!)
                Parallel.chunks(m, threads: threads, minChunk: 1 << 14) { r in
                    for i in r {
                        let v = q.value[i]
                        c.value[i] = v.c0
                        c.value[m + i] = v.c1
                        c.value[2 * m + i] = v.c2
                        c.value[3 * m + i] = v.c3
                    }
                }
            }
        }
        backend.interpolateCoset(&comps, columns: 4, height: m, shift: shift)
        var storage: [KoalaBear] = []
        storage.reserveCapacity(4 * m)
        var ext = [[KoalaBearExt]](repeating: [], count: d)
        for chunk in 0..<d {
            for j in 0..<4 { storage.append(contentsOf: comps[(j * m + chunk * n)..<(j * m + (chunk + 1) * n)]) }
            var e = [KoalaBearExt](repeating: .zero, count: n)
            e.withUnsafeMutableBufferPointer { eb in
                comps.withUnsafeBufferPointer { cb in
                    let ep = UnsafeTransfer(eb.baseAddress!), c = UnsafeTransfer(cb.baseAddress!)
                    let base = chunk * n
                    Parallel.chunks(n, threads: threads, minChunk: 1 << 14) { r in
                        for k in r {
                            ep.value[k] = KoalaBearExt(c.value[base + k], c.value[m + base + k],
                                                       c.value[2 * m + base + k], c.value[3 * m + base + k])
                        }
                    }
                }
            }
            ext[chunk] = e
        }
        return (ColumnMatrix(width: 4 * d, height: n, values: storage), ext)
    }

    /// A table's out-of-domain values, in the order the verifier reads them.
    static func openings(of w: TableWork, at zeta: KoalaBearExt, threads: Int) throws(StarkError) -> [KoalaBearExt] {
        try outOfDomainValues(system: w.system, trace: w.trace, preprocessed: w.key.preprocessed, aux: w.aux,
                              quotientCoefficients: w.quotientCoefficients, logN: w.logN, at: zeta, threads: threads)
    }

    /// The out-of-domain values of one table: main, preprocessed, LogUp and quotient columns at
    /// ζ, then the columns used on the next row at ζ·ω. Shared by the single-table prover and the
    /// machine.
    static func outOfDomainValues(system sys: ConstraintSystem, trace: ColumnMatrix, preprocessed: ColumnMatrix?,
                                  aux: ColumnMatrix?, quotientCoefficients: [[KoalaBearExt]], logN: Int, at zeta: KoalaBearExt,
                                  threads: Int) throws(StarkError) -> [KoalaBearExt] {
        let n = 1 << logN
        let zetaNext = zeta * KoalaBear.twoAdicGenerator(logN: logN)
        guard zeta.pow(UInt64(n)) != .one,
              let wZ = PolynomialEvaluation.barycentricWeights(logN: logN, at: zeta, threads: threads),
              let wZN = PolynomialEvaluation.barycentricWeights(logN: logN, at: zetaNext, threads: threads) else {
            throw .invalidTrace("internal: the out-of-domain point fell into a trace domain")
        }
        func base(_ weights: [KoalaBearExt], _ m: ColumnMatrix, _ c: Int) -> KoalaBearExt {
            weights.withUnsafeBufferPointer { wb in
                m.values.withUnsafeBufferPointer { vb in
                    PolynomialEvaluation.dot(wb, UnsafeBufferPointer(rebasing: vb[(c * n)..<((c + 1) * n)]))
                }
            }
        }
        func ext(_ weights: [KoalaBearExt], _ m: ColumnMatrix, _ c: Int) -> KoalaBearExt {
            var acc = KoalaBearExt.zero
            for j in 0..<4 { acc += KoalaBearExt.basis(j) * base(weights, m, 4 * c + j) }
            return acc
        }
        var ood: [KoalaBearExt] = []
        for c in 0..<sys.mainWidth { ood.append(base(wZ, trace, c)) }
        if let pre = preprocessed { for c in 0..<sys.preprocessedWidth { ood.append(base(wZ, pre, c)) } }
        if let aux { for c in 0..<sys.auxWidth { ood.append(ext(wZ, aux, c)) } }
        for chunk in quotientCoefficients { ood.append(STARK.hornerParallel(chunk, at: zeta, threads: threads)) }
        for c in sys.mainNext { ood.append(base(wZN, trace, c)) }
        if let pre = preprocessed { for c in sys.preprocessedNext { ood.append(base(wZN, pre, c)) } }
        if let aux { for c in sys.auxNext { ood.append(ext(wZN, aux, c)) } }
        return ood
    }
}

// MARK: Verifier

extension Machine {
    /// Checks `proof` against the tables' AIRs (in the order they were proven), their public
    /// inputs and the public interactions. Heights come from the proof; preprocessed columns
    /// are committed here for the heights claimed.
    /// `commitments`, when given, keeps the preprocessed commitments of earlier verifications of
    /// the same tables under the same configuration, so each (table, height) is committed once.
    public static func verify(_ airs: [any AIR], proof: MachineProof, publicInputs: [[KoalaBear]],
                              publicInteractions: [PublicInteraction] = [], config: StarkConfig = .standard,
                              commitments: PreprocessedCommitments? = nil) throws(StarkError) {
        try verifySegments([MachineSegment(airs: airs, proof: proof, publicInputs: publicInputs)],
                           publicInteractions: publicInteractions, config: config, commitments: commitments)
    }

    /// Checks the proofs of ``proveSegments(count:publicInteractions:config:backend:progress:tables:)``:
    /// each segment against its tables' AIRs and public inputs, all under the challenges drawn
    /// after every segment's main commitments, and the buses balanced over all segments together
    /// with the public interactions. Cost: linear in the segments (each has its own FRI).
    /// `commitments` is shared by every segment: table i must be the same AIR in each segment
    /// that has one.
    public static func verifySegments(_ segments: [MachineSegment], publicInteractions: [PublicInteraction] = [],
                                      config: StarkConfig = .standard,
                                      commitments: PreprocessedCommitments? = nil) throws(StarkError) {
        try config.validate()
        guard !segments.isEmpty else { throw .verificationFailed("no segments") }
        let named = segments.count > 1
        var checked: [(systems: [ConstraintSystem], preRoots: [Digest?])] = []
        for (k, s) in segments.enumerated() {
            do {
                checked.append(try shape(s, config: config, commitments: commitments))
            } catch {
                throw named ? error.inSegment(k) : error
            }
        }
        if config.minimumSecurityBits > 0 {
            let estimate = soundness(segments, systems: checked.map(\.systems), publicInteractions: publicInteractions.count,
                                     config: config)
            guard estimate.bits >= Double(config.minimumSecurityBits) else {
                throw .verificationFailed("the proof's shape gives \(estimate), below the \(config.minimumSecurityBits) bits required")
            }
        }
        var t = Transcript(label: protocolLabel)
        absorbHeader(&t, config: config, segments: segments.count)
        for (k, s) in segments.enumerated() {
            absorbSegment(&t, segment: k, systems: checked[k].systems, logHeights: s.proof.tables.map(\.logTraceHeight),
                          preprocessedRoots: checked[k].preRoots, publicInputs: s.publicInputs)
            for tp in s.proof.tables { t.absorb(tp.mainRoot) }
        }
        absorbPublicInteractions(&t, publicInteractions)
        var challenges: [KoalaBearExt] = []
        if checked.contains(where: { $0.systems.contains(where: \.hasLookups) }) {
            let nonce = segments[0].proof.lookupNonce
            guard segments.allSatisfy({ $0.proof.lookupNonce == nonce }) else {
                throw .verificationFailed("the segments disagree on the proof of work before the LogUp challenges")
            }
            guard t.checkGrinding(bits: config.lookupGrindingBits, nonce: nonce) else {
                throw .verificationFailed("the proof-of-work nonce before the LogUp challenges is invalid")
            }
            let alpha = t.sampleExt(), beta = t.sampleExt()
            challenges = [alpha, beta]
            var total = KoalaBearExt.zero
            for s in segments { for tp in s.proof.tables { total += tp.cumulativeSum ?? .zero } }
            guard let publicSum = PublicInteraction.logUpSum(publicInteractions, alpha: alpha, beta: beta),
                  (total + publicSum).isZero else {
                throw .verificationFailed("the buses do not balance: a looked-up tuple is missing from its table")
            }
        } else if !publicInteractions.isEmpty {
            throw .verificationFailed("public interactions but no table with lookups")
        }
        for (k, s) in segments.enumerated() {
            var tk = t
            tk.absorb(UInt64(k))
            do {
                try verifyCommitted(s, systems: checked[k].systems, preRoots: checked[k].preRoots, transcript: &tk,
                                    challenges: challenges, config: config)
            } catch {
                throw named ? error.inSegment(k) : error
            }
        }
    }

    /// The conjectured soundness of `segments` (docs/zkvm.md §2), from their AIRs and heights.
    public static func soundness(_ segments: [MachineSegment], publicInteractions: Int,
                                 config: StarkConfig) throws(StarkError) -> SoundnessEstimate {
        var systems: [[ConstraintSystem]] = []
        for s in segments {
            var row: [ConstraintSystem] = []
            for air in s.airs { row.append(try ConstraintSystem(air: air)) }
            guard row.count == s.proof.tables.count else { throw .verificationFailed("\(s.proof.tables.count) tables for \(row.count) AIRs") }
            systems.append(row)
        }
        return soundness(segments, systems: systems, publicInteractions: publicInteractions, config: config)
    }

    static func soundness(_ segments: [MachineSegment], systems: [[ConstraintSystem]], publicInteractions: Int,
                          config: StarkConfig) -> SoundnessEstimate {
        let shapes = zip(segments, systems).map { s, systems in
            zip(systems, s.proof.tables).map { (system: $0, logHeight: $1.logTraceHeight) }
        }
        return SoundnessEstimate(segments: shapes, publicInteractions: publicInteractions, config: config)
    }

    /// Checks a segment's shape against its AIRs and commits (or looks up) its preprocessed columns.
    static func shape(_ segment: MachineSegment, config: StarkConfig,
                      commitments: PreprocessedCommitments?) throws(StarkError) -> (systems: [ConstraintSystem], preRoots: [Digest?]) {
        let airs = segment.airs, proof = segment.proof, publicInputs = segment.publicInputs
        guard !airs.isEmpty, airs.count == proof.tables.count, publicInputs.count == airs.count else {
            throw .verificationFailed("expected \(airs.count) tables with public inputs, the proof has \(proof.tables.count)")
        }
        var systems: [ConstraintSystem] = []
        var preRoots: [Digest?] = []
        for (i, air) in airs.enumerated() {
            let system = try ConstraintSystem(air: air)
            let tp = proof.tables[i]
            try validate(config: config, system: system, logN: tp.logTraceHeight, publicInputs: publicInputs[i].count, table: i)
            guard (tp.auxRoot != nil) == system.hasLookups, (tp.cumulativeSum != nil) == system.hasLookups else {
                throw .verificationFailed("table \(i): " + (system.hasLookups ? "the LogUp commitment is missing" : "unexpected LogUp data"))
            }
            guard tp.oodValues.count == system.oodCount else {
                throw .verificationFailed("table \(i): expected \(system.oodCount) out-of-domain values, got \(tp.oodValues.count)")
            }
            let trees = 2 + (system.preprocessedWidth > 0 ? 1 : 0) + (system.hasLookups ? 1 : 0)
            guard tp.openings.count == trees else {
                throw .verificationFailed("table \(i): expected \(trees) openings, got \(tp.openings.count)")
            }
            if system.preprocessedWidth > 0 {
                let logN = tp.logTraceHeight
                if let root = commitments?.root(table: i, logHeight: logN) {
                    preRoots.append(root)
                } else {
                    let root = try STARK.setup(air, system: system, logTraceHeight: logN, config: config,
                                               backend: CPUBackend()).verifyingKey.preprocessedRoot
                    if let root { commitments?.store(root, table: i, logHeight: logN) }
                    preRoots.append(root)
                }
            } else {
                preRoots.append(nil)
            }
            systems.append(system)
        }
        return (systems, preRoots)
    }

    /// The rest of one segment's verification once the shared challenges are drawn.
    static func verifyCommitted(_ segment: MachineSegment, systems: [ConstraintSystem], preRoots: [Digest?],
                                transcript t: inout Transcript, challenges: [KoalaBearExt],
                                config: StarkConfig) throws(StarkError) {
        let fri = config.fri, logB = fri.logBlowup, shift = STARK.cosetShift, hasher = config.hasher
        let proof = segment.proof, publicInputs = segment.publicInputs
        let logHeights = proof.tables.map(\.logTraceHeight)
        let (arities, logFinal) = fri.schedule(logDegrees: logHeights)
        guard proof.friRoots.count == arities.count else {
            throw .verificationFailed("expected \(arities.count) FRI layers, got \(proof.friRoots.count)")
        }
        guard proof.finalPolynomial.count == 1 << logFinal else {
            throw .verificationFailed("expected a final polynomial of \(1 << logFinal) coefficients")
        }
        for tp in proof.tables {
            guard let root = tp.auxRoot, let sum = tp.cumulativeSum else { continue }
            t.absorb(root)
            t.absorb(sum)
        }
        let lambda = t.sampleExt()
        for tp in proof.tables { t.absorb(tp.quotientRoot) }
        guard t.checkGrinding(bits: config.deepGrindingBits, nonce: proof.deepNonce) else {
            throw .verificationFailed("the proof-of-work nonce before the out-of-domain point is invalid")
        }
        let zeta = t.sampleExt()
        guard !zeta.isInBaseField else { throw .verificationFailed("the out-of-domain point is in the base field") }
        for tp in proof.tables { for v in tp.oodValues { t.absorb(v) } }

        // Each table's constraints at ζ.
        for (i, system) in systems.enumerated() {
            let tp = proof.tables[i]
            try checkConstraints(system: system, logN: tp.logTraceHeight, ood: tp.oodValues, publicInputs: publicInputs[i],
                                 challenges: system.hasLookups ? challenges : [], cumulativeSum: tp.cumulativeSum ?? .zero,
                                 lambda: lambda, zeta: zeta, table: i)
        }

        // DEEP and FRI challenges, grinding, queries.
        let gamma = t.sampleExt()
        let weights = systems.map { _ in t.sampleExt() }
        var betas: [KoalaBearExt] = []
        for r in proof.friRoots {
            t.absorb(r)
            betas.append(t.sampleExt())
        }
        for c in proof.finalPolynomial { t.absorb(c) }
        guard t.checkGrinding(bits: fri.proofOfWorkBits, nonce: proof.powNonce) else {
            throw .verificationFailed("the proof-of-work nonce is invalid")
        }
        let logMax = logHeights.max()! + logB
        let queries = (0..<fri.numQueries).map { _ in t.sampleIndex(bits: logMax) }

        // Each table's openings, and its DEEP values at the queries.
        var sums: [Int: [KoalaBearExt]] = [:]
        for (i, system) in systems.enumerated() {
            let tp = proof.tables[i]
            let logLDE = tp.logTraceHeight + logB
            let drop = logMax - logLDE
            let rows = Array(Set(queries.map { $0 >> drop })).sorted()
            var widths = [system.mainWidth]
            var roots = [tp.mainRoot]
            if let r = preRoots[i] { widths.append(system.preprocessedWidth); roots.append(r) }
            if let r = tp.auxRoot { widths.append(4 * system.auxWidth); roots.append(r) }
            widths.append(4 * system.quotientChunks)
            roots.append(tp.quotientRoot)
            try STARK.checkOpenings(tp.openings, widths: widths, roots: roots, rows: rows, depth: logLDE, hasher: hasher,
                                    label: "table \(i): opening")
            let preIndex = preRoots[i] != nil ? 1 : nil
            let auxIndex = tp.auxRoot != nil ? (preRoots[i] != nil ? 2 : 1) : nil
            let qIndex = tp.openings.count - 1
            let layout = DeepLayout(system: system, gamma: gamma, ood: tp.oodValues)
            let omegaLDE = KoalaBear.twoAdicGenerator(logN: logLDE)
            let zetaNext = zeta * KoalaBear.twoAdicGenerator(logN: tp.logTraceHeight)
            var values = sums[logLDE] ?? [KoalaBearExt](repeating: .zero, count: queries.count)
            for (qi, q) in queries.enumerated() {
                let row = q >> drop
                let pos = FRI.binarySearch(rows, row)
                let x = shift * omegaLDE.pow(UInt64(NTT.reverseBits(row, bits: logLDE)))
                guard let v = layout.evaluate(x: x, main: tp.openings[0].row(pos),
                                              preprocessed: preIndex.map { tp.openings[$0].row(pos) },
                                              aux: auxIndex.map { tp.openings[$0].row(pos) },
                                              quotient: tp.openings[qIndex].row(pos), zeta: zeta, zetaNext: zetaNext) else {
                    throw .verificationFailed("the out-of-domain point lies in an LDE domain")
                }
                values[qi] += weights[i] * v
            }
            sums[logLDE] = values
        }
        let initial = sums.removeValue(forKey: logMax)!
        try FRI.verifyQueries(queries: queries, initialValues: initial, rollIns: sums, logDomain: logMax, shift: shift,
                              arities: arities, betas: betas, roots: proof.friRoots, openings: proof.friOpenings,
                              finalPolynomial: proof.finalPolynomial, hasher: hasher)
    }

    /// The constraint identity of one table at ζ: the combined constraints equal Z_H(ζ)·Q(ζ).
    static func checkConstraints(system: ConstraintSystem, logN: Int, ood: [KoalaBearExt], publicInputs: [KoalaBear],
                                 challenges: [KoalaBearExt], cumulativeSum: KoalaBearExt, lambda: KoalaBearExt,
                                 zeta: KoalaBearExt, table: Int) throws(StarkError) {
        let n = 1 << logN
        let omegaN = KoalaBear.twoAdicGenerator(logN: logN)
        let zetaN = zeta.pow(UInt64(n))
        let zh = zetaN - KoalaBearExt.one
        guard !zh.isZero else { throw .verificationFailed("table \(table): the out-of-domain point lies in the trace domain") }
        var k = 0
        func take(_ count: Int) -> [KoalaBearExt] {
            defer { k += count }
            return Array(ood[k..<(k + count)])
        }
        let mainZ = take(system.mainWidth)
        let preZ = take(system.preprocessedWidth)
        let auxZ = take(system.auxWidth)
        let quotZ = take(system.quotientChunks)
        var mainZN = [KoalaBearExt](repeating: .zero, count: system.mainWidth)
        for c in system.mainNext { mainZN[c] = take(1)[0] }
        var preZN = [KoalaBearExt](repeating: .zero, count: system.preprocessedWidth)
        for c in system.preprocessedNext { preZN[c] = take(1)[0] }
        var auxZN = [KoalaBearExt](repeating: .zero, count: system.auxWidth)
        for c in system.auxNext { auxZN[c] = take(1)[0] }
        let point = ConstraintSystem.PointValues(main: mainZ, mainNext: mainZN, preprocessed: preZ, preprocessedNext: preZN,
                                                 aux: auxZ, auxNext: auxZN, publicInputs: publicInputs, challenges: challenges,
                                                 cumulativeSum: cumulativeSum)
        let acc = system.combinedAtPoint(point, lambda: lambda)
        let nInv = KoalaBear(UInt32(n)).inverseOrZero
        let omegaInvN = omegaN.inverseOrZero
        guard let firstInv = (zeta - KoalaBear.one).inverse, let lastInv = (zeta - omegaInvN).inverse else {
            throw .verificationFailed("table \(table): the out-of-domain point lies in the trace domain")
        }
        let lhs = acc[0] + acc[1] * (zeta - omegaInvN) + acc[2] * zh * firstInv * nInv + acc[3] * zh * lastInv * nInv
        var quotientAtZeta = KoalaBearExt.zero
        var zetaPow = KoalaBearExt.one
        for q in quotZ {
            quotientAtZeta += zetaPow * q
            zetaPow *= zetaN
        }
        guard lhs == zh * quotientAtZeta else {
            throw .verificationFailed("table \(table): the constraints do not hold at the out-of-domain point")
        }
    }
}

/// The preprocessed commitments of a fixed list of tables under a fixed configuration, by
/// (table index, height): what a verifier computes once and then reuses (a verifying key). The
/// owner keeps one per list of AIRs and configuration; using it with another list is a bug.
public final class PreprocessedCommitments: Sendable {
    private struct Key: Hashable {
        var table: Int
        var logHeight: Int
    }

    private let roots = Locked<[Key: Digest]>([:])

    public init() {}

    func root(table: Int, logHeight: Int) -> Digest? {
        roots.withLock { $0[Key(table: table, logHeight: logHeight)] }
    }

    func store(_ root: Digest, table: Int, logHeight: Int) {
        roots.withLock { $0[Key(table: table, logHeight: logHeight)] = root }
    }
}
