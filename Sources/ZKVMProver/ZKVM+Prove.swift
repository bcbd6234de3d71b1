import KoalaBear
import Primitives
import RISCV
import STARK

/// How to prove a run.
public struct ProvingOptions: Sendable {
    /// The proof system's parameters; the verifier must use the same (``ZKVM/proofConfig``).
    public var stark: StarkConfig
    /// Cycles per segment.
    public var segmentCycles: UInt64
    /// Threads for the prover's kernels.
    public var threads: Int
    /// The longest run to execute before giving up.
    public var maxCycles: UInt64

    public init(stark: StarkConfig = ZKVM.proofConfig, segmentCycles: UInt64 = ZKVM.defaultSegmentCycles,
                threads: Int = Parallel.coreCount, maxCycles: UInt64 = 1 << 24) {
        self.stark = stark
        self.segmentCycles = segmentCycles
        self.threads = threads
        self.maxCycles = maxCycles
    }
}

/// Where a proof is, for progress displays.
public enum ProvingProgress: Sendable, Equatable {
    /// Running the program with a trace.
    case executing
    /// Filling the tables of segment `segment` (from 1) of `of` and committing them (the first
    /// pass, in order).
    case committing(segment: Int, of: Int)
    /// Proving segment `segment` of `of` under the shared challenges (the second pass, from the
    /// last segment down; every segment but the last is filled and committed again).
    case proving(segment: Int, of: Int)
    /// Done.
    case done
}

extension ZKVM {
    /// The proof system every ProverNet proof uses: blowup 4, 42 queries and 20 bits of grinding
    /// for FRI (104 conjectured bits), 16 bits of grinding before the LogUp challenges and 8
    /// before ζ, SHA-256 Merkle trees; proofs whose shape gives less than 100 bits overall
    /// (``SoundnessEstimate``) are neither made nor accepted (docs/zkvm.md §2).
    public static let proofConfig = StarkConfig(fri: FRIConfig(logBlowup: 2, numQueries: 42, proofOfWorkBits: 20),
                                                lookupGrindingBits: 16, deepGrindingBits: 8, minimumSecurityBits: 100)

    /// The default segment size.
    public static let defaultSegmentCycles: UInt64 = 1 << 20

    /// Runs `program` on `inputs` and proves the run, in segments of `options.segmentCycles`.
    ///
    /// - Throws: ``ProvingError``: the run traps or exceeds the cycle limit, or the prover
    ///   cannot prove it (see the error).
    public static func prove(program: Program, inputs: [[UInt8]], options: ProvingOptions = ProvingOptions(),
                             progress: (@Sendable (ProvingProgress) -> Void)? = nil) throws(ProvingError) -> ExecutionProof {
        try prove(program: program, inputs: inputs, options: options, progress: progress, alter: nil)
    }

    /// ``prove(program:inputs:options:progress:)`` with a hook that changes a segment's tables
    /// before they are proven (soundness tests prove forged witnesses with it).
    static func prove(program: Program, inputs: [[UInt8]], options: ProvingOptions, progress: (@Sendable (ProvingProgress) -> Void)?,
                      alter: ((Int, inout [MachineTable]) -> Void)?) throws(ProvingError) -> ExecutionProof {
        try RV32Machine.checkProvable(program)
        let segmentCycles = options.segmentCycles
        guard RV32Machine.segmentCycleRange.contains(segmentCycles), segmentCycles & (segmentCycles - 1) == 0 else {
            throw .unsupported("segments of \(segmentCycles) cycles (a power of two in \(RV32Machine.segmentCycleRange))")
        }
        progress?(.executing)
        let result: ExecutionResult
        do {
            result = try Executor(program: program, inputs: inputs,
                                  options: ExecutionOptions(maxCycles: options.maxCycles, recordTrace: true)).run()
        } catch {
            throw .execution("\(error)")
        }
        guard let trace = result.trace else { throw .stark("the executor recorded no trace") }
        guard result.cycles <= RV32Machine.maxCycles else { throw .tooLong(cycles: result.cycles, limit: RV32Machine.maxCycles) }
        let count = Int((result.cycles + segmentCycles - 1) / segmentCycles)
        let cut = Int(segmentCycles)
        let chip = ProgramChip(program: program)

        // Segment k's tables: the first pass walks the run in order and keeps the witness state
        // at each segment's start, the second rebuilds a segment from its copy.
        var current = Witness(program: program, chip: chip, inputs: inputs)
        var starts: [Witness] = []
        var failure: ProvingError?
        func tables(_ k: Int) throws(StarkError) -> [MachineTable] {
            let last = k == count - 1
            let rows = (k * cut)..<min((k + 1) * cut, trace.count)
            do {
                var w: Witness
                if k == starts.count {
                    progress?(.committing(segment: k + 1, of: count))
                    current.startSegment()
                    starts.append(current)
                    try current.run(trace, rows: rows, last: last)
                    w = current
                } else {
                    w = starts[k]
                    try w.run(trace, rows: rows, last: last)
                }
                if last, w.outputBytes != result.publicOutput.count {
                    throw ProvingError.stark("the output's length disagrees with the executor")
                }
                var t = w.tables(last: last)
                alter?(k, &t)
                return t
            } catch let e as ProvingError {
                failure = e
                throw .invalidTrace("\(e)")
            } catch {
                throw .invalidTrace("\(error)")
            }
        }
        let segmentStarts = (1..<max(count, 1)).map { trace[$0 * cut].pc }
        let itemsRead = trace.syscalls.lazy.filter { Syscall(rawValue: $0.id) == .hintRead }.count
        let statement = RunStatement(program: program, inputs: inputs, itemsRead: itemsRead, output: result.publicOutput,
                                     exitCode: result.exitCode, cycles: result.cycles, segmentCycles: segmentCycles,
                                     segmentStarts: segmentStarts)
        let proofs: [MachineProof]
        do {
            proofs = try Machine.proveSegments(count: count, publicInteractions: RV32Machine.publicInteractions(statement),
                                               config: options.stark, backend: CPUBackend(threads: options.threads), progress: { phase in
                if case .proving(let k) = phase { progress?(.proving(segment: k + 1, of: count)) }
            }) { k throws(StarkError) in
                try tables(k)
            }
        } catch {
            throw failure ?? .stark("\(error)")
        }
        progress?(.done)
        let claims = Claims(programId: program.programId, inputDigest: Claims.digest(ofInputs: inputs),
                            itemsRead: UInt32(itemsRead), publicOutput: result.publicOutput, exitCode: result.exitCode,
                            cycles: result.cycles, segments: UInt32(count))
        return ExecutionProof(claims: claims, segmentCycles: segmentCycles, segmentStarts: segmentStarts, segments: proofs)
    }

