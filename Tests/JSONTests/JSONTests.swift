import JSON
import Testing

@Suite struct ParsingTests {
    @Test func scalars() throws {
        #expect(try JSONValue.parse("null") == .null)
        #expect(try JSONValue.parse(" true ") == .bool(true))
        #expect(try JSONValue.parse("false") == .bool(false))
        #expect(try JSONValue.parse("\"hi\"") == .string("hi"))
        #expect(try JSONValue.parse("0") == .number(0))
        #expect(try JSONValue.parse("-12") == .number(-12))
    }

    @Test func numbersKeepTheirExactText() throws {
        let big = "115792089237316195423570985008687907853269984665640564039457584007913129639935"
        #expect(try JSONValue.parse(big).numberValue?.text == big)
        #expect(try JSONValue.parse("1.50e+3").numberValue?.text == "1.50e+3")
        #expect(try JSONValue.parse("-0.0").numberValue?.text == "-0.0")
        #expect(try JSONValue.parse("12").numberValue?.uint64Value == 12)
        #expect(try JSONValue.parse("1.0").numberValue?.uint64Value == nil)
        #expect(try JSONValue.parse("-3").numberValue?.int64Value == -3)
        #expect(try JSONValue.parse("1e3").numberValue?.doubleValue == 1000)
        #expect(JSONNumber(text: "01") == nil)
        #expect(JSONNumber(text: "1.") == nil)
        #expect(JSONNumber(text: "7") != nil)
    }

    @Test func objectsKeepOrderAndLastDuplicateWins() throws {
        let v = try JSONValue.parse(#"{"b":1,"a":[true,null],"b":2}"#)
        guard case .object(let members) = v else { Issue.record("not an object"); return }
        #expect(members.map(\.0) == ["b", "a", "b"])
        #expect(v["b"] == .number(2))
        #expect(v["a"]?[1] == .null)
        #expect(v["missing"] == nil)
    }

    @Test func stringEscapes() throws {
        #expect(try JSONValue.parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{c}\n\r\t"))
        #expect(try JSONValue.parse(#""\u00e9\u20AC""#) == .string("é€"))
        #expect(try JSONValue.parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try JSONValue.parse(#""\ud83d""#) == .string("\u{fffd}"))
        #expect(try JSONValue.parse("\"é😀\"") == .string("é😀"))
    }

    @Test(arguments: [
        ("", "unexpected end of JSON input"),
        ("{", "unexpected end of JSON input"),
        ("[1,]", "invalid character ']' at offset 3"),
        ("{\"a\" 1}", "invalid character '1' at offset 5"),
        ("01", "invalid number at offset 1"),
        ("1.", "unexpected end of JSON input"),
        ("-x", "invalid number at offset 1"),
        ("tru", "unexpected end of JSON input"),
        ("nul1", "invalid character '1' at offset 3"),
        ("\"a\nb\"", "control character in string at offset 2"),
        ("\"\\x\"", "invalid escape in string at offset 2"),
        ("\"\\u12G4\"", "invalid \\u escape in string at offset 5"),
        ("1 2", "invalid character after top-level value at offset 2"),
        ("{'a':1}", "invalid character ''' at offset 1"),
        ("[1] // c", "invalid character after top-level value at offset 4"),
    ])
    func errors(input: String, message: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(input) }
        do {
            _ = try JSONValue.parse(input)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func invalidUTF8IsRefused() {
        let bytes: [UInt8] = [0x22, 0xff, 0xfe, 0x22]
        #expect(throws: JSONParseError(offset: 1, reason: .invalidUTF8)) { try JSONValue.parse(bytes) }
    }

    @Test func depthLimit() throws {
        let ok = String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
        _ = try JSONValue.parse(ok)
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError(offset: 128, reason: .tooDeep(limit: 128))) { try JSONValue.parse(deep) }
        let objects = String(repeating: "{\"a\":", count: 10) + "1" + String(repeating: "}", count: 10)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(objects, maxDepth: 5) }
    }
}

@Suite struct WritingTests {
    @Test func compactOrderedOutput() {
        let v: JSONValue = ["jsonrpc": "2.0", "id": 1, "result": ["0x1", nil, true, ["k": "v"]]]
        #expect(v.text == #"{"jsonrpc":"2.0","id":1,"result":["0x1",null,true,{"k":"v"}]}"#)
    }

    @Test func escapes() {
        #expect(JSONValue.string("a\"b\\c\n\u{1}é").text == #""a\"b\\c\n\u0001é""#)
    }

    @Test func numbers() {
        #expect(JSONValue.number(JSONNumber(5.0)).text == "5")
        #expect(JSONValue.number(JSONNumber(0.25)).text == "0.25")
        #expect(JSONValue.number(JSONNumber(UInt64.max)).text == "18446744073709551615")
    }

    @Test func roundTrip() throws {
        let text = #"{"a":[1,-2.5e-3,"x\u0000y",{"":{}}],"b":false,"c":null,"d":"😀"}"#
        let v = try JSONValue.parse(text)
        #expect(try JSONValue.parse(v.text) == v)
        #expect(v.text == text)
    }
}
