import ABI
import Foundation
import JSON
import Primitives
import Secp256k1
import Transactions

/// A client of a ProverNet node over JSON-RPC: reads, views of the system contracts, and
/// EIP-1559 transactions signed with one key, sent and awaited. What the CLI's wallet commands
/// and the prover agent use; it prints nothing.
public struct ProverNetClient: Sendable {
    /// The node.
    public let rpc: RPCClient
    /// The signing key (nil for a read-only client).
    public let key: PrivateKey?
    /// Seconds to wait for a receipt.
    public var receiptTimeout: Double = 60

    public init(rpc: RPCClient, key: PrivateKey? = nil) {
        self.rpc = rpc
        self.key = key
    }

    public init(url: String, key: PrivateKey? = nil) throws {
        self.init(rpc: try RPCClient(url: url), key: key)
    }

    /// The sender's address.
    public var address: Address? { key?.address }

    /// The head block number.
    public func blockNumber() throws -> UInt64 {
        guard let n = try rpc.quantity("eth_blockNumber").uint64 else { throw ClientError("the node's block number is out of range") }
        return n
    }

    /// A mined transaction.
    public struct Sent: Sendable {
        public let hash: String
        public let blockNumber: UInt64?
        public let gasUsed: UInt256
        /// The decoded system-contract events, in log order.
        public let events: [DecodedEvent]
        /// The receipt's log objects as the node returned them (undecodable ones included).
        public let logs: [JSONValue]
    }

    /// Sends `call`, waits for its receipt and returns it with its decoded events. A revert, in
    /// estimation or on chain, throws with its reason. `submitted` hears the hash as soon as the
    /// node has accepted the transaction.
    public func send(_ call: ContractCall, submitted: (String) -> Void = { _ in }) throws -> Sent {
        guard let key else { throw ClientError("no signing key") }
        let data = try call.calldata()
        let from = key.address
        let callObject = JSONValue.object([
            ("from", .string(from.checksummed)), ("to", .string(call.method.contract.checksummed)),
            ("value", .string(call.value.hexString)), ("data", .string(Hex.encode(data))),
        ])
        let chainID = try rpc.quantity("eth_chainId")
        let nonce = try rpc.quantity("eth_getTransactionCount", [.string(from.checksummed), "pending"])
        let gasPrice = try rpc.quantity("eth_gasPrice")
        let tip = (try? rpc.quantity("eth_maxPriorityFeePerGas")) ?? .zero
        let maxFee = gasPrice * 2 + tip
        let estimate: UInt256
        do { estimate = try rpc.quantity("eth_estimateGas", [callObject]) } catch let e as RPCClientError {
            throw ClientError("\(call.method.signature) would fail: \(Self.reason(e))")
        }
        guard let chain = chainID.uint64, let n = nonce.uint64, let est = estimate.uint64 else {
            throw ClientError("the node answered out-of-range chain id, nonce or gas")
        }
        let tx = Transaction.dynamicFee(chainID: chain, nonce: n, maxPriorityFeePerGas: tip, maxFeePerGas: maxFee,
                                        gasLimit: est + est / 5, to: call.method.contract, value: call.value, data: data)
        let signed = tx.signed(with: key)
        let hash: String
        do {
            hash = try rpc.call("eth_sendRawTransaction", [.string(Hex.encode(signed.encoded))]).stringValue
                ?? signed.hash.description
        } catch let e as RPCClientError {
            throw ClientError("the node refused the transaction: \(e.message)")
        }
        submitted(hash)
        let receipt = try waitForReceipt(hash)
        let status = receipt["status"]?.stringValue.flatMap { UInt256(hex: $0) } ?? .zero
        let block = receipt["blockNumber"]?.stringValue
        if status.isZero {
            var why = "no reason given"
            do { _ = try rpc.call("eth_call", [callObject, .string(block ?? "latest")]) } catch let e as RPCClientError {
                why = Self.reason(e)
            } catch {}
            throw ClientError("transaction \(hash) in block \(block.flatMap { UInt256(hex: $0)?.description } ?? "?") reverted: \(why)")
        }
        let logs = receipt["logs"]?.arrayValue ?? []
        return Sent(hash: hash, blockNumber: block.flatMap { UInt256(hex: $0)?.uint64 },
                    gasUsed: receipt["gasUsed"]?.stringValue.flatMap { UInt256(hex: $0) } ?? .zero,
                    events: logs.compactMap(EventDecoder.decode(log:)), logs: logs)
    }

    /// Runs a view method with `eth_call` at `block` and decodes its outputs.
    public func view(_ call: ContractCall, block: String = "latest") throws -> [ABIValue] {
        var fields: [(String, JSONValue)] = [("to", .string(call.method.contract.checksummed)),
                                             ("data", .string(Hex.encode(try call.calldata())))]
        if let a = address { fields.insert(("from", .string(a.checksummed)), at: 0) }
        let out: JSONValue
        do { out = try rpc.call("eth_call", [.object(fields), .string(block)]) } catch let e as RPCClientError {
            throw ClientError("\(call.method.signature) failed: \(Self.reason(e))")
        }
        guard let hex = out.stringValue, let bytes = try? Hex.decode(hex) else { throw ClientError("eth_call answered \(out.text)") }
        return try call.decodeResult(bytes)
    }

    /// Polls `eth_getTransactionReceipt` until the receipt appears or the timeout passes.
    public func waitForReceipt(_ hash: String) throws -> JSONValue {
        let deadline = Date().addingTimeInterval(receiptTimeout)
        while Date() < deadline {
            let r = try rpc.call("eth_getTransactionReceipt", [.string(hash)])
            if !r.isNull { return r }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw ClientError("no receipt for \(hash) after \(Int(receiptTimeout)) s: is the node sealing blocks?")
    }

    /// The revert reason in an RPC error (decoded `Error(string)` data), or its message.
    public static func reason(_ e: RPCClientError) -> String {
        if let hex = e.data?.stringValue, let bytes = try? Hex.decode(hex) {
            if let r = ABI.decodeRevertReason(bytes) { return r }
            if let code = ABI.decodePanicCode(bytes) { return "panic \(code.hexString)" }
        }
        return e.message
    }
}