    /// Proves a run on one input item (the Market's form of input).
    public static func prove(program: Program, input: [UInt8], options: ProvingOptions = ProvingOptions(),
                             progress: (@Sendable (ProvingProgress) -> Void)? = nil) throws(ProvingError) -> ExecutionProof {
        try prove(program: program, inputs: [input], options: options, progress: progress)
    }

    /// Checks `proof` against `program` and `inputs`; returns its claims.
    public static func verify(proof: ExecutionProof, program: Program, inputs: [[UInt8]],
                              config: StarkConfig = ZKVM.proofConfig) throws(VerificationError) -> Claims {
        try verify(proof: proof, key: VerifyingKey(program: program, config: config), inputs: inputs)
    }

    /// Checks `proof` against the program of `key` and `inputs`; returns its claims. Reusing a
    /// key commits the program's and the lookup tables' preprocessed columns only once.
    public static func verify(proof: ExecutionProof, key: VerifyingKey, inputs: [[UInt8]]) throws(VerificationError) -> Claims {
        let program = key.program, config = key.config
        let claims = proof.claims
        guard claims.programId == program.programId else { throw .wrongProgram(expected: program.programId, got: claims.programId) }
        let digest = Claims.digest(ofInputs: inputs)
        guard claims.inputDigest == digest else { throw .wrongInput(expected: digest, got: claims.inputDigest) }
        guard Int(claims.itemsRead) <= inputs.count else {
            throw .impossibleClaims("\(claims.itemsRead) items read of \(inputs.count)")
        }
        let segmentCycles = proof.segmentCycles
        guard RV32Machine.segmentCycleRange.contains(segmentCycles), segmentCycles & (segmentCycles - 1) == 0 else {
            throw .impossibleClaims("segments of \(segmentCycles) cycles")
        }
        guard claims.cycles >= 1, claims.cycles <= RV32Machine.maxCycles else {
            throw .impossibleClaims("\(claims.cycles) cycles (at most \(RV32Machine.maxCycles))")
        }
        let count = (claims.cycles + segmentCycles - 1) / segmentCycles
        guard UInt64(claims.segments) == count, proof.segments.count == count, proof.segmentStarts.count == count - 1 else {
            throw .impossibleClaims("\(claims.cycles) cycles in segments of \(segmentCycles) make \(count) segments, "
                + "the proof has \(proof.segments.count)")
        }
        do { try RV32Machine.checkProvable(program) } catch { throw .impossibleClaims("\(error)") }
        let (segments, interactions) = machineStatement(proof: proof, key: key, inputs: inputs)
        do {
            try Machine.verifySegments(segments, publicInteractions: interactions, config: config, commitments: key.commitments)
        } catch .segment(let k, let e) {
            throw .invalid(segment: k, reason: "\(e)")
        } catch {
            throw .invalid(segment: 0, reason: "\(error)")
        }
        return claims
    }

