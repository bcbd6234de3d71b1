import Primitives
import StateTree
import Transactions

/// What the block being executed is given by whoever drives the chain (a consensus engine or the
/// proof-of-authority sealer): everything the state machine cannot work out from the parent.
public struct ExecutionContext: Sendable {
    /// The block's time (seconds); never before the parent's.
    public var timestamp: UInt64
    /// Who receives the tips (the proposer).
    public var coinbase: Address
    /// The header's `extraData` (at most 32 bytes).
    public var extraData: [UInt8]
    /// Building a block: a transaction that cannot be included is left out and reported in
    /// ``ExecutedBlock/skipped``. Verifying one: it makes the block invalid.
    public var skipsInvalid: Bool

    public init(timestamp: UInt64, coinbase: Address, extraData: [UInt8], skipsInvalid: Bool) {
        self.timestamp = timestamp
        self.coinbase = coinbase
        self.extraData = extraData
        self.skipsInvalid = skipsInvalid
    }
}

/// A transaction left out of a block being built, and why.
public struct SkippedTransaction: Sendable {
    public var hash: Hash32
    public var sender: Address
    public var reason: InclusionError

    public init(hash: Hash32, sender: Address, reason: InclusionError) {
        self.hash = hash
        self.sender = sender
        self.reason = reason
    }
}

/// A block executed on top of its parent and not yet written: the header with every root, the
/// receipts and end-of-block logs, and the state changes and tree pages its commit will write.
/// ``Blockchain/commit(_:certificate:)`` writes it as one atomic batch.
public struct ExecutedBlock: Sendable {
    public let block: Block
    public let receipts: [Receipt]
    /// Logs the system contracts emitted after the block's transactions (auction assignments,
    /// governance tallies).
    public let blockLogs: [Log]
    /// Candidates left out (building only).
    public let skipped: [SkippedTransaction]
    let changes: [(key: [UInt8], value: [UInt8]?)]
    let pages: [Hash32: TreePage]
    let touchedAccounts: [Address: Account]

    public var header: Header { block.header }
    /// The state root after the block: the application hash a consensus engine agrees on.
    public var stateRoot: Hash32 { block.header.stateRoot }
}

/// A block as committed: what the committed-block stream hands every listener.
public struct CommittedBlock: Sendable {
    public let block: Block
    public let receipts: [Receipt]
    public let blockLogs: [Log]

    public init(block: Block, receipts: [Receipt], blockLogs: [Log]) {
        self.block = block
        self.receipts = receipts
        self.blockLogs = blockLogs
    }

    /// Every log of the block with its position: the transactions' logs, then the end-of-block
    /// logs (see ``LocatedLog/systemLog(_:in:logIndex:)`` for their transaction fields).
    public var locatedLogs: [LocatedLog] { LocatedLog.all(in: block, receipts: receipts, blockLogs: blockLogs) }
}

extension LocatedLog {
    /// An end-of-block log, located. There is no transaction behind it; as on Celo, its
    /// `transactionHash` is the block hash and its `transactionIndex` is the number of
    /// transactions in the block (one past the last), so every log has a distinct, stable
    /// position and the pair (transactionHash, logIndex) identifies it. `eth_getTransactionByHash`
    /// of that hash finds no transaction.
    public static func systemLog(_ log: Log, in block: Block, logIndex: Int) -> LocatedLog {
        LocatedLog(log: log, blockNumber: block.number, blockHash: block.hash, blockTimestamp: block.header.timestamp,
                   transactionHash: block.hash, transactionIndex: block.transactions.count, logIndex: logIndex)
    }

    /// The logs of a block, transactions' first, each with its position.
    public static func all(in block: Block, receipts: [Receipt], blockLogs: [Log],
                           where include: (Log) -> Bool = { _ in true }) -> [LocatedLog] {
        var out: [LocatedLog] = []
        var index = 0
        let hash = block.hash
        for (i, r) in receipts.enumerated() where i < block.transactions.count {
            for l in r.logs {
                if include(l) {
                    out.append(LocatedLog(log: l, blockNumber: block.number, blockHash: hash,
                                          blockTimestamp: block.header.timestamp, transactionHash: block.transactions[i].hash,
                                          transactionIndex: i, logIndex: index))
                }
                index += 1
            }
        }
        for l in blockLogs {
            if include(l) { out.append(systemLog(l, in: block, logIndex: index)) }
            index += 1
        }
        return out
    }
}
