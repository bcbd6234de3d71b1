import ArgumentParser
import JSON
import Primitives
import Secp256k1
import Transactions

/// `provernet tx …`: decode and sign Ethereum-format transactions.
struct TxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tx",
        abstract: "Decode or sign transactions (legacy, EIP-155, EIP-2930, EIP-1559).",
        subcommands: [Decode.self, Sign.self])

    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode a signed raw transaction and print it as JSON (with sender and hash).",
            discussion: "Use - to decode each line of standard input; a bad line prints {\"error\": …}.")

        @Argument(help: "The raw transaction as hex, or - for stdin lines.")
        var raw: String

        @Option(help: "Also run the stateless checks for this chain id (as the pool would).")
        var chainId: UInt64?

        func run() throws {
            try forEachInput(raw) { text in
                let tx = try SignedTransaction(hex: text)
                let from: Address
                if let id = chainId {
                    from = try tx.validate(chainID: id)
                } else {
                    from = try tx.recoverSender()
                }
                return TxJSON.object(tx, from: from).text
            }
        }
    }

    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign a transaction given as JSON; prints {\"raw\", \"hash\", \"from\"}.",
            discussion: """
                Fields as web3 names them: type (0, 1, 2), chainId (omit on type 0 for a pre-EIP-155
                signature), nonce, gas, gasPrice or maxFeePerGas and maxPriorityFeePerGas, to, value,
                data, accessList; numbers as JSON numbers or decimal/0x strings. A "privateKey" field
                overrides --key. Use - to sign each line of standard input.
                """)

        @Option(help: "Private key as hex.")
        var key: String?

        @Argument(help: "Transaction JSON, or - for stdin lines.")
        var json: String

        func run() throws {
            try forEachInput(json) { text in
                let obj = try JSONValue.parse(text)
                guard let keyHex = obj["privateKey"]?.stringValue ?? key else {
                    throw CLIError("no private key: pass --key or a privateKey field")
                }
                let pk = try PrivateKey(hex: keyHex)
                let tx = try TxJSON.transaction(from: obj)
                let signed = tx.signed(with: pk)
                return JSONValue.object([
                    ("raw", .string(Hex.encode(signed.encoded))),
                    ("hash", .string(signed.hash.description)),
                    ("from", .string(pk.address.checksummed)),
                ]).text
            }
        }
    }
}

/// Transactions to and from JSON with JSON-RPC's field names.
enum TxJSON {
    static func quantity(_ v: UInt64) -> JSONValue { .string(UInt256(v).hexString) }
    static func quantity(_ v: UInt256) -> JSONValue { .string(v.hexString) }

    /// The JSON-RPC transaction object (without block position).
    static func object(_ s: SignedTransaction, from: Address) -> JSONValue {
        let tx = s.transaction
        var f: [(String, JSONValue)] = [("type", quantity(UInt64(tx.type.rawValue)))]
        if let id = tx.chainID { f.append(("chainId", quantity(id))) }
        f.append(("nonce", quantity(tx.nonce)))
        f.append(("from", .string(from.checksummed)))
        f.append(("to", tx.to.map { .string($0.checksummed) } ?? .null))
        f.append(("value", quantity(tx.value)))
        f.append(("gas", quantity(tx.gasLimit)))
        switch tx.type {
        case .legacy, .accessList:
            f.append(("gasPrice", quantity(tx.gasPrice)))
        case .dynamicFee:
            f.append(("maxFeePerGas", quantity(tx.maxFeePerGas)))
            f.append(("maxPriorityFeePerGas", quantity(tx.maxPriorityFeePerGas)))
        }
        f.append(("input", .string(Hex.encode(tx.data))))
        if tx.type != .legacy {
            f.append(("accessList", .array(tx.accessList.map { e in
                .object([("address", .string(e.address.checksummed)),
                         ("storageKeys", .array(e.storageKeys.map { .string($0.description) }))])
            })))
        }
        f.append(("v", quantity(s.v)))
        f.append(("r", quantity(s.signature.r)))
        f.append(("s", quantity(s.signature.s)))
        if tx.type != .legacy || tx.chainID != nil { f.append(("yParity", quantity(UInt64(s.signature.recoveryID)))) }
        f.append(("hash", .string(s.hash.description)))
        return .object(f)
    }

    /// A transaction from web3-style JSON fields.
    static func transaction(from obj: JSONValue) throws -> Transaction {
        func u256(_ key: String, default d: UInt256? = nil) throws -> UInt256 {
            guard let v = obj[key] else {
                if let d { return d }
                throw CLIError("missing field \(key)")
            }
            switch v {
            case .number(let num):
                let n = num.doubleValue
                if n >= 0 && n == n.rounded() && n < 9.007199254740992e15 { return UInt256(UInt64(n)) }
            case .string(let s): if let x = UInt256(s) { return x }
            default: break
            }
            throw CLIError("field \(key): not a non-negative integer")
        }
        func u64(_ key: String, default d: UInt64? = nil) throws -> UInt64 {
            guard let x = try u256(key, default: d.map { UInt256($0) }).uint64 else { throw CLIError("field \(key): too large") }
            return x
        }
        let type = try u64("type", default: obj["maxFeePerGas"] != nil ? 2 : 0)
        let to: Address?
        if let t = obj["to"]?.stringValue { to = try Address(hex: t) } else { to = nil }
        let dataText = obj["data"]?.stringValue ?? obj["input"]?.stringValue ?? "0x"
        let data = try Hex.decode(dataText)
        var accessList: [AccessListEntry] = []
        if case .array(let entries)? = obj["accessList"] {
            for e in entries {
                guard let a = e["address"]?.stringValue else { throw CLIError("accessList entry without address") }
                var keys: [Hash32] = []
                if case .array(let ks)? = e["storageKeys"] {
                    for k in ks {
                        guard let s = k.stringValue, let h = Hash32(hex: s) else { throw CLIError("bad storage key") }
                        keys.append(h)
                    }
                }
                accessList.append(AccessListEntry(address: try Address(hex: a), storageKeys: keys))
            }
        }
        let nonce = try u64("nonce", default: 0), gas = try u64("gas"), value = try u256("value", default: 0)
        switch type {
        case 0:
            let chainID = obj["chainId"] == nil || obj["chainId"] == .null ? nil : try u64("chainId")
            return .legacy(chainID: chainID, nonce: nonce, gasPrice: try u256("gasPrice"), gasLimit: gas, to: to,
                           value: value, data: data)
        case 1:
            return .accessList(chainID: try u64("chainId"), nonce: nonce, gasPrice: try u256("gasPrice"), gasLimit: gas,
                               to: to, value: value, data: data, accessList: accessList)
        case 2:
            return .dynamicFee(chainID: try u64("chainId"), nonce: nonce,
                               maxPriorityFeePerGas: try u256("maxPriorityFeePerGas"),
                               maxFeePerGas: try u256("maxFeePerGas"), gasLimit: gas, to: to, value: value,
                               data: data, accessList: accessList)
        default:
            throw CLIError("transaction type \(type) not supported")
        }
    }
}
