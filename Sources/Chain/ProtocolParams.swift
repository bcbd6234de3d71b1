import Primitives

/// One governable parameter: its name (as in genesis files, proposals and `provernet_params`),
/// default, the bounds a genesis file or a governance proposal cannot leave, and what it means.
public struct ParameterDefinition: Sendable, Equatable {
    public let name: String
    public let defaultValue: UInt256
    public let min: UInt256
    public let max: UInt256
    public let doc: String

    public init(_ name: String, default defaultValue: UInt256, min: UInt256, max: UInt256, doc: String) {
        self.name = name
        self.defaultValue = defaultValue
        self.min = min
        self.max = max
        self.doc = doc
    }
}

/// A parameter a system contract declares: typically one enum per contract, a case per
/// parameter, so a contract reads `params[MarketParameter.biddingBlocks]` and a typo does not
/// compile.
public protocol ProtocolParameter: Sendable {
    var definition: ParameterDefinition { get }
}

/// Why a parameter value was refused.
public enum ParamError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknown(String)
    case outOfBounds(name: String, value: UInt256, min: UInt256, max: UInt256)
    case inconsistent(String)

    public var description: String {
        switch self {
        case .unknown(let n): return "unknown parameter \(n)"
        case .outOfBounds(let n, let v, let lo, let hi): return "parameter \(n) = \(v) is outside [\(lo), \(hi)]"
        case .inconsistent(let why): return "parameters inconsistent: \(why)"
        }
    }
}

/// The parameters a chain runs with, as its system contracts declare them: each definition in
/// a fixed order (the order `provernet_params` lists them), and the rules that tie them
/// together (each contract's own).
public struct ParameterRegistry: Sendable {
    public let definitions: [ParameterDefinition]
    let byName: [String: ParameterDefinition]
    /// Each rule returns why the parameters break it, or nil.
    let rules: [@Sendable (ProtocolParams) -> ParamError?]

    /// A registry of `definitions` (names must be distinct) and cross-parameter `rules` (each
    /// returns why the parameters break it, or nil).
    public init(_ definitions: [ParameterDefinition], rules: [@Sendable (ProtocolParams) -> ParamError?] = []) {
        var byName: [String: ParameterDefinition] = [:]
        for d in definitions {
            precondition(byName[d.name] == nil, "parameter \(d.name) declared twice")
            byName[d.name] = d
        }
        self.definitions = definitions
        self.byName = byName
        self.rules = rules
    }

    /// No parameters (a chain without system contracts).
    public static let empty = ParameterRegistry([])

    /// The definition named `name`.
    public func definition(_ name: String) -> ParameterDefinition? { byName[name] }

    /// Every parameter at its default.
    public var defaults: ProtocolParams {
        ProtocolParams(registry: self, values: Dictionary(uniqueKeysWithValues: definitions.map { ($0.name, $0.defaultValue) }))
    }
}

/// The governable parameters' values (DESIGN.md section 3). They live in the world state, so
/// the state root covers them and a passed proposal changes them like any other state.
public struct ProtocolParams: Sendable, Equatable {
    /// What may be set.
    public let registry: ParameterRegistry
    /// Values by name; every registered parameter has one.
    public private(set) var values: [String: UInt256]

    init(registry: ParameterRegistry, values: [String: UInt256]) {
        self.registry = registry
        self.values = values
    }

    public static func == (a: ProtocolParams, b: ProtocolParams) -> Bool { a.values == b.values }

    /// The parameter's value (its default if this registry does not hold it).
    public subscript(_ p: some ProtocolParameter) -> UInt256 {
        let d = p.definition
        return values[d.name] ?? d.defaultValue
    }

    /// A parameter as a 64-bit number (block counts, bps, gas); bounds keep them small.
    public func u64(_ p: some ProtocolParameter) -> UInt64 { self[p].uint64 ?? .max }

    /// A parameter by name (for listings and proposals); nil when unknown.
    public func value(named name: String) -> UInt256? { values[name] }

    /// Returns these parameters with `name` set to `value`, checked against its bounds and the
    /// cross-parameter rules.
    public func setting(_ name: String, to value: UInt256) throws(ParamError) -> ProtocolParams {
        try setting(name, to: value, checkingRules: true)
    }

    func setting(_ name: String, to value: UInt256, checkingRules: Bool) throws(ParamError) -> ProtocolParams {
        guard let def = registry.definition(name) else { throw .unknown(name) }
        guard value >= def.min, value <= def.max else {
            throw .outOfBounds(name: name, value: value, min: def.min, max: def.max)
        }
        var copy = self
        copy.values[name] = value
        if checkingRules { try copy.checkConsistency() }
        return copy
    }

    /// The rules that tie parameters together.
    public func checkConsistency() throws(ParamError) {
        for rule in registry.rules { if let e = rule(self) { throw e } }
    }
}
