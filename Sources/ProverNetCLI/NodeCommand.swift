import ArgumentParser
import Chain
import Dispatch
import Foundation
import Node
import Primitives
import Storage

/// `provernet node`: open (or with `--dev`, create) a datadir and seal blocks.
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run a node: seal a block every --block-time seconds (empty blocks too).",
        discussion: """
            With --dev the genesis' development sealer key seals, and an empty datadir is initialised
            from --genesis (default: the embedded devnet). The node resumes from the last committed
            block; SIGINT/SIGTERM stop it after the block being written.
            """)

    @Option(help: "Data directory.") var datadir: String = DataDir.defaultPath
    @Option(help: "Genesis JSON for a fresh datadir with --dev (default: the embedded devnet).") var genesis: String?
    @Flag(help: "Seal with the genesis' development key; initialise an empty datadir.") var dev = false
    @Option(help: "Seconds between blocks (default: the genesis' blockTime).") var blockTime: Double?
    @Option(help: "JSON-RPC port.") var rpcPort: Int = 8545
    @Option(help: "JSON-RPC address.") var rpcAddr: String = "127.0.0.1"

    func run() async throws {
        let node = try NodeCommand.openNode(datadir: datadir, genesisPath: genesis, dev: dev, blockTime: blockTime)
        node.onBlock { block, _ in
            // One line per committed block: operators and tests follow the chain from it.
            print("block \(block.number) \(block.hash) txs=\(block.transactions.count)")
            fflush(nil)
        }
        print("provernet \(ProverNetCommand.version): chain \(node.chain.genesis.chainID), head \(node.chain.head.number) \(node.chain.head.hash)")
        fflush(nil)
        try await NodeCommand.runUntilSignalled(node)
    }

    static func openNode(datadir: String, genesisPath: String?, dev: Bool, blockTime: Double?) throws -> Node {
        let store: LevelDBStore
        if dev {
            store = try DataDir.openOrCreate(datadir)
            if try store.get(Schema.genesisHashKey) == nil {
                let (g, json) = try loadGenesis(genesisPath)
                try Blockchain.initialize(store: store, genesis: g, genesisJSON: json)
            }
        } else {
            store = try DataDir.openExisting(datadir)
        }
        let (g, _) = try DataDir.storedGenesis(store, dir: datadir)
        if let genesisPath, !dev {
            let (given, _) = try loadGenesis(genesisPath)
            _ = given  // The stored genesis rules; a mismatch is reported by opening with it below.
            _ = try Blockchain(store: store, genesis: given, path: datadir)
        }
        let chain = try Blockchain(store: store, genesis: g, path: datadir)
        var key = dev ? g.devSealerKey : nil
        if dev, key == nil { throw CLIError("--dev needs a genesis with sealer.devPrivateKey") }
        if !dev { key = nil }
        return Node(chain: chain, sealerKey: key, blockTime: blockTime ?? g.blockTime)
    }

    /// Runs the sealer until SIGINT or SIGTERM, then returns after the current block.
    static func runUntilSignalled(_ node: Node) async throws {
        let sealer = Task { if node.sealerKey != nil { try await node.runSealer() } else { try await Task.sleep(for: .seconds(1 << 40)) } }
        let signals = [SIGINT, SIGTERM].map { sig -> DispatchSourceSignal in
            signal(sig, SIG_IGN)
            let src = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            src.setEventHandler { sealer.cancel() }
            src.resume()
            return src
        }
        defer { signals.forEach { $0.cancel() } }
        do { try await sealer.value } catch is CancellationError {}
        FileHandle.standardError.write(Data("stopped at block \(node.chain.head.number)\n".utf8))
    }
}