    /// The machine statement a proof is checked against: each segment's tables and public
    /// inputs, and the tuples the verifier puts on the buses itself.
    static func machineStatement(proof: ExecutionProof, key: VerifyingKey,
                                 inputs: [[UInt8]]) -> (segments: [MachineSegment], interactions: [PublicInteraction]) {
        let claims = proof.claims
        let statement = RunStatement(program: key.program, inputs: inputs, itemsRead: Int(claims.itemsRead),
                                     output: claims.publicOutput, exitCode: claims.exitCode, cycles: claims.cycles,
                                     segmentCycles: proof.segmentCycles, segmentStarts: proof.segmentStarts)
        let segments = proof.segments.enumerated().map { k, segment in
            MachineSegment(airs: k + 1 == proof.segments.count ? key.airs : key.segmentAirs, proof: segment,
                           publicInputs: RV32Machine.publicInputs(statement, segment: k))
        }
        return (segments, RV32Machine.publicInteractions(statement))
    }

    /// The conjectured soundness of `proof` (docs/zkvm.md §2) from its tables' shapes: what
    /// the verifier holds against ``StarkConfig/minimumSecurityBits``.
    public static func soundness(of proof: ExecutionProof, key: VerifyingKey,
                                 inputs: [[UInt8]]) throws(VerificationError) -> SoundnessEstimate {
        guard Int(proof.claims.itemsRead) <= inputs.count else {
            throw .impossibleClaims("\(proof.claims.itemsRead) items read of \(inputs.count)")
        }
        guard proof.segmentStarts.count + 1 == proof.segments.count else {
            throw .impossibleClaims("\(proof.segments.count) segments with \(proof.segmentStarts.count) start pcs")
        }
        let (segments, interactions) = machineStatement(proof: proof, key: key, inputs: inputs)
        do {
            return try Machine.soundness(segments, publicInteractions: interactions.count, config: key.config)
        } catch {
            throw .invalid(segment: 0, reason: "\(error)")
        }
    }

    /// Decodes (strictly) and checks a serialized proof.
    public static func verify(proofBytes: [UInt8], program: Program, inputs: [[UInt8]], config: StarkConfig = ZKVM.proofConfig,
                              maxSize: Int = ExecutionProof.defaultMaxSize) throws(VerificationError) -> Claims {
        try verify(proof: ExecutionProof(bytes: proofBytes, maxSize: maxSize), program: program, inputs: inputs, config: config)
    }

    /// Decodes (strictly) and checks a serialized proof with a reusable key.
    public static func verify(proofBytes: [UInt8], key: VerifyingKey, inputs: [[UInt8]],
                              maxSize: Int = ExecutionProof.defaultMaxSize) throws(VerificationError) -> Claims {
        try verify(proof: ExecutionProof(bytes: proofBytes, maxSize: maxSize), key: key, inputs: inputs)
    }

    /// What verifying proofs of one program needs, built once: the program, its machine's tables
    /// (the program table decoded from the ELF) and, filled by the first verification of each
    /// height, the preprocessed commitments.
    public final class VerifyingKey: Sendable {
        public let program: Program
        public let config: StarkConfig
        /// The last segment's tables, and every other segment's (the same without the boundary).
        let airs: [any AIR]
        let segmentAirs: [any AIR]
        let commitments = PreprocessedCommitments()

        public init(program: Program, config: StarkConfig = ZKVM.proofConfig) {
            self.program = program
            self.config = config
            airs = RV32Machine.airs(program: ProgramChip(program: program))
            segmentAirs = Array(airs.dropLast())
        }
    }
}

/// One table's committed cells in a proof.
public struct TableLayout: Sendable, Equatable {
    public var name: String
    public var rows: Int
    /// Main columns.
    public var main: Int
    /// LogUp columns in base-field cells (4 per extension column).
    public var auxiliary: Int
    /// Lookup interactions per row.
    public var interactions: Int

    /// Committed cells: rows × (main + auxiliary).
    public var cells: Int { rows * (main + auxiliary) }
}

extension ExecutionProof {
    /// Each segment's tables and their shapes, in proof order.
    public func segmentLayouts(program: Program) -> [[TableLayout]] {
        let chip = ProgramChip(program: program)
        return segments.enumerated().map { k, segment in
            let airs = RV32Machine.airs(program: chip, last: k + 1 == segments.count)
            return zip(airs, segment.tables).compactMap { air, table in
                guard let system = try? ConstraintSystem(air: air) else { return nil }
                return TableLayout(name: air.name, rows: 1 << table.logTraceHeight, main: system.mainWidth,
                                   auxiliary: 4 * system.auxWidth, interactions: system.interactionCount)
            }
        }
    }

    /// Each table's shape over all segments (rows added up), for reports: committed cells per
    /// cycle and where they are.
    public func layout(program: Program) -> [TableLayout] {
        ExecutionProof.combined(segmentLayouts(program: program))
    }

    /// Per-segment layouts (``segmentLayouts(program:)``) added up table by table.
    public static func combined(_ segmentLayouts: [[TableLayout]]) -> [TableLayout] {
        var out: [TableLayout] = []
        for tables in segmentLayouts {
            for (i, t) in tables.enumerated() {
                if i < out.count { out[i].rows += t.rows } else { out.append(t) }
            }
        }
        return out
    }
}
