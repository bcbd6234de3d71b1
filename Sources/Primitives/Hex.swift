/// Errors from decoding hexadecimal text.
public enum HexError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A character outside `0-9a-fA-F` at the given offset (counting the `0x` prefix).
    case invalidCharacter(offset: Int)
    /// Byte strings need an even number of digits.
    case oddLength
    /// The text must start with `0x`.
    case missingPrefix
    /// The value has more digits than its type holds.
    case tooLong(maxBytes: Int)
    /// A quantity with leading zero digits (`0x01`), which JSON-RPC forbids.
    case leadingZero
    /// Empty text where a value was required.
    case empty

    public var description: String {
        switch self {
        case .invalidCharacter(let offset): return "invalid hex character at offset \(offset)"
        case .oddLength: return "hex string of odd length"
        case .missingPrefix: return "hex string without 0x prefix"
        case .tooLong(let max): return "hex string longer than \(max) bytes"
        case .leadingZero: return "hex number with leading zero digits"
        case .empty: return "empty hex string"
        }
    }
}

/// Hexadecimal encoding and decoding of byte strings.
public enum Hex {
    @usableFromInline static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lower-case hex of `bytes`, with a `0x` prefix unless `prefix` is false.
    @inlinable
    public static func encode<Bytes: Sequence>(_ bytes: Bytes, prefix: Bool = true) -> String
    where Bytes.Element == UInt8 {
        var out: [UInt8] = prefix ? [0x30, 0x78] : []
        out.reserveCapacity(bytes.underestimatedCount * 2 + 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The value of one ASCII hex digit, or nil.
    @inlinable
    public static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c &- 0x30
        case 0x61...0x66: return c &- 0x61 &+ 10
        case 0x41...0x46: return c &- 0x41 &+ 10
        default: return nil
        }
    }

    /// Decodes hex text with an optional `0x`/`0X` prefix (required when `requirePrefix`).
    public static func decode(_ text: some StringProtocol, requirePrefix: Bool = false) throws(HexError) -> [UInt8] {
        let utf8 = Array(text.utf8)
        var start = 0
        if utf8.count >= 2, utf8[0] == 0x30, utf8[1] == 0x78 || utf8[1] == 0x58 {
            start = 2
        } else if requirePrefix {
            throw .missingPrefix
        }
        let n = utf8.count - start
        guard n % 2 == 0 else { throw .oddLength }
        var out = [UInt8]()
        out.reserveCapacity(n / 2)
        var i = start
        while i < utf8.count {
            guard let hi = nibble(utf8[i]) else { throw .invalidCharacter(offset: i) }
            guard let lo = nibble(utf8[i + 1]) else { throw .invalidCharacter(offset: i + 1) }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}

extension Array where Element == UInt8 {
    /// Decodes hex text (optional `0x`); nil when it is not valid hex.
    public init?(hex: some StringProtocol) {
        guard let bytes = try? Hex.decode(hex) else { return nil }
        self = bytes
    }

    /// `0x`-prefixed lower-case hex.
    public var hexString: String { Hex.encode(self) }
}
