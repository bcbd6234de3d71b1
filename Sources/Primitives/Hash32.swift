import Keccak

/// A 32-byte hash (block, transaction, state root, topic), stored inline.
@frozen
public struct Hash32: Sendable, Hashable {
    /// The bytes as four big-endian 64-bit words.
    public var a, b, c, d: UInt64

    public static let zero = Hash32(a: 0, b: 0, c: 0, d: 0)

    @inlinable
    init(a: UInt64, b: UInt64, c: UInt64, d: UInt64) { self.a = a; self.b = b; self.c = c; self.d = d }

    /// The hash with these 32 bytes; nil for any other length.
    @inlinable
    public init?<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        guard bytes.count == 32 else { return nil }
        let arr = Array(bytes)
        self = arr.withUnsafeBytes { Hash32(rawBytes: $0) }
    }

    /// The hash with the 32 bytes at `raw`.
    @inlinable
    public init(rawBytes raw: UnsafeRawBufferPointer) {
        precondition(raw.count >= 32)
        a = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        b = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        c = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        d = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
    }

    /// Parses 64 hex digits with an optional `0x`.
    public init?(hex: some StringProtocol) {
        guard let bytes = try? Hex.decode(hex), let h = Hash32(bytes) else { return nil }
        self = h
    }

    /// The 32 bytes.
    @inlinable
    public var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { buf, n in
            write(into: UnsafeMutableRawBufferPointer(buf))
            n = 32
        }
    }

    /// Writes the 32 bytes to `out`.
    @inlinable
    public func write(into out: UnsafeMutableRawBufferPointer) {
        out.storeBytes(of: a.bigEndian, toByteOffset: 0, as: UInt64.self)
        out.storeBytes(of: b.bigEndian, toByteOffset: 8, as: UInt64.self)
        out.storeBytes(of: c.bigEndian, toByteOffset: 16, as: UInt64.self)
        out.storeBytes(of: d.bigEndian, toByteOffset: 24, as: UInt64.self)
    }

    /// The hash as a number (big-endian).
    public var uint256: UInt256 { UInt256(w0: d, w1: c, w2: b, w3: a) }

    /// The hash of a 256-bit number's big-endian bytes.
    public init(_ value: UInt256) { self.init(a: value.w3, b: value.w2, c: value.w1, d: value.w0) }

    /// Keccak-256 of `bytes`.
    @inlinable
    public static func keccak256(_ bytes: UnsafeRawBufferPointer) -> Hash32 {
        var out = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &out) { raw in
            Keccak256.hash(bytes, into: raw)
            return Hash32(rawBytes: UnsafeRawBufferPointer(raw))
        }
    }

    /// Keccak-256 of the bytes of `bytes`.
    @inlinable
    public static func keccak256<Bytes: Sequence>(_ bytes: Bytes) -> Hash32 where Bytes.Element == UInt8 {
        if let h = bytes.withContiguousStorageIfAvailable({ keccak256(UnsafeRawBufferPointer($0)) }) { return h }
        return Array(bytes).withUnsafeBytes { keccak256($0) }
    }
}

extension Hash32 {
    /// Hashes feed only the first word to `Hasher`: 64 uniformly random bits are as good a
    /// bucket key as 256, and this keeps dictionaries of hashes (tree nodes, pools) fast.
    @inlinable
    public func hash(into hasher: inout Hasher) { hasher.combine(a) }
}

extension Hash32: CustomStringConvertible {
    /// `0x` and 64 lower-case hex digits.
    public var description: String { Hex.encode(bytes) }
}
