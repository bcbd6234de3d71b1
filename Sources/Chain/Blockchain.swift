import Dispatch
import Foundation
import Primitives
import RLP
import Secp256k1
import StateTree
import Storage
import Transactions

/// The chain: genesis, the canonical blocks with their state, and the two ways a block gets in
/// (sealing one here, or importing one sealed elsewhere). Every block is committed with one
/// atomic write batch carrying header, body, receipts, indexes, state-tree pages, flat state and
/// the new head, synced to disk; after a crash the node resumes at the last committed block.
public final class Blockchain: @unchecked Sendable {
    public let store: any KeyValueStore
    public let genesis: Genesis
    public let genesisHash: Hash32
    public let executor: Executor
    public let reader: ChainReader
    /// Sync each block's batch to disk (off only for benchmarks of in-memory work).
    public var syncWrites = true

    private let lock = NSLock()
    private var _head: Header
    let pageCache = PageCache()
    let accountCache = AccountCache()

    /// The latest committed header.
    public var head: Header { lock.withLock { _head } }

    // MARK: Opening

    /// Writes block 0 into an empty store, or checks that a non-empty store holds this genesis.
    /// Returns the genesis hash either way.
    @discardableResult
    public static func initialize(store: any KeyValueStore, genesis: Genesis, genesisJSON: [UInt8] = [],
                                  contracts: SystemContracts = .none) throws -> Hash32 {
        let (block, changes, pages) = try genesisBlock(genesis, contracts: contracts)
        let hash = block.hash
        if let existing = try ChainReader(store: store).genesisHash() {
            guard existing == hash else { throw ChainError.genesisMismatch(stored: existing, given: hash) }
            return hash
        }
        var commit = BlockCommit()
        commit.add(block: block, receipts: [], changes: changes, pages: pages)
        commit.batch.put(Schema.genesisHashKey, hash.bytes)
        commit.batch.put(Schema.databaseVersionKey, Schema.encode(Schema.version))
        if !genesisJSON.isEmpty { commit.batch.put(Schema.chainConfigKey(hash.bytes), genesisJSON) }
        try store.write(commit.batch, sync: true)
        return hash
    }

    /// Opens an initialised store whose genesis must be `genesis`.
    public init(store: any KeyValueStore, genesis: Genesis, contracts: SystemContracts = .none, path: String = "(memory)") throws {
        self.store = store
        self.genesis = genesis
        self.executor = Executor(contracts: contracts)
        self.reader = ChainReader(store: store)
        let expected = try Blockchain.genesisBlock(genesis, contracts: contracts).block.hash
        guard let stored = try reader.genesisHash() else { throw ChainError.notInitialized(path) }
        guard stored == expected else { throw ChainError.genesisMismatch(stored: stored, given: expected) }
        if let v = try store.get(Schema.databaseVersionKey), Schema.decodeNumber(v) != Schema.version {
            throw ChainError.corrupt("database layout version \(Schema.decodeNumber(v) ?? 0), this node writes \(Schema.version)")
        }
        genesisHash = stored
        guard let headHash = try reader.headHash(), let head = try reader.header(hash: headHash) else {
            throw ChainError.corrupt("head block missing")
        }
        _head = head
        // The flat state must be the head's: check the state root is readable.
        let tree = SparseMerkleTree(root: head.stateRoot, source: StorePageSource(store: store, cache: pageCache))
        _ = try tree.get([0])
    }

    /// Block 0 and its state.
    static func genesisBlock(_ g: Genesis, contracts: SystemContracts) throws
        -> (block: Block, changes: [(key: [UInt8], value: [UInt8]?)], pages: [Hash32: TreePage]) {
        let state = WorldState(base: EmptyState())
        for (a, b) in g.alloc { try state.addBalance(a, b) }
        // The provers' genesis stake is held by the staking contract, which records the vaults.
        try state.addBalance(Genesis.stakingAddress, g.provers.reduce(UInt256.zero) { $0 + $1.stake })
        for c in contracts.ordered { try c.initializeGenesis(state: state, genesis: g) }
        state.setParams(g.params)
        state.setNumber(.supply, g.supply)
        state.setNumber(.chainID, UInt256(g.chainID))
        var tree = SparseMerkleTree(source: MemoryPageSource())
        let (root, changes) = try state.commit(into: &tree)
        let header = Header(parentHash: .zero, coinbase: g.sealer, stateRoot: root, transactionsRoot: .zero,
                            receiptsRoot: .zero, logsBloom: Bloom(), number: 0, gasLimit: g.gasLimit, gasUsed: 0,
                            timestamp: g.timestamp, extraData: g.extraData, baseFeePerGas: g.baseFeePerGas)
        return (Block(header: header, transactions: [], seal: nil), changes, tree.takePendingPages())
    }

