import Foundation
import Locking
import Locking
import Primitives
import Transactions

/// What the pool needs to know about accounts: the latest committed nonce and balance.
public protocol AccountView {
    func nonce(of address: Address) throws -> UInt64
    func balance(of address: Address) throws -> UInt256
    /// Both at once (one state read where the view can).
    func account(of address: Address) throws -> (nonce: UInt64, balance: UInt256)
}

extension AccountView {
    public func account(of address: Address) throws -> (nonce: UInt64, balance: UInt256) {
        (try nonce(of: address), try balance(of: address))
    }
}

/// Why the pool refused a transaction. The texts are geth's.
public enum PoolError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(TransactionError)
    case alreadyKnown
    case nonceTooLow(have: UInt64, want: UInt64)
    case insufficientFunds
    case underpriced
    case replacementUnderpriced
    case accountLimitExceeded
    case poolFull

    public var description: String {
        switch self {
        case .invalid(let e): return e.description
        case .alreadyKnown: return "already known"
        case .nonceTooLow: return "nonce too low"
        case .insufficientFunds: return "insufficient funds for gas * price + value"
        case .underpriced: return "transaction underpriced"
        case .replacementUnderpriced: return "replacement transaction underpriced"
        case .accountLimitExceeded: return "account limit exceeded"
        case .poolFull: return "txpool is full"
        }
    }
}

/// Limits and prices.
public struct PoolConfig: Sendable {
    /// Transactions held per sender (pending and queued together).
    public var maxPerSender = 64
    /// Transactions held in total.
    public var maxTotal = 8192
    /// Largest transaction accepted (geth: 128 KiB).
    public var maxTxSize = SignedTransaction.maxSize
    /// A replacement must raise both fee cap and tip by this percentage.
    public var priceBumpPercent: UInt64 = 10
    /// Smallest tip cap accepted (wei).
    public var minTip: UInt256 = .one
    public init() {}
}

/// The mempool: per sender, transactions by nonce; those contiguous from the account's nonce are
/// pending (executable), the rest queued until the gap fills. Block building takes pending
/// transactions by effective tip, each sender's in nonce order.
///
/// Thread-safe: every mutable field is read and written only under `lock` (hence the unchecked
/// conformance); pending-transaction listeners are kept apart, under their own lock.
public final class TxPool: @unchecked Sendable {
    public struct Entry: Sendable {
        public let tx: SignedTransaction
        public let sender: Address
        let sequence: UInt64
        var cost: UInt256 {
            (UInt256(tx.transaction.gasLimit).checkedMul(tx.transaction.maxFeePerGas) ?? .max).checkedAdd(tx.transaction.value) ?? .max
        }
    }

    /// How an accepted transaction entered the pool.
    public enum Added: Sendable, Equatable {
        case pending, queued, replaced(Hash32)
    }

    public let config: PoolConfig
    public let chainID: UInt64
    public let blockGasLimit: UInt64
    private let lock = Lock()
    private var bySender: [Address: [UInt64: Entry]] = [:]
    private var byHash: [Hash32: Entry] = [:]
    /// Committed nonce per sender, as of the last ``reset(view:)`` or lookup.
    private var baseNonce: [Address: UInt64] = [:]
    private var sequence: UInt64 = 0
    private let pendingListeners = Locked<[@Sendable (SignedTransaction) -> Void]>([])

    /// Calls `listener` with each transaction that becomes pending (for `newPendingTransactions`),
    /// outside the pool's lock.
    public func onPending(_ listener: @escaping @Sendable (SignedTransaction) -> Void) {
        pendingListeners.withLock { $0.append(listener) }
    }

    private func announce(_ txs: [SignedTransaction]) {
        guard !txs.isEmpty else { return }
        let listeners = pendingListeners.get()
        for l in listeners { for t in txs { l(t) } }
    }

    public init(chainID: UInt64, blockGasLimit: UInt64, config: PoolConfig = PoolConfig()) {
        self.chainID = chainID
        self.blockGasLimit = blockGasLimit
        self.config = config
    }

    public var count: Int { lock.withLock { byHash.count } }

    /// (pending, queued) counts.
    public var counts: (pending: Int, queued: Int) {
        lock.withLock {
            var p = 0
            for (sender, txs) in bySender { p += pendingRun(sender, txs).count }
            return (p, byHash.count - p)
        }
    }

