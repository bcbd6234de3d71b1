import Keccak
import Primitives
import RLP
import Secp256k1

/// A signed transaction in its canonical (EIP-2718 "binary") encoding: a legacy RLP list, or a
/// type byte followed by the RLP list of an EIP-2930 or EIP-1559 transaction.
public struct SignedTransaction: Sendable, Hashable {
    /// The signed content.
    public let transaction: Transaction
    /// r, s and the y parity.
    public let signature: RecoverableSignature
    /// The canonical encoding: what `eth_sendRawTransaction` takes and the hash covers.
    public let encoded: [UInt8]
    /// keccak256 of ``encoded``.
    public let hash: Hash32

    /// Transactions larger than this are refused by the pool (geth's `txMaxSize`, 128 KiB).
    public static let maxSize = 128 * 1024

    /// Signs nothing: assembles a transaction from content and an existing signature.
    public init(transaction: Transaction, signature: RecoverableSignature) {
        self.transaction = transaction
        self.signature = signature
        self.encoded = SignedTransaction.encode(transaction, signature)
        self.hash = Hash32.keccak256(encoded)
    }

    private init(transaction: Transaction, signature: RecoverableSignature, encoded: [UInt8]) {
        self.transaction = transaction
        self.signature = signature
        self.encoded = encoded
        self.hash = Hash32.keccak256(encoded)
    }

    /// `v` as it appears on the wire and in JSON-RPC: 27/28, chainId·2+35/36 (EIP-155), or the
    /// y parity for typed transactions.
    public var v: UInt256 {
        let y = UInt256(UInt64(signature.recoveryID))
        switch transaction.type {
        case .legacy:
            if let id = transaction.chainID {
                return UInt256(id) &* 2 &+ 35 &+ y
            }
            return 27 &+ y
        case .accessList, .dynamicFee:
            return y
        }
    }

    /// Recovers the sender. Fails for an out-of-range or high-s signature.
    public func recoverSender() throws(TransactionError) -> Address {
        guard signature.isWellFormed, signature.isLowS else { throw .invalidSignature }
        do {
            return try ECRecover.address(hash: transaction.signingHash, signature: signature)
        } catch {
            throw .invalidSender
        }
    }

    // MARK: Stateless validation

    /// Every check that needs no state, in geth's order: size, type, creation, chain id,
    /// fee cap against tip, intrinsic gas, block gas limit, signature. Returns the sender.
    public func validate(chainID expected: UInt64, blockGasLimit: UInt64? = nil,
                         maxSize: Int = SignedTransaction.maxSize) throws(TransactionError) -> Address {
        if encoded.count > maxSize { throw .oversized(size: encoded.count, limit: maxSize) }
        let tx = transaction
        if let id = tx.chainID, id != expected { throw .invalidChainID(expected: expected, got: id) }
        if tx.to == nil { throw .contractCreation }
        if tx.nonce == .max { throw .nonceMax }
        if tx.maxPriorityFeePerGas > tx.maxFeePerGas { throw .tipAboveFeeCap }
        if let limit = blockGasLimit, tx.gasLimit > limit { throw .gasLimitExceedsBlock(gas: tx.gasLimit, limit: limit) }
        let intrinsic = tx.intrinsicGas
        if tx.gasLimit < intrinsic { throw .intrinsicGasTooLow(have: tx.gasLimit, want: intrinsic) }
        return try recoverSender()
    }

    // MARK: Encoding

    static func encode(_ tx: Transaction, _ sig: RecoverableSignature) -> [UInt8] {
        let common = tx.commonFieldsLength
        let rs = RLPLength.uint(sig.r) + RLPLength.uint(sig.s)
        switch tx.type {
        case .legacy:
            let v: UInt256 = tx.chainID.map { UInt256($0) &* 2 &+ 35 } ?? 27
            let vv = v &+ UInt256(UInt64(sig.recoveryID))
            let payload = common + RLPLength.uint(vv) + rs
            var w = RLPWriter(capacity: RLPLength.list(payload: payload))
            w.writeListHeader(payloadLength: payload)
            tx.writeCommonFields(to: &w)
            w.write(vv)
            w.write(sig.r)
            w.write(sig.s)
            return w.bytes
        case .accessList, .dynamicFee:
            let payload = common + 1 + rs
            var w = RLPWriter(capacity: 1 + RLPLength.list(payload: payload))
            w.writeRaw(CollectionOfOne(tx.type.rawValue))
            w.writeListHeader(payloadLength: payload)
            tx.writeCommonFields(to: &w)
            w.write(UInt64(sig.recoveryID))
            w.write(sig.r)
            w.write(sig.s)
            return w.bytes
        }
    }

