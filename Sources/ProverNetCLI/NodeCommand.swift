import ArgumentParser
import Chain
import Dispatch
import Foundation
import Locking
import Logging
import Node
import Primitives
import RPC
import Secp256k1
import Storage
import SystemContracts

/// Options shared by `provernet node` and `provernet dev`.
struct NodeOptions: ParsableArguments {
    @Option(help: "Data directory.") var datadir: String = DataDir.defaultPath
    @Option(help: "Genesis JSON for a fresh datadir with --dev (default: the embedded devnet).") var genesis: String?
    @Option(help: "Seconds between blocks (default: the genesis' blockTime).") var blockTime: Double?
    @Option(help: "JSON-RPC port (HTTP and WebSocket); 0 picks a free one.") var rpcPort: Int = 8545
    @Option(help: "JSON-RPC address.") var rpcAddr: String = "127.0.0.1"
    @Option(help: "Comma-separated origins allowed by CORS and for WebSocket upgrades, or * (default: * with --dev, none otherwise).")
    var cors: String?
    @Option(help: "Most open JSON-RPC connections.") var rpcMaxConnections: Int = 1024
    @Option(help: "Largest JSON-RPC request body and WebSocket message, in bytes.") var rpcMaxBody: Int = 5 * 1024 * 1024
    @Option(help: "Most requests in one JSON-RPC batch.") var rpcMaxBatch: Int = 1000
    @Option(help: "Most eth_subscribe subscriptions per WebSocket connection.") var rpcMaxSubscriptions: Int = 1000
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String = "info"
}