    public func get(_ hash: Hash32) -> Entry? { lock.withLock { byHash[hash] } }

    /// The next nonce for `sender` counting pending transactions (`eth_getTransactionCount` with
    /// `pending`).
    public func pendingNonce(_ sender: Address, view: any AccountView) throws -> UInt64 {
        let base = try view.nonce(of: sender)
        return lock.withLock {
            var n = base
            while bySender[sender]?[n] != nil { n += 1 }
            return n
        }
    }

    // MARK: Adding

    /// Validates and adds a transaction. `sender` may be given when already recovered.
    @discardableResult
    public func add(_ tx: SignedTransaction, sender knownSender: Address? = nil, view: any AccountView) throws -> Added {
        if tx.encoded.count > config.maxTxSize {
            throw PoolError.invalid(.oversized(size: tx.encoded.count, limit: config.maxTxSize))
        }
        let sender: Address
        if let s = knownSender {
            sender = s
        } else {
            do { sender = try tx.validate(chainID: chainID, blockGasLimit: blockGasLimit, maxSize: config.maxTxSize) } catch {
                throw PoolError.invalid(error)
            }
        }
        let t = tx.transaction
        let (stateNonce, balance) = try view.account(of: sender)
        let added: Added = try lock.withLock {
            if byHash[tx.hash] != nil { throw PoolError.alreadyKnown }
            baseNonce[sender] = stateNonce
            if t.nonce < stateNonce { throw PoolError.nonceTooLow(have: t.nonce, want: stateNonce) }
            if t.maxPriorityFeePerGas < config.minTip { throw PoolError.underpriced }
            let entry = Entry(tx: tx, sender: sender, sequence: sequence)
            if entry.cost > balance { throw PoolError.insufficientFunds }
            var txs = bySender[sender] ?? [:]
            if let old = txs[t.nonce] {
                let o = old.tx.transaction
                guard bumped(o.maxFeePerGas, to: t.maxFeePerGas), bumped(o.maxPriorityFeePerGas, to: t.maxPriorityFeePerGas) else {
                    throw PoolError.replacementUnderpriced
                }
                byHash[old.tx.hash] = nil
                txs[t.nonce] = entry
                bySender[sender] = txs
                byHash[tx.hash] = entry
                sequence += 1
                return .replaced(old.tx.hash)
            }
            if txs.count >= config.maxPerSender { throw PoolError.accountLimitExceeded }
            if byHash.count >= config.maxTotal {
                try evictCheaper(than: entry)
                txs = bySender[sender] ?? [:]
            }
            txs[t.nonce] = entry
            bySender[sender] = txs
            byHash[tx.hash] = entry
            sequence += 1
            // Pending when every nonce from the committed one up to this one is in the pool.
            var n = stateNonce
            while n < t.nonce, txs[n] != nil { n += 1 }
            return n == t.nonce ? .pending : .queued
        }
        if added != .queued { announce([tx]) }
        return added
    }

    private func bumped(_ old: UInt256, to new: UInt256) -> Bool {
        let need = old.multipliedDivided(by: UInt256(100 + config.priceBumpPercent), dividedBy: 100) ?? .max
        return new >= need
    }

    /// Makes room by dropping the cheapest sender tail (a sender's highest nonce, so no gap
    /// opens), if it pays less than `entry`; otherwise the newcomer is underpriced.
    private func evictCheaper(than entry: Entry) throws {
        var victim: Entry?
        for (_, txs) in bySender {
            guard let top = txs.keys.max(), let e = txs[top] else { continue }
            if victim == nil || e.tx.transaction.maxPriorityFeePerGas < victim!.tx.transaction.maxPriorityFeePerGas {
                victim = e
            }
        }
        guard let v = victim, v.tx.transaction.maxPriorityFeePerGas < entry.tx.transaction.maxPriorityFeePerGas,
              v.sender != entry.sender else { throw PoolError.underpriced }
        remove(v)
    }

    private func remove(_ e: Entry) {
        byHash[e.tx.hash] = nil
        bySender[e.sender]?[e.tx.transaction.nonce] = nil
        if bySender[e.sender]?.isEmpty == true {
            bySender[e.sender] = nil
            baseNonce[e.sender] = nil
        }
    }

