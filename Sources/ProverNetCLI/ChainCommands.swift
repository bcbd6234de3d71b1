import ArgumentParser
import Chain
import Consensus
import Foundation
import JSON
import Node
import Primitives
import RLP
import Storage
import SystemContracts

/// Loads a genesis file, or the embedded devnet genesis when no path is given.
func loadGenesis(_ path: String?) throws -> (Genesis, [UInt8]) { try DataDir.loadGenesis(path) }

/// Prints progress of long runs on stderr: blocks done, blocks/s, ETA.
struct Progress {
    let total: UInt64
    let label: String
    let start = Date()
    var last = Date.distantPast

    mutating func update(_ done: UInt64, force: Bool = false) {
        let now = Date()
        guard force || now.timeIntervalSince(last) >= 1 else { return }
        last = now
        let secs = max(now.timeIntervalSince(start), 1e-3)
        let rate = Double(done) / secs
        var line = "\(label): \(done)"
        if total > 0 {
            let eta = rate > 0 ? Double(total > done ? total - done : 0) / rate : 0
            line += "/\(total) blocks, \(String(format: "%.1f", rate)) blocks/s, ETA \(String(format: "%.0f", eta)) s"
        } else {
            line += " blocks, \(String(format: "%.1f", rate)) blocks/s"
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Write block 0 from a genesis file into a datadir and print its hash.",
        discussion: "Running it again with the same genesis is harmless; a different genesis is refused.")

    @Option(help: "Genesis JSON (default: the embedded devnet, Genesis/devnet.json).") var genesis: String?
    @Option(help: "Data directory.") var datadir: String = DataDir.defaultPath

    func run() throws {
        let (g, json) = try loadGenesis(genesis)
        let store = try DataDir.openOrCreate(datadir)
        let hash = try Blockchain.initialize(store: store, genesis: g, genesisJSON: json, contracts: .provernet)
        print(hash)
    }
}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write canonical blocks as concatenated RLP.")

    @Option(help: "Data directory.") var datadir: String = DataDir.defaultPath
    @Option(help: "Output file.") var out: String
    @Option(help: "First block (default 1).") var from: UInt64 = 1
    @Option(help: "Last block (default: the head).") var to: UInt64?

    func run() throws {
        let (chain, _) = try ChainArchive.open(datadir: datadir, verifier: ZKVMProofVerifier())
        var progress = Progress(total: 0, label: "export")
        do {
            let range = try ChainArchive.export(chain, from: from, to: to, out: out) { done, total in
                if progress.total != total { progress = Progress(total: total, label: "export") }
                progress.update(done)
            }
            progress.update(UInt64(range.count), force: true)
        } catch let e as ChainArchive.Stopped { throw CLIError(e.description) }
    }
}

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import exported blocks: check each seal, re-execute, and stop at the first block that differs.")

    @Option(help: "Data directory (initialised from the same genesis).") var datadir: String = DataDir.defaultPath
    @Argument(help: "File written by `provernet export`.") var file: String

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
        let (chain, _) = try ChainArchive.open(datadir: datadir, verifier: ZKVMProofVerifier())
        var progress = Progress(total: 0, label: "import")
        let r: ChainArchive.Imported
        do { r = try ChainArchive.importBlocks(Array(data), into: chain) { progress.update($0) } } catch let e as ChainArchive.Stopped {
            throw CLIError(e.description)
        }
        print("imported \(r.imported) blocks (\(r.alreadyPresent) already present); head \(chain.head.number) \(chain.head.hash)")
    }
}

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-execute the stored chain from genesis into scratch state and compare every root.")

    @Option(help: "Data directory.") var datadir: String = DataDir.defaultPath

    func run() throws {
        let (chain, json) = try ChainArchive.open(datadir: datadir, verifier: ZKVMProofVerifier())
        let head = chain.head.number
        var progress = Progress(total: head, label: "replay")
        let replicaHead: Header
        do { replicaHead = try ChainArchive.replay(chain, genesisJSON: json, verifier: ZKVMProofVerifier()) { n, _ in progress.update(n) } } catch let e as ChainArchive.Stopped {
            throw CLIError(e.description)
        }
        print("replayed \(head) blocks; every root matches; head \(replicaHead.hash)")
    }
}

struct BlockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "block", abstract: "Print a stored block's header fields as JSON (default: the head).")

    @Option(help: "Data directory.") var datadir: String = DataDir.defaultPath
    @Argument(help: "Block number, or 'latest'.") var number: String = "latest"

    func run() throws {
        let store = try DataDir.openExisting(datadir)
        let (g, _) = try DataDir.storedGenesis(store, dir: datadir)
        let chain = try Blockchain(store: store, genesis: g, contracts: .provernet, path: datadir)
        let n: UInt64
        if number == "latest" { n = chain.head.number } else {
            guard let x = UInt64(number) else { throw CLIError("not a block number: \(number)") }
            n = x
        }
        guard let b = try chain.reader.block(number: n) else { throw CLIError("no block \(n) (head is \(chain.head.number))") }
        let h = b.header
        print(JSONValue.object([
            ("number", .number(JSONNumber(h.number))), ("hash", .string(b.hash.description)),
            ("parentHash", .string(h.parentHash.description)), ("stateRoot", .string(h.stateRoot.description)),
            ("transactionsRoot", .string(h.transactionsRoot.description)), ("receiptsRoot", .string(h.receiptsRoot.description)),
            ("gasUsed", .number(JSONNumber(h.gasUsed))), ("baseFeePerGas", .string(h.baseFeePerGas.hexString)),
            ("timestamp", .number(JSONNumber(h.timestamp))), ("transactions", .array(b.transactions.map { .string($0.hash.description) })),
        ]).text)
    }
}
