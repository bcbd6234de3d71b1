import Chain
import Consensus
import Foundation
import Locking
import Logging
import Primitives
import Secp256k1
import Storage
import SystemContracts
import Transactions
import TxPool

/// A running node: the chain behind the ABCI-shaped application, its mempool, the committed
/// block feed, and (with the sealer's key) the proof-of-authority sealer.
public final class Node: Sendable {
    public let chain: Blockchain
    public let pool: TxPool
    /// The state machine as a consensus engine drives it.
    public let app: ChainApplication
    /// Every committed block, once, to every listener.
    public let feed: BlockFeed
    /// Proof of authority over the genesis sealer (with its key when this node seals).
    public let consensus: ProofOfAuthority
    /// Seconds between blocks.
    public let blockTime: Double
    private let sealLock = Lock()

    /// A node over `chain`; `sealerKey`, when given, must be the genesis sealer's.
    public init(chain: Blockchain, sealerKey: PrivateKey?, blockTime: Double, poolConfig: PoolConfig = PoolConfig()) throws {
        self.chain = chain
        let pool = TxPool(chainID: chain.genesis.chainID, blockGasLimit: chain.head.gasLimit, config: poolConfig)
        let feed = BlockFeed()
        self.pool = pool
        self.feed = feed
        self.app = ChainApplication(chain: chain, pool: pool, onCommit: { feed.publish($0) })
        self.consensus = try ProofOfAuthority(authority: chain.genesis.sealer, key: sealerKey)
        self.blockTime = blockTime
    }

    /// The sealer key, when this node seals.
    public var sealerKey: PrivateKey? { consensus.key }

    /// Adds a raw transaction to the pool; returns its hash.
    @discardableResult
    public func submit(raw: [UInt8]) throws -> Hash32 {
        let tx: SignedTransaction
        do { tx = try SignedTransaction(decoding: raw) } catch { throw PoolError.invalid(error) }
        try pool.add(tx, view: ChainAccountView(chain: chain))
        return tx.hash
    }

    /// Seals one block now from the pool (also what `evm_mine` does).
    @discardableResult
    public func sealBlock(timestamp: UInt64? = nil) throws -> Block {
        try sealLock.withLock {
            let now = timestamp ?? UInt64(Date().timeIntervalSince1970)
            return try consensus.produceBlock(app, timestamp: now).block
        }
    }

    /// Seals a block every ``blockTime`` seconds until the task is cancelled; `built` hears how
    /// long each took. A block being written when cancellation arrives is finished first (the
    /// commit is synchronous). A failure is logged and ends the loop.
    public func runSealer(logger: Logger = Logger(label: "provernet.sealer"),
                          built: @Sendable (Duration) -> Void = { _ in }) async throws {
        let interval = Duration.milliseconds(Int64(blockTime * 1000))
        let clock = ContinuousClock()
        var next = clock.now.advanced(by: interval)
        while !Task.isCancelled {
            do { try await Task.sleep(until: next, clock: clock) } catch { return }
            let start = clock.now
            do { try sealBlock() } catch {
                logger.critical("sealing failed", metadata: ["error": "\(error)"])
                throw error
            }
            built(clock.now - start)
            next = next.advanced(by: interval)
            if next < clock.now { next = clock.now.advanced(by: interval) }
        }
    }
}

/// Why a node could not be opened.
public struct NodeError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension Node {
    /// Opens a datadir as a node: with `dev`, an empty datadir is initialised from `genesis`
    /// (the embedded devnet when nil) and the genesis' development sealer key seals; otherwise
    /// the datadir must exist, and a given genesis must be the stored one. `verifier` checks the
    /// proofs submitted to the Market (the zkVM's; nothing can be settled without one).
    public static func open(datadir: String, genesis genesisPath: String?, dev: Bool, blockTime: Double?,
                            verifier: any ProofVerifier = NoProofVerifier()) throws -> Node {
        if let blockTime, !(blockTime >= 0.05 && blockTime <= 3600) { throw NodeError("--block-time must be in [0.05, 3600] seconds") }
        let store: LevelDBStore
        if dev {
            store = try DataDir.openOrCreate(datadir)
            if try store.get(ChainSchema.genesisHashKey) == nil {
                let (g, json) = try DataDir.loadGenesis(genesisPath)
                try Blockchain.initialize(store: store, genesis: g, genesisJSON: json, contracts: .provernet)
            }
        } else {
            store = try DataDir.openExisting(datadir)
        }
        let (g, _) = try DataDir.storedGenesis(store, dir: datadir)
        if let genesisPath, !dev {
            let (given, _) = try DataDir.loadGenesis(genesisPath)
            // The stored genesis rules; a mismatch is reported by opening with the given one.
            _ = try Blockchain(store: store, genesis: given, contracts: .provernet, path: datadir)
        }
        let chain = try Blockchain(store: store, genesis: g, contracts: .provernet(verifier: verifier), path: datadir)
        let key = dev ? g.devSealerKey : nil
        if dev, key == nil { throw NodeError("--dev needs a genesis with sealer.devPrivateKey") }
        return try Node(chain: chain, sealerKey: key, blockTime: blockTime ?? g.blockTime)
    }
}

/// A node's data directory: `DIR/chaindata` (LevelDB).
public enum DataDir {
    public static func chaindata(_ dir: String) -> String { (dir as NSString).appendingPathComponent("chaindata") }

    /// The default datadir: `$XDG_DATA_HOME/provernet` or `~/.local/share/provernet`.
    public static var defaultPath: String {
        let env = ProcessInfo.processInfo.environment
        if let x = env["XDG_DATA_HOME"], !x.isEmpty { return (x as NSString).appendingPathComponent("provernet") }
        return (NSHomeDirectory() as NSString).appendingPathComponent(".local/share/provernet")
    }

    /// Opens an existing datadir's database; a missing one is an error, not an empty chain.
    public static func openExisting(_ dir: String) throws -> LevelDBStore {
        let path = chaindata(dir)
        guard FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("CURRENT")) else {
            throw ChainError.notInitialized(dir)
        }
        var opts = LevelDBOptions()
        opts.createIfMissing = false
        return try LevelDBStore(path: path, options: opts)
    }

    /// Opens (creating if needed) a datadir's database.
    public static func openOrCreate(_ dir: String) throws -> LevelDBStore {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return try LevelDBStore(path: chaindata(dir))
    }

    /// The genesis a datadir was initialised with (stored at init).
    public static func storedGenesis(_ store: any KeyValueStore, dir: String) throws -> (Genesis, [UInt8]) {
        guard let h = try store.get(ChainSchema.genesisHashKey) else { throw ChainError.notInitialized(dir) }
        guard let json = try store.get(ChainSchema.chainConfigKey(h)) else { throw ChainError.corrupt("chain configuration missing") }
        return (try Genesis(json: Data(json), parameters: SystemContracts.provernet.parameters), json)
    }

    /// A genesis file, or the embedded devnet genesis when `path` is nil, with its bytes.
    public static func loadGenesis(_ path: String?) throws -> (Genesis, [UInt8]) {
        if let path {
            guard let data = FileManager.default.contents(atPath: path) else { throw NodeError("cannot read genesis file \(path)") }
            return (try Genesis(json: data, parameters: SystemContracts.provernet.parameters), Array(data))
        }
        let data = Data((Genesis.devnetJSON + "\n").utf8)
        return (try Genesis(json: data, parameters: SystemContracts.provernet.parameters), Array(data))
    }
}