    /// The executable run of a sender: consecutive nonces from its committed nonce.
    private func pendingRun(_ sender: Address, _ txs: [UInt64: Entry]) -> [Entry] {
        var out: [Entry] = []
        var n = baseNonce[sender] ?? 0
        while let e = txs[n] {
            out.append(e)
            n += 1
        }
        return out
    }

    // MARK: Building and resetting

    /// Pending transactions for the next block: by effective tip under `baseFee` (earlier
    /// arrival first on ties), each sender's in nonce order. A sender whose next transaction's
    /// fee cap is below the base fee waits.
    public func candidates(baseFee: UInt256) -> [(tx: SignedTransaction, sender: Address)] {
        lock.withLock {
            var runs: [[Entry]] = []
            for (sender, txs) in bySender {
                let run = pendingRun(sender, txs)
                if !run.isEmpty { runs.append(run) }
            }
            var heads = Heap<(tip: UInt256, seq: UInt64, run: Int, index: Int)> { a, b in
                a.tip != b.tip ? a.tip > b.tip : a.seq < b.seq
            }
            for (i, run) in runs.enumerated() {
                if let tip = run[0].tx.transaction.effectiveTip(baseFee: baseFee) {
                    heads.push((tip, run[0].sequence, i, 0))
                }
            }
            var out: [(tx: SignedTransaction, sender: Address)] = []
            while let top = heads.pop() {
                let e = runs[top.run][top.index]
                out.append((e.tx, e.sender))
                let next = top.index + 1
                if next < runs[top.run].count, let tip = runs[top.run][next].tx.transaction.effectiveTip(baseFee: baseFee) {
                    heads.push((tip, runs[top.run][next].sequence, top.run, next))
                }
            }
            return out
        }
    }

    /// After a block: forgets included and stale transactions (nonce below the account's, or
    /// costing more than its balance), and lets queued ones whose gap closed become pending.
    /// Only senders can lose balance or gain nonces, so after a block it is enough to pass the
    /// block's senders as `touched`; nil rechecks every sender.
    public func reset(view: any AccountView, touched: Set<Address>? = nil) throws {
        let senders = lock.withLock { touched.map { $0.filter { bySender[$0] != nil } } ?? Set(bySender.keys) }
        var fresh: [(Address, UInt64, UInt256)] = []
        fresh.reserveCapacity(senders.count)
        for s in senders {
            let (nonce, balance) = try view.account(of: s)
            fresh.append((s, nonce, balance))
        }
        var promoted: [SignedTransaction] = []
        lock.withLock {
            for (s, nonce, balance) in fresh {
                guard let txs = bySender[s] else { continue }
                // The run that was pending: [oldBase, oldEnd). What is pending now and was not, is promoted.
                let oldBase = baseNonce[s] ?? 0
                var oldEnd = oldBase
                while txs[oldEnd] != nil { oldEnd += 1 }
                baseNonce[s] = nonce
                var stale = false
                for (n, e) in txs where n < nonce || e.cost > balance {
                    remove(e)
                    stale = true
                }
                guard let left = stale ? bySender[s] : txs else { continue }
                var n = nonce
                while let e = left[n] {
                    if n < oldBase || n >= oldEnd { promoted.append(e.tx) }
                    n += 1
                }
            }
        }
        announce(promoted)
    }

    /// Every transaction, grouped by sender and nonce (`txpool_content`).
    public func content() -> [Address: [UInt64: SignedTransaction]] {
        lock.withLock { bySender.mapValues { $0.mapValues(\.tx) } }
    }
}

/// A binary heap ordered by `before` (the top is the element that goes first).
struct Heap<T> {
    private var items: [T] = []
    let before: (T, T) -> Bool

    init(_ before: @escaping (T, T) -> Bool) { self.before = before }

    mutating func push(_ x: T) {
        items.append(x)
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if !before(items[i], items[p]) { break }
            items.swapAt(i, p)
            i = p
        }
    }

    mutating func pop() -> T? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count, before(items[l], items[m]) { m = l }
            if r < items.count, before(items[r], items[m]) { m = r }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
        return top
    }
}
