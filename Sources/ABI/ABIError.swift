import Primitives

/// Everything that can go wrong when parsing ABI types, encoding values or decoding data.
///
/// Encoding errors carry a `path` locating the offending value: `""` is the top-level list,
/// `"[1][0]"` the first element of the second value. Decoding errors carry a byte `offset`
/// into the data that was passed in (for call data, counted from the start of the selector).
public enum ABIError: Error, Equatable, Sendable, CustomStringConvertible {
    // MARK: Types and signatures

    /// A type string that does not parse; `position` is the byte offset of the problem.
    case invalidTypeString(String, position: Int, reason: String)
    /// A type value outside what the ABI allows (`uint7`, `bytes0`, `T[0]`, `()`, nesting too deep).
    case invalidType(String, reason: String)
    /// A function signature that does not have the form `name(types)`.
    case invalidSignature(String, reason: String)

    // MARK: Encoding (values against types)

    /// A tuple (or the top-level list) got a different number of values than it has types.
    case valueCountMismatch(path: String, expected: Int, got: Int)
    /// A value of the wrong kind for its type (`got` names the value's kind, e.g. `"string"`).
    case typeMismatch(path: String, expected: String, got: String)
    /// An unsigned value that does not fit in `bits` bits.
    case uintTooLarge(path: String, bits: Int)
    /// A signed value outside the range of a `bits`-bit two's-complement integer.
    case intOutOfRange(path: String, bits: Int)
    /// A `bytesN` value whose length is not N.
    case fixedBytesLength(path: String, expected: Int, got: Int)
    /// A `T[k]` value whose element count is not k.
    case fixedArrayLength(path: String, expected: Int, got: Int)

    // MARK: Decoding (hostile data)

    /// The data ends before `needed` bytes starting at `offset` (only `available` remain).
    case truncated(offset: Int, needed: Int, available: Int)
    /// The offset word at `offset` (value `pointer`) points past the end of the data.
    case offsetOutOfBounds(offset: Int, pointer: UInt256)
    /// The offset word at `offset` (value `pointer`) points back into the head region it belongs to.
    case offsetIntoHead(offset: Int, pointer: UInt256)
    /// The length word at `offset` claims more elements or bytes than the remaining data holds.
    case lengthOutOfBounds(offset: Int, length: UInt256)
    /// A `bool` word at `offset` that is neither 0 nor 1.
    case invalidBool(offset: Int)
    /// An `address` word at `offset` whose high 12 bytes are not zero.
    case invalidAddress(offset: Int)
    /// A `uintN` word at `offset` with bits set above bit N.
    case invalidUint(offset: Int, bits: Int)
    /// An `intN` word at `offset` that is not the sign extension of an N-bit value.
    case invalidInt(offset: Int, bits: Int)
    /// A non-zero padding byte at `offset` (in a `bytesN` word or after `bytes`/`string` contents).
    case nonZeroPadding(offset: Int)
    /// A `string` whose contents are not valid UTF-8; `offset` is the first bad byte.
    case invalidUTF8(offset: Int)
    /// Pointers that alias the same data would make the decoded result disproportionately larger
    /// than the input (a decompression bomb); `offset` is where the limit was hit.
    case expansionLimitExceeded(offset: Int)
    /// Call data whose first four bytes are not the expected function selector.
    case selectorMismatch(expected: [UInt8], got: [UInt8])

    // MARK: JSON values

    /// Text that is not valid JSON; `offset` is the byte offset of the problem.
    case invalidJSON(offset: Int, reason: String)
    /// A JSON value that cannot stand for a value of `type`.
    case invalidJSONValue(path: String, type: String, reason: String)

    /// A one-line message saying what is wrong and where.
    public var description: String {
        switch self {
        case .invalidTypeString(let text, let position, let reason):
            return "invalid ABI type \"\(text)\" at position \(position): \(reason)"
        case .invalidType(let type, let reason):
            return "invalid ABI type \(type): \(reason)"
        case .invalidSignature(let text, let reason):
            return "invalid function signature \"\(text)\": \(reason)"
        case .valueCountMismatch(let path, let expected, let got):
            return "\(Self.where_(path)): expected \(expected) values, got \(got)"
        case .typeMismatch(let path, let expected, let got):
            return "\(Self.where_(path)): expected a value of type \(expected), got \(got)"
        case .uintTooLarge(let path, let bits):
            return "\(Self.where_(path)): value does not fit in uint\(bits)"
        case .intOutOfRange(let path, let bits):
            return "\(Self.where_(path)): value out of range for int\(bits)"
        case .fixedBytesLength(let path, let expected, let got):
            return "\(Self.where_(path)): bytes\(expected) needs exactly \(expected) bytes, got \(got)"
        case .fixedArrayLength(let path, let expected, let got):
            return "\(Self.where_(path)): fixed array needs exactly \(expected) elements, got \(got)"
        case .truncated(let offset, let needed, let available):
            return "data too short: need \(needed) bytes at offset \(offset), only \(available) available"
        case .offsetOutOfBounds(let offset, let pointer):
            return "offset \(pointer) (word at byte \(offset)) points past the end of the data"
        case .offsetIntoHead(let offset, let pointer):
            return "offset \(pointer) (word at byte \(offset)) points into the head it belongs to"
        case .lengthOutOfBounds(let offset, let length):
            return "length \(length) (word at byte \(offset)) exceeds the remaining data"
        case .invalidBool(let offset):
            return "bool at byte \(offset) is neither 0 nor 1"
        case .invalidAddress(let offset):
            return "address at byte \(offset) has non-zero high 12 bytes"
        case .invalidUint(let offset, let bits):
            return "uint\(bits) at byte \(offset) has bits set above bit \(bits)"
        case .invalidInt(let offset, let bits):
            return "int\(bits) at byte \(offset) is not correctly sign-extended"
        case .nonZeroPadding(let offset):
            return "non-zero padding byte at offset \(offset)"
        case .invalidUTF8(let offset):
            return "string contains invalid UTF-8 at byte \(offset)"
        case .expansionLimitExceeded(let offset):
            return "decoding stopped at byte \(offset): aliased offsets expand the data beyond the limit"
        case .selectorMismatch(let expected, let got):
            return "selector \(Hex.encode(got)) does not match \(Hex.encode(expected))"
        case .invalidJSON(let offset, let reason):
            return "invalid JSON at byte \(offset): \(reason)"
        case .invalidJSONValue(let path, let type, let reason):
            return "\(Self.where_(path)): not a valid \(type): \(reason)"
        }
    }

    private static func where_(_ path: String) -> String { "value" + path }

    /// The same error with `[index]` put in front of its value path (encoding and JSON errors).
    func prefixingPath(_ index: Int) -> ABIError {
        let p = "[\(index)]"
        switch self {
        case .valueCountMismatch(let path, let e, let g): return .valueCountMismatch(path: p + path, expected: e, got: g)
        case .typeMismatch(let path, let e, let g): return .typeMismatch(path: p + path, expected: e, got: g)
        case .uintTooLarge(let path, let bits): return .uintTooLarge(path: p + path, bits: bits)
        case .intOutOfRange(let path, let bits): return .intOutOfRange(path: p + path, bits: bits)
        case .fixedBytesLength(let path, let e, let g): return .fixedBytesLength(path: p + path, expected: e, got: g)
        case .fixedArrayLength(let path, let e, let g): return .fixedArrayLength(path: p + path, expected: e, got: g)
        case .invalidJSONValue(let path, let t, let r): return .invalidJSONValue(path: p + path, type: t, reason: r)
        default: return self
        }
    }
}
