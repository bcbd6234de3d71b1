/// Why an RLP input was rejected. Every case names the byte offset where decoding stopped.
public enum RLPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended before an item's header or payload was complete.
    case unexpectedEnd(offset: Int)
    /// A header announced `length` payload bytes but only `available` remain.
    case lengthPastEnd(offset: Int, length: Int, available: Int)
    /// A single byte below 0x80 was wrapped as a one-byte string (`0x81 0x05`).
    case nonCanonicalSingleByte(offset: Int)
    /// The long form was used for a payload of 55 bytes or fewer.
    case nonCanonicalLongForm(offset: Int)
    /// A long-form length field started with a zero byte.
    case leadingZeroInLength(offset: Int)
    /// A length field too large to be real (more than 8 bytes, or past `Int.max`).
    case lengthOverflow(offset: Int)
    /// An integer was encoded with leading zero bytes.
    case leadingZeroInInteger(offset: Int)
    /// An integer longer than its type allows.
    case integerTooLarge(offset: Int, maxBytes: Int)
    /// Bytes left over after the item (or after a list's last expected element).
    case trailingBytes(offset: Int, count: Int)
    /// A string where a list was expected.
    case expectedList(offset: Int)
    /// A list where a string was expected.
    case expectedString(offset: Int)
    /// A fixed-size string (address, hash) of the wrong length.
    case wrongLength(offset: Int, expected: Int, actual: Int)
    /// Lists nested deeper than the decoder allows.
    case tooDeep(offset: Int, limit: Int)

    public var description: String {
        switch self {
        case .unexpectedEnd(let o): return "rlp: unexpected end of input at offset \(o)"
        case .lengthPastEnd(let o, let l, let a):
            return "rlp: value size exceeds available input length at offset \(o) (\(l) > \(a))"
        case .nonCanonicalSingleByte(let o): return "rlp: non-canonical size information (single byte below 128 wrapped as string) at offset \(o)"
        case .nonCanonicalLongForm(let o): return "rlp: non-canonical size information (long form for a payload under 56 bytes) at offset \(o)"
        case .leadingZeroInLength(let o): return "rlp: non-canonical size information (leading zero in length) at offset \(o)"
        case .lengthOverflow(let o): return "rlp: length field too large at offset \(o)"
        case .leadingZeroInInteger(let o): return "rlp: non-canonical integer (leading zero bytes) at offset \(o)"
        case .integerTooLarge(let o, let m): return "rlp: integer larger than \(m) bytes at offset \(o)"
        case .trailingBytes(let o, let c): return "rlp: \(c) trailing bytes after the value at offset \(o)"
        case .expectedList(let o): return "rlp: expected list at offset \(o)"
        case .expectedString(let o): return "rlp: expected string at offset \(o)"
        case .wrongLength(let o, let e, let a): return "rlp: expected \(e) bytes, got \(a) at offset \(o)"
        case .tooDeep(let o, let l): return "rlp: lists nested deeper than \(l) at offset \(o)"
        }
    }
}
