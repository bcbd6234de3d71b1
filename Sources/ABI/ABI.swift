import Keccak
import Primitives

/// The Solidity contract ABI: encoding and decoding of values, selectors, call data and revert data.
public enum ABI {
    // MARK: Encoding and decoding

    /// The ABI encoding of `values` as `types`: the encoding of the tuple `(types…)`, which is
    /// also the layout of call data after the selector and of return data.
    ///
    /// Values are checked against their types: kinds must match, numbers must fit their bit
    /// width, `bytesN` must have N bytes and `T[k]` k elements; violations throw with the path
    /// of the offending value.
    public static func encode(_ values: [ABIValue], as types: [ABIType]) throws(ABIError) -> [UInt8] {
        var encoder = ABIEncoder()
        try encode(values, as: types, into: &encoder)
        return encoder.out
    }

    static func encode(_ values: [ABIValue], as types: [ABIType], prefix: [UInt8]) throws(ABIError) -> [UInt8] {
        var encoder = ABIEncoder()
        try encode(values, as: types, into: &encoder, prefix: prefix)
        return encoder.out
    }

    private static func encode(
        _ values: [ABIValue], as types: [ABIType], into encoder: inout ABIEncoder, prefix: [UInt8] = []
    ) throws(ABIError) {
        try ABIType.validate(list: types)
        guard values.count == types.count else {
            throw .valueCountMismatch(path: "", expected: types.count, got: values.count)
        }
        encoder.out.reserveCapacity(prefix.count + ABIEncoder.tupleSize(values, types))
        encoder.out.append(contentsOf: prefix)
        try encoder.encodeTuple(values, types)
    }

    /// Decodes data encoded as the tuple `(types…)`. Decoding is strict (see ``ABIError``) and
    /// never reads outside `data`; bytes after the encoding (as Solidity tolerates) are ignored.
    public static func decode(_ types: [ABIType], from data: some Collection<UInt8>) throws(ABIError) -> [ABIValue] {
        try ABIDecoder.decode(types, from: Array(data), origin: 0)
    }

    // MARK: Selectors and topics

    /// The function selector: the first 4 bytes of keccak256 of `signature`, hashed exactly as
    /// given (write it canonically: `"transfer(address,uint256)"`; ``ABIFunction`` canonicalises).
    public static func selector(_ signature: String) -> [UInt8] {
        Array(Keccak256.hash(Array(signature.utf8)).prefix(4))
    }

    /// The event topic: keccak256 of `signature`, e.g. `"Transfer(address,address,uint256)"`.
    public static func eventTopic(_ signature: String) -> Hash32 {
        Hash32.keccak256(Array(signature.utf8))
    }

    // MARK: Call data

    /// Call data for a function: its selector followed by the encoded arguments. The parameter
    /// types come from `signature` (e.g. `"transfer(address,uint256)"`; aliases such as `uint`
    /// are canonicalised before hashing).
    public static func encodeCall(signature: String, _ values: [ABIValue]) throws(ABIError) -> [UInt8] {
        try ABIFunction(signature: signature).encodeCall(values)
    }

    /// The arguments of call data for `signature`, after checking its selector.
    public static func decodeCall(signature: String, data: some Collection<UInt8>) throws(ABIError) -> [ABIValue] {
        try ABIFunction(signature: signature).decodeCall(data)
    }

    // MARK: Revert data

    /// The selector of Solidity's `Error(string)`: `0x08c379a0`.
    public static let errorSelector: [UInt8] = [0x08, 0xc3, 0x79, 0xa0]
    /// The selector of Solidity's `Panic(uint256)`: `0x4e487b71`.
    public static let panicSelector: [UInt8] = [0x4e, 0x48, 0x7b, 0x71]

    /// Revert data for `revert(reason)` / `require(false, reason)`: `Error(string)` call data.
    public static func revertData(reason: String) -> [UInt8] {
        // A single string always encodes.
        (try? encode([.string(reason)], as: [.string], prefix: errorSelector)) ?? errorSelector
    }

    /// The reason in `Error(string)` revert data; nil for other or malformed data.
    public static func decodeRevertReason(_ data: some Collection<UInt8>) -> String? {
        let bytes = Array(data)
        guard bytes.count >= 4, bytes[0..<4].elementsEqual(errorSelector),
              let values = try? ABIDecoder.decode([.string], from: bytes, origin: 4)
        else { return nil }
        return values.first?.stringValue
    }

