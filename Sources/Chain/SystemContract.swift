import ABI
import Primitives

/// The block a transaction runs in.
public struct BlockContext: Sendable {
    public var number: UInt64
    public var timestamp: UInt64
    public var coinbase: Address
    public var baseFee: UInt256
    public var gasLimit: UInt64
    public var chainID: UInt64
    public var params: ProtocolParams
    /// The committed state after block `n` (for snapshots such as voting power); nil when
    /// history is unavailable.
    public var stateAfterBlock: (@Sendable (UInt64) throws -> (any StateReader)?)?

    public init(number: UInt64, timestamp: UInt64, coinbase: Address, baseFee: UInt256, gasLimit: UInt64,
                chainID: UInt64, params: ProtocolParams, stateAfterBlock: (@Sendable (UInt64) throws -> (any StateReader)?)? = nil) {
        self.stateAfterBlock = stateAfterBlock
        self.number = number
        self.timestamp = timestamp
        self.coinbase = coinbase
        self.baseFee = baseFee
        self.gasLimit = gasLimit
        self.chainID = chainID
        self.params = params
    }
}

/// One call into a system contract.
public struct SystemCall: Sendable {
    public var caller: Address
    public var value: UInt256
    public var input: [UInt8]
    /// Gas left after intrinsic gas.
    public var gasAvailable: UInt64
    /// False for `eth_call` views: state changes are discarded afterwards anyway.
    public var isTransaction: Bool

    public init(caller: Address, value: UInt256, input: [UInt8], gasAvailable: UInt64, isTransaction: Bool) {
        self.caller = caller
        self.value = value
        self.input = input
        self.gasAvailable = gasAvailable
        self.isTransaction = isTransaction
    }
}

/// What a successful call produced.
public struct CallOutcome: Sendable {
    public var gasUsed: UInt64
    public var returnData: [UInt8]
    public var logs: [Log]

    public init(gasUsed: UInt64, returnData: [UInt8] = [], logs: [Log] = []) {
        self.gasUsed = gasUsed
        self.returnData = returnData
        self.logs = logs
    }
}

/// A reverted call: its state changes are rolled back, its gas is still paid.
public struct Revert: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public var gasUsed: UInt64
    /// Solidity `Error(string)` revert data.
    public var data: [UInt8] { ABI.revertData(reason: reason) }

    public init(_ reason: String, gasUsed: UInt64) {
        self.reason = reason
        self.gasUsed = gasUsed
    }

    public var description: String { "execution reverted: \(reason)" }
}

/// A contract implemented by the node at a fixed address (staking, market, governance).
/// Transactions whose `to` is its address run ``call(_:state:context:)`` instead of a transfer;
/// the value is credited to the contract's address before the call.
public protocol SystemContract: Sendable {
    var address: Address { get }
    /// The world-state namespace the contract keeps its state in (its own byte, at least
    /// ``StateNamespace/firstContractNamespace``).
    var namespace: StateNamespace { get }
    /// The governable parameters the contract reads.
    var parameters: [ParameterDefinition] { get }
    /// The rules that tie the contract's parameters together (checked at genesis and before a
    /// proposal may pass).
    func checkParameters(_ params: ProtocolParams) throws(ParamError)
    /// Non-empty placeholder code, so wallets treat the address as a contract (`eth_getCode`).
    var code: [UInt8] { get }
    func call(_ call: SystemCall, state: WorldState, context: BlockContext) throws(Revert) -> CallOutcome
    /// Work at the end of every block (after its transactions): phase transitions, tallies.
    func endBlock(state: WorldState, context: BlockContext) throws -> [Log]
    /// Writes the contract's part of the genesis state (e.g. the initial provers).
    func initializeGenesis(state: WorldState, genesis: Genesis) throws
}

extension SystemContract {
    public var parameters: [ParameterDefinition] { [] }
    public func checkParameters(_ params: ProtocolParams) throws(ParamError) {}
    public func endBlock(state: WorldState, context: BlockContext) throws -> [Log] { [] }
    public func initializeGenesis(state: WorldState, genesis: Genesis) throws {}
}

/// The system contracts a chain runs, by address, and the parameters they declare.
public struct SystemContracts: Sendable {
    public let byAddress: [Address: any SystemContract]
    public let ordered: [any SystemContract]
    /// Every contract's parameters, in `parameterOrder` (names as listed there; each contract's
    /// parameters must all be listed, once), with every contract's consistency rules.
    public let parameters: ParameterRegistry

    /// `contracts` with the parameters they all read (`shared`: the dispatch framework's), at
    /// distinct addresses and in distinct namespaces, each at least
    /// ``StateNamespace/firstContractNamespace``: a violation is a programming error and traps
    /// at start-up). Parameters are listed in `parameterOrder` when given (the order of
    /// `provernet_params`), else contract by contract.
    public init(_ contracts: [any SystemContract], shared: [ParameterDefinition] = [], parameterOrder: [String]? = nil) {
        ordered = contracts.sorted { $0.address.uint256 < $1.address.uint256 }
        var byAddress: [Address: any SystemContract] = [:]
        var namespaces = Set<UInt8>()
        for c in contracts {
            precondition(byAddress[c.address] == nil, "two system contracts at \(c.address)")
            precondition(c.namespace.rawValue >= StateNamespace.firstContractNamespace, "namespace \(c.namespace.rawValue) is the chain's")
            precondition(namespaces.insert(c.namespace.rawValue).inserted, "two system contracts in namespace \(c.namespace.rawValue)")
            byAddress[c.address] = c
        }
        self.byAddress = byAddress
        let declared = shared + ordered.flatMap(\.parameters)
        var definitions = declared
        if let parameterOrder {
            let byName = Dictionary(uniqueKeysWithValues: declared.map { ($0.name, $0) })
            precondition(Set(parameterOrder) == Set(byName.keys) && parameterOrder.count == declared.count,
                         "parameterOrder must list every declared parameter once")
            definitions = parameterOrder.compactMap { byName[$0] }
        }
        let rules: [@Sendable (ProtocolParams) -> ParamError?] = ordered.map { c in
            { p in
                do throws(ParamError) { try c.checkParameters(p) } catch { return error }
                return nil
            }
        }
        parameters = ParameterRegistry(definitions, rules: rules)
    }

    public static let none = SystemContracts([])
}
