import ABI
import Chain
import Primitives
import SystemContracts

/// A system contract as a client sees it: its address, methods and events, taken from the
/// contract's own specs (the same ones the node dispatches on), so no signature is typed twice.
public struct ContractInterface: Sendable {
    public let name: String
    public let address: Address
    public let methods: [MethodSpec]
    public let events: [EventSpec]

    public init(_ contract: some ABIContract) {
        name = contract.name
        address = contract.address
        methods = contract.methods
        events = contract.events
    }

    /// The method named `name`; an unknown name is an error, not a trap.
    public func method(_ name: String) throws(ClientError) -> ContractCall.Method {
        guard let m = methods.first(where: { $0.name == name }) else {
            throw ClientError("\(self.name) has no method \(name) (it has \(methods.map(\.name).joined(separator: ", ")))")
        }
        return ContractCall.Method(contract: address, spec: m)
    }

    /// The staking, market and governance contracts.
    public static let staking = ContractInterface(StakingContract())
    public static let market = ContractInterface(MarketContract())
    public static let governance = ContractInterface(GovernanceContract())
    public static let all = [staking, market, governance]
}

/// One call to a system contract: the method, its arguments (checked against the method's
/// input types when encoded) and the value sent.
public struct ContractCall: Sendable {
    /// A method of a contract at its address.
    public struct Method: Sendable {
        public let contract: Address
        public let spec: MethodSpec
        public var signature: String { spec.signature }
    }

    public let method: Method
    public let arguments: [ABIValue]
    public let value: UInt256

    public init(_ method: Method, _ arguments: [ABIValue], value: UInt256 = .zero) {
        self.method = method
        self.arguments = arguments
        self.value = value
    }

    /// Calldata: selector and ABI-encoded arguments.
    public func calldata() throws(ClientError) -> [UInt8] {
        let types = method.spec.inputs.map(\.type)
        guard arguments.count == types.count else {
            throw ClientError("\(method.signature) takes \(types.count) arguments, not \(arguments.count)")
        }
        do { return method.spec.selector + (try ABI.encode(arguments, as: types)) } catch {
            throw ClientError("cannot encode \(method.signature): \(error)")
        }
    }

    /// Decodes the return data of a view call with the method's output types.
    public func decodeResult(_ data: [UInt8]) throws(ClientError) -> [ABIValue] {
        do { return try ABI.decode(method.spec.outputs.map(\.type), from: data) } catch {
            throw ClientError("cannot decode the result of \(method.signature): \(error)")
        }
    }
}