    /// The code in `Panic(uint256)` revert data (0x01 assert, 0x11 overflow, 0x12 division by
    /// zero, 0x32 array index, …); nil for other or malformed data.
    public static func decodePanicCode(_ data: some Collection<UInt8>) -> UInt256? {
        let bytes = Array(data)
        guard bytes.count >= 4, bytes[0..<4].elementsEqual(panicSelector),
              let values = try? ABIDecoder.decode([.uint256], from: bytes, origin: 4)
        else { return nil }
        return values.first?.uintValue
    }
}

/// A function's name and parameter types: its canonical signature, selector, and call and
/// return data coding.
public struct ABIFunction: Hashable, Sendable, CustomStringConvertible {
    /// The function name.
    public let name: String
    /// The parameter types.
    public let inputs: [ABIType]
    /// The return types (empty when unknown).
    public let outputs: [ABIType]
    /// The first 4 bytes of keccak256 of ``signature``.
    public let selector: [UInt8]

    /// A function from its parts.
    public init(name: String, inputs: [ABIType], outputs: [ABIType] = []) {
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
        self.selector = ABI.selector(Self.signature(name, inputs))
    }

    /// Parses `name(T1,T2,…)`, optionally followed by return types as `(R1,…)` or
    /// `returns (R1,…)`: `"balanceOf(address)(uint256)"`.
    public init(signature text: String) throws(ABIError) {
        var p = TypeParser(text)
        p.skipSpaces()
        let nameStart = p.index
        while let c = p.peek, Self.isIdentifier(c, first: p.index == nameStart) { p.index += 1 }
        let name = String(decoding: p.s[nameStart..<p.index], as: UTF8.self)
        guard !name.isEmpty else { throw .invalidSignature(text, reason: "missing function name") }
        p.skipSpaces()
        guard p.peek == UInt8(ascii: "(") else { throw .invalidSignature(text, reason: "expected '(' after the name") }
        let (inputs, _) = try p.parseParenList(openParens: 0)
        p.skipSpaces()
        var outputs: [ABIType] = []
        if !p.atEnd {
            if p.s[p.index...].starts(with: "returns".utf8) {
                p.index += 7
                p.skipSpaces()
            }
            guard p.peek == UInt8(ascii: "(") else { throw .invalidSignature(text, reason: "unexpected text after the parameters") }
            (outputs, _) = try p.parseParenList(openParens: 0)
            p.skipSpaces()
            guard p.atEnd else { throw .invalidSignature(text, reason: "unexpected text after the return types") }
        }
        try ABIType.validate(list: inputs)
        try ABIType.validate(list: outputs)
        self.init(name: name, inputs: inputs, outputs: outputs)
    }

    private static func isIdentifier(_ c: UInt8, first: Bool) -> Bool {
        (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c == 0x5f || c == 0x24
            || (!first && c >= 0x30 && c <= 0x39)
    }

    private static func signature(_ name: String, _ types: [ABIType]) -> String {
        name + ABIType.tuple(types).description
    }

    /// The canonical signature, `name(T1,T2,…)`, that the selector hashes.
    public var signature: String { Self.signature(name, inputs) }

    /// The signature, with `returns (…)` when return types are known.
    public var description: String {
        outputs.isEmpty ? signature : signature + " returns " + ABIType.tuple(outputs).description
    }

    /// The selector followed by the encoded arguments.
    public func encodeCall(_ values: [ABIValue]) throws(ABIError) -> [UInt8] {
        try ABI.encode(values, as: inputs, prefix: selector)
    }

    /// The arguments in call data, after checking that it starts with this function's selector.
    /// Error offsets count from the start of the selector.
    public func decodeCall(_ data: some Collection<UInt8>) throws(ABIError) -> [ABIValue] {
        let bytes = Array(data)
        guard bytes.count >= 4 else { throw .truncated(offset: 0, needed: 4, available: bytes.count) }
        guard bytes[0..<4].elementsEqual(selector) else {
            throw .selectorMismatch(expected: selector, got: Array(bytes[0..<4]))
        }
        return try ABIDecoder.decode(inputs, from: bytes, origin: 4)
    }

    /// Return data for this function.
    public func encodeOutput(_ values: [ABIValue]) throws(ABIError) -> [UInt8] {
        try ABI.encode(values, as: outputs)
    }

    /// The values in this function's return data.
    public func decodeOutput(_ data: some Collection<UInt8>) throws(ABIError) -> [ABIValue] {
        try ABI.decode(outputs, from: data)
    }
}
