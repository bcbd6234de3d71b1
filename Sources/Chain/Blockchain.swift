import Locking
import Dispatch
import Foundation
import Locking
import Primitives
import RLP
import StateTree
import Storage
import Transactions

/// The chain: genesis, the canonical blocks with their state, and the two ways a block gets in
/// (sealing one here, or importing one sealed elsewhere). Every block is committed with one
/// atomic write batch carrying header, body, receipts, indexes, state-tree pages, flat state and
/// the new head, synced to disk; after a crash the node resumes at the last committed block.
///
/// Thread-safe: the head is read and moved only under `lock` (hence the unchecked conformance);
/// the store, caches and executor are `Sendable` themselves.
public final class Blockchain: @unchecked Sendable {
    public let store: any KeyValueStore
    public let genesis: Genesis
    public let genesisHash: Hash32
    public let executor: Executor
    public let reader: ChainReader
    /// Sync each block's batch to disk (off only for benchmarks of in-memory work).
    public var syncWrites: Bool {
        get { _syncWrites.get() }
        set { _syncWrites.set(newValue) }
    }
    private let _syncWrites = Locked(true)

    /// Guards `_head` and serializes commits.
    private let lock = Lock()
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
        commit.add(block: CertifiedBlock(block: block, certificate: []), receipts: [], changes: changes, pages: pages)
        commit.batch.put(ChainSchema.genesisHashKey, hash.bytes)
        commit.batch.put(ChainSchema.databaseVersionKey, ChainSchema.encode(ChainSchema.version))
        if !genesisJSON.isEmpty { commit.batch.put(ChainSchema.chainConfigKey(hash.bytes), genesisJSON) }
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
        if let v = try store.get(ChainSchema.databaseVersionKey), ChainSchema.decodeNumber(v) != ChainSchema.version {
            throw ChainError.corrupt("database layout version \(ChainSchema.decodeNumber(v) ?? 0), this node writes \(ChainSchema.version)")
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
        for c in contracts.ordered { try c.initializeGenesis(state: state, genesis: g) }
        state.setParams(g.params)
        state.setNumber(.supply, g.supply)
        state.setNumber(.chainID, UInt256(g.chainID))
        var tree = SparseMerkleTree(source: MemoryPageSource())
        let (root, changes) = try state.commit(into: &tree)
        let header = Header(parentHash: .zero, coinbase: g.sealer, stateRoot: root, transactionsRoot: .zero,
                            receiptsRoot: .zero, logsBloom: Bloom(), number: 0, gasLimit: g.gasLimit, gasUsed: 0,
                            timestamp: g.timestamp, extraData: g.extraData, baseFeePerGas: g.baseFeePerGas)
        return (Block(header: header, transactions: []), changes, tree.takePendingPages())
    }

    // MARK: State access

    /// A mutable overlay on the latest committed state (for `eth_call`, estimates, the pool).
    public func latestState() -> WorldState { WorldState(base: StoreStateReader(store: store, accounts: accountCache)) }

    /// The state tree at a root (historical reads and proofs).
    public func stateTree(root: Hash32) -> SparseMerkleTree {
        SparseMerkleTree(root: root, source: StorePageSource(store: store, cache: pageCache))
    }

    /// The context the transactions of the block after `parent` run in.
    func blockContext(after parent: Header, execution: ExecutionContext, params: ProtocolParams) -> BlockContext {
        BlockContext(number: parent.number + 1, timestamp: max(execution.timestamp, parent.timestamp), coinbase: execution.coinbase,
                     baseFee: Header.nextBaseFee(parent: parent), gasLimit: parent.gasLimit, chainID: genesis.chainID,
                     params: params, stateAfterBlock: { [unowned self] n in try self.stateReader(afterBlock: n) })
    }

    /// Read access to the state as committed by block `n` (walks the state tree at its root).
    public func stateReader(afterBlock n: UInt64) throws -> (any StateReader)? {
        guard let h = try reader.header(number: n) else { return nil }
        return TreeStateReader(tree: stateTree(root: h.stateRoot))
    }

    // MARK: Execution

