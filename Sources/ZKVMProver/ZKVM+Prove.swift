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
    /// Filling the tables of segment `segment` (from 1) of `of`.
    case witness(segment: Int, of: Int)
    /// Proving segment `segment` of `of`.
    case proving(segment: Int, of: Int)
    /// Done.
    case done
}

extension ZKVM {
    /// The proof system every ProverNet proof uses: blowup 4, 42 queries, 16 bits of grinding,
    /// SHA-256 Merkle trees (docs/zkvm.md, security).
    public static let proofConfig = StarkConfig(fri: .standard)

    /// The default segment size.
    public static let defaultSegmentCycles: UInt64 = 1 << 20

    /// Runs `program` on `inputs` and proves the run.
    ///
    /// - Throws: ``ProvingError``: the run traps or exceeds the cycle limit, or the prover
    ///   cannot prove it (see the error).
    public static func prove(program: Program, inputs: [[UInt8]], options: ProvingOptions = ProvingOptions(),
                             progress: (@Sendable (ProvingProgress) -> Void)? = nil) throws(ProvingError) -> ExecutionProof {
        try RV32Machine.checkProvable(program)
        progress?(.executing)
        let result: ExecutionResult
        do {
            result = try Executor(program: program, inputs: inputs,
                                  options: ExecutionOptions(maxCycles: options.maxCycles, recordTrace: true)).run()
        } catch {
            throw .execution("\(error)")
        }
        guard let trace = result.trace else { throw .stark("the executor recorded no trace") }
        let segmentLimit = min(options.segmentCycles, RV32Machine.maxCycles)
        guard result.cycles <= segmentLimit else {
            throw .unsupported("a run of \(result.cycles) cycles needs segments (one proof covers \(segmentLimit) cycles)")
        }
        progress?(.witness(segment: 1, of: 1))
        let chip = ProgramChip(program: program)
        let (tables, statement) = try RV32Machine.tables(program: program, chip: chip, inputs: inputs, trace: trace,
                                                         output: result.publicOutput, exitCode: result.exitCode)
        progress?(.proving(segment: 1, of: 1))
        let proof: MachineProof
        do {
            proof = try Machine.prove(tables, publicInteractions: RV32Machine.publicInteractions(statement), config: options.stark,
                                      backend: CPUBackend(threads: options.threads))
        } catch {
            throw .stark("\(error)")
        }
        progress?(.done)
        let claims = Claims(programId: program.programId, inputDigest: Claims.digest(ofInputs: inputs),
                            itemsRead: UInt32(statement.itemsRead), publicOutput: result.publicOutput, exitCode: result.exitCode,
                            cycles: result.cycles, segments: 1)
        return ExecutionProof(claims: claims, segments: [proof])
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
        guard claims.segments == UInt32(proof.segments.count) else { throw .impossibleClaims("segment count") }
        guard claims.segments == 1 else { throw .impossibleClaims("this verifier checks single-segment proofs") }
        guard claims.cycles >= 1, claims.cycles <= RV32Machine.maxCycles else {
            throw .impossibleClaims("\(claims.cycles) cycles in one segment")
        }
        do { try RV32Machine.checkProvable(program) } catch { throw .impossibleClaims("\(error)") }
        let statement = RunStatement(program: program, inputs: inputs, itemsRead: Int(claims.itemsRead),
                                     output: claims.publicOutput, exitCode: claims.exitCode, cycles: claims.cycles)
        do {
            try Machine.verify(key.airs, proof: proof.segments[0], publicInputs: RV32Machine.publicInputs(statement),
                               publicInteractions: RV32Machine.publicInteractions(statement), config: config,
                               commitments: key.commitments)
        } catch {
            throw .invalid(segment: 0, reason: "\(error)")
        }
        return claims
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
        let airs: [any AIR]
        let commitments = PreprocessedCommitments()

        public init(program: Program, config: StarkConfig = ZKVM.proofConfig) {
            self.program = program
            self.config = config
            airs = RV32Machine.airs(program: ProgramChip(program: program))
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
    /// Each table's shape in segment 0, for reports (committed cells per cycle and where they are).
    public func layout(program: Program) -> [TableLayout] {
        guard let segment = segments.first else { return [] }
        let airs = RV32Machine.airs(program: ProgramChip(program: program))
        return zip(airs, segment.tables).compactMap { air, table in
            guard let system = try? ConstraintSystem(air: air) else { return nil }
            return TableLayout(name: air.name, rows: 1 << table.logTraceHeight, main: system.mainWidth,
                               auxiliary: 4 * system.auxWidth, interactions: system.interactionCount)
        }
    }
}
