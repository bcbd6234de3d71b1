import Chain
import JSON
import Primitives
import Transactions

/// Why one parameter could not be read; becomes `invalid argument N: …` (-32602).
public struct ParamError: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// The positional parameters of one call, with geth's errors for missing, extra and
/// malformed arguments.
public struct RPCParams: Sendable {
    /// The arguments, in order.
    public let values: [JSONValue]

    public init(_ values: [JSONValue]) { self.values = values }

    /// How many arguments were given.
    public var count: Int { values.count }

    /// Refuses more than `n` arguments (trailing nulls are tolerated, as geth does).
    public func expect(atMost n: Int) throws(RPCError) {
        var last = values.count
        while last > n, values[last - 1].isNull { last -= 1 }
        if last > n { throw .invalidParams("too many arguments, want at most \(n)") }
    }

    /// Argument `i`, decoded; missing or null is an error.
    public func required<T>(_ i: Int, _ decode: (JSONValue) throws(ParamError) -> T) throws(RPCError) -> T {
        guard i < values.count, !values[i].isNull else { throw .invalidParams("missing value for required argument \(i)") }
        do { return try decode(values[i]) } catch { throw .invalidParams("invalid argument \(i): \(error.message)") }
    }

    /// Argument `i`, decoded, or nil when missing or null.
    public func optional<T>(_ i: Int, _ decode: (JSONValue) throws(ParamError) -> T) throws(RPCError) -> T? {
        guard i < values.count, !values[i].isNull else { return nil }
        do { return try decode(values[i]) } catch { throw .invalidParams("invalid argument \(i): \(error.message)") }
    }
}

/// Which block a call refers to: a tag, a number, or (EIP-1898) a hash.
public enum BlockSpec: Sendable, Equatable {
    case latest, pending, earliest, safe, finalized
    case number(UInt64)
    case hash(Hash32, requireCanonical: Bool)
}

/// Decoders from JSON to the types the methods take. Texts follow geth's hexutil.
public enum Decode {
    static func string(_ v: JSONValue, what: String) throws(ParamError) -> String {
        guard case .string(let s) = v else { throw ParamError("cannot unmarshal \(v.typeName) into \(what)") }
        return s
    }

    /// The hex digits after a required `0x`.
    static func digits(_ s: String) throws(ParamError) -> Substring.UTF8View {
        let u = s.utf8
        guard u.count >= 2, u.first == 0x30, let x = u.dropFirst().first, x == 0x78 || x == 0x58 else {
            throw ParamError(s.isEmpty ? "empty hex string" : "hex string without 0x prefix")
        }
        return Substring(s).utf8.dropFirst(2)
    }

    /// A 64-bit quantity: `0x`-hex without leading zeros.
    public static func uint64(_ v: JSONValue) throws(ParamError) -> UInt64 {
        let s = try string(v, what: "quantity (0x-prefixed hex string)")
        let d = try digits(s)
        guard !d.isEmpty else { throw ParamError("hex string \"0x\"") }
        if d.count > 1, d.first == 0x30 { throw ParamError("hex number with leading zero digits") }
        if d.count > 16 { throw ParamError("hex number > 64 bits") }
        var r: UInt64 = 0
        for c in d {
            guard let n = Hex.nibble(c) else { throw ParamError("invalid hex string") }
            r = r << 4 | UInt64(n)
        }
        return r
    }

    /// A 256-bit quantity.
    public static func uint256(_ v: JSONValue) throws(ParamError) -> UInt256 {
        let s = try string(v, what: "quantity (0x-prefixed hex string)")
        let d = try digits(s)
        guard !d.isEmpty else { throw ParamError("hex string \"0x\"") }
        if d.count > 1, d.first == 0x30 { throw ParamError("hex number with leading zero digits") }
        if d.count > 64 { throw ParamError("hex number > 256 bits") }
        guard let x = UInt256(hex: s) else { throw ParamError("invalid hex string") }
        return x
    }

