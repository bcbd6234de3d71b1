import Chain
import Consensus
import Foundation
import JSON
import Keccak
import Locking
import Node
import Primitives
import Transactions
import TxPool

/// Settings of the eth_/net_/web3_ methods.
public struct EthAPIConfig: Sendable {
    /// `web3_clientVersion`.
    public var clientVersion = "ProverNet"
    /// Offers `evm_mine`.
    public var devMode = false
    /// Most blocks one `eth_getLogs` / `eth_getFilterLogs` may scan.
    public var maxLogBlockRange: UInt64 = 10_000
    /// Most logs one query may return.
    public var maxLogResults = 10_000
    /// Most blocks one `eth_feeHistory` covers (larger requests are clamped, as in geth).
    public var maxFeeHistoryBlocks: UInt64 = 1024
    /// Tip suggested while recent blocks carry no transactions.
    public var defaultTip = UInt256(1_000_000_000)
    /// Highest tip ever suggested.
    public var maxTip = UInt256(500_000_000_000)

    public init() {}
}

/// The Ethereum JSON-RPC methods over a ``Node``: chain reads, the pool, dry runs, logs,
/// filters and subscriptions. Registers into an ``RPCMethodTable``; knows nothing of HTTP.
public final class EthAPI: Sendable {
    /// The node whose chain and pool the methods read and write.
    public let node: Node
    /// Filters and subscriptions.
    public let filters: FilterSystem
    /// Settings.
    public let config: EthAPIConfig
    var chain: Blockchain { node.chain }
    private let cachedTip = Locked<(head: Hash32, tip: UInt256)?>(nil)

    /// Methods over `node`; call ``register(into:)`` to offer them.
    public init(node: Node, filters: FilterSystem, config: EthAPIConfig = EthAPIConfig()) {
        self.node = node
        self.filters = filters
        self.config = config
    }

    // MARK: Registration

