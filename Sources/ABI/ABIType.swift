/// A Solidity ABI type.
///
/// Values of this enum can be built directly or parsed from canonical type strings with
/// ``init(parsing:)``. Encoding and decoding check a type with ``validate()`` first, so an
/// out-of-range case such as `.uint(7)` is reported as ``ABIError/invalidType(_:reason:)``
/// rather than misbehaving.
public indirect enum ABIType: Hashable, Sendable, CustomStringConvertible {
    /// `uintN`, N in 8...256, a multiple of 8.
    case uint(Int)
    /// `intN`, N in 8...256, a multiple of 8.
    case int(Int)
    /// `address` (20 bytes).
    case address
    /// `bool`.
    case bool
    /// `bytesN`, N in 1...32.
    case fixedBytes(Int)
    /// `bytes`, a dynamic byte string.
    case bytes
    /// `string`, dynamic UTF-8 text.
    case string
    /// `T[]`, a dynamic-length array.
    case array(ABIType)
    /// `T[k]`, an array of exactly k ≥ 1 elements.
    case fixedArray(ABIType, Int)
    /// `(T1,T2,…)`, a tuple (Solidity struct) of at least one component.
    case tuple([ABIType])

    /// `uint256`.
    public static let uint256 = ABIType.uint(256)
    /// `int256`.
    public static let int256 = ABIType.int(256)
    /// `bytes32`.
    public static let bytes32 = ABIType.fixedBytes(32)

    /// The deepest nesting of arrays and tuples a type may have.
    public static let maxDepth = 64
    /// The largest static (in-place) encoding a type may have, in bytes.
    public static let maxStaticSize = Int(UInt32.max)

    // MARK: Canonical form

    /// The canonical type string: `uint256`, `(uint256,bytes)[]`, `bytes32[3]`.
    public var description: String {
        var s = ""
        write(to: &s)
        return s
    }

    private func write(to s: inout String) {
        switch self {
        case .uint(let n): s += "uint"; s += String(n)
        case .int(let n): s += "int"; s += String(n)
        case .address: s += "address"
        case .bool: s += "bool"
        case .fixedBytes(let n): s += "bytes"; s += String(n)
        case .bytes: s += "bytes"
        case .string: s += "string"
        case .array(let e): e.write(to: &s); s += "[]"
        case .fixedArray(let e, let k): e.write(to: &s); s += "["; s += String(k); s += "]"
        case .tuple(let ts):
            s += "("
            for (i, t) in ts.enumerated() {
                if i > 0 { s += "," }
                t.write(to: &s)
            }
            s += ")"
        }
    }

    // MARK: Layout

    /// Whether the encoding is dynamic (stored in the tail and referenced by an offset):
    /// `bytes`, `string`, `T[]`, and fixed arrays and tuples that contain a dynamic type.
    public var isDynamic: Bool {
        switch self {
        case .bytes, .string, .array: return true
        case .uint, .int, .address, .bool, .fixedBytes: return false
        case .fixedArray(let e, _): return e.isDynamic
        case .tuple(let ts): return ts.contains { $0.isDynamic }
        }
    }

    /// The bytes this type occupies in the head of an enclosing tuple: 32 (the offset) for a
    /// dynamic type, otherwise the full static encoding (32 per word; `uint256[3]` is 96).
    /// Saturates at `Int.max` for absurd types, which ``validate()`` rejects.
    public var headSize: Int { isDynamic ? 32 : staticSize }

    /// Size of the type's in-place encoding when it is static.
    private var staticSize: Int {
        switch self {
        case .uint, .int, .address, .bool, .fixedBytes, .bytes, .string, .array: return 32
        case .fixedArray(let e, let k):
            let (r, o) = e.headSize.multipliedReportingOverflow(by: max(k, 0))
            return o ? .max : r
        case .tuple(let ts): return ts.reduce(0) { Self.saturatingAdd($0, $1.headSize) }
        }
    }

    /// Size of the head region of this type's own encoding (where its offset points, for a
    /// dynamic type): the length word for `bytes`/`string`/`T[]`, the component heads for
    /// tuples and fixed arrays, the whole encoding for static types.
    var ownHeadSize: Int {
        switch self {
        case .bytes, .string, .array: return 32
        case .fixedArray(let e, let k):
            let (r, o) = e.headSize.multipliedReportingOverflow(by: max(k, 0))
            return o ? .max : r
        case .tuple(let ts): return ts.reduce(0) { Self.saturatingAdd($0, $1.headSize) }
        default: return 32
        }
    }

    static func saturatingAdd(_ a: Int, _ b: Int) -> Int {
        let (r, o) = a.addingReportingOverflow(b)
        return o ? .max : r
    }

    // MARK: Validation

    /// Checks that the type is one the ABI allows: integer widths 8...256 in steps of 8,
    /// `bytesN` with N in 1...32, fixed arrays of at least one element, non-empty tuples,
    /// nesting at most ``maxDepth`` and a static size at most ``maxStaticSize``.
    public func validate() throws(ABIError) {
        try validate(depth: 0)
        if headSize > Self.maxStaticSize {
            throw .invalidType(description, reason: "static size exceeds \(Self.maxStaticSize) bytes")
        }
    }

    private func validate(depth: Int) throws(ABIError) {
        guard depth <= Self.maxDepth else {
            throw .invalidType(description, reason: "nested deeper than \(Self.maxDepth) levels")
        }
        switch self {
        case .uint(let n), .int(let n):
            guard n >= 8, n <= 256, n % 8 == 0 else {
                throw .invalidType(description, reason: "integer width must be a multiple of 8 in 8...256")
            }
        case .fixedBytes(let n):
            guard n >= 1, n <= 32 else { throw .invalidType(description, reason: "bytesN needs N in 1...32") }
        case .address, .bool, .bytes, .string: break
        case .array(let e): try e.validate(depth: depth + 1)
        case .fixedArray(let e, let k):
            guard k >= 1 else { throw .invalidType(description, reason: "fixed array length must be at least 1") }
            try e.validate(depth: depth + 1)
        case .tuple(let ts):
            guard !ts.isEmpty else { throw .invalidType(description, reason: "empty tuple") }
            for t in ts { try t.validate(depth: depth + 1) }
        }
        // The head of a tuple or fixed array (dynamic ones included) must stay addressable.
        guard ownHeadSize <= Self.maxStaticSize else {
            throw .invalidType(description, reason: "head size exceeds \(Self.maxStaticSize) bytes")
        }
    }

    /// Validates a top-level list of types (the components of the implied tuple).
    static func validate(list types: [ABIType]) throws(ABIError) {
        var total = 0
        for t in types {
            try t.validate()
            total = saturatingAdd(total, t.headSize)
        }
        guard total <= maxStaticSize else {
            throw .invalidType(ABIType.tuple(types).description, reason: "static size exceeds \(maxStaticSize) bytes")
        }
    }

    // MARK: Parsing

    /// Parses a type string: elementary types (`uint8`…`uint256`, `int8`…`int256`, `address`,
    /// `bool`, `bytes1`…`bytes32`, `bytes`, `string`, and the aliases `uint` = `uint256`,
    /// `int` = `int256`), tuples `(T1,T2)` and any number of array suffixes `[]`/`[k]`,
    /// e.g. `(uint8,string)[2][]`. Spaces are allowed around commas and parentheses.
    public init(parsing text: String) throws(ABIError) {
        var p = TypeParser(text)
        p.skipSpaces()
        let (t, _) = try p.parseType(openParens: 0)
        p.skipSpaces()
        guard p.atEnd else { throw p.error("unexpected character after the type") }
        try t.validate()
        self = t
    }

    /// Parses a comma-separated list of types, splitting only at top-level commas:
    /// `"uint256,(bool,bytes)[],string"` gives three types. An empty (or all-space) string
    /// gives the empty list.
    public static func parseList(_ text: String) throws(ABIError) -> [ABIType] {
        var p = TypeParser(text)
        p.skipSpaces()
        if p.atEnd { return [] }
        var types: [ABIType] = []
        while true {
            let (t, _) = try p.parseType(openParens: 0)
            types.append(t)
            p.skipSpaces()
            if p.atEnd { break }
            guard p.peek == UInt8(ascii: ",") else { throw p.error("expected ',' between types") }
            p.index += 1
            p.skipSpaces()
        }
        try validate(list: types)
        return types
    }
}