    /// A count given as a JSON integer or a hex/decimal string (`eth_feeHistory`'s blockCount).
    public static func flexibleUInt64(_ v: JSONValue) throws(ParamError) -> UInt64 {
        switch v {
        case .number(let n):
            guard let x = n.uint64Value else { throw ParamError("not a non-negative integer: \(n.text)") }
            return x
        case .string(let s):
            if s.hasPrefix("0x") || s.hasPrefix("0X") { return try uint64(v) }
            guard let x = UInt64(s) else { throw ParamError("invalid number \"\(s)\"") }
            return x
        default:
            throw ParamError("cannot unmarshal \(v.typeName) into a number")
        }
    }

    /// `0x`-prefixed hex bytes (`0x` alone is empty).
    public static func bytes(_ v: JSONValue) throws(ParamError) -> [UInt8] {
        let s = try string(v, what: "hex bytes (0x-prefixed hex string)")
        _ = try digits(s)
        do { return try Hex.decode(s, requirePrefix: true) } catch {
            throw ParamError(error == .oddLength ? "hex string of odd length" : "invalid hex string")
        }
    }

    /// 20 bytes of hex; the checksum of mixed case is not enforced (geth does not either).
    public static func address(_ v: JSONValue) throws(ParamError) -> Address {
        let s = try string(v, what: "address (0x-prefixed hex string)")
        let b = try bytes(v)
        guard let a = Address(b) else {
            throw ParamError("hex string has length \(max(0, s.utf8.count - 2)), want 40 for common.Address")
        }
        return a
    }

    /// 32 bytes of hex.
    public static func hash(_ v: JSONValue) throws(ParamError) -> Hash32 {
        let s = try string(v, what: "hash (0x-prefixed hex string)")
        let b = try bytes(v)
        guard let h = Hash32(b) else { throw ParamError("hex string has length \(max(0, s.utf8.count - 2)), want 64 for common.Hash") }
        return h
    }

    /// A storage slot: up to 64 hex digits after `0x` (odd lengths allowed, as geth reads them).
    public static func storageSlot(_ v: JSONValue) throws(ParamError) -> Hash32 {
        let s = try string(v, what: "storage slot (0x-prefixed hex string)")
        let d = try digits(s)
        if d.count > 64 { throw ParamError("hex string too long, want at most 32 bytes") }
        guard let x = UInt256(hex: d.isEmpty ? "0" : s) else { throw ParamError("invalid hex string") }
        return Hash32(x)
    }

    /// A JSON boolean.
    public static func bool(_ v: JSONValue) throws(ParamError) -> Bool {
        guard case .bool(let b) = v else { throw ParamError("cannot unmarshal \(v.typeName) into bool") }
        return b
    }

    /// A block tag, a block number, or an EIP-1898 object `{blockNumber}` / `{blockHash, requireCanonical}`.
    public static func block(_ v: JSONValue) throws(ParamError) -> BlockSpec {
        switch v {
        case .string(let s):
            switch s {
            case "latest": return .latest
            case "pending": return .pending
            case "earliest": return .earliest
            case "safe": return .safe
            case "finalized": return .finalized
            default:
                if s.utf8.count == 66 { return .hash(try hash(v), requireCanonical: false) }
                return .number(try uint64(v))
            }
        case .object:
            if let h = v["blockHash"], !h.isNull {
                if let n = v["blockNumber"], !n.isNull { throw ParamError("cannot specify both blockHash and blockNumber, choose one or the other") }
                let canonical = try v["requireCanonical"].map { (x) throws(ParamError) in x.isNull ? false : try bool(x) } ?? false
                return .hash(try hash(h), requireCanonical: canonical)
            }
            if let n = v["blockNumber"], !n.isNull { return try block(n) }
            throw ParamError("block object needs blockHash or blockNumber")
        default:
            throw ParamError("cannot unmarshal \(v.typeName) into a block number or tag")
        }
    }

    /// A block number or tag (no hash): the `fromBlock`/`toBlock` of filters.
    public static func blockNumberOrTag(_ v: JSONValue) throws(ParamError) -> BlockSpec {
        let b = try block(v)
        if case .hash = b { throw ParamError("block hash not allowed here") }
        return b
    }

