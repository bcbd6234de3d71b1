import Primitives

// JSON text ↔ values, for command-line use and interoperability tests.
//
// The format: uint/int as JSON strings of decimal (or `0x` hex; `-` for negative ints) or
// as JSON integer numbers; bytes, bytesN and addresses as `0x` hex strings; bool as
// true/false; string as a JSON string; arrays and tuples as JSON arrays.

extension ABI {
    /// The values in `json`, a JSON array with one element per type, read as `types`.
    ///
    /// Numbers may be JSON strings of decimal or `0x` hex digits (with `-` for signed types)
    /// or JSON integers of any size; `bytes`/`bytesN` are `0x` hex strings (bytesN of exactly
    /// N bytes); addresses are hex strings (mixed case must be a valid EIP-55 checksum); bool
    /// is true/false; arrays and tuples are JSON arrays.
    public static func values(fromJSON json: String, as types: [ABIType]) throws(ABIError) -> [ABIValue] {
        try ABIType.validate(list: types)
        let node = try JSONReader.parse(json)
        guard case .array(let items) = node else {
            throw .invalidJSONValue(path: "", type: ABIType.tuple(types).description, reason: "expected a JSON array of values")
        }
        guard items.count == types.count else {
            throw .valueCountMismatch(path: "", expected: types.count, got: items.count)
        }
        var values: [ABIValue] = []
        values.reserveCapacity(items.count)
        for i in items.indices {
            do { values.append(try JSONConversion.value(items[i], as: types[i])) } catch { throw error.prefixingPath(i) }
        }
        return values
    }

    /// Encodes the JSON array `jsonValues` (see ``values(fromJSON:as:)``) as `types`.
    public static func encode(types: [ABIType], jsonValues: String) throws(ABIError) -> [UInt8] {
        try encode(values(fromJSON: jsonValues, as: types), as: types)
    }

    /// Encodes the JSON array `jsonValues` as the comma-separated type list `types`
    /// (`"uint256,(bool,bytes)[],string"`, see ``ABIType/parseList(_:)``).
    public static func encode(types: String, jsonValues: String) throws(ABIError) -> [UInt8] {
        try encode(types: ABIType.parseList(types), jsonValues: jsonValues)
    }

    /// `values` as compact JSON in the format ``values(fromJSON:as:)`` reads: uint/int as
    /// decimal strings, bytes/bytesN as `0x` hex, addresses as lower-case `0x` hex, bool as
    /// true/false, strings as JSON strings, arrays and tuples as JSON arrays.
    public static func jsonText(of values: [ABIValue]) -> String {
        var out = ""
        JSONWriter.write(.tuple(values), to: &out)
        return out
    }
}

// MARK: - Writing

enum JSONWriter {
    static func write(_ v: ABIValue, to out: inout String) {
        switch v {
        case .uint(let x): out += "\""; out += x.description; out += "\""
        case .int(let x): out += "\""; out += x.description; out += "\""
        case .address(let a): out += "\""; out += a.lowercaseHex; out += "\""
        case .bool(let b): out += b ? "true" : "false"
        case .fixedBytes(let b), .bytes(let b): out += "\""; out += Hex.encode(b); out += "\""
        case .string(let s): writeString(s, to: &out)
        case .array(let xs), .tuple(let xs):
            out += "["
            for (i, x) in xs.enumerated() {
                if i > 0 { out += "," }
                write(x, to: &out)
            }
            out += "]"
        }
    }

    static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

// MARK: - Reading

/// A parsed JSON value; numbers keep their literal text so large integers stay exact.
enum JSONNode {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONNode])
    case object([(String, JSONNode)])

    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number(let n): "the number \(n)"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A strict RFC 8259 JSON parser (nesting limited, no trailing commas or comments).
struct JSONReader {
    let s: [UInt8]
    var i = 0
    static let maxDepth = 256

    static func parse(_ text: String) throws(ABIError) -> JSONNode {
        var r = JSONReader(s: Array(text.utf8))
        r.skipSpace()
        let v = try r.value(depth: 0)
        r.skipSpace()
        guard r.i == r.s.count else { throw r.fail("unexpected text after the value") }
        return v
    }

    func fail(_ reason: String, at position: Int? = nil) -> ABIError {
        .invalidJSON(offset: position ?? i, reason: reason)
    }

    mutating func skipSpace() {
        while i < s.count, s[i] == 0x20 || s[i] == 0x09 || s[i] == 0x0a || s[i] == 0x0d { i += 1 }
    }

