/// Why JSON text was refused, and where.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The text ended inside a value (or was empty).
        case unexpectedEnd
        /// A byte that cannot start or continue what was being read.
        case unexpectedCharacter(UInt8)
        /// A number outside the JSON grammar (`01`, `1.`, `-`, `1e`).
        case invalidNumber
        /// A backslash escape JSON does not define.
        case invalidEscape
        /// `\u` not followed by four hex digits.
        case invalidUnicodeEscape
        /// An unescaped control character (below U+0020) inside a string.
        case controlCharacterInString
        /// A string that is not valid UTF-8.
        case invalidUTF8
        /// Arrays and objects nested deeper than the limit.
        case tooDeep(limit: Int)
        /// Something after the value.
        case trailingData
    }

    /// Byte offset into the input.
    public let offset: Int
    public let reason: Reason

    public init(offset: Int, reason: Reason) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .unexpectedEnd: return "unexpected end of JSON input"
        case .unexpectedCharacter(let c):
            let shown = c >= 0x20 && c < 0x7f ? "'\(Character(Unicode.Scalar(c)))'" : "0x" + String(c, radix: 16)
            return "invalid character \(shown) at offset \(offset)"
        case .invalidNumber: return "invalid number at offset \(offset)"
        case .invalidEscape: return "invalid escape in string at offset \(offset)"
        case .invalidUnicodeEscape: return "invalid \\u escape in string at offset \(offset)"
        case .controlCharacterInString: return "control character in string at offset \(offset)"
        case .invalidUTF8: return "invalid UTF-8 in string at offset \(offset)"
        case .tooDeep(let limit): return "JSON nested deeper than \(limit) levels at offset \(offset)"
        case .trailingData: return "invalid character after top-level value at offset \(offset)"
        }
    }
}

extension JSONValue {
    /// How deep arrays and objects may nest by default.
    public static let defaultMaxDepth = 128

    /// Parses exactly one JSON value (RFC 8259) from `text`, surrounded by optional whitespace.
    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        var t = text
        return try t.withUTF8 { buf in
            Result { () throws(JSONParseError) in try parse(bytes: UnsafeRawBufferPointer(buf), maxDepth: maxDepth) }
        }.get()
    }

    /// Parses exactly one JSON value from UTF-8 bytes.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        try bytes.withUnsafeBytes { buf in
            Result { () throws(JSONParseError) in try parse(bytes: buf, maxDepth: maxDepth) }
        }.get()
    }

    /// Parses exactly one JSON value from UTF-8 bytes. Strict: no comments, no trailing commas,
    /// no leading zeros, no unescaped control characters, valid UTF-8 only; nesting beyond
    /// `maxDepth` is refused before it can exhaust the stack.
    public static func parse(bytes: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        var p = JSONParser(bytes: bytes, maxDepth: maxDepth)
        p.skipWhitespace()
        let v = try p.value()
        p.skipWhitespace()
        if p.i < p.p.count { throw JSONParseError(offset: p.i, reason: .trailingData) }
        return v
    }
}

/// Recursive descent over raw bytes, depth-limited.
struct JSONParser {
    let p: UnsafeRawBufferPointer
    var i = 0
    var depth = 0
    let maxDepth: Int

    init(bytes: UnsafeRawBufferPointer, maxDepth: Int) {
        p = bytes
        self.maxDepth = maxDepth
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while i < p.count {
            let c = p[i]
            guard c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09 else { return }
            i += 1
        }
    }

    @inline(__always)
    func fail(_ r: JSONParseError.Reason) -> JSONParseError { JSONParseError(offset: i, reason: r) }

