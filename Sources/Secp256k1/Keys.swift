import CSecp256k1
import Keccak
import Primitives

/// Errors from key handling, signing and recovery.
public enum Secp256k1Error: Error, Equatable, Sendable, CustomStringConvertible {
    /// Zero or not below the curve order.
    case invalidPrivateKey
    /// Not a 64-byte (or 65-byte 0x04-prefixed) point on the curve.
    case invalidPublicKey
    /// r or s outside [1, n-1], or recovery id not 0 or 1.
    case invalidSignature
    /// No public key recovers from this signature and message.
    case recoveryFailed

    public var description: String {
        switch self {
        case .invalidPrivateKey: return "invalid private key"
        case .invalidPublicKey: return "invalid public key"
        case .invalidSignature: return "invalid signature"
        case .recoveryFailed: return "signature recovery failed"
        }
    }
}

/// The secp256k1 group order n and n/2, for the low-s rule.
public enum Secp256k1Curve {
    public static let order = UInt256(hex: "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")!
    public static let halfOrder = UInt256(hex: "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0")!
}

/// A recoverable ECDSA signature: r, s and the recovery id (y parity, 0 or 1).
public struct RecoverableSignature: Sendable, Hashable {
    public var r: UInt256
    public var s: UInt256
    /// 0 or 1.
    public var recoveryID: UInt8

    public init(r: UInt256, s: UInt256, recoveryID: UInt8) {
        self.r = r; self.s = s; self.recoveryID = recoveryID
    }

    /// True when s ≤ n/2 (EIP-2's rule for transactions).
    public var isLowS: Bool { s <= Secp256k1Curve.halfOrder }

    /// Checks r, s in [1, n-1] and the recovery id in {0, 1}.
    public var isWellFormed: Bool {
        !r.isZero && !s.isZero && r < Secp256k1Curve.order && s < Secp256k1Curve.order && recoveryID <= 1
    }
}

/// A secp256k1 private key. Its bytes never leave the type except through ``rawBytes``.
public struct PrivateKey: Sendable, Hashable {
    /// The 32-byte big-endian scalar.
    public let rawBytes: [UInt8]

    /// A key from 32 bytes; fails for zero or values not below n.
    public init(_ bytes: [UInt8]) throws(Secp256k1Error) {
        guard bytes.count == 32 else { throw .invalidPrivateKey }
        let ok = bytes.withUnsafeBufferPointer {
            secp256k1_ec_seckey_verify(Secp256k1Context.shared.pointer, $0.baseAddress!)
        }
        guard ok == 1 else { throw .invalidPrivateKey }
        rawBytes = bytes
    }

    /// A key from 64 hex digits (optional `0x`).
    public init(hex: String) throws(Secp256k1Error) {
        guard let b = [UInt8](hex: hex) else { throw .invalidPrivateKey }
        try self.init(b)
    }

    /// A fresh random key from the system CSPRNG.
    public static func random() -> PrivateKey {
        while true {
            var b = [UInt8](repeating: 0, count: 32)
            fillRandom(&b)
            if let k = try? PrivateKey(b) { return k }
        }
    }

    /// The matching public key.
    public var publicKey: PublicKey {
        var pk = secp256k1_pubkey()
        let ok = rawBytes.withUnsafeBufferPointer {
            secp256k1_ec_pubkey_create(Secp256k1Context.shared.pointer, &pk, $0.baseAddress!)
        }
        precondition(ok == 1, "validated private key rejected by secp256k1_ec_pubkey_create")
        return PublicKey(pk)
    }

    /// The Ethereum address of this key.
    public var address: Address { publicKey.address }