    /// Adds every method to `table`.
    public func register(into table: inout RPCMethodTable) {
        let chainID = chain.genesis.chainID
        let chainIDHex = JSONValue.string(RPCObjects.quantityHex(chainID))
        table.register("eth_chainId") { p, _ in try p.expect(atMost: 0); return chainIDHex }
        table.register("net_version") { p, _ in try p.expect(atMost: 0); return .string(String(chainID)) }
        table.register("net_listening") { p, _ in try p.expect(atMost: 0); return .bool(true) }
        table.register("net_peerCount") { p, _ in try p.expect(atMost: 0); return "0x0" }
        table.register("eth_syncing") { p, _ in try p.expect(atMost: 0); return .bool(false) }
        table.register("eth_accounts") { p, _ in try p.expect(atMost: 0); return .array([]) }
        table.register("eth_mining") { p, _ in try p.expect(atMost: 0); return .bool(self.node.sealerKey != nil) }
        let version = JSONValue.string(config.clientVersion)
        table.register("web3_clientVersion") { p, _ in try p.expect(atMost: 0); return version }
        table.register("web3_sha3") { p, _ in
            try p.expect(atMost: 1)
            return .string(Hex.encode(Keccak256.hash(try p.required(0, Decode.bytes))))
        }

        table.register("eth_blockNumber") { [chain] p, _ in
            try p.expect(atMost: 0)
            return .string(RPCObjects.quantityHex(chain.head.number))
        }
        table.register("eth_getBalance") { p, _ in try self.getBalance(p) }
        table.register("eth_getTransactionCount") { p, _ in try self.getTransactionCount(p) }
        table.register("eth_getCode") { p, _ in try self.getCode(p) }
        table.register("eth_getStorageAt") { p, _ in try self.getStorageAt(p) }
        table.register("eth_gasPrice", offload: true) { p, _ in
            try p.expect(atMost: 0)
            return .string((Header.nextBaseFee(parent: self.chain.head) + (try self.suggestedTip())).hexString)
        }
        table.register("eth_maxPriorityFeePerGas", offload: true) { p, _ in
            try p.expect(atMost: 0)
            return .string(try self.suggestedTip().hexString)
        }
        table.register("eth_feeHistory", offload: true) { p, _ in try self.feeHistory(p) }
        table.register("eth_call", offload: true) { p, _ in try self.call(p) }
        table.register("eth_estimateGas", offload: true) { p, _ in try self.estimateGas(p) }
        table.register("eth_sendRawTransaction") { p, _ in
            try p.expect(atMost: 1)
            let raw = try p.required(0, Decode.bytes)
            return .string(try self.node.submit(raw: raw).description)
        }
        table.register("eth_getTransactionByHash") { p, _ in try self.getTransactionByHash(p) }
        table.register("eth_getTransactionReceipt") { p, _ in try self.getTransactionReceipt(p) }
        table.register("eth_getBlockByNumber", offload: true) { p, _ in
            try p.expect(atMost: 2)
            let spec = try p.required(0, Decode.block)
            let full = try p.optional(1, Decode.bool) ?? false
            guard let b = try self.block(spec) else { return .null }
            return try self.blockObject(b, full: full)
        }
        table.register("eth_getBlockByHash", offload: true) { p, _ in
            try p.expect(atMost: 2)
            let h = try p.required(0, Decode.hash)
            let full = try p.optional(1, Decode.bool) ?? false
            guard let b = try self.chain.reader.block(hash: h) else { return .null }
            return try self.blockObject(b, full: full)
        }
        table.register("eth_getBlockTransactionCountByNumber") { p, _ in
            try p.expect(atMost: 1)
            guard let b = try self.block(try p.required(0, Decode.block)) else { return .null }
            return RPCObjects.q(b.transactions.count)
        }
        table.register("eth_getBlockTransactionCountByHash") { p, _ in
            try p.expect(atMost: 1)
            guard let b = try self.chain.reader.block(hash: try p.required(0, Decode.hash)) else { return .null }
            return RPCObjects.q(b.transactions.count)
        }
        table.register("eth_getTransactionByBlockNumberAndIndex") { p, _ in
            try p.expect(atMost: 2)
            let b = try self.block(try p.required(0, Decode.block))
            return try self.transactionAt(b, index: try p.required(1, Decode.uint64))
        }
        table.register("eth_getTransactionByBlockHashAndIndex") { p, _ in
            try p.expect(atMost: 2)
            let b = try self.chain.reader.block(hash: try p.required(0, Decode.hash))
            return try self.transactionAt(b, index: try p.required(1, Decode.uint64))
        }
        table.register("eth_getBlockReceipts", offload: true) { p, _ in
            try p.expect(atMost: 1)
            guard let b = try self.block(try p.required(0, Decode.block)),
                  let receipts = try self.chain.reader.receipts(blockHash: b.hash) else { return .null }
            var out: [JSONValue] = []
            var logIndex = 0
            for (i, r) in receipts.enumerated() where i < b.transactions.count {
                out.append(RPCObjects.receipt(r, tx: b.transactions[i], blockHash: b.hash, blockNumber: b.number, index: i,
                                              firstLogIndex: logIndex))
                logIndex += r.logs.count
            }
            return .array(out)
        }

        table.register("eth_getLogs", offload: true) { p, _ in
            try p.expect(atMost: 1)
            return .array(try self.logs(try p.required(0, Decode.filterCriteria)).map(RPCObjects.log))
        }
        table.register("eth_newFilter") { p, _ in
            try p.expect(atMost: 1)
            let c = try p.required(0, Decode.filterCriteria)
            try self.checkRange(c)
            return .string(try self.filters.newLogFilter(c))
        }
        table.register("eth_newBlockFilter") { p, _ in
            try p.expect(atMost: 0)
            return .string(try self.filters.newBlockFilter())
        }
        table.register("eth_newPendingTransactionFilter") { p, _ in
            try p.expect(atMost: 1)
            return .string(try self.filters.newPendingTransactionFilter())
        }
        table.register("eth_getFilterChanges") { p, _ in
            try p.expect(atMost: 1)
            return try self.filters.changes(try p.required(0, EthAPI.filterID))
        }
        table.register("eth_getFilterLogs", offload: true) { p, _ in
            try p.expect(atMost: 1)
            let c = try self.filters.criteria(try p.required(0, EthAPI.filterID))
            return .array(try self.logs(c).map(RPCObjects.log))
        }
        table.register("eth_uninstallFilter") { p, _ in
            try p.expect(atMost: 1)
            return .bool(self.filters.uninstall(try p.required(0, EthAPI.filterID)))
        }
        table.register("eth_subscribe") { p, ctx in try self.subscribe(p, ctx) }
        table.register("eth_unsubscribe") { p, ctx in
            try p.expect(atMost: 1)
            let id = try p.required(0, EthAPI.filterID)
            guard let conn = ctx.connection else { throw RPCError(code: -32601, message: "notifications not supported") }
            guard self.filters.unsubscribe(id, connection: conn) else { throw RPCError.server("subscription not found") }
            return .bool(true)
        }

        table.register("txpool_status") { p, _ in
            try p.expect(atMost: 0)
            let c = self.node.pool.counts
            return .object([("pending", RPCObjects.q(c.pending)), ("queued", RPCObjects.q(c.queued))])
        }

        if config.devMode {
            table.register("evm_mine") { p, _ in
                try p.expect(atMost: 1)
                let ts = try p.optional(0) { (v) throws(ParamError) -> UInt64 in try Decode.flexibleUInt64(v) }
                _ = try self.node.sealBlock(timestamp: ts)
                // Filters and subscriptions have the block when the call returns.
                self.node.feed.drain()
                return "0x0"
            }
        }
    }

