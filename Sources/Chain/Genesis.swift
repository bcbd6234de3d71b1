import Foundation
import JSON
import Primitives
import Secp256k1

/// A parsed and checked genesis file (`Genesis/devnet.json`; fields in `Genesis/README.md`).
public struct Genesis: Sendable {
    public struct Prover: Sendable, Equatable {
        public var address: Address
        public var name: String
        public var stake: UInt256
        public var commissionBps: UInt64
    }

    public var chainID: UInt64
    public var timestamp: UInt64
    public var extraData: [UInt8]
    public var gasLimit: UInt64
    public var baseFeePerGas: UInt256
    /// Seconds between blocks when the node seals.
    public var blockTime: Double
    public var sealer: Address
    /// The development sealer key (`--dev` uses it). Never put a real key in a genesis file.
    public var devSealerKey: PrivateKey?
    /// Funded accounts, sorted by address.
    public var alloc: [(address: Address, balance: UInt256)]
    public var provers: [Prover]
    /// The parameters, checked against the registry the genesis was parsed with.
    public var params: ProtocolParams

    /// A field that is missing or wrong, named by its JSON path.
    public struct GenesisError: Error, Equatable, Sendable, CustomStringConvertible {
        public let field: String
        public let problem: String
        public var description: String { "genesis: \(field): \(problem)" }
        public init(field: String, problem: String) {
            self.field = field
            self.problem = problem
        }
    }

    /// Parses and checks a genesis file; `parameters` are the ones its chain's contracts declare.
    public init(contentsOf path: String, parameters: ParameterRegistry) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GenesisError(field: "(file)", problem: "cannot read \(path)")
        }
        try self.init(json: data, parameters: parameters)
    }

    /// Parses and checks genesis JSON. Every problem names the field at fault.
    public init(json data: Data, parameters: ParameterRegistry) throws {
        let parsed: JSONValue
        do { parsed = try JSONValue.parse(Array(data)) } catch {
            throw GenesisError(field: "(file)", problem: "not valid JSON")
        }
        guard let root = parsed.objectValue else { throw GenesisError(field: "(file)", problem: "must be a JSON object") }
        let known: Set = ["chainId", "timestamp", "extraData", "gasLimit", "baseFeePerGas", "blockTime", "sealer", "alloc",
                          "provers", "params", "comment"]
        for (k, _) in root where !known.contains(k) { throw GenesisError(field: k, problem: "unknown field") }
        try J.noDuplicates(root, path: nil)

        chainID = try J.u64(parsed, "chainId", min: 1, max: UInt64(Int64.max) / 2 - 36)
        timestamp = try J.u64(parsed, "timestamp", min: 0, max: UInt64(Int64.max))
        let extra = try J.string(parsed, "extraData")
        guard let extraBytes = [UInt8](hex: extra) else { throw GenesisError(field: "extraData", problem: "not hex") }
        guard extraBytes.count <= 32 else { throw GenesisError(field: "extraData", problem: "longer than 32 bytes") }
        extraData = extraBytes
        gasLimit = try J.u64(parsed, "gasLimit", min: 100_000, max: 1_000_000_000)
        baseFeePerGas = try J.u256(parsed, "baseFeePerGas", min: 1)
        guard let bt = parsed["blockTime"]?.numberValue?.doubleValue, bt >= 0.05, bt <= 3600 else {
            throw GenesisError(field: "blockTime", problem: parsed["blockTime"] == nil ? "missing" : "must be a number of seconds in [0.05, 3600]")
        }
        blockTime = bt

        guard let s = parsed["sealer"], let sealerMembers = s.objectValue else {
            throw GenesisError(field: "sealer", problem: parsed["sealer"] == nil ? "missing" : "must be an object")
        }
        try J.noDuplicates(sealerMembers, path: "sealer")
        sealer = try J.address(s, "address", path: "sealer.address")
        if let keyText = s["devPrivateKey"] {
            guard let k = keyText.stringValue, let key = try? PrivateKey(hex: k) else {
                throw GenesisError(field: "sealer.devPrivateKey", problem: "not a valid secp256k1 private key")
            }
            guard key.address == sealer else {
                throw GenesisError(field: "sealer.devPrivateKey", problem: "belongs to \(key.address), not the sealer \(sealer)")
            }
            devSealerKey = key
        } else {
            devSealerKey = nil
        }

        guard let allocObj = parsed["alloc"]?.objectValue else {
            throw GenesisError(field: "alloc", problem: parsed["alloc"] == nil ? "missing" : "must be an object of address → {balance}")
        }
        var seen = Set<Address>()
        var alloc: [(Address, UInt256)] = []
        var supply = UInt256.zero
        for (key, value) in allocObj {
            let a: Address
            do { a = try Address(hex: key) } catch { throw GenesisError(field: "alloc.\(key)", problem: error.description) }
            guard seen.insert(a).inserted else { throw GenesisError(field: "alloc.\(key)", problem: "duplicate account") }
            guard let entry = value.objectValue else { throw GenesisError(field: "alloc.\(key)", problem: "must be an object") }
            try J.noDuplicates(entry, path: "alloc.\(key)")
            let bal = try J.u256(value, "balance", min: 0, path: "alloc.\(key).balance")
            guard let s = supply.checkedAdd(bal) else { throw GenesisError(field: "alloc.\(key).balance", problem: "total supply exceeds 2^256") }
            supply = s
            alloc.append((a, bal))
        }
        self.alloc = alloc.sorted { $0.0.uint256 < $1.0.uint256 }.map { (address: $0.0, balance: $0.1) }

        var params = parameters.defaults
        guard let p = parsed["params"] else { throw GenesisError(field: "params", problem: "missing") }
        guard let pObj = p.objectValue else { throw GenesisError(field: "params", problem: "must be an object") }
        try J.noDuplicates(pObj, path: "params")
        for (name, _) in pObj {
            guard let def = parameters.definition(name) else { throw GenesisError(field: "params.\(name)", problem: "unknown parameter") }
            let v = try J.u256(p, name, min: 0, path: "params.\(name)")
            guard v >= def.min, v <= def.max else {
                throw GenesisError(field: "params.\(name)", problem: "\(v) is outside [\(def.min), \(def.max)]")
            }
            do { params = try params.setting(name, to: v, checkingRules: false) } catch {
                throw GenesisError(field: "params.\(name)", problem: error.description)
            }
        }
        for def in parameters.definitions where p[def.name] == nil {
            throw GenesisError(field: "params.\(def.name)", problem: "missing")
        }
        do { try params.checkConsistency() } catch { throw GenesisError(field: "params", problem: error.description) }
        self.params = params

        var provers: [Prover] = []
        guard let pl = parsed["provers"]?.arrayValue else {
            throw GenesisError(field: "provers", problem: parsed["provers"] == nil ? "missing" : "must be an array")
        }
        var proverSeen = Set<Address>()
        for (i, o) in pl.enumerated() {
            let path = "provers[\(i)]"
            guard let members = o.objectValue else { throw GenesisError(field: path, problem: "must be an object") }
            try J.noDuplicates(members, path: path)
            let a = try J.address(o, "address", path: "\(path).address")
            guard proverSeen.insert(a).inserted else { throw GenesisError(field: "\(path).address", problem: "duplicate prover") }
            let name = try J.string(o, "name", path: "\(path).name")
            guard !name.isEmpty, name.utf8.count <= 64 else { throw GenesisError(field: "\(path).name", problem: "must be 1 to 64 bytes") }
            let stake = try J.u256(o, "stake", min: 0, path: "\(path).stake")
            let commission = try J.u64(o, "commissionBps", min: 0, max: 10_000, path: "\(path).commissionBps")
            guard let s = supply.checkedAdd(stake) else { throw GenesisError(field: "\(path).stake", problem: "total supply exceeds 2^256") }
            supply = s
            provers.append(Prover(address: a, name: name, stake: stake, commissionBps: commission))
        }
        self.provers = provers
    }

    /// Total BREV at genesis: balances plus staked.
    public var supply: UInt256 {
        alloc.reduce(UInt256.zero) { $0 + $1.balance } + provers.reduce(UInt256.zero) { $0 + $1.stake }
    }
}

