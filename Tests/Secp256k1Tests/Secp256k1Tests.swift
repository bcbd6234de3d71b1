import Primitives
import Secp256k1
import Testing

@Suite struct Secp256k1Tests {
    /// The well-known development accounts (anvil/hardhat) derive to their published addresses.
    @Test(arguments: [
        ("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
        ("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
        ("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"),
    ])
    func devAccounts(key: String, address: String) throws {
        #expect(try PrivateKey(hex: key).address.checksummed == address)
    }

    @Test func signAndRecover() throws {
        for i in 1...50 {
            let key = try PrivateKey(Hash32.keccak256([UInt8(i)]).bytes)
            let msg = Hash32.keccak256([UInt8(i), 0xee])
            let sig = key.sign(hash: msg)
            #expect(sig.isLowS)
            #expect(key.sign(hash: msg) == sig, "RFC 6979 signatures are deterministic")
            #expect(try ECRecover.address(hash: msg, signature: sig) == key.address)
            // Another message recovers to someone else.
            let other = Hash32.keccak256([UInt8(i), 0xef])
            #expect((try? ECRecover.address(hash: other, signature: sig)) != key.address)
        }
    }

    @Test func rejectsBadKeysAndSignatures() {
        #expect(throws: Secp256k1Error.invalidPrivateKey) { try PrivateKey([UInt8](repeating: 0, count: 32)) }
        #expect(throws: Secp256k1Error.invalidPrivateKey) { try PrivateKey(Secp256k1Curve.order.bigEndianBytes) }
        #expect(throws: Secp256k1Error.invalidPrivateKey) { try PrivateKey([1, 2, 3]) }
        let msg = Hash32.keccak256([1])
        #expect(throws: Secp256k1Error.invalidSignature) {
            try ECRecover.address(hash: msg, signature: RecoverableSignature(r: .zero, s: .one, recoveryID: 0))
        }
        #expect(throws: Secp256k1Error.invalidSignature) {
            try ECRecover.address(hash: msg, signature: RecoverableSignature(r: .one, s: Secp256k1Curve.order, recoveryID: 0))
        }
        #expect(throws: Secp256k1Error.invalidSignature) {
            try ECRecover.address(hash: msg, signature: RecoverableSignature(r: .one, s: .one, recoveryID: 2))
        }
        #expect(throws: Secp256k1Error.invalidPublicKey) { try PublicKey([UInt8](repeating: 7, count: 64)) }
    }

    @Test func publicKeyRoundTrip() throws {
        let key = PrivateKey.random()
        let pub = key.publicKey
        #expect(try PublicKey(pub.xy) == pub)
        #expect(pub.address == key.address)
    }
}