    static func filterID(_ v: JSONValue) throws(ParamError) -> String {
        guard case .string(let s) = v else { throw ParamError("cannot unmarshal \(v.typeName) into an id (hex string)") }
        return s
    }

    // MARK: Blocks and state

    /// The header a spec names; nil when there is no such block.
    func header(_ spec: BlockSpec) throws -> Header? {
        switch spec {
        case .latest, .pending, .safe, .finalized: return chain.head
        case .earliest: return try chain.reader.header(number: 0)
        case .number(let n): return try chain.reader.header(number: n)
        case .hash(let h, let canonical):
            guard let header = try chain.reader.header(hash: h) else { return nil }
            if canonical, try chain.reader.canonicalHash(header.number) != h {
                throw RPCError.server("hash \(h) is not currently canonical")
            }
            return header
        }
    }

    /// The block a spec names (`pending` reads as the latest block); nil when none.
    func block(_ spec: BlockSpec) throws -> Block? {
        switch spec {
        case .latest, .pending, .safe, .finalized: return try chain.reader.block(hash: chain.head.hash)
        case .earliest: return try chain.reader.block(number: 0)
        case .number(let n): return try chain.reader.block(number: n)
        case .hash(let h, _):
            guard let hd = try header(spec) else { return nil }
            _ = hd
            return try chain.reader.block(hash: h)
        }
    }

    /// The state as of a block; geth's errors for blocks it does not have.
    func state(_ spec: BlockSpec) throws -> WorldState {
        switch spec {
        case .latest, .pending, .safe, .finalized: return chain.latestState()
        default:
            guard let h = try header(spec) else {
                if case .hash = spec { throw RPCError.server("header for hash not found") }
                throw RPCError.server("header not found")
            }
            return chain.state(at: h)
        }
    }

    func getBalance(_ p: RPCParams) throws -> JSONValue {
        try p.expect(atMost: 2)
        let a = try p.required(0, Decode.address)
        let s = try state(try p.optional(1, Decode.block) ?? .latest)
        return .string(try s.balance(a).hexString)
    }

    func getTransactionCount(_ p: RPCParams) throws -> JSONValue {
        try p.expect(atMost: 2)
        let a = try p.required(0, Decode.address)
        let spec = try p.optional(1, Decode.block) ?? .latest
        if spec == .pending {
            return RPCObjects.q(try node.pool.pendingNonce(a, view: ChainAccountView(chain: chain)))
        }
        return RPCObjects.q(try state(spec).nonce(a))
    }

    func getCode(_ p: RPCParams) throws -> JSONValue {
        try p.expect(atMost: 2)
        let a = try p.required(0, Decode.address)
        _ = try state(try p.optional(1, Decode.block) ?? .latest)
        return .string(Hex.encode(chain.systemContract(at: a)?.code ?? []))
    }

