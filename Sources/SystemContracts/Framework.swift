import ABI
import Chain
import Foundation
import JSON
import Primitives
import RLP

/// One named ABI parameter (for ABI JSON, and `indexed` for events).
public struct Param: Sendable {
    public let name: String
    public let type: ABIType
    public let indexed: Bool

    public init(_ name: String, _ type: ABIType, indexed: Bool = false) {
        self.name = name
        self.type = type
        self.indexed = indexed
    }
}

/// The calling context a method body sees.
public struct CallContext {
    public let state: WorldState
    public let block: BlockContext
    public let caller: Address
    public let value: UInt256
    public let contract: Address
    public var logs: [Log] = []

    public var params: ProtocolParams { block.params }

    /// Appends an event log.
    public mutating func emit(_ event: EventSpec, _ values: [ABIValue]) {
        logs.append(event.log(address: contract, values))
    }
}

/// A method of a system contract.
public struct MethodSpec: Sendable {
    public let name: String
    public let inputs: [Param]
    public let outputs: [Param]
    public let payable: Bool
    public let view: Bool
    /// Gas beyond intrinsic, from the parameters and the call.
    public let gas: @Sendable (ProtocolParams, [UInt8]) -> UInt64
    public let body: @Sendable (inout CallContext, [ABIValue]) throws(Revert) -> [ABIValue]
    /// The 4-byte selector, computed once.
    public let selector: [UInt8]
    let inputTypes: [ABIType]
    let outputTypes: [ABIType]

    public init(_ name: String, _ inputs: [Param], returns outputs: [Param] = [], payable: Bool = false, view: Bool = false,
                gas: @escaping @Sendable (ProtocolParams, [UInt8]) -> UInt64,
                _ body: @escaping @Sendable (inout CallContext, [ABIValue]) throws(Revert) -> [ABIValue]) {
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
        self.payable = payable
        self.view = view
        self.gas = gas
        self.body = body
        self.inputTypes = inputs.map(\.type)
        self.outputTypes = outputs.map(\.type)
        self.selector = ABI.selector("\(name)(\(inputs.map(\.type.description).joined(separator: ",")))")
    }

    public var signature: String { "\(name)(\(inputs.map(\.type.description).joined(separator: ",")))" }
}

/// A Solidity-style event.
public struct EventSpec: Sendable {
    public let name: String
    public let params: [Param]

    public init(_ name: String, _ params: [Param]) {
        self.name = name
        self.params = params
    }

    public var signature: String { "\(name)(\(params.map(\.type.description).joined(separator: ",")))" }
    /// Topic 0: keccak256 of the signature.
    public var topic: Hash32 { ABI.eventTopic(signature) }

    /// The log: topic 0, indexed arguments as topics (static types as their word, dynamic ones
    /// as the keccak256 of their encoding), the rest ABI-encoded as data.
    public func log(address: Address, _ values: [ABIValue]) -> Log {
        precondition(values.count == params.count, "event \(name) takes \(params.count) values")
        var topics = [topic]
        var dataValues: [ABIValue] = [], dataTypes: [ABIType] = []
        for (p, v) in zip(params, values) {
            if p.indexed {
                let enc = (try? ABI.encode([v], as: [p.type])) ?? []
                // A static value encodes to one word; anything else is hashed like a dynamic one.
                topics.append(!p.type.isDynamic && enc.count == 32 ? Hash32(enc) ?? .zero : Hash32.keccak256(enc))
            } else {
                dataValues.append(v)
                dataTypes.append(p.type)
            }
        }
        return Log(address: address, topics: topics, data: (try? ABI.encode(dataValues, as: dataTypes)) ?? [])
    }
}

/// Shared machinery for the node's system contracts: dispatch by selector, gas, ABI decoding
/// (malformed calldata reverts), `Error(string)` reverts, events, and the ABI JSON.
public protocol ABIContract: SystemContract {
    var name: String { get }
    var methods: [MethodSpec] { get }
    var events: [EventSpec] { get }
    /// The methods by selector, built once per contract type (a `static let`).
    var dispatchTable: DispatchTable { get }
}

/// Methods by 4-byte selector.
public struct DispatchTable: Sendable {
    let bySelector: [UInt32: MethodSpec]

    public init(_ methods: [MethodSpec]) {
        var t: [UInt32: MethodSpec] = [:]
        for m in methods { t[DispatchTable.key(m.selector[...])] = m }
        bySelector = t
    }

    static func key(_ s: ArraySlice<UInt8>) -> UInt32 {
        s.reduce(0) { $0 << 8 | UInt32($1) }
    }

    func method(_ selector: ArraySlice<UInt8>) -> MethodSpec? { bySelector[DispatchTable.key(selector)] }
}