    /// A transaction call object (`eth_call`, `eth_estimateGas`). Both `input` and `data`
    /// are accepted; when both are present they must be equal.
    public static func callMessage(_ v: JSONValue) throws(ParamError) -> CallMessage {
        guard case .object = v else { throw ParamError("cannot unmarshal \(v.typeName) into a transaction call object") }
        func field<T>(_ name: String, _ d: (JSONValue) throws(ParamError) -> T) throws(ParamError) -> T? {
            guard let x = v[name], !x.isNull else { return nil }
            do { return try d(x) } catch { throw ParamError("\(name): \(error.message)") }
        }
        let input = try field("input", bytes)
        let data = try field("data", bytes)
        if let input, let data, input != data {
            throw ParamError("both \"data\" and \"input\" are set and not equal. Please use \"input\" to pass transaction call data")
        }
        var accessList: [AccessListEntry] = []
        if let al = v["accessList"], !al.isNull { accessList = try Decode.accessList(al) }
        let gasPrice = try field("gasPrice", uint256)
        let maxFee = try field("maxFeePerGas", uint256)
        if gasPrice != nil, maxFee != nil || v["maxPriorityFeePerGas"].map({ !$0.isNull }) == true {
            throw ParamError("both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified")
        }
        _ = try field("maxPriorityFeePerGas", uint256)
        _ = try field("nonce", uint64)
        return CallMessage(from: try field("from", address), to: try field("to", address), gas: try field("gas", uint64),
                           gasPrice: gasPrice ?? maxFee, value: try field("value", uint256) ?? .zero,
                           data: input ?? data ?? [], accessList: accessList)
    }

    /// An EIP-2930 access list: `[{address, storageKeys}]`.
    public static func accessList(_ v: JSONValue) throws(ParamError) -> [AccessListEntry] {
        guard case .array(let items) = v else { throw ParamError("accessList: expected an array") }
        var out: [AccessListEntry] = []
        for item in items {
            guard let a = item["address"] else { throw ParamError("accessList: entry without address") }
            var keys: [Hash32] = []
            if let ks = item["storageKeys"], !ks.isNull {
                guard case .array(let list) = ks else { throw ParamError("accessList: storageKeys must be an array") }
                for k in list { keys.append(try hash(k)) }
            }
            out.append(AccessListEntry(address: try address(a), storageKeys: keys))
        }
        return out
    }

    /// A log filter object: `fromBlock`/`toBlock` or `blockHash`, `address` (one or a list),
    /// `topics` (up to four positions, each null, a topic, or a list of alternatives).
    public static func filterCriteria(_ v: JSONValue) throws(ParamError) -> FilterCriteria {
        guard case .object = v else { throw ParamError("cannot unmarshal \(v.typeName) into a filter object") }
        var c = FilterCriteria()
        if let h = v["blockHash"], !h.isNull {
            if v["fromBlock"].map({ !$0.isNull }) == true || v["toBlock"].map({ !$0.isNull }) == true {
                throw ParamError("cannot specify both BlockHash and FromBlock/ToBlock, choose one or the other")
            }
            c.blockHash = try hash(h)
        }
        if let f = v["fromBlock"], !f.isNull { c.fromBlock = try blockNumberOrTag(f) }
        if let t = v["toBlock"], !t.isNull { c.toBlock = try blockNumberOrTag(t) }
        if let a = v["address"], !a.isNull {
            switch a {
            case .array(let list): for x in list { c.filter.addresses.append(try address(x)) }
            default: c.filter.addresses = [try address(a)]
            }
        }
        if let t = v["topics"], !t.isNull {
            guard case .array(let positions) = t else { throw ParamError("topics: expected an array") }
            if positions.count > 4 { throw ParamError("exceed max topics") }
            for p in positions {
                switch p {
                case .null: c.filter.topics.append(nil)
                case .array(let alts):
                    var hs: [Hash32] = []
                    var any = false
                    for x in alts {
                        if x.isNull { any = true } else { hs.append(try hash(x)) }
                    }
                    c.filter.topics.append(any ? nil : hs)
                default: c.filter.topics.append([try hash(p)])
                }
            }
        }
        return c
    }
}

/// A parsed `eth_getLogs` / `eth_newFilter` object.
public struct FilterCriteria: Sendable, Equatable {
    public var fromBlock: BlockSpec?
    public var toBlock: BlockSpec?
    public var blockHash: Hash32?
    public var filter = LogFilter()
    public init() {}
}