    func getStorageAt(_ p: RPCParams) throws -> JSONValue {
        try p.expect(atMost: 3)
        _ = try p.required(0, Decode.address)
        _ = try p.required(1, Decode.storageSlot)
        _ = try state(try p.optional(2, Decode.block) ?? .latest)
        // No EVM storage here: system contracts keep their state in their own namespaces.
        return .string(Hex.encode([UInt8](repeating: 0, count: 32)))
    }

    func blockObject(_ b: Block, full: Bool) throws -> JSONValue {
        // `size`: the block as stored, certificate (seal) included.
        let size = try chain.reader.storedBlockSize(hash: b.hash) ?? 0
        guard full, !b.transactions.isEmpty else { return RPCObjects.block(b, size: size, full: false) }
        let receipts = try chain.reader.receipts(blockHash: b.hash) ?? []
        var o = RPCObjects.block(b, size: size, full: false)
        let txs: [JSONValue] = b.transactions.enumerated().map { i, tx in
            RPCObjects.transaction(tx, sender: i < receipts.count ? receipts[i].from : nil,
                                   location: (b.hash, b.number, i), baseFee: b.header.baseFeePerGas)
        }
        if case .object(var members) = o, let k = members.firstIndex(where: { $0.0 == "transactions" }) {
            members[k].1 = .array(txs)
            o = .object(members)
        }
        return o
    }

    func transactionAt(_ b: Block?, index: UInt64) throws -> JSONValue {
        guard let b, index < b.transactions.count else { return .null }
        let i = Int(index)
        let sender = try chain.reader.receipts(blockHash: b.hash).flatMap { i < $0.count ? $0[i].from : nil }
        return RPCObjects.transaction(b.transactions[i], sender: sender, location: (b.hash, b.number, i),
                                      baseFee: b.header.baseFeePerGas)
    }

    // MARK: Transactions

    func getTransactionByHash(_ p: RPCParams) throws -> JSONValue {
        try p.expect(atMost: 1)
        let h = try p.required(0, Decode.hash)
        if let loc = try chain.reader.transactionLocation(h), let b = try chain.reader.block(hash: loc.blockHash) {
            return try transactionAt(b, index: UInt64(loc.index))
        }
        if let e = node.pool.get(h) {
            return RPCObjects.transaction(e.tx, sender: e.sender, location: nil, baseFee: nil)
        }
        return .null
    }

    func getTransactionReceipt(_ p: RPCParams) throws -> JSONValue {
        try p.expect(atMost: 1)
        let h = try p.required(0, Decode.hash)
        guard let loc = try chain.reader.transactionLocation(h), let b = try chain.reader.block(hash: loc.blockHash),
              let receipts = try chain.reader.receipts(blockHash: loc.blockHash),
              loc.index < receipts.count, loc.index < b.transactions.count else { return .null }
        let firstLog = receipts[..<loc.index].reduce(0) { $0 + $1.logs.count }
        return RPCObjects.receipt(receipts[loc.index], tx: b.transactions[loc.index], blockHash: b.hash,
                                  blockNumber: b.number, index: loc.index, firstLogIndex: firstLog)
    }

    // MARK: Dry runs

    func callArguments(_ p: RPCParams) throws -> (CallMessage, Header) {
        try p.expect(atMost: 3)
        let m = try p.required(0, Decode.callMessage)
        let spec = try p.optional(1, Decode.block) ?? .latest
        if p.count > 2, let o = p.values[2].objectValue, !o.isEmpty {
            throw RPCError.invalidParams("invalid argument 2: state overrides are not supported")
        }
        guard let h = try header(spec) else {
            if case .hash = spec { throw RPCError.server("header for hash not found") }
            throw RPCError.server("header not found")
        }
        return (m, h)
    }

    func call(_ p: RPCParams) throws -> JSONValue {
        let (m, h) = try callArguments(p)
        return .string(Hex.encode(try chain.call(m, at: h).returnData))
    }

