import Chain
import Foundation
import JSON
import Locking
import Primitives
import Transactions

/// Polled filters (`eth_newFilter`, `eth_newBlockFilter`, `eth_newPendingTransactionFilter`,
/// `eth_getFilterChanges`) and pushed subscriptions (`eth_subscribe` over WebSocket), fed by
/// the node's block and pending-transaction events.
///
/// Bounded: filters in total, subscriptions per connection, buffered changes per filter (the
/// oldest are dropped); a filter not polled for ``Limits/filterTimeout`` is removed, as in geth.
public final class FilterSystem: Sendable {
    /// Bounds on what clients can hold.
    public struct Limits: Sendable {
        /// Installed filters, all clients together.
        public var maxFilters = 10_000
        /// `eth_subscribe` subscriptions per WebSocket connection.
        public var maxSubscriptionsPerConnection = 1_000
        /// Changes a filter holds between polls (the oldest are dropped).
        public var maxBufferedChanges = 10_000
        /// A filter not polled this long is removed.
        public var filterTimeout: Duration = .seconds(300)
        public init() {}
    }

    /// What a subscription delivers.
    public enum SubscriptionKind: Sendable, Equatable {
        case newHeads
        case logs(LogFilter)
        /// Hashes, or full transaction objects when `full`.
        case newPendingTransactions(full: Bool)
    }

    enum FilterKind: Sendable {
        case logs(FilterCriteria)
        case blocks
        case pendingTransactions
    }

    enum Change: Sendable {
        case hash(Hash32)
        case log(LocatedLog)
    }

    struct Filter: Sendable {
        var kind: FilterKind
        var changes: [Change] = []
        var lastPoll: ContinuousClock.Instant
    }

    struct Subscription: Sendable {
        let id: String
        let kind: SubscriptionKind
        let connection: any RPCConnection
    }

    /// Filters and subscriptions, behind one lock.
    struct Registry {
        var filters: [String: Filter] = [:]
        var subscriptions: [String: Subscription] = [:]
        var byConnection: [UInt64: Set<String>] = [:]

        mutating func expire(now: ContinuousClock.Instant, timeout: Duration) {
            let deadline = now - timeout
            for (id, f) in filters where f.lastPoll < deadline { filters[id] = nil }
        }

        /// Appends in place (no copy of the buffer), dropping the oldest past `cap`.
        mutating func append(_ c: Change, to id: String, cap: Int) {
            guard filters[id] != nil else { return }
            if filters[id]!.changes.count >= cap { filters[id]!.changes.removeFirst(filters[id]!.changes.count - cap + 1) }
            filters[id]!.changes.append(c)
        }
    }

    /// The bounds in force.
    public let limits: Limits
    let chain: Blockchain
    let metrics: RPCMetrics?
    private let state = Locked(Registry())

    /// A filter system over `chain`'s stored logs; feed it with ``blockCommitted(_:)`` and ``pendingTransaction(_:)``.
    public init(chain: Blockchain, limits: Limits = Limits(), metrics: RPCMetrics? = nil) {
        self.chain = chain
        self.limits = limits
        self.metrics = metrics
    }

