import Keccak
import Primitives
import RLP
import Secp256k1

/// The envelope types this chain runs.
public enum TransactionType: UInt8, Sendable, Hashable {
    /// Pre-typed transactions, with (EIP-155) or without a chain id.
    case legacy = 0
    /// EIP-2930: chain id and access list.
    case accessList = 1
    /// EIP-1559: priority fee and fee cap.
    case dynamicFee = 2
}

/// One access-list entry (EIP-2930).
public struct AccessListEntry: Sendable, Hashable {
    public var address: Address
    public var storageKeys: [Hash32]

    public init(address: Address, storageKeys: [Hash32]) {
        self.address = address
        self.storageKeys = storageKeys
    }
}

/// The unsigned content of a transaction of any type.
///
/// Legacy and EIP-2930 transactions carry one `gasPrice`; for them `maxFeePerGas` and
/// `maxPriorityFeePerGas` both read as that price, which is how EIP-1559 treats them.
public struct Transaction: Sendable, Hashable {
    public var type: TransactionType
    /// Nil only for a legacy transaction signed without EIP-155 replay protection.
    public var chainID: UInt64?
    public var nonce: UInt64
    /// Legacy and EIP-2930 gas price; the fee cap for EIP-1559.
    public var maxFeePerGas: UInt256
    /// EIP-1559 tip; equals `maxFeePerGas` for the older types.
    public var maxPriorityFeePerGas: UInt256
    public var gasLimit: UInt64
    /// Nil for a contract creation (which this chain rejects).
    public var to: Address?
    public var value: UInt256
    public var data: [UInt8]
    public var accessList: [AccessListEntry]

    /// A legacy transaction; `chainID` nil signs without EIP-155.
    public static func legacy(chainID: UInt64?, nonce: UInt64, gasPrice: UInt256, gasLimit: UInt64,
                              to: Address?, value: UInt256, data: [UInt8] = []) -> Transaction {
        Transaction(type: .legacy, chainID: chainID, nonce: nonce, maxFeePerGas: gasPrice,
                    maxPriorityFeePerGas: gasPrice, gasLimit: gasLimit, to: to, value: value, data: data, accessList: [])
    }

    /// An EIP-2930 transaction.
    public static func accessList(chainID: UInt64, nonce: UInt64, gasPrice: UInt256, gasLimit: UInt64,
                                  to: Address?, value: UInt256, data: [UInt8] = [],
                                  accessList: [AccessListEntry] = []) -> Transaction {
        Transaction(type: .accessList, chainID: chainID, nonce: nonce, maxFeePerGas: gasPrice,
                    maxPriorityFeePerGas: gasPrice, gasLimit: gasLimit, to: to, value: value, data: data,
                    accessList: accessList)
    }

    /// An EIP-1559 transaction.
    public static func dynamicFee(chainID: UInt64, nonce: UInt64, maxPriorityFeePerGas: UInt256,
                                  maxFeePerGas: UInt256, gasLimit: UInt64, to: Address?, value: UInt256,
                                  data: [UInt8] = [], accessList: [AccessListEntry] = []) -> Transaction {
        Transaction(type: .dynamicFee, chainID: chainID, nonce: nonce, maxFeePerGas: maxFeePerGas,
                    maxPriorityFeePerGas: maxPriorityFeePerGas, gasLimit: gasLimit, to: to, value: value,
                    data: data, accessList: accessList)
    }

    public init(type: TransactionType, chainID: UInt64?, nonce: UInt64, maxFeePerGas: UInt256,
                maxPriorityFeePerGas: UInt256, gasLimit: UInt64, to: Address?, value: UInt256,
                data: [UInt8], accessList: [AccessListEntry]) {
        self.type = type
        self.chainID = chainID
        self.nonce = nonce
        self.maxFeePerGas = maxFeePerGas
        self.maxPriorityFeePerGas = maxPriorityFeePerGas
        self.gasLimit = gasLimit
        self.to = to
        self.value = value
        self.data = data
        self.accessList = accessList
    }

    /// The gas price of a legacy or EIP-2930 transaction (the fee cap of an EIP-1559 one).
    public var gasPrice: UInt256 { maxFeePerGas }

