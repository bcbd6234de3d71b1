import COpenSSL
import Foundation
import JSON
import Keccak
import Primitives
import Secp256k1

/// geth-compatible Web3 Secret Storage (keystore v3) files: scrypt or PBKDF2-HMAC-SHA256 key
/// derivation, AES-128-CTR encryption and a Keccak-256 MAC over the second half of the derived
/// key and the ciphertext.
public enum Keystore {
    /// Key-derivation settings.
    public enum KDF: Sendable, Equatable {
        case scrypt(n: Int, r: Int, p: Int)
        case pbkdf2(iterations: Int)

        /// geth's standard scrypt parameters (N = 2^18, r = 8, p = 1).
        public static let standard = KDF.scrypt(n: 1 << 18, r: 8, p: 1)
        /// geth's light parameters (N = 2^12, r = 8, p = 6), for tests and weak machines.
        public static let light = KDF.scrypt(n: 1 << 12, r: 8, p: 6)
    }

    /// Why a keystore file could not be used.
    public enum KeystoreError: Error, Equatable, Sendable, CustomStringConvertible {
        case malformed(String)
        case unsupported(String)
        /// Wrong password, or a file whose MAC does not match (geth's text).
        case wrongPassword
        case addressMismatch

        public var description: String {
            switch self {
            case .malformed(let why): return "invalid keystore file: \(why)"
            case .unsupported(let what): return "unsupported keystore \(what)"
            case .wrongPassword: return "could not decrypt key with given password"
            case .addressMismatch: return "keystore address does not match its key"
            }
        }
    }

    // MARK: Encrypt

    /// A keystore v3 JSON document for `key`, encrypted under `password`.
    public static func encrypt(_ key: PrivateKey, password: String, kdf: KDF = .standard) throws -> Data {
        let salt = randomBytes(32), iv = randomBytes(16)
        let derived = try deriveKey(password: Array(password.utf8), salt: salt, kdf: kdf)
        let ciphertext = try aes128ctr(key: Array(derived[0..<16]), iv: iv, key.rawBytes)
        let mac = Keccak256.hash(Array(derived[16..<32]) + ciphertext)
        let kdfParams: JSONValue
        let kdfName: String
        switch kdf {
        case .scrypt(let n, let r, let p):
            kdfName = "scrypt"
            kdfParams = .object([("dklen", 32), ("n", .number(JSONNumber(n))), ("p", .number(JSONNumber(p))),
                                 ("r", .number(JSONNumber(r))), ("salt", .string(Hex.encode(salt, prefix: false)))])
        case .pbkdf2(let c):
            kdfName = "pbkdf2"
            kdfParams = .object([("c", .number(JSONNumber(c))), ("dklen", 32), ("prf", "hmac-sha256"),
                                 ("salt", .string(Hex.encode(salt, prefix: false)))])
        }
        // Keys in sorted order, as geth writes them.
        let doc = JSONValue.object([
            ("address", .string(Hex.encode(key.address.bytes, prefix: false))),
            ("crypto", .object([
                ("cipher", "aes-128-ctr"), ("cipherparams", .object([("iv", .string(Hex.encode(iv, prefix: false)))])),
                ("ciphertext", .string(Hex.encode(ciphertext, prefix: false))), ("kdf", .string(kdfName)), ("kdfparams", kdfParams),
                ("mac", .string(Hex.encode(mac, prefix: false))),
            ])),
            ("id", .string(UUID().uuidString.lowercased())),
            ("version", 3),
        ])
        return Data(doc.bytes)
    }

    // MARK: Decrypt

