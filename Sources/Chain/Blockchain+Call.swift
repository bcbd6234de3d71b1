import Primitives
import StateTree
import Storage
import Transactions

// Read-only work for JSON-RPC: state at any block, dry runs (`eth_call`, `eth_estimateGas`) and
// log queries (`eth_getLogs`). Nothing here writes to the store.

/// A message to run without a transaction: the fields of an `eth_call` object.
public struct CallMessage: Sendable {
    /// The caller; the zero address when absent.
    public var from: Address?
    /// Nil is a contract creation, which this chain does not run.
    public var to: Address?
    /// Gas available; the block gas limit when absent.
    public var gas: UInt64?
    /// The price per gas to charge the caller (legacy `gasPrice`, or the EIP-1559 cap). When
    /// absent, gas is free and the caller's balance only has to cover `value`, as in geth.
    public var gasPrice: UInt256?
    public var value: UInt256
    public var data: [UInt8]
    public var accessList: [AccessListEntry]

    public init(from: Address? = nil, to: Address?, gas: UInt64? = nil, gasPrice: UInt256? = nil,
                value: UInt256 = .zero, data: [UInt8] = [], accessList: [AccessListEntry] = []) {
        self.from = from
        self.to = to
        self.gas = gas
        self.gasPrice = gasPrice
        self.value = value
        self.data = data
        self.accessList = accessList
    }

    /// Intrinsic gas of a transaction carrying this message (21000 + calldata + access list).
    public var intrinsicGas: UInt64 {
        Transaction(type: .dynamicFee, chainID: 0, nonce: 0, maxFeePerGas: .zero, maxPriorityFeePerGas: .zero,
                    gasLimit: 0, to: to, value: value, data: data, accessList: accessList).intrinsicGas
    }
}

/// What a successful dry run produced.
public struct CallResult: Sendable, Equatable {
    public var returnData: [UInt8]
    /// Gas a transaction with this message would use (intrinsic gas included).
    public var gasUsed: UInt64
    public var logs: [Log]
}

/// Why a dry run failed. Texts as geth's.
public enum CallError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The call reverted: `execution reverted: reason`, with `Error(string)` revert data.
    case reverted(Revert)
    case insufficientFunds(address: Address, have: UInt256, want: UInt256)
    case intrinsicGasTooLow(have: UInt64, want: UInt64)
    case outOfGas(allowance: UInt64)
    case contractCreation

    public var description: String {
        switch self {
        case .reverted(let r): return r.description
        case .insufficientFunds(let a, let have, let want):
            return "insufficient funds for gas * price + value: address \(a) have \(have) want \(want)"
        case .intrinsicGasTooLow(let have, let want): return "intrinsic gas too low: have \(have), want \(want)"
        case .outOfGas(let allowance): return "gas required exceeds allowance (\(allowance))"
        case .contractCreation: return "contract creation is not supported"
        }
    }
}

/// State read through the state tree at a historical root.
struct TreeStateReader: StateReader {
    let tree: SparseMerkleTree
    func stateValue(_ key: [UInt8]) throws -> [UInt8]? { try tree.get(key) }
}

/// One log with its position in the chain, as `eth_getLogs` returns it.
public struct LocatedLog: Sendable, Equatable {
    public var log: Log
    public var blockNumber: UInt64
    public var blockHash: Hash32
    public var blockTimestamp: UInt64
    public var transactionHash: Hash32
    public var transactionIndex: Int
    /// Position among all logs of the block.
    public var logIndex: Int

    public init(log: Log, blockNumber: UInt64, blockHash: Hash32, blockTimestamp: UInt64, transactionHash: Hash32,
                transactionIndex: Int, logIndex: Int) {
        self.log = log
        self.blockNumber = blockNumber
        self.blockHash = blockHash
        self.blockTimestamp = blockTimestamp
        self.transactionHash = transactionHash
        self.transactionIndex = transactionIndex
        self.logIndex = logIndex
    }
}