extension ABIContract {
    /// Placeholder bytecode (`0xfe`, INVALID, then the contract's name) so `eth_getCode` is
    /// non-empty and wallets treat the address as a contract.
    public var code: [UInt8] { [0xfe] + Array("ProverNet system contract: \(name)".utf8) }

    public func call(_ call: SystemCall, state: WorldState, context: BlockContext) throws(Revert) -> CallOutcome {
        guard call.input.count >= 4 else {
            throw Revert("\(name): no method selector in calldata", gasUsed: context.params.u64(FrameworkParameter.gasSystemCall))
        }
        let selector = Array(call.input[0..<4])
        guard let m = dispatchTable.method(call.input[0..<4]) else {
            throw Revert("\(name): unknown method 0x\(Hex.encode(selector, prefix: false))", gasUsed: context.params.u64(FrameworkParameter.gasSystemCall))
        }
        let gas = context.params.u64(FrameworkParameter.gasSystemCall) &+ m.gas(context.params, call.input)
        guard gas <= call.gasAvailable else { throw Revert("out of gas", gasUsed: call.gasAvailable) }
        if !m.payable, !call.value.isZero { throw Revert("\(m.name) is not payable", gasUsed: gas) }
        let args: [ABIValue]
        do { args = try ABI.decode(m.inputTypes, from: call.input.dropFirst(4)) } catch {
            throw Revert("malformed calldata for \(m.name): \(error)", gasUsed: gas)
        }
        var ctx = CallContext(state: state, block: context, caller: call.caller, value: call.value, contract: address)
        let out: [ABIValue]
        do { out = try m.body(&ctx, args) } catch { throw Revert(error.reason, gasUsed: gas) }
        let data = m.outputTypes.isEmpty ? [] : ((try? ABI.encode(out, as: m.outputTypes)) ?? [])
        return CallOutcome(gasUsed: gas, returnData: data, logs: ctx.logs)
    }

    /// Standard ABI JSON (what web3.py and ethers load as a contract).
    public var abiJSON: JSONValue {
        func params(_ ps: [Param], event: Bool) -> JSONValue {
            .array(ps.map { p in
                var o: [(String, JSONValue)] = [("name", .string(p.name)), ("type", .string(p.type.description))]
                if case .tuple = p.type { o.append(("components", .array([]))) }
                if event { o.append(("indexed", .bool(p.indexed))) }
                return .object(o)
            })
        }
        var items: [JSONValue] = methods.map { m in
            .object([("type", "function"), ("name", .string(m.name)), ("inputs", params(m.inputs, event: false)),
                     ("outputs", params(m.outputs, event: false)),
                     ("stateMutability", .string(m.view ? "view" : m.payable ? "payable" : "nonpayable"))])
        }
        items += events.map { e in
            .object([("type", "event"), ("name", .string(e.name)), ("inputs", params(e.params, event: true)), ("anonymous", false)])
        }
        items.append(.object([("type", "error"), ("name", "Error"), ("inputs", .array([.object([("name", "reason"), ("type", "string")])]))]))
        return .array(items)
    }
}

/// Argument readers that turn a type mismatch into a revert (the ABI decoder already checked
/// types, so these only fail on programming errors).
extension Array where Element == ABIValue {
    func uint(_ i: Int) -> UInt256 { self[i].uintValue ?? .zero }
    func address(_ i: Int) -> Address { self[i].addressValue ?? .zero }
    func string(_ i: Int) -> String { self[i].stringValue ?? "" }
    func bytes(_ i: Int) -> [UInt8] { self[i].bytesValue ?? [] }
    /// A `bytes32` argument (the decoder checked its length).
    func hash(_ i: Int) -> Hash32 { Hash32(bytes(i)) ?? .zero }
    func bool(_ i: Int) -> Bool { self[i].boolValue ?? false }
}

/// Throws a revert with `reason` unless `condition` holds.
@inline(__always)
func require(_ condition: Bool, _ reason: @autoclosure () -> String) throws(Revert) {
    if !condition { throw Revert(reason(), gasUsed: 0) }
}

/// Ids scheduled for the end of a given block (auction assignments, governance tallies), stored
/// under a contract's own key as an RLP list.
enum BlockSchedule {
    /// A block number as a key part: 8 bytes, big-endian.
    static func number(_ n: UInt64) -> [UInt8] { n.bigEndianBytes }

    static func ids(_ state: WorldState, _ key: StateKey) throws -> [UInt256] {
        guard let raw = try state.get(key) else { return [] }
        var d = RLPDecoder(raw)
        var l = try d.readList()
        var out: [UInt256] = []
        while !l.isAtEnd { out.append(try l.readUInt256()) }
        return out
    }

    static func setIDs(_ state: WorldState, _ key: StateKey, _ ids: [UInt256]) {
        state.set(key, ids.isEmpty ? nil : RLPItem.list(ids.map { .bytes($0.minimalBigEndianBytes) }).rlpEncoded)
    }
}
