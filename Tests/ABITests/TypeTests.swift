import ABI
import Testing

@Suite struct TypeTests {
    @Test func canonicalStrings() {
        #expect(ABIType.uint256.description == "uint256")
        #expect(ABIType.array(.tuple([.uint256, .bytes])).description == "(uint256,bytes)[]")
        #expect(ABIType.fixedArray(.bytes32, 3).description == "bytes32[3]")
        #expect(ABIType.array(.fixedArray(.tuple([.uint(8), .string]), 2)).description == "(uint8,string)[2][]")
        #expect(ABIType.tuple([.address, .tuple([.bool, .int(24)])]).description == "(address,(bool,int24))")
    }

    @Test func parsing() throws {
        #expect(try ABIType(parsing: "uint") == .uint(256))
        #expect(try ABIType(parsing: "int") == .int(256))
        #expect(try ABIType(parsing: "uint8") == .uint(8))
        #expect(try ABIType(parsing: "int136") == .int(136))
        #expect(try ABIType(parsing: "address") == .address)
        #expect(try ABIType(parsing: "bool") == .bool)
        #expect(try ABIType(parsing: "bytes") == .bytes)
        #expect(try ABIType(parsing: "bytes1") == .fixedBytes(1))
        #expect(try ABIType(parsing: "bytes32") == .fixedBytes(32))
        #expect(try ABIType(parsing: "string") == .string)
        #expect(try ABIType(parsing: "uint[]") == .array(.uint256))
        #expect(try ABIType(parsing: "(uint8,string)[2][]") == .array(.fixedArray(.tuple([.uint(8), .string]), 2)))
        #expect(try ABIType(parsing: "uint256[][3]") == .fixedArray(.array(.uint256), 3))
        #expect(try ABIType(parsing: "((int,(bytes,bool[]))[],address)")
                == .tuple([.array(.tuple([.int256, .tuple([.bytes, .array(.bool)])])), .address]))
        #expect(try ABIType(parsing: " ( uint , bool ) ") == .tuple([.uint256, .bool]))
    }

    @Test func parseList() throws {
        #expect(try ABIType.parseList("uint256,(bool,bytes)[],string") == [.uint256, .array(.tuple([.bool, .bytes])), .string])
        #expect(try ABIType.parseList("") == [])
        #expect(try ABIType.parseList("  ") == [])
        #expect(try ABIType.parseList("uint, int") == [.uint256, .int256])
        #expect(try ABIType.parseList("(uint,(bool,int)[2])[],bytes3") == [
            .array(.tuple([.uint256, .fixedArray(.tuple([.bool, .int256]), 2)])), .fixedBytes(3),
        ])
    }

    @Test func parseErrors() {
        let bad = [
            "uint7", "uint0", "uint264", "uint08", "int1", "bytes0", "bytes33", "bytes01", "uint256[0]",
            "uint256[01]", "()", "(uint256", "(uint256,)", "uint256[", "uint256[2", "foo", "Uint256",
            "fixed128x18", "ufixed", "function", "address2", "uint256]", "", "(,)", "uint256 uint256",
            "uint256[-1]", "uint256[9999999999]",
        ]
        for text in bad {
            #expect(throws: ABIError.self, "\(text)") { try ABIType(parsing: text) }
        }
        for list in ["uint256,", ",uint256", "uint256,,bool", "uint256;bool", "(uint256"] {
            #expect(throws: ABIError.self, "\(list)") { try ABIType.parseList(list) }
        }
        #expect(throws: ABIError.invalidTypeString("uint7", position: 0, reason: "integer width must be a multiple of 8 in 8...256")) {
            try ABIType(parsing: "uint7")
        }
        #expect(throws: ABIError.invalidTypeString("uint256,", position: 8, reason: "expected a type")) {
            try ABIType.parseList("uint256,")
        }
    }

    /// Absurd nesting or sizes in a type string fail cleanly instead of overflowing the stack or Int.
    @Test func hostileTypeStrings() throws {
        let deepTuple = String(repeating: "(", count: 100_000) + "uint" + String(repeating: ")", count: 100_000)
        #expect(throws: ABIError.self) { try ABIType(parsing: deepTuple) }
        let deepArray = "uint" + String(repeating: "[]", count: 100_000)
        #expect(throws: ABIError.self) { try ABIType(parsing: deepArray) }
        let big = "uint256" + String(repeating: "[999999999]", count: 4)
        #expect(throws: ABIError.self) { try ABIType(parsing: big) }
        #expect(throws: ABIError.self) { try ABIType.fixedArray(.fixedArray(.uint256, .max), .max).validate() }
        #expect(throws: ABIError.self) { try ABIType.fixedArray(.string, .max).validate() }
        #expect(throws: ABIError.self) { try ABI.decode([.array(.fixedArray(.bytes, .max))], from: word(0x20) + word(1) + word(0x20)) }
        #expect(try ABIType(parsing: "uint" + String(repeating: "[]", count: 64)) != .bool)
        #expect(throws: ABIError.self) { try ABIType(parsing: "uint" + String(repeating: "[]", count: 65)) }
    }

    @Test func layout() {
        #expect(ABIType.uint256.headSize == 32)
        #expect(!ABIType.uint256.isDynamic)
        #expect(ABIType.bytes.isDynamic && ABIType.string.isDynamic && ABIType.array(.bool).isDynamic)
        #expect(ABIType.fixedArray(.uint256, 3).headSize == 96)
        #expect(!ABIType.fixedArray(.uint256, 3).isDynamic)
        #expect(ABIType.fixedArray(.string, 3).isDynamic)
        #expect(ABIType.fixedArray(.string, 3).headSize == 32)
        #expect(ABIType.tuple([.uint256, .fixedArray(.address, 2)]).headSize == 96)
        #expect(ABIType.tuple([.uint256, .bytes]).isDynamic)
        #expect(ABIType.tuple([.uint256, .bytes]).headSize == 32)
    }

    @Test func invalidTypeValues() {
        for t: ABIType in [.uint(7), .int(0), .uint(264), .fixedBytes(0), .fixedBytes(33), .fixedArray(.bool, 0), .tuple([]), .array(.tuple([]))] {
            #expect(throws: ABIError.self, "\(t)") { try t.validate() }
            #expect(throws: ABIError.self, "\(t)") { try ABI.decode([t], from: [UInt8](repeating: 0, count: 256)) }
        }
        #expect(throws: ABIError.invalidType("uint7", reason: "integer width must be a multiple of 8 in 8...256")) {
            try ABI.encode([.uint(1)], as: [.uint(7)])
        }
    }
}
