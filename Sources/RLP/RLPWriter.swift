import Primitives

/// Sizes of RLP encodings, so that writers can emit list headers before their contents and
/// encode append-only into one buffer.
public enum RLPLength {
    /// Bytes taken by a header for a payload of `length` bytes.
    @inlinable
    public static func header(_ length: Int) -> Int {
        length <= 55 ? 1 : 1 + bytesNeeded(UInt64(length))
    }

    /// Encoded size of a byte string.
    @inlinable
    public static func string(count: Int, firstByte: UInt8?) -> Int {
        if count == 1, let b = firstByte, b < 0x80 { return 1 }
        return header(count) + count
    }

    /// Encoded size of a byte string.
    @inlinable
    public static func string<Bytes: Collection>(_ bytes: Bytes) -> Int where Bytes.Element == UInt8 {
        string(count: bytes.count, firstByte: bytes.first)
    }

    /// Encoded size of an unsigned integer (minimal big-endian string).
    @inlinable
    public static func uint(_ v: UInt64) -> Int { v < 0x80 ? 1 : 1 + bytesNeeded(v) }

    /// Encoded size of a 256-bit unsigned integer.
    @inlinable
    public static func uint(_ v: UInt256) -> Int {
        if let small = v.uint64 { return uint(small) }
        return 1 + v.byteLength
    }

    /// Encoded size of a list whose items take `payload` bytes.
    @inlinable
    public static func list(payload: Int) -> Int { header(payload) + payload }

    @inlinable
    static func bytesNeeded(_ v: UInt64) -> Int { (64 - v.leadingZeroBitCount + 7) / 8 }
}

/// Append-only RLP encoder writing into one growing buffer.
///
/// Lists are written header first: the caller gives the payload length, computed with
/// ``RLPLength`` (or `encodedLength` on an ``RLPEncodable``), then writes the items.
public struct RLPWriter: Sendable {
    @usableFromInline var storage: [UInt8]
    /// The encoding so far.
    public var bytes: [UInt8] { storage }

    /// A writer with room for `capacity` bytes.
    @inlinable
    public init(capacity: Int = 64) {
        storage = []
        storage.reserveCapacity(capacity)
    }

    @inlinable
    mutating func writeHeader(offset: UInt8, length: Int) {
        if length <= 55 {
            storage.append(offset &+ UInt8(length))
        } else {
            let n = RLPLength.bytesNeeded(UInt64(length))
            storage.append(offset &+ 55 &+ UInt8(n))
            for i in stride(from: n - 1, through: 0, by: -1) {
                storage.append(UInt8(truncatingIfNeeded: UInt64(length) >> UInt64(8 * i)))
            }
        }
    }

    /// Writes a list header for `payloadLength` bytes of items that follow.
    @inlinable
    public mutating func writeListHeader(payloadLength: Int) { writeHeader(offset: 0xc0, length: payloadLength) }

    /// Writes a byte string.
    @inlinable
    public mutating func write<Bytes: Collection>(bytes b: Bytes) where Bytes.Element == UInt8 {
        if b.count == 1, let first = b.first, first < 0x80 {
            storage.append(first)
        } else {
            writeHeader(offset: 0x80, length: b.count)
            storage.append(contentsOf: b)
        }
    }

    /// Writes an unsigned integer as its minimal big-endian bytes (zero is the empty string).
    @inlinable
    public mutating func write(_ v: UInt64) {
        if v == 0 {
            storage.append(0x80)
        } else if v < 0x80 {
            storage.append(UInt8(v))
        } else {
            let n = RLPLength.bytesNeeded(v)
            storage.append(0x80 &+ UInt8(n))
            for i in stride(from: n - 1, through: 0, by: -1) {
                storage.append(UInt8(truncatingIfNeeded: v >> UInt64(8 * i)))
            }
        }
    }

    /// Writes a 256-bit unsigned integer as its minimal big-endian bytes.
    @inlinable
    public mutating func write(_ v: UInt256) {
        if let small = v.uint64 { return write(small) }
        let n = v.byteLength
        storage.append(0x80 &+ UInt8(n))
        for i in stride(from: n - 1, through: 0, by: -1) {
            let limb = v[limb: i / 8]
            storage.append(UInt8(truncatingIfNeeded: limb >> UInt64(8 * (i % 8))))
        }
    }

    /// Writes a 20-byte address.
    @inlinable
    public mutating func write(_ a: Address) {
        storage.append(0x80 + 20)
        let start = storage.count
        storage.append(contentsOf: repeatElement(0, count: 20))
        storage.withUnsafeMutableBytes { a.write(into: UnsafeMutableRawBufferPointer(rebasing: $0[start...])) }
    }

    /// Writes a 32-byte hash.
    @inlinable
    public mutating func write(_ h: Hash32) {
        storage.append(0x80 + 32)
        let start = storage.count
        storage.append(contentsOf: repeatElement(0, count: 32))
        storage.withUnsafeMutableBytes { h.write(into: UnsafeMutableRawBufferPointer(rebasing: $0[start...])) }
    }

    /// Appends bytes that are already RLP (a nested item encoded elsewhere).
    @inlinable
    public mutating func writeRaw<Bytes: Sequence>(_ encoded: Bytes) where Bytes.Element == UInt8 {
        storage.append(contentsOf: encoded)
    }
}

/// A value with an RLP encoding that knows its own size.
public protocol RLPEncodable {
    /// Size of the full encoding in bytes.
    var rlpLength: Int { get }
    /// Appends the encoding.
    func encode(to writer: inout RLPWriter)
}

extension RLPEncodable {
    /// The encoding in a buffer of exactly the right size.
    public var rlpEncoded: [UInt8] {
        var w = RLPWriter(capacity: rlpLength)
        encode(to: &w)
        return w.bytes
    }
}