    // MARK: State access

    /// A mutable overlay on the latest committed state (for `eth_call`, estimates, the pool).
    public func latestState() -> WorldState { WorldState(base: StoreStateReader(store: store, accounts: accountCache)) }

    /// The state tree at a root (historical reads and proofs).
    public func stateTree(root: Hash32) -> SparseMerkleTree {
        SparseMerkleTree(root: root, source: StorePageSource(store: store, cache: pageCache))
    }

    /// The context for the block after `parent`.
    func context(after parent: Header, timestamp: UInt64, params: ProtocolParams) -> BlockContext {
        BlockContext(number: parent.number + 1, timestamp: timestamp, coinbase: genesis.sealer,
                     baseFee: Header.nextBaseFee(parent: parent), gasLimit: parent.gasLimit, chainID: genesis.chainID,
                     params: params, stateAfterBlock: { [unowned self] n in try self.stateReader(afterBlock: n) })
    }

    /// Read access to the state as committed by block `n` (walks the state tree at its root).
    public func stateReader(afterBlock n: UInt64) throws -> (any StateReader)? {
        guard let h = try reader.header(number: n) else { return nil }
        return TreeStateReader(tree: stateTree(root: h.stateRoot))
    }

    // MARK: Sealing

    /// A transaction left out of a block, and why.
    public struct Skipped: Sendable {
        public var hash: Hash32
        public var sender: Address
        public var reason: InclusionError
    }

    /// Builds, seals and commits the next block from `candidates` (in priority order, senders
    /// recovered), skipping those that cannot be included.
    @discardableResult
    public func sealNext(candidates: [(tx: SignedTransaction, sender: Address)], key: PrivateKey,
                         timestamp: UInt64) throws -> (block: Block, receipts: [Receipt], skipped: [Skipped]) {
        try lock.withLock {
            let parent = _head
            let state = latestState()
            let ctx = context(after: parent, timestamp: max(timestamp, parent.timestamp), params: try state.params())
            var included: [SignedTransaction] = []
            var receipts: [Receipt] = []
            var skipped: [Skipped] = []
            var gasUsed: UInt64 = 0
            for (tx, sender) in candidates {
                if ctx.gasLimit - gasUsed < 21_000 { break }
                do {
                    let r = try executor.apply(tx, sender: sender, state: state, context: ctx, gasUsedSoFar: gasUsed)
                    gasUsed = r.cumulativeGasUsed
                    receipts.append(r)
                    included.append(tx)
                } catch let e as InclusionError {
                    skipped.append(Skipped(hash: tx.hash, sender: sender, reason: e))
                }
            }
            let blockLogs = try executor.endBlock(state: state, context: ctx)
            let bloom = Blockchain.bloom(receipts: receipts, blockLogs: blockLogs)
            var tree = stateTree(root: parent.stateRoot)
            let (root, changes) = try state.commit(into: &tree)
            let header = Header(parentHash: parent.hash, coinbase: ctx.coinbase, stateRoot: root,
                                transactionsRoot: Block.transactionsRoot(included), receiptsRoot: Block.receiptsRoot(receipts),
                                logsBloom: bloom, number: ctx.number, gasLimit: ctx.gasLimit, gasUsed: gasUsed,
                                timestamp: ctx.timestamp, extraData: genesis.extraData, baseFeePerGas: ctx.baseFee)
            let seal = key.sign(hash: header.hash)
            let block = Block(header: header, transactions: included, seal: seal)
            try commit(block, receipts: receipts, blockLogs: blockLogs, state: state, changes: changes, tree: &tree)
            return (block, receipts, skipped)
        }
    }

    // MARK: Import