    /// The price per gas actually paid under `baseFee`: min(cap, base + tip).
    public func effectiveGasPrice(baseFee: UInt256) -> UInt256 {
        let sum = baseFee.addingReportingOverflow(maxPriorityFeePerGas)
        return sum.overflow ? maxFeePerGas : min(maxFeePerGas, sum.partialValue)
    }

    /// The tip per gas the sealer receives under `baseFee`, or nil if the cap is below it.
    public func effectiveTip(baseFee: UInt256) -> UInt256? {
        guard let room = maxFeePerGas.checkedSub(baseFee) else { return nil }
        return min(maxPriorityFeePerGas, room)
    }

    // MARK: Signing

    /// The hash the sender signs (EIP-155 / EIP-2718 signing payloads).
    public var signingHash: Hash32 {
        var w = RLPWriter(capacity: 64 + data.count)
        switch type {
        case .legacy:
            var payload = commonFieldsLength
            if let id = chainID { payload += RLPLength.uint(id) + 2 }
            w.writeListHeader(payloadLength: payload)
            writeCommonFields(to: &w)
            if let id = chainID {
                w.write(id)
                w.write(UInt64(0))
                w.write(UInt64(0))
            }
            return Hash32.keccak256(w.bytes)
        case .accessList, .dynamicFee:
            var out: [UInt8] = [type.rawValue]
            w.writeListHeader(payloadLength: commonFieldsLength)
            writeCommonFields(to: &w)
            out.append(contentsOf: w.bytes)
            return Hash32.keccak256(out)
        }
    }

    /// Signs with `key` and returns the signed transaction.
    public func signed(with key: PrivateKey) -> SignedTransaction {
        let sig = key.sign(hash: signingHash)
        return SignedTransaction(transaction: self, signature: sig)
    }

    // MARK: Field encoding shared by signing and the wire format

    /// Payload bytes of the fields before the signature, in the type's order.
    var commonFieldsLength: Int {
        var n = RLPLength.uint(nonce) + RLPLength.uint(gasLimit) + RLPLength.uint(value) + RLPLength.string(data)
        n += to == nil ? 1 : 21
        switch type {
        case .legacy:
            n += RLPLength.uint(maxFeePerGas)
        case .accessList:
            n += RLPLength.uint(chainID ?? 0) + RLPLength.uint(maxFeePerGas) + RLPLength.list(payload: accessListPayloadLength)
        case .dynamicFee:
            n += RLPLength.uint(chainID ?? 0) + RLPLength.uint(maxPriorityFeePerGas) + RLPLength.uint(maxFeePerGas)
            n += RLPLength.list(payload: accessListPayloadLength)
        }
        return n
    }

    var accessListPayloadLength: Int {
        accessList.reduce(0) { $0 + RLPLength.list(payload: 21 + RLPLength.list(payload: 33 * $1.storageKeys.count)) }
    }

    func writeCommonFields(to w: inout RLPWriter) {
        if type != .legacy { w.write(chainID ?? 0) }
        w.write(nonce)
        switch type {
        case .legacy, .accessList: w.write(maxFeePerGas)
        case .dynamicFee:
            w.write(maxPriorityFeePerGas)
            w.write(maxFeePerGas)
        }
        w.write(gasLimit)
        if let to { w.write(to) } else { w.write(bytes: EmptyCollection<UInt8>()) }
        w.write(value)
        w.write(bytes: data)
        if type != .legacy {
            w.writeListHeader(payloadLength: accessListPayloadLength)
            for entry in accessList {
                w.writeListHeader(payloadLength: 21 + RLPLength.list(payload: 33 * entry.storageKeys.count))
                w.write(entry.address)
                w.writeListHeader(payloadLength: 33 * entry.storageKeys.count)
                for k in entry.storageKeys { w.write(k) }
            }
        }
    }

    // MARK: Gas

    /// Intrinsic gas: 21000, plus 16 per non-zero and 4 per zero calldata byte, plus
    /// EIP-2930's 2400 per access-list address and 1900 per storage key.
    public var intrinsicGas: UInt64 {
        var gas: UInt64 = 21_000
        var zeros: UInt64 = 0
        for b in data where b == 0 { zeros += 1 }
        gas += zeros * 4 + (UInt64(data.count) - zeros) * 16
        for e in accessList { gas += 2_400 + 1_900 * UInt64(e.storageKeys.count) }
        return gas
    }
}