    /// Executes `transactions` (senders recovered, in order) on top of `parent` and returns the
    /// block with every root, its receipts and end-of-block logs, and what its commit will write.
    /// Nothing is written. The parent is usually the head (its flat state is read); any stored
    /// block works (its state is read through the state tree at its root).
    ///
    /// This is the chain's one execution path: sealing, importing and a consensus engine's
    /// `finalizeBlock` all come here. When building (`context.skipsInvalid`), a transaction
    /// that cannot be included is left out and reported in ``ExecutedBlock/skipped``; when
    /// verifying, it makes the block invalid (``ChainError/invalidTransaction(number:index:reason:)``).
    public func execute(parent: Header, transactions: [(tx: SignedTransaction, sender: Address)],
                        context: ExecutionContext) throws -> ExecutedBlock {
        let onHead = parent.hash == head.hash
        let state = onHead ? latestState() : WorldState(base: TreeStateReader(tree: stateTree(root: parent.stateRoot)))
        let n = parent.number + 1
        let ctx = blockContext(after: parent, execution: context, params: try state.params(parameters))
        var included: [SignedTransaction] = []
        var receipts: [Receipt] = []
        var skipped: [SkippedTransaction] = []
        included.reserveCapacity(transactions.count)
        receipts.reserveCapacity(transactions.count)
        var gasUsed: UInt64 = 0
        for (i, (tx, sender)) in transactions.enumerated() {
            if context.skipsInvalid, ctx.gasLimit - gasUsed < 21_000 { break }
            do {
                let r = try executor.apply(tx, sender: sender, state: state, context: ctx, gasUsedSoFar: gasUsed)
                gasUsed = r.cumulativeGasUsed
                receipts.append(r)
                included.append(tx)
            } catch let e as InclusionError {
                guard context.skipsInvalid else { throw ChainError.invalidTransaction(number: n, index: i, reason: e.description) }
                skipped.append(SkippedTransaction(hash: tx.hash, sender: sender, reason: e))
            }
        }
        let blockLogs = try executor.endBlock(state: state, context: ctx)
        var tree = stateTree(root: parent.stateRoot)
        let (root, changes) = try state.commit(into: &tree)
        let header = Header(parentHash: parent.hash, coinbase: ctx.coinbase, stateRoot: root,
                            transactionsRoot: Block.transactionsRoot(included), receiptsRoot: Block.receiptsRoot(receipts),
                            logsBloom: Blockchain.bloom(receipts: receipts, blockLogs: blockLogs), number: n,
                            gasLimit: ctx.gasLimit, gasUsed: gasUsed, timestamp: ctx.timestamp,
                            extraData: context.extraData, baseFeePerGas: ctx.baseFee)
        // The flat state is the head's: if another block was committed meanwhile, this run may
        // have read some of its state, so run again on the parent's own root.
        if onHead, head.hash != parent.hash { return try execute(parent: parent, transactions: transactions, context: context) }
        return ExecutedBlock(block: Block(header: header, transactions: included), receipts: receipts, blockLogs: blockLogs,
                             skipped: skipped, changes: changes, pages: tree.takePendingPages(),
                             touchedAccounts: state.touchedAccounts)
    }

