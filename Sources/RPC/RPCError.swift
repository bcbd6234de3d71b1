import Chain
import JSON
import Primitives
import Transactions
import TxPool

/// A JSON-RPC error object: code, message and optional data. The codes and texts are geth's,
/// so libraries and wallets that match on them keep working.
public struct RPCError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The JSON-RPC error code.
    public var code: Int
    /// The text clients show and match on.
    public var message: String
    /// Extra data (revert data for code 3).
    public var data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public var description: String { "\(code): \(message)" }

    /// -32700: the request is not valid JSON.
    public static func parse(_ detail: String) -> RPCError { RPCError(code: -32700, message: "parse error: \(detail)") }

    /// -32600: valid JSON but not a JSON-RPC request.
    public static func invalidRequest(_ detail: String) -> RPCError { RPCError(code: -32600, message: detail) }

    /// -32601, geth's text.
    public static func methodNotFound(_ name: String) -> RPCError {
        RPCError(code: -32601, message: "the method \(name) does not exist/is not available")
    }

    /// -32602: bad parameters; `detail` says which.
    public static func invalidParams(_ detail: String) -> RPCError { RPCError(code: -32602, message: detail) }

    /// -32603: a fault in the node.
    public static func internalError(_ detail: String) -> RPCError { RPCError(code: -32603, message: detail) }

    /// -32000: the request was understood and refused (pool errors, unknown blocks, …).
    public static func server(_ message: String) -> RPCError { RPCError(code: -32000, message: message) }

    /// -32005 (EIP-1474 "limit exceeded").
    public static func limitExceeded(_ message: String) -> RPCError { RPCError(code: -32005, message: message) }

    /// Code 3: a reverted call, with its revert data as hex.
    public static func reverted(_ r: Revert) -> RPCError {
        RPCError(code: 3, message: r.description, data: .string(Hex.encode(r.data)))
    }

    /// The error object: `{"code":…,"message":…,"data":…}`.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [("code", .number(JSONNumber(code))), ("message", .string(message))]
        if let data { members.append(("data", data)) }
        return .object(members)
    }

    /// Maps any error from the node to what geth would answer: pool and transaction errors
    /// with their texts under -32000, reverts under code 3, other failures under -32000 too.
    public static func from(_ error: any Error) -> RPCError {
        switch error {
        case let e as RPCError: return e
        case let e as PoolError: return .server(e.description)
        case let e as TransactionError: return .server(e.description)
        case let e as InclusionError: return .server(e.description)
        case let e as CallError:
            if case .reverted(let r) = e { return .reverted(r) }
            return .server(e.description)
        case let e as Revert: return .reverted(e)
        case let e as LogLimitExceeded: return .limitExceeded("query returned more than \(e.limit) results")
        case let e as CustomStringConvertible: return .server(e.description)
        default: return .server(String(describing: error))
        }
    }
}
