import Foundation
import Keystore
import Primitives
import Secp256k1
import Testing
import TestSupport

/// The test vectors of the Web3 Secret Storage definition (geth's keystore format).
private let pbkdf2Vector = """
{"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"6087dab2f9fdbbfaddc31a909735c1e6"},"ciphertext":"5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46","kdf":"pbkdf2","kdfparams":{"c":262144,"dklen":32,"prf":"hmac-sha256","salt":"ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},"mac":"517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"},"id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3}
"""
private let scryptVector = """
{"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"83dbcc02d8ccb40e466191a123791e0e"},"ciphertext":"d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c","kdf":"scrypt","kdfparams":{"dklen":32,"n":262144,"r":1,"p":8,"salt":"ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19"},"mac":"2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097"},"id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3}
"""
private let vectorKey = "0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d"

@Suite struct KeystoreTests {
    @Test(.tags(.slow), .disabled(if: Quick.enabled, Quick.reason), arguments: [pbkdf2Vector, scryptVector])
    func publishedVectorsDecrypt(_ json: String) throws {
        let key = try Keystore.decrypt(Data(json.utf8), password: "testpassword")
        #expect(Hex.encode(key.rawBytes) == vectorKey)
        #expect(throws: Keystore.KeystoreError.wrongPassword) { try Keystore.decrypt(Data(json.utf8), password: "testpasswore") }
    }

    @Test func roundTripBothKDFs() throws {
        let key = PrivateKey.random()
        for kdf in [Keystore.KDF.light, .pbkdf2(iterations: 1_000)] {
            let doc = try Keystore.encrypt(key, password: "hunter2", kdf: kdf)
            #expect(try Keystore.decrypt(doc, password: "hunter2") == key)
            #expect(Keystore.address(of: doc) == key.address)
            #expect(throws: Keystore.KeystoreError.wrongPassword) { try Keystore.decrypt(doc, password: "hunter3") }
        }
    }

    @Test func badFilesAreRefused() throws {
        let key = PrivateKey.random()
        let doc = try JSONSerialization.jsonObject(with: try Keystore.encrypt(key, password: "pw", kdf: .light)) as! [String: Any]
        func mutate(_ f: (inout [String: Any]) -> Void) throws -> Data {
            var d = doc
            f(&d)
            return try JSONSerialization.data(withJSONObject: d)
        }
        #expect(throws: Keystore.KeystoreError.malformed("not a JSON object")) { try Keystore.decrypt(Data("[1]".utf8), password: "pw") }
        #expect(throws: Keystore.KeystoreError.unsupported("version (want 3)")) { try Keystore.decrypt(try mutate { $0["version"] = 1 }, password: "pw") }
        #expect(throws: Keystore.KeystoreError.self) {
            try Keystore.decrypt(try mutate { var c = $0["crypto"] as! [String: Any]; c["cipher"] = "aes-256-gcm"; $0["crypto"] = c }, password: "pw")
        }
        #expect(throws: Keystore.KeystoreError.wrongPassword) {
            try Keystore.decrypt(try mutate { var c = $0["crypto"] as! [String: Any]; c["mac"] = String(repeating: "00", count: 32); $0["crypto"] = c }, password: "pw")
        }
        #expect(throws: Keystore.KeystoreError.addressMismatch) {
            try Keystore.decrypt(try mutate { $0["address"] = String(repeating: "11", count: 20) }, password: "pw")
        }
        #expect(throws: Keystore.KeystoreError.self) {
            try Keystore.decrypt(try mutate { var c = $0["crypto"] as! [String: Any]; c["ciphertext"] = "abcd"; $0["crypto"] = c }, password: "pw")
        }
    }

    @Test func gethFileNames() {
        let name = Keystore.fileName(for: Address(low: 0xabc), at: Date(timeIntervalSince1970: 0))
        #expect(name == "UTC--1970-01-01T00-00-00.000000000Z--0000000000000000000000000000000000000abc")
    }
}