    /// A fresh id: 16 random bytes as hex, as geth's.
    static func newID() -> String {
        var g = SystemRandomNumberGenerator()
        let bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &g) }
        return Hex.encode(bytes)
    }

    // MARK: Filters

    /// Installs a filter; fails when ``Limits/maxFilters`` are installed.
    func install(_ kind: FilterKind) throws(RPCError) -> String {
        let id = FilterSystem.newID()
        let now = ContinuousClock.now
        let count: Int = try state.withLock { s -> Result<Int, RPCError> in
            s.expire(now: now, timeout: limits.filterTimeout)
            if s.filters.count >= limits.maxFilters {
                return .failure(.limitExceeded("too many filters: the limit is \(limits.maxFilters)"))
            }
            s.filters[id] = Filter(kind: kind, lastPoll: now)
            return .success(s.filters.count)
        }.get()
        metrics?.filters.set(count)
        return id
    }

    /// `eth_newFilter`: the id of a new log filter.
    public func newLogFilter(_ criteria: FilterCriteria) throws(RPCError) -> String { try install(.logs(criteria)) }
    /// `eth_newBlockFilter`: the id of a new block-hash filter.
    public func newBlockFilter() throws(RPCError) -> String { try install(.blocks) }
    /// `eth_newPendingTransactionFilter`: the id of a new pending-hash filter.
    public func newPendingTransactionFilter() throws(RPCError) -> String { try install(.pendingTransactions) }

    /// What arrived since the last poll: block hashes, transaction hashes, or log objects.
    public func changes(_ id: String) throws(RPCError) -> JSONValue {
        let now = ContinuousClock.now
        let taken: [Change]? = state.withLock { s in
            s.expire(now: now, timeout: limits.filterTimeout)
            guard s.filters[id] != nil else { return nil }
            let c = s.filters[id]!.changes
            s.filters[id]!.changes = []
            s.filters[id]!.lastPoll = now
            return c
        }
        guard let taken else { throw RPCError.server("filter not found") }
        return .array(taken.map {
            switch $0 {
            case .hash(let h): return .string(h.description)
            case .log(let l): return RPCObjects.log(l)
            }
        })
    }

    /// The criteria of a log filter (`eth_getFilterLogs`).
    public func criteria(_ id: String) throws(RPCError) -> FilterCriteria {
        let now = ContinuousClock.now
        let kind: FilterKind? = state.withLock { s in
            s.expire(now: now, timeout: limits.filterTimeout)
            s.filters[id]?.lastPoll = now
            return s.filters[id]?.kind
        }
        guard case .logs(let c)? = kind else { throw RPCError.server("filter not found") }
        return c
    }

    /// Removes a filter; false when there was none.
    public func uninstall(_ id: String) -> Bool {
        let (removed, count) = state.withLock { s in (s.filters.removeValue(forKey: id) != nil, s.filters.count) }
        metrics?.filters.set(count)
        return removed
    }

    /// Installed filters.
    public var filterCount: Int { state.withLock { $0.filters.count } }

    // MARK: Subscriptions

    /// Subscribes `connection`; fails past ``Limits/maxSubscriptionsPerConnection``.
    public func subscribe(_ kind: SubscriptionKind, connection: any RPCConnection) throws(RPCError) -> String {
        let id = FilterSystem.newID()
        let total: Int = try state.withLock { s -> Result<Int, RPCError> in
            var mine = s.byConnection[connection.connectionID] ?? []
            if mine.count >= limits.maxSubscriptionsPerConnection {
                return .failure(.limitExceeded("too many subscriptions on this connection: the limit is \(limits.maxSubscriptionsPerConnection)"))
            }
            mine.insert(id)
            s.byConnection[connection.connectionID] = mine
            s.subscriptions[id] = Subscription(id: id, kind: kind, connection: connection)
            return .success(s.subscriptions.count)
        }.get()
        metrics?.subscriptions.set(total)
        return id
    }

    /// Ends a subscription of `connection`; false when it has none of that id.
    public func unsubscribe(_ id: String, connection: any RPCConnection) -> Bool {
        let (ok, total) = state.withLock { s -> (Bool, Int) in
            guard let sub = s.subscriptions[id], sub.connection.connectionID == connection.connectionID else {
                return (false, s.subscriptions.count)
            }
            s.subscriptions[id] = nil
            s.byConnection[connection.connectionID]?.remove(id)
            return (true, s.subscriptions.count)
        }
        metrics?.subscriptions.set(total)
        return ok
    }

    /// Drops every subscription of a closed connection.
    public func connectionClosed(_ connectionID: UInt64) {
        let total = state.withLock { s -> Int in
            for id in s.byConnection.removeValue(forKey: connectionID) ?? [] { s.subscriptions[id] = nil }
            return s.subscriptions.count
        }
        metrics?.subscriptions.set(total)
    }

    /// Live subscriptions, all connections together.
    public var subscriptionCount: Int { state.withLock { $0.subscriptions.count } }

    // MARK: Events

    /// Feeds a committed block to filters and subscriptions: its hash to block filters and
    /// `newHeads`, every log (the transactions' and the end-of-block logs) to log filters and
    /// `logs` subscriptions.
    public func blockCommitted(_ committed: CommittedBlock) {
        let block = committed.block
        let blockHash = block.hash
        let located = committed.locatedLogs
        let now = ContinuousClock.now
        let cap = limits.maxBufferedChanges
        let subs: [Subscription] = state.withLock { s in
            s.expire(now: now, timeout: limits.filterTimeout)
            for (id, f) in s.filters {
                switch f.kind {
                case .blocks: s.append(.hash(blockHash), to: id, cap: cap)
                case .pendingTransactions: continue
                case .logs(let c):
                    if !inRange(block.number, c) { continue }
                    for l in located where c.filter.matches(l.log) { s.append(.log(l), to: id, cap: cap) }
                }
            }
            return s.subscriptions.values.filter {
                if case .newPendingTransactions = $0.kind { return false }
                return true
            }
        }
        guard !subs.isEmpty else { return }
        var headBytes: [UInt8]?
        for s in subs {
            switch s.kind {
            case .newHeads:
                if headBytes == nil { headBytes = RPCObjects.header(block.header).bytes }
                s.connection.send(notification: FilterSystem.notification(s.id, headBytes!))
            case .logs(let filter):
                for l in located where filter.matches(l.log) {
                    s.connection.send(notification: FilterSystem.notification(s.id, RPCObjects.log(l).bytes))
                }
            case .newPendingTransactions: break
            }
        }
    }

    /// Feeds a transaction that became pending.
    public func pendingTransaction(_ tx: SignedTransaction) {
        let cap = limits.maxBufferedChanges
        let subs: [Subscription] = state.withLock { s in
            for (id, f) in s.filters {
                guard case .pendingTransactions = f.kind else { continue }
                s.append(.hash(tx.hash), to: id, cap: cap)
            }
            guard !s.subscriptions.isEmpty else { return [] }
            return s.subscriptions.values.filter {
                if case .newPendingTransactions = $0.kind { return true }
                return false
            }
        }
        guard !subs.isEmpty else { return }
        var hashBytes: [UInt8]?
        var fullBytes: [UInt8]?
        for s in subs {
            guard case .newPendingTransactions(let full) = s.kind else { continue }
            if full {
                if fullBytes == nil { fullBytes = RPCObjects.transaction(tx, sender: nil, location: nil, baseFee: nil).bytes }
                s.connection.send(notification: FilterSystem.notification(s.id, fullBytes!))
            } else {
                if hashBytes == nil { hashBytes = JSONValue.string(tx.hash.description).bytes }
                s.connection.send(notification: FilterSystem.notification(s.id, hashBytes!))
            }
        }
    }

    private func inRange(_ n: UInt64, _ c: FilterCriteria) -> Bool {
        if case .number(let from)? = c.fromBlock, n < from { return false }
        if case .number(let to)? = c.toBlock, n > to { return false }
        if case .earliest? = c.toBlock, n > 0 { return false }
        return true
    }

    static let notePrefix = Array(#"{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":""#.utf8)
    static let noteMiddle = Array(#"","result":"#.utf8)

    /// Notification bytes around an already-serialized result.
    static func notification(_ id: String, _ result: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(notePrefix.count + id.utf8.count + noteMiddle.count + result.count + 2)
        out.append(contentsOf: notePrefix)
        out.append(contentsOf: id.utf8)
        out.append(contentsOf: noteMiddle)
        out.append(contentsOf: result)
        out.append(contentsOf: [0x7d, 0x7d])
        return out
    }
}