    /// Checks and commits a block sealed elsewhere: it must extend the head, carry the
    /// authority's seal, and re-execute to exactly its header's roots. Nothing is written unless
    /// every check passes.
    @discardableResult
    public func importBlock(_ block: Block) throws -> [Receipt] {
        try lock.withLock {
            let parent = _head
            let h = block.header
            let n = h.number
            guard n == parent.number + 1 else { throw ChainError.badNumber(expected: parent.number + 1, got: n) }
            guard h.parentHash == parent.hash else { throw ChainError.unknownParent(number: n, parent: h.parentHash) }
            let signer = try block.sealer()
            guard signer == genesis.sealer else { throw ChainError.wrongSealer(number: n, expected: genesis.sealer, got: signer) }
            func check<T: Equatable & CustomStringConvertible>(_ field: String, _ expected: T, _ got: T) throws {
                if expected != got {
                    throw ChainError.mismatch(number: n, field: field, expected: expected.description, got: got.description)
                }
            }
            try check("coinbase", genesis.sealer, h.coinbase)
            try check("gas limit", parent.gasLimit, h.gasLimit)
            try check("base fee", Header.nextBaseFee(parent: parent), h.baseFeePerGas)
            try check("ommers hash", Header.emptyOmmersHash, h.ommersHash)
            try check("difficulty", UInt256.zero, h.difficulty)
            if h.timestamp < parent.timestamp {
                throw ChainError.mismatch(number: n, field: "timestamp", expected: "≥ \(parent.timestamp)", got: "\(h.timestamp)")
            }
            try check("transactions root", Block.transactionsRoot(block.transactions), h.transactionsRoot)

            let senders = Blockchain.recoverSenders(block.transactions, chainID: genesis.chainID, gasLimit: h.gasLimit)
            let state = latestState()
            let ctx = context(after: parent, timestamp: h.timestamp, params: try state.params())
            var receipts: [Receipt] = []
            var gasUsed: UInt64 = 0
            for (i, tx) in block.transactions.enumerated() {
                let sender: Address
                switch senders[i] {
                case .success(let a): sender = a
                case .failure(let e): throw ChainError.invalidTransaction(number: n, index: i, reason: e.description)
                }
                do {
                    let r = try executor.apply(tx, sender: sender, state: state, context: ctx, gasUsedSoFar: gasUsed)
                    gasUsed = r.cumulativeGasUsed
                    receipts.append(r)
                } catch let e as InclusionError {
                    throw ChainError.invalidTransaction(number: n, index: i, reason: e.description)
                }
            }
            let blockLogs = try executor.endBlock(state: state, context: ctx)
            try check("gas used", gasUsed, h.gasUsed)
            try check("receipts root", Block.receiptsRoot(receipts), h.receiptsRoot)
            let bloom = Blockchain.bloom(receipts: receipts, blockLogs: blockLogs)
            if bloom != h.logsBloom { throw ChainError.mismatch(number: n, field: "logs bloom", expected: "computed bloom", got: "header bloom") }
            var tree = stateTree(root: parent.stateRoot)
            let (root, changes) = try state.commit(into: &tree)
            try check("state root", root, h.stateRoot)
            try commit(block, receipts: receipts, blockLogs: blockLogs, state: state, changes: changes, tree: &tree)
            return receipts
        }
    }

    /// The logs bloom of a block: its receipts' blooms and the end-of-block logs.
    static func bloom(receipts: [Receipt], blockLogs: [Log]) -> Bloom {
        var bloom = Bloom()
        for r in receipts { bloom.formUnion(r.logsBloom) }
        for l in blockLogs { bloom.add(l) }
        return bloom
    }

    /// Writes a checked block with everything it changed as one synced batch, then brings the
    /// caches and the head up to it. The block's accounts leave the account cache before the
    /// write and come back after it, so no cached account is ever older than the store.
    /// Called with `lock` held.
    private func commit(_ block: Block, receipts: [Receipt], blockLogs: [Log], state: WorldState,
                        changes: [(key: [UInt8], value: [UInt8]?)], tree: inout SparseMerkleTree) throws {
        let pages = tree.takePendingPages()
        var record = BlockCommit()
        record.add(block: block, receipts: receipts, blockLogs: blockLogs, changes: changes, pages: pages)
        accountCache.invalidate(state.touchedAccounts)
        try store.write(record.batch, sync: syncWrites)
        pageCache.put(pages)
        accountCache.update(state.touchedAccounts)
        _head = block.header
    }

    /// Recovers and statelessly checks every sender, spread over all cores.
    public static func recoverSenders(_ txs: [SignedTransaction], chainID: UInt64,
                                      gasLimit: UInt64?) -> [Result<Address, TransactionError>] {
        var out = [Result<Address, TransactionError>](repeating: .failure(.invalidSender), count: txs.count)
        if txs.count < 16 {
            for (i, tx) in txs.enumerated() { out[i] = Result { () throws(TransactionError) in try tx.validate(chainID: chainID, blockGasLimit: gasLimit) } }
            return out
        }
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let chunk = (txs.count + workers - 1) / workers
        out.withUnsafeMutableBufferPointer { buf in
            let base = UnsafeSendable(buf)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let lo = w * chunk, hi = min(txs.count, lo + chunk)
                guard lo < hi else { return }
                for i in lo..<hi {
                    base.value[i] = Result { () throws(TransactionError) in try txs[i].validate(chainID: chainID, blockGasLimit: gasLimit) }
                }
            }
        }
        return out
    }
}

/// Hands a buffer to concurrent workers that each write disjoint indices.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ v: T) { value = v }
}

/// The state before genesis.
struct EmptyState: StateReader {
    func stateValue(_ key: [UInt8]) throws -> [UInt8]? { nil }
}

