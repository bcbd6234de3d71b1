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
        let store = try DataDir.openExisting(datadir)
        let (g, _) = try DataDir.storedGenesis(store, dir: datadir)
        let chain = try Blockchain(store: store, genesis: g, contracts: .provernet, path: datadir)
        let last = min(to ?? chain.head.number, chain.head.number)
        guard from >= 1, from <= last else { throw CLIError("nothing to export: blocks \(from)...\(last)") }
        FileManager.default.createFile(atPath: out, contents: nil)
        guard let fh = FileHandle(forWritingAtPath: out) else { throw CLIError("cannot write \(out)") }
        defer { try? fh.close() }
        var progress = Progress(total: last - from + 1, label: "export")
        for n in from...last {
            guard let b = try chain.reader.certifiedBlock(number: n) else { throw ChainError.corrupt("block \(n) missing") }
            try fh.write(contentsOf: b.encoded)
            progress.update(n - from + 1)
        }
        progress.update(last - from + 1, force: true)
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
        let store = try DataDir.openExisting(datadir)
        let (g, _) = try DataDir.storedGenesis(store, dir: datadir)
        let chain = try Blockchain(store: store, genesis: g, contracts: .provernet, path: datadir)
        let app = ChainApplication(chain: chain)
        let poa = try ProofOfAuthority(authority: g.sealer)
        let bytes = Array(data)
        var d = RLPDecoder(bytes)
        var imported: UInt64 = 0, skipped: UInt64 = 0
        var progress = Progress(total: 0, label: "import")
        while !d.isAtEnd {
            let at = d.position
            let block: CertifiedBlock
            do { block = try CertifiedBlock(decoding: &d) } catch {
                throw CLIError("import stopped at byte \(at) after block \(chain.head.number): \(error)")
            }
            if block.number <= chain.head.number {
                // Already here: it must be the very same block.
                guard try chain.reader.canonicalHash(block.number) == block.hash else {
                    throw CLIError("import stopped: block \(block.number) \(block.hash) differs from the stored one")
                }
                skipped += 1
                continue
            }
            do { try poa.importBlock(block, into: app) } catch {
                throw CLIError("import stopped at block \(block.number): \(error)")
            }
            imported += 1
            progress.update(imported)
        }
        print("imported \(imported) blocks (\(skipped) already present); head \(chain.head.number) \(chain.head.hash)")
    }
}

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-execute the stored chain from genesis into scratch state and compare every root.")

    @Option(help: "Data directory.") var datadir: String = DataDir.defaultPath

    func run() throws {
        let store = try DataDir.openExisting(datadir)
        let (g, json) = try DataDir.storedGenesis(store, dir: datadir)
        let chain = try Blockchain(store: store, genesis: g, contracts: .provernet, path: datadir)
        let scratch = MemoryStore()
        try Blockchain.initialize(store: scratch, genesis: g, genesisJSON: json, contracts: .provernet)
        let replica = try Blockchain(store: scratch, genesis: g, contracts: .provernet)
        let app = ChainApplication(chain: replica)
        let poa = try ProofOfAuthority(authority: g.sealer)
        let head = chain.head.number
        var progress = Progress(total: head, label: "replay")
        if head > 0 {
            for n in 1...head {
                guard let b = try chain.reader.certifiedBlock(number: n) else { throw ChainError.corrupt("block \(n) missing") }
                do { try poa.importBlock(b, into: app) } catch { throw CLIError("replay stopped at block \(n): \(error)") }
                progress.update(n)
            }
        }
        print("replayed \(head) blocks; every root matches; head \(replica.head.hash)")
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