    /// Signs a 32-byte message hash: deterministic nonce (RFC 6979), low s, recovery id.
    public func sign(hash: Hash32) -> RecoverableSignature {
        var sig = secp256k1_ecdsa_recoverable_signature()
        let msg = hash.bytes
        let ok = msg.withUnsafeBufferPointer { m in
            rawBytes.withUnsafeBufferPointer { k in
                secp256k1_ecdsa_sign_recoverable(Secp256k1Context.shared.pointer, &sig, m.baseAddress!,
                                                 k.baseAddress!, secp256k1_nonce_function_rfc6979, nil)
            }
        }
        precondition(ok == 1, "secp256k1_ecdsa_sign_recoverable failed for a valid key")
        var compact = [UInt8](repeating: 0, count: 64)
        var recid: Int32 = 0
        compact.withUnsafeMutableBufferPointer {
            _ = secp256k1_ecdsa_recoverable_signature_serialize_compact(
                Secp256k1Context.shared.pointer, $0.baseAddress!, &recid, &sig)
        }
        let r = UInt256(bigEndian: compact[0..<32])!, s = UInt256(bigEndian: compact[32..<64])!
        return RecoverableSignature(r: r, s: s, recoveryID: UInt8(recid))
    }
}

/// A secp256k1 public key.
public struct PublicKey: Sendable, Hashable {
    /// The uncompressed point without the 0x04 prefix: x ‖ y, 64 bytes.
    public let xy: [UInt8]

    init(_ pk: secp256k1_pubkey) {
        var pk = pk
        var out = [UInt8](repeating: 0, count: 65)
        var len = 65
        out.withUnsafeMutableBufferPointer {
            _ = secp256k1_ec_pubkey_serialize(Secp256k1Context.shared.pointer, $0.baseAddress!, &len, &pk,
                                              UInt32(SECP256K1_EC_UNCOMPRESSED))
        }
        xy = Array(out[1...])
    }

    /// A key from 64 bytes (x ‖ y), 65 bytes (0x04 ‖ x ‖ y) or 33 compressed bytes.
    public init(_ bytes: [UInt8]) throws(Secp256k1Error) {
        let input = bytes.count == 64 ? [0x04] + bytes : bytes
        var pk = secp256k1_pubkey()
        let ok = input.withUnsafeBufferPointer {
            secp256k1_ec_pubkey_parse(Secp256k1Context.shared.pointer, &pk, $0.baseAddress!, $0.count)
        }
        guard ok == 1 else { throw .invalidPublicKey }
        self.init(pk)
    }

    /// The Ethereum address: the last 20 bytes of keccak256(x ‖ y).
    public var address: Address { xy.withUnsafeBytes { Address.fromPublicKey($0) } }
}

/// Public-key recovery from a signature over a 32-byte hash (Ethereum's `ecrecover`).
public enum ECRecover {
    /// Recovers the signer's public key. Does not enforce low s (callers that must, check
    /// ``RecoverableSignature/isLowS``).
    public static func publicKey(hash: Hash32, signature sig: RecoverableSignature) throws(Secp256k1Error) -> PublicKey {
        guard sig.isWellFormed else { throw .invalidSignature }
        var compact = (UInt256.zero, UInt256.zero)
        var msg = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        return try withUnsafeMutableBytes(of: &compact) { (c: UnsafeMutableRawBufferPointer) throws(Secp256k1Error) -> PublicKey in
            sig.r.writeBigEndian(into: c)
            sig.s.writeBigEndian(into: UnsafeMutableRawBufferPointer(rebasing: c[32...]))
            return try withUnsafeMutableBytes(of: &msg) { (m: UnsafeMutableRawBufferPointer) throws(Secp256k1Error) -> PublicKey in
                hash.write(into: m)
                let ctx = Secp256k1Context.shared.pointer
                var rsig = secp256k1_ecdsa_recoverable_signature()
                guard secp256k1_ecdsa_recoverable_signature_parse_compact(
                    ctx, &rsig, c.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(sig.recoveryID)) == 1
                else { throw .invalidSignature }
                var pk = secp256k1_pubkey()
                guard secp256k1_ecdsa_recover(ctx, &pk, &rsig, m.baseAddress!.assumingMemoryBound(to: UInt8.self)) == 1
                else { throw .recoveryFailed }
                return PublicKey(pk)
            }
        }
    }

    /// Recovers the signer's address.
    public static func address(hash: Hash32, signature: RecoverableSignature) throws(Secp256k1Error) -> Address {
        try publicKey(hash: hash, signature: signature).address
    }
}
