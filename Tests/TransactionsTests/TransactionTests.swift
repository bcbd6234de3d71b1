import Primitives
import RLP
import Secp256k1
import Testing
import Transactions

private let eip155Raw = "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83"

private let devKey = try! PrivateKey(hex: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
private let to = Address(low: 0x1000)

private func sample(_ type: TransactionType, data: [UInt8] = [1, 0, 2]) -> Transaction {
    switch type {
    case .legacy:
        return .legacy(chainID: 70001, nonce: 3, gasPrice: 2_000_000_000, gasLimit: 50_000, to: to, value: 7, data: data)
    case .accessList:
        return .accessList(chainID: 70001, nonce: 3, gasPrice: 2_000_000_000, gasLimit: 50_000, to: to, value: 7,
                           data: data, accessList: [AccessListEntry(address: to, storageKeys: [.zero, Hash32(UInt256(5))])])
    case .dynamicFee:
        return .dynamicFee(chainID: 70001, nonce: 3, maxPriorityFeePerGas: 1_000_000_000, maxFeePerGas: 3_000_000_000,
                           gasLimit: 50_000, to: to, value: 7, data: data,
                           accessList: [AccessListEntry(address: to, storageKeys: [])])
    }
}

@Suite struct EIP155ExampleTests {
    /// The example from EIP-155 itself.
    @Test func decodesToPublishedSenderAndHash() throws {
        let tx = try SignedTransaction(hex: eip155Raw)
        #expect(tx.transaction.type == .legacy)
        #expect(tx.transaction.chainID == 1)
        #expect(tx.transaction.nonce == 9)
        #expect(tx.transaction.gasPrice == 20_000_000_000)
        #expect(tx.transaction.value == UInt256(decimal: "1000000000000000000"))
        #expect(tx.transaction.signingHash.description == "0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53")
        #expect(try tx.recoverSender().checksummed == "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F")
        #expect(tx.hash.description == "0x33469b22e9f636356c4160a87eb19df52b7412e8eac32a4a55ffe88ea8350788")
        #expect(tx.v == 37)
    }

    @Test func signingAgainGivesTheSameBytes() throws {
        let key = try PrivateKey([UInt8](repeating: 0x46, count: 32))
        let tx = Transaction.legacy(chainID: 1, nonce: 9, gasPrice: 20_000_000_000, gasLimit: 21_000,
                                    to: try Address(hex: "0x3535353535353535353535353535353535353535"),
                                    value: UInt256(decimal: "1000000000000000000")!)
        #expect(Hex.encode(tx.signed(with: key).encoded) == eip155Raw)
    }
}

@Suite struct TransactionRoundTripTests {
    @Test(arguments: [TransactionType.legacy, .accessList, .dynamicFee])
    func signDecodeRecover(type: TransactionType) throws {
        let signed = sample(type).signed(with: devKey)
        let decoded = try SignedTransaction(decoding: signed.encoded)
        #expect(decoded == signed)
        #expect(decoded.hash == Hash32.keccak256(signed.encoded))
        #expect(try decoded.validate(chainID: 70001, blockGasLimit: 30_000_000) == devKey.address)
        if type != .legacy { #expect(signed.encoded.first == type.rawValue) }
    }

    @Test func preEIP155Legacy() throws {
        var tx = sample(.legacy)
        tx.chainID = nil
        let signed = tx.signed(with: devKey)
        #expect(signed.v == 27 || signed.v == 28)
        let decoded = try SignedTransaction(decoding: signed.encoded)
        #expect(decoded.transaction.chainID == nil)
        #expect(try decoded.validate(chainID: 70001) == devKey.address)
    }

    @Test func intrinsicGas() {
        #expect(sample(.legacy, data: []).intrinsicGas == 21_000)
        #expect(sample(.legacy, data: [0, 1, 0, 2]).intrinsicGas == 21_000 + 8 + 32)
        #expect(sample(.accessList, data: []).intrinsicGas == 21_000 + 2_400 + 2 * 1_900)
    }

    @Test func effectiveGasPrice() {
        let tx = sample(.dynamicFee)
        #expect(tx.effectiveGasPrice(baseFee: 1_000_000_000) == 2_000_000_000)
        #expect(tx.effectiveGasPrice(baseFee: 2_500_000_000) == 3_000_000_000)
        #expect(tx.effectiveTip(baseFee: 2_500_000_000) == 500_000_000)
        #expect(tx.effectiveTip(baseFee: 3_000_000_001) == nil)
    }
}

@Suite struct TransactionRejectionTests {
    private func reencode(_ t: Transaction, r: UInt256, s: UInt256, y: UInt8) -> [UInt8] {
        SignedTransaction(transaction: t, signature: RecoverableSignature(r: r, s: s, recoveryID: y)).encoded
    }

    @Test func malformedCorpus() throws {
        let good = sample(.dynamicFee).signed(with: devKey).encoded
        let legacy = sample(.legacy).signed(with: devKey).encoded
        #expect(throws: TransactionError.empty) { try SignedTransaction(decoding: []) }
        #expect(throws: TransactionError.typeNotSupported(0x03)) { try SignedTransaction(decoding: [0x03] + good.dropFirst()) }
        #expect(throws: TransactionError.typeNotSupported(0x7f)) { try SignedTransaction(decoding: [0x7f, 0xc0]) }
        #expect(throws: TransactionError.malformed(.trailingBytes(offset: good.count, count: 1))) {
            try SignedTransaction(decoding: good + [0])
        }
        #expect(throws: TransactionError.malformed(.trailingBytes(offset: legacy.count, count: 2))) {
            try SignedTransaction(decoding: legacy + [1, 2])
        }
        #expect(throws: TransactionError.malformed(.expectedList(offset: 1))) { try SignedTransaction(decoding: [0x02, 0x80]) }
        // A list with too few fields.
        #expect(throws: TransactionError.malformed(.unexpectedEnd(offset: 2))) { try SignedTransaction(decoding: [0x02, 0xc0]) }
        // A nonce with a leading zero byte.
        var w = RLPWriter()
        w.writeListHeader(payloadLength: 2 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1)
        w.writeRaw([0x81, 0x00] as [UInt8])
        for _ in 0..<8 { w.write(UInt64(1)) }
        #expect(throws: TransactionError.malformed(.nonCanonicalSingleByte(offset: 1))) { try SignedTransaction(decoding: w.bytes) }
        // A 19-byte recipient.
        var bad = RLPWriter()
        let fields: [RLPItem] = [.bytes([1]), .bytes([1]), .bytes([0x52, 0x08]), .bytes([UInt8](repeating: 0x35, count: 19)),
                                 .bytes([]), .bytes([]), .bytes([27]), .bytes([1]), .bytes([1])]
        RLPItem.list(fields).encode(to: &bad)
        #expect(throws: TransactionError.malformed(.wrongLength(offset: 6, expected: 20, actual: 19))) {
            try SignedTransaction(decoding: bad.bytes)
        }
    }

    @Test func truncationsNeverCrash() {
        for type in [TransactionType.legacy, .accessList, .dynamicFee] {
            let enc = sample(type).signed(with: devKey).encoded
            for cut in 0..<enc.count {
                #expect(throws: TransactionError.self) { try SignedTransaction(decoding: Array(enc[..<cut])) }
            }
        }
    }

    @Test func signatureRules() throws {
        let t = sample(.dynamicFee)
        let sig = t.signed(with: devKey).signature
        // s above n/2: the same signature's twin (n - s, flipped parity) recovers but is refused.
        let highS = try SignedTransaction(decoding: reencode(t, r: sig.r, s: Secp256k1Curve.order - sig.s, y: 1 - sig.recoveryID))
        #expect(throws: TransactionError.invalidSignature) { try highS.validate(chainID: 70001) }
        let zeroR = try SignedTransaction(decoding: reencode(t, r: .zero, s: sig.s, y: 0))
        #expect(throws: TransactionError.invalidSignature) { try zeroR.recoverSender() }
        // y parity 2 on a typed transaction; v = 29 on a legacy one.
        var w = RLPWriter()
        let legacyFields: [RLPItem] = [.bytes([1]), .bytes([1]), .bytes([0x52, 0x08]), .bytes(to.bytes), .bytes([]), .bytes([]),
                                       .bytes([29]), .bytes(sig.r.minimalBigEndianBytes), .bytes(sig.s.minimalBigEndianBytes)]
        RLPItem.list(legacyFields).encode(to: &w)
        #expect(throws: TransactionError.invalidSignature) { try SignedTransaction(decoding: w.bytes) }
        var enc = reencode(t, r: sig.r, s: sig.s, y: 0)
        // Find the y parity byte (0x80 before the r string) and make it 2.
        let rStart = enc.count - RLPLength.uint(sig.r) - RLPLength.uint(sig.s)
        #expect(enc[rStart - 1] == 0x80)
        enc[rStart - 1] = 0x02
        #expect(throws: TransactionError.invalidSignature) { try SignedTransaction(decoding: enc) }
    }

    @Test func statelessRules() throws {
        let base = sample(.dynamicFee)
        var other = base
        other.chainID = 1
        #expect(throws: TransactionError.invalidChainID(expected: 70001, got: 1)) {
            try other.signed(with: devKey).validate(chainID: 70001)
        }
        var tip = base
        tip.maxPriorityFeePerGas = tip.maxFeePerGas + 1
        #expect(throws: TransactionError.tipAboveFeeCap) { try tip.signed(with: devKey).validate(chainID: 70001) }
        var low = base
        low.gasLimit = 21_000
        #expect(throws: TransactionError.intrinsicGasTooLow(have: 21_000, want: base.intrinsicGas)) {
            try low.signed(with: devKey).validate(chainID: 70001)
        }
        var create = base
        create.to = nil
        #expect(throws: TransactionError.contractCreation) { try create.signed(with: devKey).validate(chainID: 70001) }
        var big = base
        big.data = [UInt8](repeating: 1, count: 128 * 1024)
        big.gasLimit = 3_000_000
        do {
            _ = try big.signed(with: devKey).validate(chainID: 70001)
            Issue.record("an oversized transaction was accepted")
        } catch {
            guard case .oversized(let size, 131_072) = error, size > 131_072 else {
                Issue.record("expected oversized, got \(error)")
                return
            }
        }
        var heavy = base
        heavy.gasLimit = 40_000_000
        #expect(throws: TransactionError.gasLimitExceedsBlock(gas: 40_000_000, limit: 30_000_000)) {
            try heavy.signed(with: devKey).validate(chainID: 70001, blockGasLimit: 30_000_000)
        }
        #expect(TransactionError.invalidChainID(expected: 1, got: 2).description == "invalid chain id")
        #expect(TransactionError.intrinsicGasTooLow(have: 1, want: 2).description == "intrinsic gas too low")
        #expect(TransactionError.tipAboveFeeCap.description == "max priority fee per gas higher than max fee per gas")
    }
}
