import ABI
import Chain
import Locking
import Primitives
import Transactions
import TxPool

/// Account reads for the pool and `checkTx` from the chain's latest committed state.
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

/// The node's state machine behind the ABCI-shaped seam: the chain (execution and commit),
/// and optionally the node's own mempool, which `prepareProposal` draws from and `commit`
/// updates. Every committed block goes to `onCommit` once, after it is durable.
public final class ChainApplication: ABCIApplication {
    public let chain: Blockchain
    public let pool: TxPool?
    private let onCommit: @Sendable (CommittedBlock) -> Void

    /// A block executed for a proposal, kept so the `finalizeBlock` of the same proposal (the
    /// usual case: the proposer's own, or one already processed) does not execute it again.
    private struct Executed {
        var key: ProposalKey
        var block: ExecutedBlock
    }
    private struct ProposalKey: Equatable {
        var parent: Hash32, height: UInt64, time: UInt64, proposer: Address, transactions: [Hash32]
    }
    private struct Pending {
        var executed: [Executed] = []
        var finalized: ExecutedBlock?
    }
    private let pending = Locked(Pending())

    public init(chain: Blockchain, pool: TxPool? = nil, onCommit: @escaping @Sendable (CommittedBlock) -> Void = { _ in }) {
        self.chain = chain
        self.pool = pool
        self.onCommit = onCommit
    }

    public func info() throws -> ABCIInfo {
        let h = chain.head
        return ABCIInfo(lastBlockHeight: h.number, lastBlockAppHash: h.stateRoot, lastBlockHash: h.hash)
    }

    public func checkTx(_ raw: [UInt8], recheck: Bool) -> CheckTxResult {
        let tx: SignedTransaction
        do { tx = try SignedTransaction(decoding: raw) } catch { return .refused(.malformed, "\(error)") }
        let sender: Address
        do { sender = try tx.validate(chainID: chain.genesis.chainID, blockGasLimit: chain.head.gasLimit) } catch {
            return .refused(.invalid, error.description)
        }
        do {
            let (nonce, balance) = try ChainAccountView(chain: chain).account(of: sender)
            let t = tx.transaction
            if t.nonce < nonce { return .refused(.nonceTooLow, PoolError.nonceTooLow(have: t.nonce, want: nonce).description) }
            let cost = UInt256(t.gasLimit).checkedMul(t.maxFeePerGas).flatMap { $0.checkedAdd(t.value) }
            guard let cost, balance >= cost else { return .refused(.insufficientFunds, PoolError.insufficientFunds.description) }
        } catch { return .refused(.invalid, "state: \(error)") }
        return .ok(gasWanted: tx.transaction.gasLimit, sender: sender)
    }

    public func prepareProposal(_ proposal: BlockProposal, maxTxBytes: Int = .max) throws -> [SignedTransaction] {
        let parent = chain.head
        try expectHeight(proposal, parent: parent)
        var candidates = recover(proposal.transactions, gasLimit: parent.gasLimit).compactMap { r -> (tx: SignedTransaction, sender: Address)? in
            guard case .success(let s) = r.1 else { return nil }
            return (r.0, s)
        }
        if let pool { candidates += pool.candidates(baseFee: Header.nextBaseFee(parent: parent)) }
        if maxTxBytes < .max {
            var bytes = 0
            candidates = Array(candidates.prefix { bytes += $0.tx.encoded.count; return bytes <= maxTxBytes })
        }
        let executed = try chain.execute(parent: parent, transactions: candidates,
                                         context: context(proposal, building: true))
        remember(executed, for: key(proposal, executed: executed))
        return executed.block.transactions
    }

    public func processProposal(_ proposal: BlockProposal) -> ProposalVerdict {
        do {
            let executed = try execute(proposal)
            remember(executed, for: key(proposal, executed: executed))
            return .accept
        } catch {
            return .reject("\(error)")
        }
    }

    public func finalizeBlock(_ proposal: BlockProposal) throws -> FinalizeBlockResult {
        let k = key(proposal, parent: chain.head, transactions: proposal.transactions)
        var cached = pending.withLock { p in p.executed.first { $0.key == k }?.block }
        // A proposal with a full header reuses an execution only of that very header.
        if let header = proposal.header, cached?.header.hash != header.hash { cached = nil }
        let executed = try cached ?? execute(proposal)
        pending.withLock { p in
            p.executed = []
            p.finalized = executed
        }
        let results = executed.receipts.map { r in
            TxResult(code: r.status ? 0 : 1, gasUsed: r.gasUsed, log: Self.revertReason(r.revertData), events: r.logs)
        }
        return FinalizeBlockResult(txResults: results, events: executed.blockLogs, appHash: executed.stateRoot,
                                   header: executed.header)
    }