    /// The private key in a keystore v3 document. The MAC is checked before decrypting.
    public static func decrypt(_ json: Data, password: String) throws -> PrivateKey {
        guard let doc = try? JSONValue.parse(Array(json)), doc.objectValue != nil else { throw KeystoreError.malformed("not a JSON object") }
        guard doc["version"]?.numberValue?.int64Value == 3 else { throw KeystoreError.unsupported("version (want 3)") }
        guard let crypto = doc["crypto"] ?? doc["Crypto"], crypto.objectValue != nil else { throw KeystoreError.malformed("no crypto section") }
        guard crypto["cipher"]?.stringValue == "aes-128-ctr" else {
            throw KeystoreError.unsupported("cipher \(crypto["cipher"]?.stringValue ?? "none")")
        }
        func hex(_ v: JSONValue?, _ what: String) throws -> [UInt8] {
            guard let s = v?.stringValue, let b = [UInt8](hex: s) else { throw KeystoreError.malformed("\(what) is not hex") }
            return b
        }
        let iv = try hex(crypto["cipherparams"]?["iv"], "iv")
        guard iv.count == 16 else { throw KeystoreError.malformed("iv must be 16 bytes") }
        let ciphertext = try hex(crypto["ciphertext"], "ciphertext")
        guard ciphertext.count == 32 else { throw KeystoreError.malformed("ciphertext must be 32 bytes") }
        let mac = try hex(crypto["mac"], "mac")
        guard let params = crypto["kdfparams"], params.objectValue != nil else { throw KeystoreError.malformed("no kdfparams") }
        let salt = try hex(params["salt"], "salt")
        func int(_ k: String) throws -> Int {
            guard let n = params[k]?.numberValue?.int64Value, n > 0, n <= Int64(Int32.max) else {
                throw KeystoreError.malformed("kdfparams.\(k)")
            }
            return Int(n)
        }
        guard try int("dklen") == 32 else { throw KeystoreError.unsupported("dklen (want 32)") }
        let kdf: KDF
        switch crypto["kdf"]?.stringValue {
        case "scrypt": kdf = .scrypt(n: try int("n"), r: try int("r"), p: try int("p"))
        case "pbkdf2":
            guard params["prf"]?.stringValue == "hmac-sha256" else {
                throw KeystoreError.unsupported("prf \(params["prf"]?.stringValue ?? "none")")
            }
            kdf = .pbkdf2(iterations: try int("c"))
        default: throw KeystoreError.unsupported("kdf \(crypto["kdf"]?.stringValue ?? "none")")
        }
        let derived = try deriveKey(password: Array(password.utf8), salt: salt, kdf: kdf)
        guard Keccak256.hash(Array(derived[16..<32]) + ciphertext) == mac else { throw KeystoreError.wrongPassword }
        let plain = try aes128ctr(key: Array(derived[0..<16]), iv: iv, ciphertext)
        let key: PrivateKey
        do { key = try PrivateKey(plain) } catch { throw KeystoreError.malformed("decrypted key is not a valid secp256k1 key") }
        if let a = doc["address"]?.stringValue, let b = [UInt8](hex: a), Address(b) != key.address {
            throw KeystoreError.addressMismatch
        }
        return key
    }

    /// The address a keystore document names (without decrypting it).
    public static func address(of json: Data) -> Address? {
        guard let doc = try? JSONValue.parse(Array(json)), let a = doc["address"]?.stringValue else { return nil }
        return try? Address(hex: a)
    }

    /// geth's file name: `UTC--<ISO 8601 time>--<address>`.
    public static func fileName(for address: Address, at date: Date = Date()) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd'T'HH-mm-ss.SSSSSSSSS'Z'"
        return "UTC--\(f.string(from: date))--\(Hex.encode(address.bytes, prefix: false))"
    }

    // MARK: Primitives (OpenSSL)

    static func deriveKey(password: [UInt8], salt: [UInt8], kdf: KDF) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let ok: Int32
        switch kdf {
        case .scrypt(let n, let r, let p):
            guard n > 1, n & (n - 1) == 0, r > 0, p > 0, n <= 1 << 22, r <= 64, p <= 64 else {
                throw KeystoreError.unsupported("scrypt parameters n=\(n) r=\(r) p=\(p)")
            }
            guard let key = Scrypt.derive(password: password, salt: salt, n: n, r: r, p: p, length: 32) else {
                throw KeystoreError.malformed("key derivation failed")
            }
            return key
        case .pbkdf2(let c):
            guard c <= 10_000_000 else { throw KeystoreError.unsupported("pbkdf2 iterations \(c)") }
            ok = PKCS5_PBKDF2_HMAC(password.map { CChar(bitPattern: $0) }, Int32(password.count), salt, Int32(salt.count), Int32(c),
                                   EVP_sha256(), 32, &out)
        }
        guard ok == 1 else { throw KeystoreError.malformed("key derivation failed") }
        return out
    }

    static func aes128ctr(key: [UInt8], iv: [UInt8], _ input: [UInt8]) throws -> [UInt8] {
        guard let ctx = EVP_CIPHER_CTX_new() else { throw KeystoreError.malformed("no cipher context") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var out = [UInt8](repeating: 0, count: input.count + 16)
        var len: Int32 = 0, total: Int32 = 0
        guard EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), nil, key, iv) == 1,
              EVP_EncryptUpdate(ctx, &out, &len, input, Int32(input.count)) == 1 else { throw KeystoreError.malformed("AES-128-CTR failed") }
        total = len
        let ok = out.withUnsafeMutableBufferPointer { EVP_EncryptFinal_ex(ctx, $0.baseAddress! + Int(total), &len) }
        guard ok == 1 else { throw KeystoreError.malformed("AES-128-CTR failed") }
        return Array(out[0..<Int(total + len)])
    }

    static func randomBytes(_ n: Int) -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        return (0..<n).map { _ in UInt8.random(in: 0 ... 255, using: &rng) }
    }
}