    func estimateGas(_ p: RPCParams) throws -> JSONValue {
        let (m, h) = try callArguments(p)
        return RPCObjects.q(try chain.estimateGas(m, at: h))
    }

    // MARK: Fees

    /// The tip to suggest: the 60th percentile of the three lowest tips of each of the last
    /// 20 blocks with transactions (geth's oracle), the default while there are none.
    func suggestedTip() throws -> UInt256 {
        let head = chain.head
        let headHash = head.hash
        if let c = cachedTip.withLock({ $0 }), c.head == headHash { return c.tip }
        var samples: [UInt256] = []
        var n = head.number
        var seen = 0
        while seen < 20 {
            if let b = try chain.reader.block(number: n), !b.transactions.isEmpty {
                let tips = b.transactions.compactMap { $0.transaction.effectiveTip(baseFee: b.header.baseFeePerGas) }.sorted()
                samples += tips.prefix(3)
                seen += 1
            }
            if n == 0 || head.number - n >= 100 { break }
            n -= 1
        }
        var tip = config.defaultTip
        if !samples.isEmpty {
            samples.sort()
            tip = samples[(samples.count - 1) * 60 / 100]
        }
        tip = max(min(tip, config.maxTip), node.pool.config.minTip)
        cachedTip.withLock { $0 = (headHash, tip) }
        return tip
    }

    func feeHistory(_ p: RPCParams) throws -> JSONValue {
        try p.expect(atMost: 3)
        var count = try p.required(0, Decode.flexibleUInt64)
        let newestSpec = try p.required(1, Decode.blockNumberOrTag)
        let percentiles: [Double] = try p.optional(2) { (v) throws(ParamError) -> [Double] in
            guard case .array(let items) = v else { throw ParamError("cannot unmarshal \(v.typeName) into []float64") }
            if items.count > 100 { throw ParamError("too many reward percentiles: the limit is 100") }
            var out: [Double] = []
            for x in items {
                guard case .number(let n) = x else { throw ParamError("cannot unmarshal \(x.typeName) into float64") }
                let d = n.doubleValue
                if !(d >= 0 && d <= 100) || (out.last.map { d < $0 } ?? false) { throw ParamError("invalid reward percentile") }
                out.append(d)
            }
            return out
        } ?? []
        let wantRewards = p.count > 2 && !p.values[2].isNull
        count = min(count, config.maxFeeHistoryBlocks)
        guard let newest = try header(newestSpec) else { throw RPCError.server("header not found") }
        if count == 0 {
            return .object([("oldestBlock", "0x0"), ("baseFeePerGas", .array([])), ("gasUsedRatio", .array([]))])
        }
        count = min(count, newest.number + 1)
        let oldest = newest.number + 1 - count
        var baseFees: [JSONValue] = []
        var ratios: [JSONValue] = []
        var rewards: [JSONValue] = []
        for n in oldest...newest.number {
            guard let b = try chain.reader.block(number: n) else { throw RPCError.server("header not found") }
            let h = b.header
            baseFees.append(RPCObjects.q(h.baseFeePerGas))
            ratios.append(.number(JSONNumber(h.gasLimit == 0 ? 0 : Double(h.gasUsed) / Double(h.gasLimit))))
            if wantRewards {
                rewards.append(.array(try blockRewards(b, percentiles: percentiles).map(RPCObjects.q)))
            }
        }
        baseFees.append(RPCObjects.q(Header.nextBaseFee(parent: newest)))
        var members: [(String, JSONValue)] = [("oldestBlock", RPCObjects.q(oldest)), ("baseFeePerGas", .array(baseFees)),
                                             ("gasUsedRatio", .array(ratios))]
        if wantRewards { members.append(("reward", .array(rewards))) }
        return .object(members)
    }

