import Chain
import Primitives
import Transactions

// The consensus seam, shaped like CometBFT's ABCI 2.0 (`docs/architecture.md`): a consensus
// engine drives the state machine through these calls and nothing else. Proof of authority
// (`ProofOfAuthority`) is one driver; a CometBFT adapter would be another (it would decode the
// raw transactions and map these types to the protobuf messages one to one).

/// `Info`: where the application is, so a restarted engine knows which block to replay from.
public struct ABCIInfo: Sendable, Equatable {
    /// Height of the last committed block (0: genesis only).
    public var lastBlockHeight: UInt64
    /// The application hash after it: its state root (persisted in the same batch as the block).
    public var lastBlockAppHash: Hash32
    /// Its block hash (the Ethereum-shaped header's).
    public var lastBlockHash: Hash32
}

/// `CheckTx`'s answer: 0 accepts; any other code refuses, with geth's text in `log`.
public struct CheckTxResult: Sendable, Equatable {
    public var code: UInt32
    public var log: String
    public var gasWanted: UInt64
    public var sender: Address?

    public var isOK: Bool { code == 0 }

    public static func ok(gasWanted: UInt64, sender: Address) -> CheckTxResult {
        CheckTxResult(code: 0, log: "", gasWanted: gasWanted, sender: sender)
    }
    public static func refused(_ code: CheckTxCode, _ log: String) -> CheckTxResult {
        CheckTxResult(code: code.rawValue, log: log, gasWanted: 0, sender: nil)
    }
}

/// Why `CheckTx` refused a transaction.
public enum CheckTxCode: UInt32, Sendable {
    case ok = 0
    /// Not a decodable transaction.
    case malformed = 1
    /// Fails a stateless check (signature, chain id, size, gas limit).
    case invalid = 2
    /// Its nonce is already used.
    case nonceTooLow = 3
    /// The sender cannot pay gas × fee cap + value.
    case insufficientFunds = 4
}

/// What the proposer's application is asked to build (`PrepareProposal`) and what every
/// validator is asked to check (`ProcessProposal`) and execute (`FinalizeBlock`).
public struct BlockProposal: Sendable {
    public var height: UInt64
    /// Block time in seconds.
    public var time: UInt64
    /// The proposer: it receives the tips (the header's `coinbase`).
    public var proposer: Address
    /// The transactions, in order (for `PrepareProposal`, those the engine's mempool offers;
    /// the application may add from its own pool, reorder and drop).
    public var transactions: [SignedTransaction]
    /// The full header when the driver has one (a proof-of-authority block being imported):
    /// every field is then checked against re-execution. Nil from an engine that only knows
    /// height, time and proposer (CometBFT): the application derives the header.
    public var header: Header?

    public init(height: UInt64, time: UInt64, proposer: Address, transactions: [SignedTransaction], header: Header? = nil) {
        self.height = height
        self.time = time
        self.proposer = proposer
        self.transactions = transactions
        self.header = header
    }
}

/// `ProcessProposal`'s answer.
public enum ProposalVerdict: Sendable, Equatable {
    case accept
    case reject(String)
}

/// One transaction's outcome in `FinalizeBlock`.
public struct TxResult: Sendable, Equatable {
    /// 0 for success, 1 for a reverted call (its gas is still paid).
    public var code: UInt32
    public var gasUsed: UInt64
    /// The revert reason of a failed call.
    public var log: String
    public var events: [Log]
}

/// `FinalizeBlock`'s answer: nothing is written until `Commit`.
public struct FinalizeBlockResult: Sendable {
    public var txResults: [TxResult]
    /// Events of the block itself (end-of-block work of the system contracts).
    public var events: [Log]
    /// The state root after the block.
    public var appHash: Hash32
    /// The Ethereum-shaped header the application derived (a PoA driver signs its hash).
    public var header: Header
}

/// The state machine as a consensus engine sees it (ABCI 2.0's consensus and mempool
/// connections). Calls for one height come in the order `prepareProposal` (proposer only),
/// `processProposal`, `finalizeBlock`, `commit`.
public protocol ABCIApplication: Sendable {
    func info() throws -> ABCIInfo
    /// Whether a transaction may enter a mempool: decodes, checks it statelessly and against
    /// the latest committed state (nonce not used, funds). `recheck` after each commit.
    func checkTx(_ raw: [UInt8], recheck: Bool) -> CheckTxResult
    /// The proposer builds a block: the transactions to propose, at most `maxTxBytes` of them.
    func prepareProposal(_ proposal: BlockProposal, maxTxBytes: Int) throws -> [SignedTransaction]
    /// Whether a proposed block is valid (executes it; the result is kept for `finalizeBlock`).
    func processProposal(_ proposal: BlockProposal) -> ProposalVerdict
    /// Executes the decided block: transaction results, events and the app hash. Nothing is
    /// written yet.
    func finalizeBlock(_ proposal: BlockProposal) throws -> FinalizeBlockResult
    /// Writes the finalized block and its state in one atomic batch. `certificate` is what the
    /// driver wants stored with the block (a PoA seal); CometBFT passes none, it keeps its own
    /// commits. `expecting`, when given, is the hash the finalized block must have. Returns the
    /// committed block.
    @discardableResult
    func commit(certificate: [UInt8], expecting: Hash32?) throws -> CommittedBlock
}

extension ABCIApplication {
    /// `Commit` as CometBFT calls it: no certificate, no expected hash.
    @discardableResult
    public func commit() throws -> CommittedBlock { try commit(certificate: [], expecting: nil) }
}