    /// Re-executes a block built elsewhere and checks it against its header: it must extend the
    /// head, follow the rules for the fields execution does not produce (gas limit, base fee,
    /// timestamp, ommers, difficulty) and re-execute to exactly its roots, gas and bloom.
    /// Returns the executed block, ready for ``commit(_:certificate:)``; nothing is written.
    /// Who may propose (the seal, a BFT commit) is the consensus driver's to check.
    public func verify(_ block: Block) throws -> ExecutedBlock {
        let parent = head
        let h = block.header
        let n = h.number
        guard n == parent.number + 1 else { throw ChainError.badNumber(expected: parent.number + 1, got: n) }
        guard h.parentHash == parent.hash else { throw ChainError.unknownParent(number: n, parent: h.parentHash) }
        func check<T: Equatable & CustomStringConvertible>(_ field: String, _ expected: T, _ got: T) throws {
            if expected != got {
                throw ChainError.mismatch(number: n, field: field, expected: expected.description, got: got.description)
            }
        }
        try check("gas limit", parent.gasLimit, h.gasLimit)
        try check("base fee", Header.nextBaseFee(parent: parent), h.baseFeePerGas)
        try check("ommers hash", Header.emptyOmmersHash, h.ommersHash)
        try check("difficulty", UInt256.zero, h.difficulty)
        try check("mix hash", Hash32.zero, h.mixHash)
        try check("nonce", UInt64(0), h.nonce)
        if h.timestamp < parent.timestamp {
            throw ChainError.mismatch(number: n, field: "timestamp", expected: "≥ \(parent.timestamp)", got: "\(h.timestamp)")
        }
        if h.extraData.count > 32 {
            throw ChainError.mismatch(number: n, field: "extra data", expected: "≤ 32 bytes", got: "\(h.extraData.count) bytes")
        }
        try check("transactions root", Block.transactionsRoot(block.transactions), h.transactionsRoot)
        let senders = Blockchain.recoverSenders(block.transactions, chainID: genesis.chainID, gasLimit: h.gasLimit)
        var txs: [(tx: SignedTransaction, sender: Address)] = []
        txs.reserveCapacity(block.transactions.count)
        for (i, tx) in block.transactions.enumerated() {
            switch senders[i] {
            case .success(let a): txs.append((tx, a))
            case .failure(let e): throw ChainError.invalidTransaction(number: n, index: i, reason: e.description)
            }
        }
        let executed = try execute(parent: parent, transactions: txs,
                                   context: ExecutionContext(timestamp: h.timestamp, coinbase: h.coinbase,
                                                             extraData: h.extraData, skipsInvalid: false))
        let e = executed.header
        try check("gas used", e.gasUsed, h.gasUsed)
        try check("receipts root", e.receiptsRoot, h.receiptsRoot)
        if e.logsBloom != h.logsBloom { throw ChainError.mismatch(number: n, field: "logs bloom", expected: "computed bloom", got: "header bloom") }
        try check("state root", e.stateRoot, h.stateRoot)
        try check("block hash", e.hash, h.hash)
        return executed
    }

    /// Re-executes a block built elsewhere against its header (``verify(_:)``) and commits it
    /// with `certificate`, which it does not check: who may propose is the consensus driver's
    /// to check first (proof of authority: `Blockchain.importBlock(_:)` in `Consensus`).
    @discardableResult
    public func verifyAndCommit(_ block: Block, certificate: [UInt8]) throws -> ExecutedBlock {
        let executed = try verify(block)
        try commit(executed, certificate: certificate)
        return executed
    }

    // MARK: Commit

    /// Writes an executed block and everything it changed as one synced batch (header, body
    /// with `certificate`, receipts, end-of-block logs, indexes, state-tree pages, flat state,
    /// the new head), then brings the caches and the head up to it. It must extend the current
    /// head (``ChainError/unknownParent(number:parent:)`` otherwise: another block was committed
    /// since it was executed). The block's accounts leave the account cache before the write
    /// and come back after it, so no cached account is ever older than the store.
    public func commit(_ executed: ExecutedBlock, certificate: [UInt8] = []) throws {
        guard certificate.count <= CertifiedBlock.maxCertificateSize else {
            throw ChainError.malformedBlock("certificate of \(certificate.count) bytes")
        }
        try lock.withLock {
            let h = executed.header
            guard h.parentHash == _head.hash, h.number == _head.number + 1 else {
                throw ChainError.unknownParent(number: h.number, parent: h.parentHash)
            }
            var record = BlockCommit()
            record.add(block: CertifiedBlock(block: executed.block, certificate: certificate), receipts: executed.receipts,
                       blockLogs: executed.blockLogs, changes: executed.changes, pages: executed.pages)
            accountCache.invalidate(executed.touchedAccounts)
            try store.write(record.batch, sync: syncWrites)
            pageCache.put(executed.pages)
            accountCache.update(executed.touchedAccounts)
            _head = h
        }
    }

    /// The logs bloom of a block: its receipts' blooms and the end-of-block logs.
    static func bloom(receipts: [Receipt], blockLogs: [Log]) -> Bloom {
        var bloom = Bloom()
        for r in receipts { bloom.formUnion(r.logsBloom) }
        for l in blockLogs { bloom.add(l) }
        return bloom
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
            let base = UnsafeTransfer(buf)
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


/// The state before genesis.
struct EmptyState: StateReader {
    func stateValue(_ key: [UInt8]) throws -> [UInt8]? { nil }
}