    mutating func literal(_ word: String, _ v: JSONNode) throws(ABIError) -> JSONNode {
        let w = Array(word.utf8)
        guard s.count - i >= w.count, s[i..<i + w.count].elementsEqual(w) else { throw fail("invalid literal") }
        i += w.count
        return v
    }

    mutating func value(depth: Int) throws(ABIError) -> JSONNode {
        guard depth <= Self.maxDepth else { throw fail("nested too deeply") }
        guard i < s.count else { throw fail("unexpected end of input") }
        switch s[i] {
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "-"), 0x30...0x39: return .number(try number())
        case UInt8(ascii: "["):
            i += 1
            var items: [JSONNode] = []
            skipSpace()
            if i < s.count, s[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                skipSpace()
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard i < s.count else { throw fail("unterminated array") }
                if s[i] == UInt8(ascii: ",") { i += 1; continue }
                if s[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                throw fail("expected ',' or ']'")
            }
        case UInt8(ascii: "{"):
            i += 1
            var members: [(String, JSONNode)] = []
            skipSpace()
            if i < s.count, s[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            while true {
                skipSpace()
                guard i < s.count, s[i] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
                let key = try string()
                skipSpace()
                guard i < s.count, s[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                i += 1
                skipSpace()
                members.append((key, try value(depth: depth + 1)))
                skipSpace()
                guard i < s.count else { throw fail("unterminated object") }
                if s[i] == UInt8(ascii: ",") { i += 1; continue }
                if s[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                throw fail("expected ',' or '}'")
            }
        default:
            throw fail("unexpected character")
        }
    }

    mutating func number() throws(ABIError) -> String {
        let start = i
        if s[i] == UInt8(ascii: "-") { i += 1 }
        func digits(_ r: inout JSONReader) -> Int {
            let d = r.i
            while r.i < r.s.count, r.s[r.i] >= 0x30, r.s[r.i] <= 0x39 { r.i += 1 }
            return r.i - d
        }
        let intStart = i
        let n = digits(&self)
        guard n > 0 else { throw fail("invalid number", at: start) }
        guard n == 1 || s[intStart] != 0x30 else { throw fail("number with a leading zero", at: start) }
        if i < s.count, s[i] == UInt8(ascii: ".") {
            i += 1
            guard digits(&self) > 0 else { throw fail("invalid number", at: start) }
        }
        if i < s.count, s[i] == UInt8(ascii: "e") || s[i] == UInt8(ascii: "E") {
            i += 1
            if i < s.count, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { i += 1 }
            guard digits(&self) > 0 else { throw fail("invalid number", at: start) }
        }
        return String(decoding: s[start..<i], as: UTF8.self)
    }

    mutating func hex4() throws(ABIError) -> UInt32 {
        guard s.count - i >= 4 else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let d = Hex.nibble(s[i]) else { throw fail("invalid \\u escape") }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }

    mutating func string() throws(ABIError) -> String {
        let start = i
        i += 1  // opening quote
        var bytes: [UInt8] = []
        while true {
            guard i < s.count else { throw fail("unterminated string", at: start) }
            let c = s[i]
            if c == UInt8(ascii: "\"") { i += 1; break }
            if c < 0x20 { throw fail("control character in string") }
            if c != UInt8(ascii: "\\") { bytes.append(c); i += 1; continue }
            i += 1
            guard i < s.count else { throw fail("unterminated escape") }
            let e = s[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): bytes.append(0x22)
            case UInt8(ascii: "\\"): bytes.append(0x5c)
            case UInt8(ascii: "/"): bytes.append(0x2f)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0c)
            case UInt8(ascii: "n"): bytes.append(0x0a)
            case UInt8(ascii: "r"): bytes.append(0x0d)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                let escape = i - 2
                var code = try hex4()
                if code >= 0xd800, code < 0xdc00 {
                    guard s.count - i >= 6, s[i] == UInt8(ascii: "\\"), s[i + 1] == UInt8(ascii: "u") else {
                        throw fail("unpaired surrogate", at: escape)
                    }
                    i += 2
                    let low = try hex4()
                    guard low >= 0xdc00, low < 0xe000 else { throw fail("unpaired surrogate", at: escape) }
                    code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00)
                } else if code >= 0xdc00, code < 0xe000 {
                    throw fail("unpaired surrogate", at: escape)
                }
                guard let scalar = Unicode.Scalar(code) else { throw fail("invalid \\u escape", at: escape) }
                bytes.append(contentsOf: UTF8.encode(scalar)!)
            default:
                throw fail("invalid escape", at: i - 2)
            }
        }
        // Input came from a Swift String, so unescaped bytes are valid UTF-8.
        return String(decoding: bytes, as: UTF8.self)
    }
}