/// A recursive-descent parser over the UTF-8 bytes of a type string.
struct TypeParser {
    let text: String
    let s: [UInt8]
    var index = 0

    init(_ text: String) {
        self.text = text
        self.s = Array(text.utf8)
    }

    var atEnd: Bool { index >= s.count }
    var peek: UInt8? { index < s.count ? s[index] : nil }

    func error(_ reason: String, at position: Int? = nil) -> ABIError {
        .invalidTypeString(text, position: position ?? index, reason: reason)
    }

    mutating func skipSpaces() {
        while let c = peek, c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d { index += 1 }
    }

    /// Parses `(` list `)` (no suffixes): a parameter list. Returns the types and their deepest nesting.
    mutating func parseParenList(openParens: Int) throws(ABIError) -> ([ABIType], Int) {
        guard peek == UInt8(ascii: "(") else { throw error("expected '('") }
        guard openParens < ABIType.maxDepth else { throw error("nested deeper than \(ABIType.maxDepth) levels") }
        index += 1
        skipSpaces()
        var types: [ABIType] = []
        var depth = 0
        if peek == UInt8(ascii: ")") {
            index += 1
            return (types, 0)
        }
        while true {
            let (t, d) = try parseType(openParens: openParens + 1)
            types.append(t)
            depth = max(depth, d)
            skipSpaces()
            switch peek {
            case UInt8(ascii: ","): index += 1; skipSpaces()
            case UInt8(ascii: ")"): index += 1; return (types, depth)
            case nil: throw error("missing ')'")
            default: throw error("expected ',' or ')'")
            }
        }
    }