/// Which logs a query wants: addresses (any of; empty = all) and topics by position, each
/// position nil (anything) or a list of alternatives.
public struct LogFilter: Sendable, Equatable {
    public var addresses: [Address]
    public var topics: [[Hash32]?]

    public init(addresses: [Address] = [], topics: [[Hash32]?] = []) {
        self.addresses = addresses
        self.topics = topics
    }

    /// Whether `log` matches.
    public func matches(_ log: Log) -> Bool {
        if !addresses.isEmpty && !addresses.contains(log.address) { return false }
        if topics.count > log.topics.count { return false }
        for (i, alternatives) in topics.enumerated() {
            guard let alternatives, !alternatives.isEmpty else { continue }
            if !alternatives.contains(log.topics[i]) { return false }
        }
        return true
    }

    /// Whether a block with `bloom` may hold a match (no false negatives).
    public func mayMatch(_ bloom: Bloom) -> Bool {
        if !addresses.isEmpty && !addresses.contains(where: { bloom.mayContain($0.bytes) }) { return false }
        for alternatives in topics {
            guard let alternatives, !alternatives.isEmpty else { continue }
            if !alternatives.contains(where: { bloom.mayContain($0.bytes) }) { return false }
        }
        return true
    }
}

/// A log query hit its result limit.
public struct LogLimitExceeded: Error, Sendable, Equatable {
    public var limit: Int
    public init(limit: Int) { self.limit = limit }
}

extension Blockchain {
    /// The state as of `header`: the flat latest state for the head, the state tree at the
    /// header's root for older blocks.
    public func state(at header: Header) -> WorldState {
        if header.hash == head.hash { return latestState() }
        return WorldState(base: TreeStateReader(tree: stateTree(root: header.stateRoot)))
    }

    /// The parameters this chain's contracts declare.
    public var parameters: ParameterRegistry { executor.contracts.parameters }

    /// The raw keys of the latest state under `prefix`, in key order (from the flat copy of
    /// the state: listing a contract's records).
    public func latestStateKeys(prefix: StateKey) throws -> [[UInt8]] {
        let flat = ChainSchema.stateKey(prefix.bytes)
        let strip = ChainSchema.statePrefix.count
        var out: [[UInt8]] = []
        try store.scan(prefix: flat) { key, _ in
            out.append(Array(key.dropFirst(strip)))
            return true
        }
        return out
    }

    /// The system contract at `address`, if one runs there.
    public func systemContract(at address: Address) -> (any SystemContract)? {
        executor.contracts.byAddress[address]
    }

    /// Runs `message` against the state of `header` and discards every change: `eth_call`.
    public func call(_ message: CallMessage, at header: Header) throws -> CallResult {
        let state = state(at: header)
        let ctx = BlockContext(number: header.number, timestamp: header.timestamp, coinbase: header.coinbase,
                               baseFee: header.baseFeePerGas, gasLimit: header.gasLimit, chainID: genesis.chainID,
                               params: try state.params(parameters),
                               stateAfterBlock: { [unowned self] n in try self.stateReader(afterBlock: n) })
        return try dryRun(message, state: state, context: ctx)
    }

    /// The gas a transaction carrying `message` would use on top of `header`:
    /// `eth_estimateGas`. Reverts and shortfalls are errors, as in geth.
    public func estimateGas(_ message: CallMessage, at header: Header) throws -> UInt64 {
        try call(message, at: header).gasUsed
    }