// MARK: - Conversion

enum JSONConversion {
    static func value(_ node: JSONNode, as type: ABIType) throws(ABIError) -> ABIValue {
        func bad(_ reason: String) -> ABIError { .invalidJSONValue(path: "", type: type.description, reason: reason) }
        switch type {
        case .uint(let bits):
            let (negative, magnitude) = try integer(node, type)
            guard !negative || magnitude.isZero else { throw bad("negative value for an unsigned type") }
            guard bits == 256 || (magnitude >> bits).isZero else { throw .uintTooLarge(path: "", bits: bits) }
            return .uint(magnitude)
        case .int(let bits):
            let (negative, magnitude) = try integer(node, type)
            guard let v = Int256(sign: negative, magnitude: magnitude), v.fits(bits: bits) else {
                throw .intOutOfRange(path: "", bits: bits)
            }
            return .int(v)
        case .address:
            guard case .string(let s) = node else { throw bad("expected a hex string, got \(node.kind)") }
            do { return .address(try Address(hex: s)) } catch { throw bad("\(error)") }
        case .bool:
            guard case .bool(let b) = node else { throw bad("expected true or false, got \(node.kind)") }
            return .bool(b)
        case .fixedBytes(let n):
            let b = try hexBytes(node, type)
            guard b.count == n else { throw .fixedBytesLength(path: "", expected: n, got: b.count) }
            return .fixedBytes(b)
        case .bytes:
            return .bytes(try hexBytes(node, type))
        case .string:
            guard case .string(let s) = node else { throw bad("expected a string, got \(node.kind)") }
            return .string(s)
        case .array(let e):
            guard case .array(let items) = node else { throw bad("expected an array, got \(node.kind)") }
            return .array(try elements(items, e))
        case .fixedArray(let e, let k):
            guard case .array(let items) = node else { throw bad("expected an array, got \(node.kind)") }
            guard items.count == k else { throw .fixedArrayLength(path: "", expected: k, got: items.count) }
            return .array(try elements(items, e))
        case .tuple(let ts):
            guard case .array(let items) = node else { throw bad("expected an array for a tuple, got \(node.kind)") }
            guard items.count == ts.count else { throw .valueCountMismatch(path: "", expected: ts.count, got: items.count) }
            var values: [ABIValue] = []
            values.reserveCapacity(items.count)
            for i in items.indices {
                do { values.append(try value(items[i], as: ts[i])) } catch { throw error.prefixingPath(i) }
            }
            return .tuple(values)
        }
    }

    private static func elements(_ items: [JSONNode], _ e: ABIType) throws(ABIError) -> [ABIValue] {
        var values: [ABIValue] = []
        values.reserveCapacity(items.count)
        for i in items.indices {
            do { values.append(try value(items[i], as: e)) } catch { throw error.prefixingPath(i) }
        }
        return values
    }

    /// Sign and magnitude of an integer given as a JSON integer or a string of decimal or
    /// `0x` hex digits with an optional leading `-`.
    private static func integer(_ node: JSONNode, _ type: ABIType) throws(ABIError) -> (Bool, UInt256) {
        func bad(_ reason: String) -> ABIError { .invalidJSONValue(path: "", type: type.description, reason: reason) }
        let text: Substring
        switch node {
        case .number(let n): text = n[...]
        case .string(let s): text = s[...]
        default: throw bad("expected a number or a numeric string, got \(node.kind)")
        }
        let negative = text.hasPrefix("-")
        let digits = negative ? text.dropFirst() : text
        let magnitude: UInt256?
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            magnitude = digits.count > 2 ? UInt256(hex: digits) : nil
        } else {
            magnitude = UInt256(decimal: digits)
        }
        guard let m = magnitude else {
            throw bad("\"\(text)\" is not an integer of at most 256 bits (decimal or 0x hex)")
        }
        return (negative, m)
    }

    private static func hexBytes(_ node: JSONNode, _ type: ABIType) throws(ABIError) -> [UInt8] {
        func bad(_ reason: String) -> ABIError { .invalidJSONValue(path: "", type: type.description, reason: reason) }
        guard case .string(let s) = node else { throw bad("expected a 0x hex string, got \(node.kind)") }
        do { return try Hex.decode(s) } catch { throw bad("\(error)") }
    }
}