/// `provernet node`: open (or with `--dev`, create) a datadir, seal blocks and serve JSON-RPC.
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run a node: seal a block every --block-time seconds (empty blocks too) and serve JSON-RPC.",
        discussion: """
            With --dev the genesis' development sealer key seals, an empty datadir is initialised from
            --genesis (default: the embedded devnet), and evm_mine is offered. JSON-RPC (HTTP POST and
            WebSocket on one port) serves --rpc-addr:--rpc-port, with /health and /metrics. The node resumes
            from the last committed block; SIGINT/SIGTERM stop sealing, finish the block being written,
            close the connections and exit.
            """)

    @OptionGroup var options: NodeOptions
    @Flag(help: "Seal with the genesis' development key; initialise an empty datadir.") var dev = false

    func run() async throws {
        try await NodeCommand.serve(options, dev: dev)
    }

    /// The anvil/hardhat development keys; those funded by the genesis are printed at start.
    static let developmentKeys = [
        "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
        "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
        "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
        "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
        "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
        "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
        "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
        "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
        "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
        "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
    ]

    static func serve(_ o: NodeOptions, dev: Bool) async throws {
        guard let level = Logger.Level(rawValue: o.logLevel.lowercased()) else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
        let logger = { var l = Logger(label: "provernet"); l.logLevel = level; return l }()

        let node = try openNode(datadir: o.datadir, genesisPath: o.genesis, dev: dev, blockTime: o.blockTime)
        let chain = node.chain
        var opts = NodeRPCOptions()
        opts.server.host = o.rpcAddr
        opts.server.port = o.rpcPort
        opts.server.maxConnections = o.rpcMaxConnections
        opts.server.maxBodySize = o.rpcMaxBody
        opts.server.maxWebSocketMessageSize = o.rpcMaxBody
        opts.server.corsOrigins = (o.cors ?? (dev ? "*" : "")).split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        opts.limits.maxBatch = o.rpcMaxBatch
        opts.filters.maxSubscriptionsPerConnection = o.rpcMaxSubscriptions
        opts.api.devMode = dev
        #if arch(x86_64)
        let arch = "x86_64"
        #else
        let arch = "arm64"
        #endif
        opts.api.clientVersion = "ProverNet/v\(ProverNetCommand.version)/linux-\(arch)/swift6"
        let rpc = NodeRPC(node: node, options: opts, logger: Logger(label: "provernet.rpc"))
        node.feed.subscribe { committed in
            // One line per committed block: operators and tests follow the chain from it.
            let block = committed.block
            print("block \(block.number) \(block.hash) txs=\(block.transactions.count)")
            fflush(nil)
        }
        let port = try await rpc.server.start()

        let g = chain.genesis
        print("provernet \(ProverNetCommand.version): chain \(g.chainID), head \(chain.head.number) \(chain.head.hash)")
        print("rpc http://\(o.rpcAddr):\(port) (WebSocket ws://\(o.rpcAddr):\(port), /health, /metrics)")
        if dev {
            print("datadir \(o.datadir); chain id \(g.chainID) (0x\(String(g.chainID, radix: 16))); native coin BREV, 18 decimals; a block every \(node.blockTime) s")
            let funded = Dictionary(g.alloc.map { ($0.address, $0.balance) }, uniquingKeysWith: { a, _ in a })
            var lines: [String] = []
            for (i, k) in developmentKeys.enumerated() {
                guard let key = try? PrivateKey(hex: k), let balance = funded[key.address] else { continue }
                let brev = balance / UInt256(1_000_000_000_000_000_000 as UInt64)
                lines.append("  (\(i)) \(key.address.checksummed) \(brev) BREV  key \(k)")
            }
            if !lines.isEmpty {
                print("development accounts (public test keys: never use them for value):")
                lines.forEach { print($0) }
            }
        }
        fflush(nil)

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await rpc.server.run() }
            if node.sealerKey != nil {
                group.addTask {
                    let timer = rpc.metrics.blockBuildTime
                    try await node.runSealer(logger: logger) { d in
                        timer.recordNanoseconds(d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000)
                    }
                }
            }
            group.addTask {
                for await sig in terminationSignals() {
                    logger.info("shutting down", metadata: ["signal": "\(sig == SIGINT ? "SIGINT" : "SIGTERM")"])
                    return
                }
            }
            // The first child to finish (a signal, or a failure) stops the others: the sealer
            // finishes the block it is writing, the server drains its connections. (A failure
            // thrown out of the group cancels and awaits the rest too.)
            _ = try await group.next()
            group.cancelAll()
            while !group.isEmpty {
                do { _ = try await group.next() } catch is CancellationError {}
            }
        }
        FileHandle.standardError.write(Data("stopped at block \(chain.head.number)\n".utf8))
    }

    /// SIGINT and SIGTERM as an async sequence; a second signal exits at once.
    static func terminationSignals() -> AsyncStream<Int32> {
        AsyncStream { continuation in
            let seen = SignalCount()
            let sources = [SIGINT, SIGTERM].map { sig -> DispatchSourceSignal in
                signal(sig, SIG_IGN)
                let src = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                src.setEventHandler {
                    if seen.increment() > 1 {
                        FileHandle.standardError.write(Data("second signal: exiting now\n".utf8))
                        Foundation.exit(130)
                    }
                    continuation.yield(sig)
                }
                src.resume()
                return src
            }
            let box = SignalSources(sources)
            continuation.onTermination = { _ in box.cancel() }
        }
    }

    static func openNode(datadir: String, genesisPath: String?, dev: Bool, blockTime: Double?) throws -> Node {
        do { return try Node.open(datadir: datadir, genesis: genesisPath, dev: dev, blockTime: blockTime, verifier: ZKVMProofVerifier()) } catch let e as NodeError {
            throw CLIError(e.description)
        }
    }
}

/// `provernet dev` (also `provernet` alone): the devnet, i.e. `provernet node --dev`.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run the devnet (what `provernet` alone does): `node --dev` on the default datadir.",
        discussion: """
            Initialises the embedded devnet genesis (chain id 70001) in the datadir if it is empty and serves
            JSON-RPC on 127.0.0.1:8545, printing the RPC URL, the chain id and the funded development accounts.
            """)

    @OptionGroup var options: NodeOptions

    func run() async throws {
        try await NodeCommand.serve(options, dev: true)
    }
}

/// Counts termination signals (from the signal queue).
struct SignalCount: Sendable {
    private let n = Locked(0)
    func increment() -> Int { n.withLock { $0 += 1; return $0 } }
}

/// Keeps the signal sources alive until the stream ends.
struct SignalSources: Sendable {
    private let sources: Locked<[DispatchSourceSignal]>
    init(_ s: [DispatchSourceSignal]) { sources = Locked(s) }
    func cancel() { sources.withLock { $0.forEach { $0.cancel() }; $0 = [] } }
}
