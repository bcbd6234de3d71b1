/// A JSON value. Objects keep their members in order (as written, or as parsed), so output is
/// stable and readable; numbers keep their exact text, so no digit is lost on the way through.
public indirect enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    /// Members in order. Lookups by key see the last member with that key, as Go and
    /// JavaScript do with duplicates.
    case object([(String, JSONValue)])
}

// MARK: - Equality

extension JSONValue: Equatable {
    /// Structural equality; object members must match in order; numbers by exact text.
    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }
}

// MARK: - Access

extension JSONValue {
    /// The value of the last member named `key`, if this is an object that has one.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        for (k, v) in members.reversed() where k == key { return v }
        return nil
    }

    /// The element at `index`, if this is an array that long.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    /// The string, if this is one.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The boolean, if this is one.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The number, if this is one.
    public var numberValue: JSONNumber? {
        if case .number(let n) = self { return n }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The members, if this is an object.
    public var objectValue: [(String, JSONValue)]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// True for `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The JSON type's name, for error messages ("string", "number", …).
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

// MARK: - Literals

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(JSONNumber(value)) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// Members in the order written.
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements) }
    public init(nilLiteral: ()) { self = .null }
}

// MARK: - Numbers

/// A JSON number as its exact text (`12`, `-0.5`, `1e400`): parsing never rounds, and
/// conversions say when a value does not fit.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The number's JSON text.
    public let text: String

    /// A number from JSON text; nil unless `text` is exactly one JSON number.
    public init?(text: String) {
        var t = text
        let ok = t.withUTF8 { buf in JSONNumber.scan(UnsafeRawBufferPointer(buf), from: 0) == buf.count }
        guard ok, !text.isEmpty else { return nil }
        self.text = text
    }

    init(uncheckedText: String) { text = uncheckedText }

    public init(_ v: Int) { text = String(v) }
    public init(_ v: Int64) { text = String(v) }
    public init(_ v: UInt64) { text = String(v) }
    public init(_ v: UInt32) { text = String(v) }

    /// Integral doubles below 1e15 print as integers; others in Swift's shortest round-trip
    /// form. Non-finite values have no JSON form and print as 0.
    public init(_ v: Double) {
        if !v.isFinite {
            text = "0"
        } else if v == v.rounded(), abs(v) < 1e15 {
            text = String(Int64(v))
        } else {
            text = String(v)
        }
    }

    public var description: String { text }

    /// True when the text has no fraction and no exponent.
    public var isInteger: Bool { !text.utf8.contains { $0 == 0x2e || $0 == 0x65 || $0 == 0x45 } }

    /// The value as a Double (rounded to nearest; huge exponents give infinity).
    public var doubleValue: Double { Double(text) ?? .nan }

    /// The value, when it is an integer that fits.
    public var int64Value: Int64? { isInteger ? Int64(text) : nil }

    /// The value, when it is a non-negative integer that fits.
    public var uint64Value: UInt64? { isInteger ? UInt64(text) : nil }

    /// Returns the offset just past the number starting at `start`, or nil when the bytes
    /// there are not a JSON number (RFC 8259 grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`).
    static func scan(_ p: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var i = start
        let n = p.count
        @inline(__always) func isDigit(_ i: Int) -> Bool { i < n && p[i] >= 0x30 && p[i] <= 0x39 }
        if i < n, p[i] == 0x2d { i += 1 }
        guard i < n else { return nil }
        if p[i] == 0x30 {
            i += 1
        } else if p[i] >= 0x31 && p[i] <= 0x39 {
            while isDigit(i) { i += 1 }
        } else {
            return nil
        }
        if i < n, p[i] == 0x2e {
            i += 1
            guard isDigit(i) else { return nil }
            while isDigit(i) { i += 1 }
        }
        if i < n, p[i] == 0x65 || p[i] == 0x45 {
            i += 1
            if i < n, p[i] == 0x2b || p[i] == 0x2d { i += 1 }
            guard isDigit(i) else { return nil }
            while isDigit(i) { i += 1 }
        }
        return i
    }
}

extension JSONNumber: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self.init(value) }
}
