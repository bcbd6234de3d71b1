import ArgumentParser
import Foundation
import JSON
import KoalaBear
import Locking
import Primitives
import ProverNetClient
import RISCV
import ZKVMProver

/// Reads `--input` values: `0x…` or bare hex, or `@FILE` for a file's bytes.
func readInputItems(_ values: [String]) throws -> [[UInt8]] {
    try values.map { v in
        if v.hasPrefix("@") {
            let path = String(v.dropFirst())
            guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
            return [UInt8](data)
        }
        do { return try Hex.decode(v) } catch { throw CLIError("--input \(v): invalid hex: \(error)") }
    }
}

func loadProgram(_ path: String) throws -> Program {
    guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
    do { return try Program(elf: [UInt8](data)) } catch { throw CLIError("\(path): \(error)") }
}

extension Claims {
    /// The claims as JSON (hex for bytes and hashes).
    var json: JSONValue {
        .object([
            ("programId", .string(programId.description)),
            ("inputDigest", .string(inputDigest.description)),
            ("itemsRead", .number(JSONNumber(Int64(itemsRead)))),
            ("publicOutput", .string(Hex.encode(publicOutput))),
            ("exitCode", .number(JSONNumber(Int64(exitCode)))),
            ("cycles", .number(JSONNumber(cycles))),
            ("segments", .number(JSONNumber(Int64(segments)))),
        ])
    }
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

/// `provernet prove --elf F --input HEX|@FILE --out P`: runs a guest and proves the run.
struct ProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Run a RISC-V guest and prove the run (a STARK proof of RV32IM execution).",
        discussion: """
            Each --input is one input item (hex, or @FILE for a file's bytes), read by the guest in order; \
            the Market gives a guest exactly one. Shows the phase on stderr (updated in place on a terminal, \
            plain lines otherwise), writes the proof to --out, and prints the claims and timings. Exits \
            non-zero with the reason when the run traps, exceeds --max-cycles, or cannot be proven.
            """)

    @Option(help: "The guest program: an ELF32 RISC-V executable.") var elf: String
    @Option(name: .customLong("input"), help: "One input item: hex (0x optional) or @FILE. Repeatable.") var inputs: [String] = []
    @Option(help: "Where to write the proof.") var out: String
    @Option(help: "Cycles per segment: a power of two from 2^6 to 2^21. Longer runs are proven in segments, one at a time.")
    var segmentCycles: UInt64 = ZKVM.defaultSegmentCycles
    @Option(help: "Threads for the prover (default: every core).") var threads: Int = Parallel.coreCount
    @Option(help: "Give up on runs longer than this.") var maxCycles: UInt64 = 1 << 24
    @Flag(help: "Print the claims and timings as one JSON object.") var json = false

    func run() throws {
        let program = try loadProgram(elf)
        let items = try readInputItems(inputs)
        guard threads >= 1 else { throw CLIError("--threads must be at least 1") }
        let options = ProvingOptions(segmentCycles: segmentCycles, threads: threads, maxCycles: maxCycles)
        let clock = ContinuousClock(), start = clock.now
        let tty = isatty(STDERR_FILENO) == 1
        let phases = Locked<[(String, ContinuousClock.Instant)]>([])
        // Work units for percent and ETA: committing a segment is one, proving the last two and
        // any other three (it is filled and committed again first).
        let done = Locked<(units: Double, total: Double)>((0, 0))
        let proof: ExecutionProof
        do {
            proof = try ZKVM.prove(program: program, inputs: items, options: options) { p in
                var name: String
                let progress: (units: Double, total: Double) = done.withLock { state in
                    switch p {
                    case .committing(let k, let n):
                        state.total = Double(4 * n - 1)
                        state.units = Double(k - 1)
                    case .proving(let k, let n):
                        state.units = Double(n) + (k == n ? 0 : Double(2 + 3 * (n - 1 - k)))
                    case .done: state.units = state.total
                    case .executing: break
                    }
                    return state
                }
                switch p {
                case .executing: name = "executing"
                case .committing(let k, let n): name = "segment \(k) of \(n): committing"
                case .proving(let k, let n): name = "segment \(k) of \(n): proving"
                case .done: name = "done"
                }
                let now = clock.now
                let elapsed = seconds(now - start)
                phases.withLock { $0.append((name, now)) }
                if progress.total > 0, p != .done {
                    let fraction = progress.units / progress.total
                    name += String(format: " · %.0f%%", fraction * 100)
                    if fraction > 0 { name += String(format: " · ETA %.0f s", elapsed / fraction * (1 - fraction)) }
                }
                let line = String(format: "[%6.2f s] %@", elapsed, name)
                FileHandle.standardError.write(Data(((tty ? "\r\u{1b}[K" : "") + line + (tty && p != .done ? "" : "\n")).utf8))
            }
        } catch {
            throw CLIError("\(elf): \(error)")
        }
        let total = seconds(clock.now - start)
        let bytes = proof.serialized()
        guard FileManager.default.createFile(atPath: out, contents: Data(bytes)) else { throw CLIError("cannot write \(out)") }
        let marks = phases.withLock { $0 }
        var timings: [(String, JSONValue)] = []
        for (k, (name, at)) in marks.enumerated() where k + 1 < marks.count {
            timings.append((name, .number(JSONNumber(Int64((seconds(marks[k + 1].1 - at) * 1000).rounded())))))
        }
        let rate = total > 0 ? Double(proof.claims.cycles) / total : 0
        let layout = proof.layout(program: program)
        let cells = layout.reduce(0) { $0 + $1.cells }
        let perCycle = Double(cells) / Double(max(proof.claims.cycles, 1))
        let soundness = try? ZKVM.soundness(of: proof, key: ZKVM.VerifyingKey(program: program, config: options.stark), inputs: items)
        if json {
            print(JSONValue.object([
                ("claims", proof.claims.json), ("proofBytes", .number(JSONNumber(Int64(bytes.count)))),
                ("seconds", .string(String(format: "%.3f", total))), ("cyclesPerSecond", .number(JSONNumber(Int64(rate)))),
                ("phasesMs", .object(timings)), ("committedCells", .number(JSONNumber(Int64(cells)))),
                ("securityBits", soundness.map { .string(String(format: "%.1f", $0.bits)) } ?? .null),
                ("tables", .array(layout.map { t in
                    .object([("name", .string(t.name)), ("rows", .number(JSONNumber(Int64(t.rows)))),
                             ("main", .number(JSONNumber(Int64(t.main)))), ("auxiliary", .number(JSONNumber(Int64(t.auxiliary)))),
                             ("interactions", .number(JSONNumber(Int64(t.interactions))))])
                })),
            ]).text)
            return
        }
        print("""
            \(proof.claims.json.text)
            proof: \(out) (\(bytes.count) bytes)
            time: \(String(format: "%.3f", total)) s, \(String(format: "%.1f", rate / 1000)) kHz
            security: \(soundness.map { "\($0)" } ?? "unknown")
            """)
        for (name, ms) in timings { print("  \(name): \(ms.text) ms") }
        print("committed cells: \(cells) (\(String(format: "%.0f", perCycle)) per cycle, lookup tables included)")
        for t in layout {
            print("  \(t.name): \(t.rows) rows × (\(t.main) main + \(t.auxiliary) LogUp), \(t.interactions) interactions per row")
        }
    }
}

