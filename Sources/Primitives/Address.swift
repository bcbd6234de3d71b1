import Keccak

/// Errors from parsing an address.
public enum AddressError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidHex(HexError)
    case wrongLength(Int)
    case badChecksum

    public var description: String {
        switch self {
        case .invalidHex(let e): return "invalid address: \(e)"
        case .wrongLength(let n): return "invalid address: \(n) bytes, want 20"
        case .badChecksum: return "invalid address: mixed-case checksum (EIP-55) does not match"
        }
    }
}

/// A 20-byte account address, stored inline; prints with the EIP-55 checksum.
@frozen
public struct Address: Sendable, Hashable {
    /// The bytes as big-endian words: 8 + 8 + 4.
    public var hi: UInt64, mid: UInt64, lo: UInt32

    public static let zero = Address(hi: 0, mid: 0, lo: 0)

    @inlinable
    init(hi: UInt64, mid: UInt64, lo: UInt32) { self.hi = hi; self.mid = mid; self.lo = lo }

    /// The address with these 20 bytes; nil for any other length.
    @inlinable
    public init?<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        guard bytes.count == 20 else { return nil }
        self = Array(bytes).withUnsafeBytes { Address(rawBytes: $0) }
    }

    /// The address with the 20 bytes at `raw`.
    @inlinable
    public init(rawBytes raw: UnsafeRawBufferPointer) {
        precondition(raw.count >= 20)
        hi = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        mid = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        lo = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
    }

    /// An address whose low bits are `value`: `Address(low: 0x1000)` is 0x…1000.
    public init(low value: UInt64) { self.init(hi: 0, mid: value >> 32, lo: UInt32(truncatingIfNeeded: value)) }

    /// Parses 40 hex digits with an optional `0x`. All-lower or all-upper case is accepted;
    /// mixed case must carry a valid EIP-55 checksum.
    public init(hex text: some StringProtocol) throws(AddressError) {
        let bytes: [UInt8]
        do { bytes = try Hex.decode(text) } catch { throw .invalidHex(error) }
        guard let a = Address(bytes) else { throw .wrongLength(bytes.count) }
        let digits = text.hasPrefix("0x") || text.hasPrefix("0X") ? String(text.dropFirst(2)) : String(text)
        let hasLower = digits.contains { $0.isLowercase }, hasUpper = digits.contains { $0.isUppercase }
        if hasLower && hasUpper && digits != String(a.checksummed.dropFirst(2)) { throw .badChecksum }
        self = a
    }

    /// The 20 bytes.
    @inlinable
    public var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 20) { buf, n in
            write(into: UnsafeMutableRawBufferPointer(buf))
            n = 20
        }
    }

    /// Writes the 20 bytes to `out`.
    @inlinable
    public func write(into out: UnsafeMutableRawBufferPointer) {
        out.storeBytes(of: hi.bigEndian, toByteOffset: 0, as: UInt64.self)
        out.storeBytes(of: mid.bigEndian, toByteOffset: 8, as: UInt64.self)
        out.storeBytes(of: lo.bigEndian, toByteOffset: 16, as: UInt32.self)
    }

    /// The address of an uncompressed secp256k1 public key's 64 coordinate bytes (x ‖ y).
    public static func fromPublicKey(_ xy: UnsafeRawBufferPointer) -> Address {
        precondition(xy.count == 64, "public key must be 64 bytes (x || y)")
        var digest = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &digest) { raw in
            Keccak256.hash(xy, into: raw)
            return Address(rawBytes: UnsafeRawBufferPointer(rebasing: raw[12...]))
        }
    }

    /// Lower-case hex with `0x`.
    public var lowercaseHex: String { Hex.encode(bytes) }

    /// EIP-55 mixed-case checksum form: hex digit i is upper-cased when nibble i of
    /// keccak256(lowercase hex digits) is 8 or more.
    public var checksummed: String {
        let lower = Array(Hex.encode(bytes, prefix: false).utf8)
        let hash = Keccak256.hash(lower)
        var out: [UInt8] = [0x30, 0x78]
        for (i, ch) in lower.enumerated() {
            let nib = i % 2 == 0 ? hash[i / 2] >> 4 : hash[i / 2] & 0x0f
            out.append(ch >= 0x61 && nib >= 8 ? ch - 0x20 : ch)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The address as a number (for ABI words).
    public var uint256: UInt256 { UInt256(w0: (mid << 32) | UInt64(lo), w1: (hi << 32) | (mid >> 32), w2: hi >> 32, w3: 0) }
}

extension Address: CustomStringConvertible {
    /// The EIP-55 checksummed form.
    public var description: String { checksummed }
}
