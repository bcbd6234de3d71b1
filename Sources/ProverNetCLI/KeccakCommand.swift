import ArgumentParser
import Benchmarks
import JSON
import Keccak
import Primitives
import RPC

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
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run a benchmark against its reference (keccak, ecrecover, rlp, rpc, …, or all).",
        discussion: """
            Build with -c release for meaningful figures: Tools/bench.sh does. `rpc` serves JSON-RPC on a loopback
            port and loads it from 32 keep-alive connections, against a bare SwiftNIO HTTP server in the same run.
            """)

    @Argument(help: "Benchmark name: all, rpc, \(Benchmarks.names.joined(separator: ", ")).")
    var name: String = "all"

    @Flag(help: "One JSON object per line: {\"bench\",\"value\",\"unit\",\"reference\",\"ratio\"}.")
    var json = false

    @Option(help: "Seconds per measurement round.")
    var seconds: Double = 0.4

    func run() async throws {
        if name != "rpc" {
            let results: [BenchResult]
            do { results = try Benchmarks.run(name, seconds: seconds) } catch { throw CLIError(String(describing: error)) }
            for r in results { print(json ? r.json : r.text) }
        }
        if name == "rpc" || name == "all" {
            let results: [RPCBench.Result]
            do { results = try await RPCBench.run(seconds: max(1, seconds * 5)) } catch { throw CLIError(String(describing: error)) }
            for r in results { print(json ? BenchCommand.json(r) : BenchCommand.text(r)) }
        }
    }

    static func n(_ d: Double) -> String {
        let scaled = (d * 1000).rounded() / 1000
        return scaled == scaled.rounded() && abs(scaled) < 1e15 ? String(Int64(scaled)) : String(scaled)
    }

    static func text(_ r: RPCBench.Result) -> String {
        var s = "\(r.bench): \(n(r.value)) \(r.unit) (p50 \(n(r.p50)) ms, p99 \(n(r.p99)) ms) vs \(r.referenceName) \(n(r.reference)) \(r.unit)"
        if r.referenceP50 > 0 { s += " (p50 \(n(r.referenceP50)) ms, p99 \(n(r.referenceP99)) ms)" }
        s += " → ratio \(n(r.ratio))"
        if let t = r.target { s += "  (target ≥ \(n(t)))" }
        return s
    }

    static func json(_ r: RPCBench.Result) -> String {
        var fields: [(String, JSONValue)] = [
            ("bench", .string(r.bench)), ("value", .number(JSONNumber(r.value))), ("unit", .string(r.unit)),
            ("reference", .number(JSONNumber(r.reference))), ("ratio", .number(JSONNumber(r.ratio))),
            ("referenceName", .string(r.referenceName)),
        ]
        if let t = r.target { fields.append(("target", .number(JSONNumber(t)))) }
        fields += [("p50ms", .number(JSONNumber(r.p50))), ("p99ms", .number(JSONNumber(r.p99))),
                   ("referenceP50ms", .number(JSONNumber(r.referenceP50))), ("referenceP99ms", .number(JSONNumber(r.referenceP99)))]
        return JSONValue.object(fields).text
    }
}