    func dryRun(_ m: CallMessage, state: WorldState, context: BlockContext) throws -> CallResult {
        guard let to = m.to else { throw CallError.contractCreation }
        let from = m.from ?? .zero
        let gas = min(m.gas ?? context.gasLimit, context.gasLimit)
        let intrinsic = m.intrinsicGas
        if m.gas != nil && gas < intrinsic { throw CallError.intrinsicGasTooLow(have: gas, want: intrinsic) }
        if gas < intrinsic { throw CallError.outOfGas(allowance: gas) }
        let balance = try state.balance(from)
        let fee = (m.gasPrice ?? .zero).checkedMul(UInt256(gas)) ?? .max
        let want = fee.checkedAdd(m.value) ?? .max
        if balance < want { throw CallError.insufficientFunds(address: from, have: balance, want: want) }
        guard let contract = executor.contracts.byAddress[to] else {
            return CallResult(returnData: [], gasUsed: intrinsic, logs: [])
        }
        let call = SystemCall(caller: from, value: m.value, input: m.data, gasAvailable: gas - intrinsic, isTransaction: false)
        let out: CallOutcome
        do { out = try Executor.call(contract, call, state: state, context: context) } catch let r as Revert {
            throw CallError.reverted(r)
        }
        return CallResult(returnData: out.returnData, gasUsed: intrinsic + out.gasUsed, logs: out.logs)
    }

    // MARK: Logs

    /// The logs of one block matching `filter`, with their positions.
    public func logs(inBlock hash: Hash32, filter: LogFilter) throws -> [LocatedLog] {
        guard let block = try reader.block(hash: hash) else { return [] }
        return try logs(in: block, filter: filter)
    }

    /// The logs of `block` matching `filter`.
    public func logs(in block: Block, filter: LogFilter) throws -> [LocatedLog] {
        guard filter.mayMatch(block.header.logsBloom), let receipts = try reader.receipts(blockHash: block.hash) else { return [] }
        return LocatedLog.all(in: block, receipts: receipts, blockLogs: try reader.blockLogs(blockHash: block.hash),
                              where: filter.matches)
    }

    /// The canonical logs in blocks `from...to` matching `filter`, oldest first. Blocks are
    /// found through the per-address and per-topic log indexes where the filter names
    /// addresses or topics, otherwise through each header's bloom. Throws
    /// ``LogLimitExceeded`` past `limit` results.
    public func logs(from: UInt64, to: UInt64, filter: LogFilter, limit: Int = .max) throws -> [LocatedLog] {
        guard from <= to else { return [] }
        var out: [LocatedLog] = []
        for n in try candidateBlocks(from: from, to: to, filter: filter) {
            guard let hash = try reader.canonicalHash(n), let header = try reader.header(hash: hash),
                  filter.mayMatch(header.logsBloom), let block = try reader.block(hash: hash) else { continue }
            out += try logs(in: block, filter: filter)
            if out.count > limit { throw LogLimitExceeded(limit: limit) }
        }
        return out
    }

    /// Blocks in `from...to` that may hold matches, ascending.
    func candidateBlocks(from: UInt64, to: UInt64, filter: LogFilter) throws -> [UInt64] {
        var sets: [Set<UInt64>] = []
        if !filter.addresses.isEmpty {
            var s = Set<UInt64>()
            for a in filter.addresses { s.formUnion(try indexedBlocks(ChainSchema.logAddressIndexPrefix + a.bytes, from: from, to: to)) }
            sets.append(s)
        }
        for alternatives in filter.topics {
            guard let alternatives, !alternatives.isEmpty else { continue }
            var s = Set<UInt64>()
            for t in alternatives { s.formUnion(try indexedBlocks(ChainSchema.logTopicIndexPrefix + t.bytes, from: from, to: to)) }
            sets.append(s)
        }
        guard var result = sets.first else { return Array(from...to) }
        for s in sets.dropFirst() { result.formIntersection(s) }
        return result.sorted()
    }

    /// Block numbers under an index prefix (prefix ‖ 8-byte number) within `from...to`.
    func indexedBlocks(_ prefix: [UInt8], from: UInt64, to: UInt64) throws -> [UInt64] {
        var out: [UInt64] = []
        try store.scan(prefix: prefix, from: prefix + ChainSchema.encode(from)) { key, _ in
            guard let n = ChainSchema.decodeNumber(key[prefix.count...]), n <= to else { return false }
            out.append(n)
            return true
        }
        return out
    }
}
