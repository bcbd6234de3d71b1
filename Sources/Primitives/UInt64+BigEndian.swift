extension UInt64 {
    /// The 8 bytes of the number, big-endian: the form of numbers in keys, so that byte order
    /// is numeric order.
    @inlinable
    public var bigEndianBytes: [UInt8] { withUnsafeBytes(of: bigEndian) { Array($0) } }

    /// The number from exactly 8 big-endian bytes; nil for any other length.
    @inlinable
    public init?<Bytes: Collection<UInt8>>(bigEndianBytes bytes: Bytes) {
        guard bytes.count == 8 else { return nil }
        self = bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
}
