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
    /// Non-empty placeholder code, so wallets treat the address as a contract (`eth_getCode`).
    var code: [UInt8] { get }
    func call(_ call: SystemCall, state: WorldState, context: BlockContext) throws(Revert) -> CallOutcome
    /// Work at the end of every block (after its transactions): phase transitions, tallies.
    func endBlock(state: WorldState, context: BlockContext) throws -> [Log]
    /// Writes the contract's part of the genesis state (e.g. the initial provers).
    func initializeGenesis(state: WorldState, genesis: Genesis) throws
}

extension SystemContract {
    public func endBlock(state: WorldState, context: BlockContext) throws -> [Log] { [] }
    public func initializeGenesis(state: WorldState, genesis: Genesis) throws {}
}

/// The system contracts a chain runs, by address.
public struct SystemContracts: Sendable {
    public let byAddress: [Address: any SystemContract]
    public let ordered: [any SystemContract]

    public init(_ contracts: [any SystemContract]) {
        ordered = contracts.sorted { $0.address.uint256 < $1.address.uint256 }
        byAddress = Dictionary(uniqueKeysWithValues: contracts.map { ($0.address, $0) })
    }

    public static let none = SystemContracts([])
}
