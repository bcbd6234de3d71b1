import ABI
import Primitives
import Testing

/// The JSON text format used by the command line and the eth-abi interoperability test.
@Suite struct JSONTests {
    @Test func encodeFromJSON() throws {
        let data = try ABI.encode(types: "uint256,(bool,bytes)[],string",
                                  jsonValues: #"["0x123", [[true, "0x01ff"], [false, "0x"]], "hi"]"#)
        let expected = try ABI.encode(
            [.uint(0x123), .array([.tuple([.bool(true), .bytes([1, 0xff])]), .tuple([.bool(false), .bytes([])])]), .string("hi")],
            as: [.uint256, .array(.tuple([.bool, .bytes])), .string])
        #expect(data == expected)
    }

    @Test func numbers() throws {
        let types = try ABIType.parseList("uint256,uint256,uint256,int8,int8,int256,int256,uint8")
        let json = """
            ["115792089237316195423570985008687907853269984665640564039457584007913129639935", 42,
             115792089237316195423570985008687907853269984665640564039457584007913129639935,
             "-128", -1, "-0x10", "57896044618658097711785492504343953926634992332820282019728792003956564819967", "0xff"]
            """
        let values = try ABI.values(fromJSON: json, as: types)
        #expect(values == [.uint(.max), .uint(42), .uint(.max), .int(-128), .int(-1), .int(-16), .int(Int256.max), .uint(255)])
        #expect(ABI.jsonText(of: values) == #"["115792089237316195423570985008687907853269984665640564039457584007913129639935","42","115792089237316195423570985008687907853269984665640564039457584007913129639935","-128","-1","-16","57896044618658097711785492504343953926634992332820282019728792003956564819967","255"]"#)

        #expect(throws: ABIError.uintTooLarge(path: "[0]", bits: 8)) { try ABI.values(fromJSON: #"["256"]"#, as: [.uint(8)]) }
        #expect(throws: ABIError.intOutOfRange(path: "[0]", bits: 8)) { try ABI.values(fromJSON: #"[-129]"#, as: [.int(8)]) }
        #expect(throws: ABIError.intOutOfRange(path: "[0]", bits: 256)) {
            try ABI.values(fromJSON: #"["57896044618658097711785492504343953926634992332820282019728792003956564819968"]"#, as: [.int256])
        }
        for bad in [#"["-1"]"#, #"[1.5]"#, #"[1e3]"#, #"["12a"]"#, #"["0x"]"#, #"[""]"#, #"[true]"#, #"[null]"#,
                    #"["115792089237316195423570985008687907853269984665640564039457584007913129639936"]"#] {
            #expect(throws: ABIError.self, "\(bad)") { try ABI.values(fromJSON: bad, as: [.uint256]) }
        }
    }

    @Test func bytesAddressesAndStrings() throws {
        let types: [ABIType] = [.address, .fixedBytes(2), .bytes, .string, .bool]
        let json = #"["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xABcd", "0x", "a\"b\\c\n\u0001é😀\ud83d\ude00", false]"#
        let values = try ABI.values(fromJSON: json, as: types)
        #expect(values[0].addressValue == (try Address(hex: "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")))
        #expect(values[1] == .fixedBytes([0xab, 0xcd]))
        #expect(values[2] == .bytes([]))
        #expect(values[3] == .string("a\"b\\c\n\u{1}é😀😀"))
        let text = ABI.jsonText(of: values)
        #expect(text == #"["0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed","0xabcd","0x","a\"b\\c\n\u0001é😀😀",false]"#)
        #expect(try ABI.values(fromJSON: text, as: types) == values)

        #expect(throws: ABIError.fixedBytesLength(path: "[0]", expected: 2, got: 1)) {
            try ABI.values(fromJSON: #"["0x01"]"#, as: [.fixedBytes(2)])
        }
        // A mixed-case address must carry a valid checksum.
        #expect(throws: ABIError.self) {
            try ABI.values(fromJSON: #"["0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"]"#, as: [.address])
        }
        #expect(throws: ABIError.self) { try ABI.values(fromJSON: #"["0x123"]"#, as: [.bytes]) }
        #expect(throws: ABIError.self) { try ABI.values(fromJSON: #"[1]"#, as: [.string]) }
        #expect(throws: ABIError.self) { try ABI.values(fromJSON: #"["true"]"#, as: [.bool]) }
    }

    @Test func structure() throws {
        #expect(throws: ABIError.valueCountMismatch(path: "", expected: 2, got: 1)) {
            try ABI.values(fromJSON: "[true]", as: [.bool, .bool])
        }
        #expect(throws: ABIError.fixedArrayLength(path: "[0]", expected: 3, got: 2)) {
            try ABI.values(fromJSON: "[[true,false]]", as: [.fixedArray(.bool, 3)])
        }
        #expect(throws: ABIError.uintTooLarge(path: "[0][1][0]", bits: 8)) {
            try ABI.encode(types: "(uint8,bool)[]", jsonValues: #"[[["1",true],[300,false]]]"#)
        }
        #expect(throws: ABIError.invalidJSONValue(path: "[0]", type: "(bool)", reason: "expected an array for a tuple, got an object")) {
            try ABI.values(fromJSON: #"[{"a":true}]"#, as: [.tuple([.bool])])
        }
        #expect(try ABI.values(fromJSON: " [ ] ", as: []) == [])
        #expect(ABI.jsonText(of: []) == "[]")
        #expect(ABI.jsonText(of: [.array([.tuple([.uint(1), .bytes([0xab])])])]) == #"[[["1","0xab"]]]"#)
    }

    @Test func invalidJSON() {
        for bad in ["", "[", "[1,]", "[01]", "[1 2]", "{", #"["\x"]"#, "[\"\u{1}\"]", #"["\ud800"]"#, "[tru]", "[] x", "[-]", "[1.]"] {
            #expect(throws: ABIError.self, "\(bad)") { try ABI.values(fromJSON: bad, as: [.uint256]) }
        }
        #expect(throws: ABIError.invalidJSON(offset: 3, reason: "expected ',' or ']'")) {
            try ABI.values(fromJSON: "[1 2]", as: [.uint256])
        }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: ABIError.self) { try ABI.values(fromJSON: deep, as: [.uint256]) }
    }

    @Test func decodedValuesRenderForTheCommandLine() throws {
        let types = try ABIType.parseList("address,int16,bytes3,string[]")
        let data = try ABI.encode(types: types, jsonValues: #"["0x00000000000000000000000000000000000000AB", "-2", "0x616263", ["x", ""]]"#)
        let text = ABI.jsonText(of: try ABI.decode(types, from: data))
        #expect(text == #"["0x00000000000000000000000000000000000000ab","-2","0x616263",["x",""]]"#)
        #expect(try ABI.decode(types, from: data).map(\.description) == [
            #""0x00000000000000000000000000000000000000ab""#, #""-2""#, #""0x616263""#, #"["x",""]"#,
        ])
    }
}