    // MARK: Decoding

    /// Decodes a canonical encoding. Strict: non-canonical RLP, trailing bytes, unknown types,
    /// and signature values that cannot be a valid v all fail with a specific error.
    public init(decoding bytes: [UInt8]) throws(TransactionError) {
        guard let first = bytes.first else { throw .empty }
        do {
            switch first {
            case 0xc0...:
                self = try SignedTransaction.decodeLegacy(bytes)
            case 0x01, 0x02:
                self = try SignedTransaction.decodeTyped(bytes, type: TransactionType(rawValue: first)!)
            default:
                throw TransactionError.typeNotSupported(first)
            }
        } catch let e as TransactionError {
            throw e
        } catch let e as RLPError {
            throw .malformed(e)
        } catch {
            throw .invalidSignature
        }
    }

    /// Decodes `0x`-prefixed hex of a canonical encoding.
    public init(hex: String) throws(TransactionError) {
        guard let bytes = [UInt8](hex: hex) else {
            throw .malformed(.unexpectedEnd(offset: 0))
        }
        try self.init(decoding: bytes)
    }

    private static func decodeLegacy(_ bytes: [UInt8]) throws -> SignedTransaction {
        var outer = RLPDecoder(bytes)
        var d = try outer.readList()
        try outer.finish()
        let nonce = try d.readUInt64()
        let gasPrice = try d.readUInt256()
        let gas = try d.readUInt64()
        let to = try d.readOptionalAddress()
        let value = try d.readUInt256()
        let data = Array(try d.readBytes())
        let v = try d.readUInt256()
        let r = try d.readUInt256()
        let s = try d.readUInt256()
        try d.finish()
        let chainID: UInt64?
        let y: UInt8
        if v == 27 || v == 28 {
            chainID = nil
            y = UInt8(v.w0 - 27)
        } else if v >= 35 {
            let (q, rem) = (v - 35).quotientAndRemainder(dividingBy: 2 as UInt64)
            guard let id = q.uint64 else { throw TransactionError.invalidSignature }
            chainID = id
            y = UInt8(rem)
        } else {
            throw TransactionError.invalidSignature
        }
        let tx = Transaction.legacy(chainID: chainID, nonce: nonce, gasPrice: gasPrice, gasLimit: gas, to: to,
                                    value: value, data: data)
        return SignedTransaction(transaction: tx, signature: RecoverableSignature(r: r, s: s, recoveryID: y),
                                 encoded: bytes)
    }

    private static func decodeTyped(_ bytes: [UInt8], type: TransactionType) throws -> SignedTransaction {
        var outer = RLPDecoder(bytes, startingAt: 1)
        var d = try outer.readList()
        try outer.finish()
        let chainID = try d.readUInt64()
        let nonce = try d.readUInt64()
        var tip: UInt256
        let cap: UInt256
        if type == .dynamicFee {
            tip = try d.readUInt256()
            cap = try d.readUInt256()
        } else {
            cap = try d.readUInt256()
            tip = cap
        }
        let gas = try d.readUInt64()
        let to = try d.readOptionalAddress()
        let value = try d.readUInt256()
        let data = Array(try d.readBytes())
        var al = try d.readList()
        var accessList: [AccessListEntry] = []
        while !al.isAtEnd {
            var entry = try al.readList()
            let address = try entry.readAddress()
            var keys = try entry.readList()
            var storageKeys: [Hash32] = []
            while !keys.isAtEnd { storageKeys.append(try keys.readHash()) }
            try entry.finish()
            accessList.append(AccessListEntry(address: address, storageKeys: storageKeys))
        }
        let yParity = try d.readUInt64()
        let r = try d.readUInt256()
        let s = try d.readUInt256()
        try d.finish()
        guard yParity <= 1 else { throw TransactionError.invalidSignature }
        if type == .accessList { tip = cap }
        let tx = Transaction(type: type, chainID: chainID, nonce: nonce, maxFeePerGas: cap, maxPriorityFeePerGas: tip,
                             gasLimit: gas, to: to, value: value, data: data, accessList: accessList)
        return SignedTransaction(transaction: tx, signature: RecoverableSignature(r: r, s: s, recoveryID: UInt8(yParity)),
                                 encoded: bytes)
    }
}
