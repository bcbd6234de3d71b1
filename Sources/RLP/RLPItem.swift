/// A generic RLP tree: a byte string or a list of items.
public indirect enum RLPItem: Hashable, Sendable {
    case bytes([UInt8])
    case list([RLPItem])

    /// Decodes exactly one item that spans all of `data` (strict: see ``RLPDecoder``).
    public init(decoding data: [UInt8], maxDepth: Int = 1024) throws(RLPError) {
        var d = RLPDecoder(data)
        self = try d.readItem(maxDepth: maxDepth)
        try d.finish()
    }
}

extension RLPItem: RLPEncodable {
    public var rlpLength: Int {
        switch self {
        case .bytes(let b): return RLPLength.string(b)
        case .list(let items): return RLPLength.list(payload: items.reduce(0) { $0 + $1.rlpLength })
        }
    }

    public func encode(to writer: inout RLPWriter) {
        switch self {
        case .bytes(let b): writer.write(bytes: b)
        case .list(let items):
            writer.writeListHeader(payloadLength: items.reduce(0) { $0 + $1.rlpLength })
            for item in items { item.encode(to: &writer) }
        }
    }
}
