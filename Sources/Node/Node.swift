import Chain
import Dispatch
import Foundation
import Primitives
import Secp256k1
import Storage
import Transactions
import TxPool

/// Account reads for the pool from the chain's latest committed state.
public struct ChainAccountView: AccountView {
    let state: WorldState
    public init(chain: Blockchain) { state = chain.latestState() }
    public func nonce(of address: Address) throws -> UInt64 { try state.nonce(address) }
    public func balance(of address: Address) throws -> UInt256 { try state.balance(address) }
    public func account(of address: Address) throws -> (nonce: UInt64, balance: UInt256) {
        let a = try state.account(address)
        return (a.nonce, a.balance)
    }
}

/// A running node: the chain, its mempool, and (with the sealer's key) the block sealer.
public final class Node: @unchecked Sendable {
    public let chain: Blockchain
    public let pool: TxPool
    public let sealerKey: PrivateKey?
    /// Seconds between blocks.
    public let blockTime: Double
    private let sealLock = NSLock()
    private var blockListeners: [@Sendable (Block, [Receipt]) -> Void] = []
    private let listenerLock = NSLock()

    public init(chain: Blockchain, sealerKey: PrivateKey?, blockTime: Double, poolConfig: PoolConfig = PoolConfig()) {
        self.chain = chain
        self.pool = TxPool(chainID: chain.genesis.chainID, blockGasLimit: chain.head.gasLimit, config: poolConfig)
        self.sealerKey = sealerKey
        self.blockTime = blockTime
    }

    /// Calls `listener` with each committed block (after it is durable).
    public func onBlock(_ listener: @escaping @Sendable (Block, [Receipt]) -> Void) {
        listenerLock.withLock { blockListeners.append(listener) }
    }

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
        guard let key = sealerKey else { throw ChainError.invalidSeal(number: chain.head.number + 1, reason: "this node has no sealer key") }
        let (block, receipts) = try sealLock.withLock { () throws -> (Block, [Receipt]) in
            let baseFee = Header.nextBaseFee(parent: chain.head)
            let now = timestamp ?? UInt64(Date().timeIntervalSince1970)
            let result = try chain.sealNext(candidates: pool.candidates(baseFee: baseFee), key: key, timestamp: now)
            try pool.reset(view: ChainAccountView(chain: chain), touched: Set(result.receipts.map(\.from)))
            return (result.block, result.receipts)
        }
        let listeners = listenerLock.withLock { blockListeners }
        for l in listeners { l(block, receipts) }
        return block
    }

    /// Seals a block every ``blockTime`` seconds until the task is cancelled. A block being
    /// written when cancellation arrives is finished first (the write is synchronous).
    public func runSealer() async throws {
        let interval = Duration.milliseconds(Int64(blockTime * 1000))
        let clock = ContinuousClock()
        var next = clock.now.advanced(by: interval)
        while !Task.isCancelled {
            do { try await Task.sleep(until: next, clock: clock) } catch { break }
            try sealBlock()
            next = next.advanced(by: interval)
            if next < clock.now { next = clock.now.advanced(by: interval) }
        }
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
        guard let h = try store.get(Schema.genesisHashKey) else { throw ChainError.notInitialized(dir) }
        guard let json = try store.get(Schema.chainConfigKey(h)) else { throw ChainError.corrupt("chain configuration missing") }
        return (try Genesis(json: Data(json)), json)
    }
}
