import ArgumentParser
import Foundation
import JSON
import Primitives
import RISCV

/// `provernet execute --elf FILE [--input 0xHEX | --input-file FILE]... [--max-cycles N] [--json]`:
/// runs a guest in the zkVM's executor.
struct ExecuteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "execute",
        abstract: "Run a RISC-V (rv32im) guest ELF in the zkVM executor.",
        discussion: """
            Each --input or --input-file is one input item, read by the guest in command-line order. \
            Prints the guest's stdout and stderr, then the public output, exit code, cycles, programId \
            and speed. Exits non-zero (with the reason on stderr) on a bad ELF, a trap or the cycle limit. \
            Build guests with Tools/guest/build.sh.
            """)

    @Option(help: "The guest program: an ELF32 RISC-V executable.")
    var elf: String

    @Option(name: .customLong("input"), help: "One input item as hex (0x optional). Repeatable.")
    var hexInputs: [String] = []

    @Option(name: .customLong("input-file"), help: "One input item: the bytes of a file. Repeatable.")
    var fileInputs: [String] = []

    @Option(help: "Stop with an error after this many cycles.")
    var maxCycles: UInt64 = ExecutionOptions.defaultMaxCycles

    @Flag(help: "Also record the execution trace (reports its size; for measuring its cost).")
    var trace = false

    @Flag(help: "Print one JSON object: exitCode, cycles, publicOutput, stdout, stderr, programId.")
    var json = false

    func run() throws {
        guard let elfData = FileManager.default.contents(atPath: elf) else { throw CLIError("cannot read \(elf)") }
        let program: Program
        do { program = try Program(elf: [UInt8](elfData)) } catch { throw CLIError("\(elf): \(error)") }

        var inputs: [[UInt8]] = []
        for item in ExecuteCommand.orderedInputs(hex: hexInputs, files: fileInputs, arguments: CommandLine.arguments) {
            switch item {
            case .hex(let text):
                do { inputs.append(try Hex.decode(text)) } catch { throw CLIError("--input \(text): invalid hex: \(error)") }
            case .file(let path):
                guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
                inputs.append([UInt8](data))
            }
        }

        let executor = Executor(program: program, inputs: inputs,
                                options: ExecutionOptions(maxCycles: maxCycles, recordTrace: trace))
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = Result { () throws(ExecutionError) in try executor.run() }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18

        switch outcome {
        case .failure(let error):
            if !json {
                FileHandle.standardOutput.write(Data(executor.stdout))
                FileHandle.standardError.write(Data(executor.stderr))
            }
            throw CLIError("\(elf): \(error)")
        case .success(let r):
            if json {
                print(JSONValue.object([
                    ("exitCode", .number(JSONNumber(Int64(r.exitCode)))),
                    ("cycles", .number(JSONNumber(UInt64(r.cycles)))),
                    ("publicOutput", .string(Hex.encode(r.publicOutput))),
                    ("stdout", .string(String(decoding: r.stdout, as: UTF8.self))),
                    ("stderr", .string(String(decoding: r.stderr, as: UTF8.self))),
                    ("programId", .string(r.programId.description)),
                ]).text)
                return
            }
            FileHandle.standardOutput.write(Data(r.stdout))
            FileHandle.standardError.write(Data(r.stderr))
            let mhz = seconds > 0 ? Double(r.cycles) / seconds / 1e6 : 0
            var summary = """
                publicOutput: \(Hex.encode(r.publicOutput))
                exitCode: \(r.exitCode)
                cycles: \(r.cycles)
                programId: \(r.programId)
                speed: \(String(format: "%.1f", mhz)) MHz (\(String(format: "%.3f", seconds)) s)
                """
            if let t = r.trace {
                summary += "\ntrace: \(t.count) rows of \(MemoryLayout<TraceRow>.stride) bytes, "
                    + "\(t.syscalls.count) system calls, \(t.syscallMemory.count) system-call memory words"
            }
            print(summary)
        }
    }

    /// One input item from the command line.
    enum InputItem: Equatable {
        case hex(String)
        case file(String)
    }

    /// The `--input` and `--input-file` values in the order they appear in `arguments`
    /// (ArgumentParser keeps each option's values in order, but not their interleaving).
    /// Falls back to all hex items, then all files, if the arguments do not match.
    static func orderedInputs(hex: [String], files: [String], arguments: [String]) -> [InputItem] {
        var ordered: [InputItem] = []
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if a == "--" { break }
            if a == "--input" || a == "--input-file", i + 1 < arguments.count {
                ordered.append(a == "--input" ? .hex(arguments[i + 1]) : .file(arguments[i + 1]))
                i += 2
                continue
            }
            if a.hasPrefix("--input=") { ordered.append(.hex(String(a.dropFirst("--input=".count)))) }
            if a.hasPrefix("--input-file=") { ordered.append(.file(String(a.dropFirst("--input-file=".count)))) }
            i += 1
        }
        let scannedHex = ordered.compactMap { if case .hex(let h) = $0 { h } else { nil } }
        let scannedFiles = ordered.compactMap { if case .file(let f) = $0 { f } else { nil } }
        if scannedHex == hex && scannedFiles == files { return ordered }
        return hex.map(InputItem.hex) + files.map(InputItem.file)
    }
}