    /// Parses one type with its array suffixes. Returns it and its nesting depth.
    mutating func parseType(openParens: Int) throws(ABIError) -> (ABIType, Int) {
        var type: ABIType
        var depth: Int
        let start = index
        if peek == UInt8(ascii: "(") {
            let (ts, d) = try parseParenList(openParens: openParens)
            guard !ts.isEmpty else { throw error("empty tuple", at: start) }
            type = .tuple(ts)
            depth = d + 1
        } else {
            type = try parseElementary()
            depth = 0
        }
        while peek == UInt8(ascii: "[") {
            let bracket = index
            index += 1
            depth += 1
            guard depth <= ABIType.maxDepth else { throw error("nested deeper than \(ABIType.maxDepth) levels", at: bracket) }
            if peek == UInt8(ascii: "]") {
                index += 1
                type = .array(type)
                continue
            }
            guard let k = parseNumber(maxDigits: 9) else { throw error("expected an array length or ']'") }
            guard k >= 1 else { throw error("fixed array length must be at least 1", at: bracket + 1) }
            guard peek == UInt8(ascii: "]") else { throw error("expected ']'") }
            index += 1
            type = .fixedArray(type, k)
        }
        if depth > ABIType.maxDepth { throw error("nested deeper than \(ABIType.maxDepth) levels", at: start) }
        return (type, depth)
    }

    /// Decimal digits without a leading zero (except "0" itself); nil if none or too many.
    private mutating func parseNumber(maxDigits: Int) -> Int? {
        let start = index
        var value = 0
        while let c = peek, c >= 0x30, c <= 0x39 {
            if index - start >= maxDigits { return nil }
            if index > start, s[start] == 0x30 { return nil }
            value = value * 10 + Int(c - 0x30)
            index += 1
        }
        return index > start ? value : nil
    }

    private mutating func parseElementary() throws(ABIError) -> ABIType {
        let start = index
        while let c = peek, (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c == 0x5f { index += 1 }
        let name = String(decoding: s[start..<index], as: UTF8.self)
        let hasDigits = peek.map { $0 >= 0x30 && $0 <= 0x39 } ?? false
        switch name {
        case "uint", "int":
            var bits = 256
            if hasDigits {
                guard let n = parseNumber(maxDigits: 3), n >= 8, n <= 256, n % 8 == 0 else {
                    throw error("integer width must be a multiple of 8 in 8...256", at: start)
                }
                bits = n
            }
            return name == "uint" ? .uint(bits) : .int(bits)
        case "bytes":
            guard hasDigits else { return .bytes }
            guard let n = parseNumber(maxDigits: 2), n >= 1, n <= 32 else {
                throw error("bytesN needs N in 1...32", at: start)
            }
            return .fixedBytes(n)
        case "address", "bool", "string":
            if hasDigits { throw error("unknown type", at: start) }
            return name == "address" ? .address : name == "bool" ? .bool : .string
        case "":
            throw error(atEnd ? "expected a type" : "unexpected character", at: start)
        case "fixed", "ufixed", "function":
            throw error("type '\(name)' is not supported", at: start)
        default:
            throw error("unknown type '\(name)'", at: start)
        }
    }
}