    /// Tips at gas-weighted percentiles of a block's transactions (zeros for an empty block).
    func blockRewards(_ b: Block, percentiles: [Double]) throws -> [UInt256] {
        guard !b.transactions.isEmpty, let receipts = try chain.reader.receipts(blockHash: b.hash) else {
            return percentiles.map { _ in .zero }
        }
        let base = b.header.baseFeePerGas
        var items: [(tip: UInt256, gas: UInt64)] = []
        for (i, tx) in b.transactions.enumerated() where i < receipts.count {
            items.append((tx.transaction.effectiveTip(baseFee: base) ?? .zero, receipts[i].gasUsed))
        }
        items.sort { $0.tip < $1.tip }
        let total = items.reduce(UInt64(0)) { $0 + $1.gas }
        var out: [UInt256] = []
        var k = 0
        var cumulative = items[0].gas
        for pct in percentiles {
            let threshold = Double(total) * pct / 100
            while Double(cumulative) < threshold && k < items.count - 1 {
                k += 1
                cumulative += items[k].gas
            }
            out.append(items[k].tip)
        }
        return out
    }

    // MARK: Logs

    /// The block numbers a filter covers, resolved against the head (nil when empty). Only an
    /// explicit `fromBlock` above an explicit `toBlock` is an error, as in geth.
    func range(_ c: FilterCriteria) throws -> ClosedRange<UInt64>? {
        let head = chain.head.number
        func resolve(_ s: BlockSpec?) -> UInt64 {
            switch s {
            case nil, .latest?, .pending?, .safe?, .finalized?, .hash?: return head
            case .earliest?: return 0
            case .number(let n)?: return n
            }
        }
        if case .number(let f)? = c.fromBlock, case .number(let t)? = c.toBlock, f > t {
            throw RPCError.server("invalid block range params")
        }
        let from = resolve(c.fromBlock)
        let to = min(resolve(c.toBlock), head)
        return from <= to ? from...to : nil
    }

    /// Refuses a filter whose explicit numeric range is over the limit, and a reversed range.
    func checkRange(_ c: FilterCriteria) throws {
        guard c.blockHash == nil else { return }
        _ = try range(c)
        if case .number(let from)? = c.fromBlock, case .number(let to)? = c.toBlock, to >= from,
           to - from + 1 > config.maxLogBlockRange {
            throw RPCError.limitExceeded("block range too large: \(to - from + 1) blocks, the limit is \(config.maxLogBlockRange)")
        }
    }

    /// The logs a filter selects, oldest first.
    func logs(_ c: FilterCriteria) throws -> [LocatedLog] {
        if let h = c.blockHash {
            guard try chain.reader.header(hash: h) != nil else { throw RPCError.server("unknown block") }
            let out = try chain.logs(inBlock: h, filter: c.filter)
            if out.count > config.maxLogResults { throw LogLimitExceeded(limit: config.maxLogResults) }
            return out
        }
        guard let r = try range(c) else { return [] }
        let span = r.upperBound - r.lowerBound + 1
        if span > config.maxLogBlockRange {
            throw RPCError.limitExceeded("block range too large: \(span) blocks, the limit is \(config.maxLogBlockRange)")
        }
        return try chain.logs(from: r.lowerBound, to: r.upperBound, filter: c.filter, limit: config.maxLogResults)
    }

    // MARK: Subscriptions

    func subscribe(_ p: RPCParams, _ ctx: RPCCallContext) throws -> JSONValue {
        guard let conn = ctx.connection else { throw RPCError(code: -32601, message: "notifications not supported") }
        try p.expect(atMost: 2)
        let name = try p.required(0) { (v) throws(ParamError) -> String in
            guard case .string(let s) = v else { throw ParamError("cannot unmarshal \(v.typeName) into a subscription name") }
            return s
        }
        let kind: FilterSystem.SubscriptionKind
        switch name {
        case "newHeads":
            try p.expect(atMost: 1)
            kind = .newHeads
        case "logs":
            let c = try p.optional(1, Decode.filterCriteria) ?? FilterCriteria()
            if c.blockHash != nil || c.fromBlock != nil || c.toBlock != nil {
                throw RPCError.invalidParams("invalid argument 1: a logs subscription takes only address and topics")
            }
            kind = .logs(c.filter)
        case "newPendingTransactions":
            kind = .newPendingTransactions(full: try p.optional(1, Decode.bool) ?? false)
        default:
            throw RPCError(code: -32601, message: "no \"\(name)\" subscription in eth namespace")
        }
        return .string(try filters.subscribe(kind, connection: conn))
    }
}
