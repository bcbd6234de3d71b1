import Primitives

/// A value to encode with, or decoded from, an ``ABIType``.
///
/// `.array` stands for both dynamic (`T[]`) and fixed (`T[k]`) arrays; the type decides which.
public indirect enum ABIValue: Hashable, Sendable {
    /// A `uintN` value.
    case uint(UInt256)
    /// An `intN` value.
    case int(Int256)
    /// An `address`.
    case address(Address)
    /// A `bool`.
    case bool(Bool)
    /// A `bytesN` value (exactly N bytes).
    case fixedBytes([UInt8])
    /// A `bytes` value.
    case bytes([UInt8])
    /// A `string` value.
    case string(String)
    /// The elements of a `T[]` or `T[k]`.
    case array([ABIValue])
    /// The components of a tuple.
    case tuple([ABIValue])

    /// The number, for `.uint`.
    public var uintValue: UInt256? { if case .uint(let v) = self { v } else { nil } }
    /// The number, for `.int`.
    public var intValue: Int256? { if case .int(let v) = self { v } else { nil } }
    /// The address, for `.address`.
    public var addressValue: Address? { if case .address(let v) = self { v } else { nil } }
    /// The flag, for `.bool`.
    public var boolValue: Bool? { if case .bool(let v) = self { v } else { nil } }
    /// The bytes, for `.bytes` and `.fixedBytes`.
    public var bytesValue: [UInt8]? {
        switch self {
        case .bytes(let v), .fixedBytes(let v): v
        default: nil
        }
    }
    /// The bytes, for `.fixedBytes` only.
    public var fixedBytesValue: [UInt8]? { if case .fixedBytes(let v) = self { v } else { nil } }
    /// The text, for `.string`.
    public var stringValue: String? { if case .string(let v) = self { v } else { nil } }
    /// The elements, for `.array`.
    public var arrayValue: [ABIValue]? { if case .array(let v) = self { v } else { nil } }
    /// The components, for `.tuple`.
    public var tupleValue: [ABIValue]? { if case .tuple(let v) = self { v } else { nil } }

    /// The case name, for messages: `"uint"`, `"string"`, `"array"`, …
    public var kind: String {
        switch self {
        case .uint: "uint"
        case .int: "int"
        case .address: "address"
        case .bool: "bool"
        case .fixedBytes: "fixedBytes"
        case .bytes: "bytes"
        case .string: "string"
        case .array: "array"
        case .tuple: "tuple"
        }
    }
}

extension ABIValue: CustomStringConvertible {
    /// The value in the JSON form of ``ABI/jsonText(of:)``: numbers as decimal strings,
    /// bytes and addresses as `0x` hex, arrays and tuples as JSON arrays.
    public var description: String {
        var out = ""
        JSONWriter.write(self, to: &out)
        return out
    }
}