/// `provernet verify --proof P --elf F --input …`: checks a proof and prints its claims.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a proof of a guest's run and print what it proves as JSON.",
        discussion: """
            The proof must be for the given program and exactly the given input items. The program is \
            its ELF (--elf; --program-id, if given too, must be that ELF's id) or a program registered \
            on a node (--program-id alone: its ELF is fetched over --rpc and checked against the id). \
            Exits non-zero with the reason when it is not.
            """)

    @Option(help: "The proof file (from provernet prove).") var proof: String
    @Option(help: "The guest program the proof claims to be about.") var elf: String?
    @Option(help: "The program id: checked against --elf's, or, without --elf, the registered program to fetch.")
    var programId: String?
    @Option(help: "The node's JSON-RPC URL (for --program-id without --elf).") var rpc: String = "http://127.0.0.1:8545"
    @Option(name: .customLong("input"), help: "One input item: hex (0x optional) or @FILE. Repeatable.") var inputs: [String] = []
    @Option(name: .customLong("repeat"), help: "Verify this many times with one verifying key, as a node does; report the first and the median time.")
    var repeats: Int = 1

    func run() throws {
        guard repeats >= 1 else { throw CLIError("--repeat must be at least 1") }
        var expected: Hash32?
        if let programId {
            guard let id = Hash32(hex: programId) else { throw CLIError("--program-id: not a 32-byte hex hash") }
            expected = id
        }
        let program: Program
        if let elf {
            program = try loadProgram(elf)
            if let expected, expected != program.programId { throw CLIError("\(elf) is program \(program.programId), not \(expected)") }
        } else if let expected {
            program = try registeredProgram(expected)
        } else {
            throw CLIError("give the program: --elf FILE or --program-id ID")
        }
        let items = try readInputItems(inputs)
        guard let data = FileManager.default.contents(atPath: proof) else { throw CLIError("cannot read \(proof)") }
        let clock = ContinuousClock(), key = ZKVM.VerifyingKey(program: program)
        var claims: Claims?
        var times: [Double] = []
        for _ in 0..<repeats {
            let start = clock.now
            do { claims = try ZKVM.verify(proofBytes: [UInt8](data), key: key, inputs: items) } catch {
                throw CLIError("invalid proof: \(error)")
            }
            times.append(seconds(clock.now - start) * 1000)
        }
        func ms(_ t: Double) -> JSONValue { .number(JSONNumber(Int64(t.rounded()))) }
        var fields: [(String, JSONValue)] = [("valid", .bool(true)), ("claims", claims!.json), ("verifyMs", ms(times[0]))]
        if let proof = try? ExecutionProof(bytes: [UInt8](data)), let s = try? ZKVM.soundness(of: proof, key: key, inputs: items) {
            fields.append(("securityBits", .string(String(format: "%.1f", s.bits))))
        }
        if times.count > 1 { fields.append(("warmVerifyMedianMs", ms(times.dropFirst().sorted()[(times.count - 1) / 2]))) }
        print(JSONValue.object(fields).text)
    }

    /// The ELF registered on the node as `id`, checked to be that program.
    func registeredProgram(_ id: Hash32) throws -> Program {
        let reply: JSONValue
        do { reply = try RPCClient(url: rpc).call("provernet_getProgram", [.string(id.description), .bool(true)]) } catch {
            throw CLIError("cannot fetch program \(id) from \(rpc): \(error)")
        }
        if reply == .null { throw CLIError("program \(id) is not registered on \(rpc)") }
        guard let hex = reply["elf"]?.stringValue, let bytes = try? Hex.decode(hex) else {
            throw CLIError("\(rpc) returned no ELF for program \(id)")
        }
        let program: Program
        do { program = try Program(elf: bytes) } catch { throw CLIError("the ELF \(rpc) returned for \(id): \(error)") }
        guard program.programId == id else { throw CLIError("\(rpc) returned program \(program.programId) for \(id)") }
        return program
    }
}