    mutating func value() throws(JSONParseError) -> JSONValue {
        guard i < p.count else { throw fail(.unexpectedEnd) }
        switch p[i] {
        case 0x7b: return try object()
        case 0x5b: return try array()
        case 0x22: return .string(try string())
        case 0x74: try literal("true"); return .bool(true)
        case 0x66: try literal("false"); return .bool(false)
        case 0x6e: try literal("null"); return .null
        case 0x2d, 0x30...0x39:
            guard let end = JSONNumber.scan(p, from: i) else {
                // Point at the first byte that breaks the grammar.
                var j = i + 1
                while j < p.count, (p[j] >= 0x30 && p[j] <= 0x39) || p[j] == 0x2e || p[j] == 0x65 || p[j] == 0x45
                    || p[j] == 0x2b || p[j] == 0x2d { j += 1 }
                i = min(j, p.count)
                throw fail(i >= p.count ? .unexpectedEnd : .invalidNumber)
            }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: p[i..<end]), as: UTF8.self)
            i = end
            // A digit right after a complete number ("01") is not JSON.
            if i < p.count, p[i] >= 0x30 && p[i] <= 0x39 { throw fail(.invalidNumber) }
            return .number(JSONNumber(uncheckedText: text))
        default:
            throw fail(.unexpectedCharacter(p[i]))
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let n = word.utf8CodeUnitCount
        let w = word.utf8Start
        for k in 0..<n {
            guard i + k < p.count else { i += k; throw fail(.unexpectedEnd) }
            guard p[i + k] == w[k] else { i += k; throw fail(.unexpectedCharacter(p[i])) }
        }
        i += n
    }

    mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > maxDepth { throw fail(.tooDeep(limit: maxDepth)) }
    }

    mutating func array() throws(JSONParseError) -> JSONValue {
        try enter()
        i += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if i < p.count, p[i] == 0x5d {
            i += 1
            depth -= 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try value())
            skipWhitespace()
            guard i < p.count else { throw fail(.unexpectedEnd) }
            if p[i] == 0x2c { i += 1; continue }
            if p[i] == 0x5d { i += 1; break }
            throw fail(.unexpectedCharacter(p[i]))
        }
        depth -= 1
        return .array(items)
    }

    mutating func object() throws(JSONParseError) -> JSONValue {
        try enter()
        i += 1
        var members: [(String, JSONValue)] = []
        skipWhitespace()
        if i < p.count, p[i] == 0x7d {
            i += 1
            depth -= 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard i < p.count else { throw fail(.unexpectedEnd) }
            guard p[i] == 0x22 else { throw fail(.unexpectedCharacter(p[i])) }
            let key = try string()
            skipWhitespace()
            guard i < p.count else { throw fail(.unexpectedEnd) }
            guard p[i] == 0x3a else { throw fail(.unexpectedCharacter(p[i])) }
            i += 1
            skipWhitespace()
            members.append((key, try value()))
            skipWhitespace()
            guard i < p.count else { throw fail(.unexpectedEnd) }
            if p[i] == 0x2c { i += 1; continue }
            if p[i] == 0x7d { i += 1; break }
            throw fail(.unexpectedCharacter(p[i]))
        }
        depth -= 1
        return .object(members)
    }

    /// Reads a string starting at its opening quote.
    mutating func string() throws(JSONParseError) -> String {
        i += 1
        let start = i
        var ascii = true
        // Fast path: no escapes.
        while i < p.count {
            let c = p[i]
            if c == 0x22 {
                let slice = UnsafeRawBufferPointer(rebasing: p[start..<i])
                i += 1
                if ascii { return String(decoding: slice, as: UTF8.self) }
                guard let s = String(validating: slice, as: UTF8.self) else {
                    throw JSONParseError(offset: start, reason: .invalidUTF8)
                }
                return s
            }
            if c == 0x5c { break }
            if c < 0x20 { throw fail(.controlCharacterInString) }
            if c >= 0x80 { ascii = false }
            i += 1
        }
        guard i < p.count else { throw fail(.unexpectedEnd) }
        // Slow path: copy segments and decode escapes.
        var out: [UInt8] = Array(UnsafeRawBufferPointer(rebasing: p[start..<i]))
        while i < p.count {
            let c = p[i]
            if c == 0x22 {
                i += 1
                guard let s = String(validating: out, as: UTF8.self) else {
                    throw JSONParseError(offset: start, reason: .invalidUTF8)
                }
                return s
            }
            if c < 0x20 { throw fail(.controlCharacterInString) }
            if c != 0x5c {
                out.append(c)
                i += 1
                continue
            }
            i += 1
            guard i < p.count else { throw fail(.unexpectedEnd) }
            switch p[i] {
            case 0x22: out.append(0x22)
            case 0x5c: out.append(0x5c)
            case 0x2f: out.append(0x2f)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0c)
            case 0x6e: out.append(0x0a)
            case 0x72: out.append(0x0d)
            case 0x74: out.append(0x09)
            case 0x75:
                var scalar = try hex4()
                if (0xd800..<0xdc00).contains(scalar) {
                    // A high surrogate: combine with a following low one if present.
                    if i + 2 < p.count, p[i + 1] == 0x5c, p[i + 2] == 0x75 {
                        let save = i
                        i += 2
                        let low = try hex4()
                        if (0xdc00..<0xe000).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
                        } else {
                            i = save
                            scalar = 0xfffd
                        }
                    } else {
                        scalar = 0xfffd
                    }
                } else if (0xdc00..<0xe000).contains(scalar) {
                    scalar = 0xfffd  // A lone low surrogate, replaced as Go's decoder does.
                }
                out.append(contentsOf: Unicode.Scalar(scalar).map { Array(String($0).utf8) } ?? [0xef, 0xbf, 0xbd])
            default:
                throw fail(.invalidEscape)
            }
            i += 1
        }
        throw fail(.unexpectedEnd)
    }

    /// Reads the four hex digits after `\u` (i at the `u`); leaves i at the last digit.
    mutating func hex4() throws(JSONParseError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            i += 1
            guard i < p.count else { throw fail(.unexpectedEnd) }
            let c = p[i]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            default: throw fail(.invalidUnicodeEscape)
            }
            v = v << 4 | d
        }
        return v
    }
}
