import ArgumentParser
import Benchmarks
import Keccak
import Primitives

/// `provernet keccak <hex>`: Keccak-256 of bytes.
struct KeccakCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keccak",
        abstract: "Print the Keccak-256 hash of hex bytes (or of text with --utf8).",
        discussion: "Use - to hash each line of standard input.")

    @Argument(help: "Bytes as hex (0x optional), or text with --utf8, or - for stdin lines.")
    var input: String

    @Flag(help: "Hash the argument's UTF-8 bytes instead of decoding hex.")
    var utf8 = false

    func run() throws {
        try forEachInput(input) { text in
            let bytes: [UInt8]
            if utf8 {
                bytes = Array(text.utf8)
            } else {
                do { bytes = try Hex.decode(text) } catch { throw CLIError("invalid hex: \(error)") }
            }
            return Hex.encode(Keccak256.hash(bytes))
        }
    }
}

/// `provernet bench <name>`: the benchmarks, each as a ratio against a reference in the same run.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run a benchmark against its reference (keccak, ecrecover, rlp, or all).",
        discussion: "Build with -c release for meaningful figures: Tools/bench.sh does.")

    @Argument(help: "Benchmark name: all, keccak, ecrecover, rlp.")
    var name: String = "all"

    @Flag(help: "One JSON object per line: {\"bench\",\"value\",\"unit\",\"reference\",\"ratio\"}.")
    var json = false

    @Option(help: "Seconds per measurement round.")
    var seconds: Double = 0.4

    func run() throws {
        let results: [BenchResult]
        do { results = try Benchmarks.run(name, seconds: seconds) } catch { throw CLIError(String(describing: error)) }
        for r in results { print(json ? r.json : r.text) }
    }
}