    /// Commits the finalized block, which must be `expecting` when given (a driver that signed
    /// the block's hash passes it, so a certificate is never stored with another block). One
    /// driver calls finalize and commit in turn, as CometBFT's consensus connection does.
    @discardableResult
    public func commit(certificate: [UInt8], expecting: Hash32?) throws -> CommittedBlock {
        let executed: ExecutedBlock = try pending.withLock { p throws(ChainError) in
            guard let f = p.finalized else { throw ChainError.corrupt("commit without a finalized block") }
            if let expecting, f.header.hash != expecting {
                throw ChainError.mismatch(number: f.header.number, field: "finalized block", expected: expecting.description,
                                          got: f.header.hash.description)
            }
            p.finalized = nil
            return f
        }
        try chain.commit(executed, certificate: certificate)
        let committed = CommittedBlock(block: executed.block, receipts: executed.receipts, blockLogs: executed.blockLogs)
        // The block is durable: every listener hears of it before anything else can fail.
        onCommit(committed)
        if let pool {
            try pool.reset(view: ChainAccountView(chain: chain), touched: Set(executed.receipts.map(\.from)))
        }
        return committed
    }

    // MARK: Helpers

    private func expectHeight(_ p: BlockProposal, parent: Header) throws {
        guard p.height == parent.number + 1 else { throw ChainError.badNumber(expected: parent.number + 1, got: p.height) }
    }

    /// A header-less proposal's block carries the genesis `extraData`, as the sealer's does.
    private func context(_ p: BlockProposal, building: Bool) -> ExecutionContext {
        ExecutionContext(timestamp: p.time, coinbase: p.proposer, extraData: chain.genesis.extraData, skipsInvalid: building)
    }

    private func key(_ p: BlockProposal, parent: Header, transactions: [SignedTransaction]) -> ProposalKey {
        ProposalKey(parent: parent.hash, height: p.height, time: max(p.time, parent.timestamp), proposer: p.proposer,
                    transactions: transactions.map(\.hash))
    }

    /// The key of a proposal as executed (on the parent it was executed on).
    private func key(_ p: BlockProposal, executed: ExecutedBlock) -> ProposalKey {
        ProposalKey(parent: executed.header.parentHash, height: executed.header.number, time: executed.header.timestamp,
                    proposer: p.proposer, transactions: executed.block.transactions.map(\.hash))
    }

    private func remember(_ executed: ExecutedBlock, for key: ProposalKey) {
        pending.withLock { p in
            p.executed.removeAll { $0.key == key }
            p.executed.append(Executed(key: key, block: executed))
            if p.executed.count > 4 { p.executed.removeFirst() }
        }
    }

    private func recover(_ txs: [SignedTransaction], gasLimit: UInt64) -> [(SignedTransaction, Result<Address, TransactionError>)] {
        Array(zip(txs, Blockchain.recoverSenders(txs, chainID: chain.genesis.chainID, gasLimit: gasLimit)))
    }

    /// Executes a proposal from another node: with its full header, every field is checked;
    /// without, each transaction must apply and the header is derived.
    private func execute(_ p: BlockProposal) throws -> ExecutedBlock {
        if let header = p.header {
            guard header.number == p.height, header.timestamp == p.time, header.coinbase == p.proposer else {
                throw ChainError.mismatch(number: p.height, field: "proposal", expected: "header of height, time and proposer",
                                          got: "header \(header.number) at \(header.timestamp) by \(header.coinbase)")
            }
            return try chain.verify(Block(header: header, transactions: p.transactions))
        }
        let parent = chain.head
        try expectHeight(p, parent: parent)
        // A time before the parent's is raised to it, as the proposer's own execution does
        // (the header carries the block's time; block times never go back).
        var txs: [(tx: SignedTransaction, sender: Address)] = []
        for (i, (tx, r)) in recover(p.transactions, gasLimit: parent.gasLimit).enumerated() {
            switch r {
            case .success(let s): txs.append((tx, s))
            case .failure(let e): throw ChainError.invalidTransaction(number: p.height, index: i, reason: e.description)
            }
        }
        return try chain.execute(parent: parent, transactions: txs,
                                 context: context(p, building: false))
    }

    /// The `Error(string)` reason of revert data, or its hex.
    static func revertReason(_ data: [UInt8]) -> String {
        guard !data.isEmpty else { return "" }
        return ABI.decodeRevertReason(data) ?? Hex.encode(data)
    }
}