/// JSON field readers that name the field at fault.
enum J {
    typealias E = Genesis.GenesisError

    /// A key given twice in one object is refused (the parser keeps both).
    static func noDuplicates(_ members: [(String, JSONValue)], path: String?) throws {
        var keys = Set<String>()
        for (k, _) in members where !keys.insert(k).inserted {
            throw E(field: path.map { "\($0).\(k)" } ?? k, problem: "given twice")
        }
    }

    static func string(_ o: JSONValue, _ key: String, path: String? = nil) throws -> String {
        guard let v = o[key] else { throw E(field: path ?? key, problem: "missing") }
        guard let s = v.stringValue else { throw E(field: path ?? key, problem: "must be a string") }
        return s
    }

    static func address(_ o: JSONValue, _ key: String, path: String) throws -> Address {
        let s = try string(o, key, path: path)
        do { return try Address(hex: s) } catch { throw E(field: path, problem: error.description) }
    }

    /// A non-negative integer given as a JSON number (exact, below 2^53) or a decimal / 0x string.
    static func u256(_ o: JSONValue, _ key: String, min: UInt256, path: String? = nil) throws -> UInt256 {
        let field = path ?? key
        guard let v = o[key] else { throw E(field: field, problem: "missing") }
        let value: UInt256
        if let s = v.stringValue {
            if s.hasPrefix("-") { throw E(field: field, problem: "must not be negative") }
            guard let x = UInt256(s) else { throw E(field: field, problem: "not an integer below 2^256: \(s)") }
            value = x
        } else if let n = v.numberValue {
            if n.text.hasPrefix("-") { throw E(field: field, problem: "must not be negative") }
            guard n.isInteger, let x = n.uint64Value, x < 9_007_199_254_740_992 else {
                throw E(field: field, problem: "not an exact integer; write large numbers as strings")
            }
            value = UInt256(x)
        } else {
            throw E(field: field, problem: "must be an integer or a numeric string")
        }
        if value < min { throw E(field: field, problem: "\(value) is below the minimum \(min)") }
        return value
    }

    static func u64(_ o: JSONValue, _ key: String, min: UInt64, max: UInt64, path: String? = nil) throws -> UInt64 {
        let field = path ?? key
        let v = try u256(o, key, min: UInt256(min), path: field)
        guard let x = v.uint64, x <= max else { throw E(field: field, problem: "\(v) is above the maximum \(max)") }
        return x
    }
}
