import ArgumentParser
import JSON

/// The `provernet` command line: one binary for the node and its tools.
public struct ProverNetCommand: AsyncParsableCommand {
    /// The node's version, printed by `provernet --version` and `web3_clientVersion`.
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "provernet",
        abstract: "ProverNet: a node for a decentralized marketplace of zero-knowledge proofs.",
        discussion: "With no arguments, runs the devnet (`provernet dev`): chain id 70001, native coin BREV (18 decimals), JSON-RPC on 127.0.0.1:8545. Hex arguments take an optional 0x prefix.",
        version: "provernet \(version)",
        subcommands: [
            DevCommand.self, NodeCommand.self, InitCommand.self, AccountCommand.self, ExportCommand.self, ImportCommand.self, ReplayCommand.self, BlockCommand.self,
            TxCommand.self, KeccakCommand.self, RLPCommand.self, ABICommand.self, BenchCommand.self,
            ExecuteCommand.self, ProveCommand.self, VerifyCommand.self,
            DebugStorageStressCommand.self,
            StakeCommand.self, RequestCommand.self, ProgramCommand.self, BidCommand.self, RevealCommand.self,
            RefundCommand.self, SlashCommand.self, VoteCommand.self, ProposeCommand.self,
        ],
        defaultSubcommand: DevCommand.self
    )

    public init() {}
}

/// A command-line failure with a message for stderr and a non-zero exit.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// Runs `body` on `argument`, or on each non-empty line of standard input when `argument` is `-`.
/// In line mode a failing line prints `{"error": …}` and the run goes on; the exit status is 1
/// when any line failed.
func forEachInput(_ argument: String, _ body: (String) throws -> String) throws {
    if argument != "-" {
        do { print(try body(argument)) } catch { throw CLIError(String(describing: error)) }
        return
    }
    var failed = false
    while let line = readLine(strippingNewline: true) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { continue }
        do {
            print(try body(trimmed))
        } catch {
            failed = true
            print(JSONValue.object([("error", .string(String(describing: error)))]).text)
        }
    }
    if failed { throw ExitCode(1) }
}

extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}

extension Set where Element == Character {
    static let whitespaces: Set<Character> = [" ", "\t", "\r", "\n"]
}
