import Primitives

/// A strict, zero-copy RLP reader over a byte array.
///
/// Rejects every non-canonical form: a single byte below 0x80 wrapped as a string, the long
/// form for payloads of 55 bytes or fewer, length fields with leading zeros, lengths past the
/// end, integers with leading zero bytes, and (with ``finish()``) trailing bytes. Offsets in
/// errors are absolute positions in the input.
public struct RLPDecoder: Sendable {
    @usableFromInline let data: [UInt8]
    /// Current read position (absolute).
    public private(set) var position: Int
    @usableFromInline let end: Int

    /// A reader over all of `data`.
    public init(_ data: [UInt8]) {
        self.data = data
        position = 0
        end = data.count
    }

    /// A reader over `data` from byte `offset` on (errors keep absolute offsets).
    public init(_ data: [UInt8], startingAt offset: Int) {
        self.data = data
        position = Swift.min(Swift.max(offset, 0), data.count)
        end = data.count
    }

    init(data: [UInt8], position: Int, end: Int) {
        self.data = data
        self.position = position
        self.end = end
    }

    /// True when every byte in this reader's range has been consumed.
    public var isAtEnd: Bool { position >= end }

    /// Fails with ``RLPError/trailingBytes(offset:count:)`` unless everything was consumed.
    public func finish() throws(RLPError) {
        if position < end { throw .trailingBytes(offset: position, count: end - position) }
    }

    /// The kind of the next item, without consuming it.
    public func peekIsList() throws(RLPError) -> Bool {
        guard position < end else { throw .unexpectedEnd(offset: position) }
        return data[position] >= 0xc0
    }

    /// Reads a header: whether it is a list, where the payload starts, and its length.
    @usableFromInline
    mutating func readHeader() throws(RLPError) -> (isList: Bool, start: Int, length: Int) {
        let at = position
        guard at < end else { throw .unexpectedEnd(offset: at) }
        let b = data[at]
        let isList: Bool
        let start: Int
        let length: Int
        switch b {
        case 0x00..<0x80:
            return (false, at, 1)  // the byte is its own payload; position stays for readString
        case 0x80...0xb7, 0xc0...0xf7:
            isList = b >= 0xc0
            length = Int(b - (isList ? 0xc0 : 0x80))
            start = at + 1
            if !isList, length == 1 {
                guard start < end else { throw .unexpectedEnd(offset: start) }
                if data[start] < 0x80 { throw .nonCanonicalSingleByte(offset: at) }
            }
        default:
            isList = b >= 0xf8
            let lenOfLen = Int(b - (isList ? 0xf7 : 0xb7))
            guard at + 1 + lenOfLen <= end else { throw .unexpectedEnd(offset: at + 1) }
            guard data[at + 1] != 0 else { throw .leadingZeroInLength(offset: at + 1) }
            guard lenOfLen <= 8 else { throw .lengthOverflow(offset: at + 1) }
            var l: UInt64 = 0
            for i in 0..<lenOfLen { l = l << 8 | UInt64(data[at + 1 + i]) }
            guard l <= UInt64(Int.max / 2) else { throw .lengthOverflow(offset: at + 1) }
            length = Int(l)
            if length <= 55 { throw .nonCanonicalLongForm(offset: at) }
            start = at + 1 + lenOfLen
        }
        guard length <= end - start else {
            throw .lengthPastEnd(offset: at, length: length, available: end - start)
        }
        return (isList, start, length)
    }

    /// Reads a byte string; its payload shares the input's storage.
    public mutating func readBytes() throws(RLPError) -> ArraySlice<UInt8> {
        let at = position
        let h = try readHeader()
        if h.isList { throw .expectedString(offset: at) }
        position = h.start + h.length
        return data[h.start..<(h.start + h.length)]
    }

    /// Reads a list and returns a reader over its payload; this reader moves past it.
    public mutating func readList() throws(RLPError) -> RLPDecoder {
        let at = position
        let h = try readHeader()
        if !h.isList { throw .expectedList(offset: at) }
        position = h.start + h.length
        return RLPDecoder(data: data, position: h.start, end: h.start + h.length)
    }

    /// Reads a canonical unsigned integer of at most `maxBytes` bytes as big-endian bytes.
    mutating func readIntegerBytes(maxBytes: Int) throws(RLPError) -> ArraySlice<UInt8> {
        let at = position
        let b = try readBytes()
        if let first = b.first, first == 0 { throw .leadingZeroInInteger(offset: at) }
        if b.count > maxBytes { throw .integerTooLarge(offset: at, maxBytes: maxBytes) }
        return b
    }

    /// Reads a canonical unsigned integer that fits in 64 bits.
    public mutating func readUInt64() throws(RLPError) -> UInt64 {
        var v: UInt64 = 0
        for byte in try readIntegerBytes(maxBytes: 8) { v = v << 8 | UInt64(byte) }
        return v
    }

    /// Reads a canonical unsigned integer that fits in 256 bits.
    public mutating func readUInt256() throws(RLPError) -> UInt256 {
        UInt256(bigEndian: try readIntegerBytes(maxBytes: 32))!
    }

    /// Reads a string of exactly `count` bytes.
    public mutating func readFixed(count: Int) throws(RLPError) -> ArraySlice<UInt8> {
        let at = position
        let b = try readBytes()
        guard b.count == count else { throw .wrongLength(offset: at, expected: count, actual: b.count) }
        return b
    }

    /// Reads a 20-byte address.
    public mutating func readAddress() throws(RLPError) -> Address {
        Address(try readFixed(count: 20))!
    }

    /// Reads a 20-byte address, or the empty string as nil (a contract creation's `to`).
    public mutating func readOptionalAddress() throws(RLPError) -> Address? {
        let at = position
        let b = try readBytes()
        if b.isEmpty { return nil }
        guard let a = Address(b) else { throw .wrongLength(offset: at, expected: 20, actual: b.count) }
        return a
    }

    /// Reads a 32-byte hash.
    public mutating func readHash() throws(RLPError) -> Hash32 {
        Hash32(try readFixed(count: 32))!
    }

    /// Reads any item as a tree, nesting at most `maxDepth` lists.
    public mutating func readItem(maxDepth: Int = 1024) throws(RLPError) -> RLPItem {
        try readItem(remaining: maxDepth, limit: maxDepth)
    }

    private mutating func readItem(remaining: Int, limit: Int) throws(RLPError) -> RLPItem {
        let at = position
        if try peekIsList() {
            guard remaining > 0 else { throw .tooDeep(offset: at, limit: limit) }
            var inner = try readList()
            var items: [RLPItem] = []
            while !inner.isAtEnd { items.append(try inner.readItem(remaining: remaining - 1, limit: limit)) }
            return .list(items)
        }
        return .bytes(Array(try readBytes()))
    }

    /// The raw bytes (header included) of the next item, skipping over it.
    public mutating func readRawItem() throws(RLPError) -> ArraySlice<UInt8> {
        let at = position
        let h = try readHeader()
        position = h.start + h.length
        return data[at..<position]
    }
}
