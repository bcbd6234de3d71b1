import ABI
import Primitives
import Testing

/// Values are checked against their types before anything is written.
@Suite struct EncodingValidationTests {
    @Test func typeMismatch() {
        #expect(throws: ABIError.typeMismatch(path: "[0]", expected: "uint256", got: "string")) {
            try ABI.encode([.string("x")], as: [.uint256])
        }
        #expect(throws: ABIError.typeMismatch(path: "[1]", expected: "int8", got: "uint")) {
            try ABI.encode([.bool(true), .uint(1)], as: [.bool, .int(8)])
        }
        #expect(throws: ABIError.typeMismatch(path: "[0][1][0]", expected: "bytes", got: "fixedBytes")) {
            try ABI.encode([.array([.tuple([.bytes([])]), .tuple([.fixedBytes([1])])])], as: [.array(.tuple([.bytes]))])
        }
        #expect(throws: ABIError.typeMismatch(path: "[0]", expected: "(bool)", got: "array")) {
            try ABI.encode([.array([.bool(true)])], as: [.tuple([.bool])])
        }
    }

    @Test func ranges() throws {
        #expect(throws: ABIError.uintTooLarge(path: "[0]", bits: 8)) { try ABI.encode([.uint(256)], as: [.uint(8)]) }
        #expect(try ABI.encode([.uint(255)], as: [.uint(8)]) == word(255))
        #expect(throws: ABIError.intOutOfRange(path: "[0]", bits: 8)) { try ABI.encode([.int(128)], as: [.int(8)]) }
        #expect(throws: ABIError.intOutOfRange(path: "[0]", bits: 8)) { try ABI.encode([.int(-129)], as: [.int(8)]) }
        #expect(try ABI.encode([.int(-1)], as: [.int(8)]) == word(.max))
        #expect(throws: ABIError.uintTooLarge(path: "[1][2]", bits: 16)) {
            try ABI.encode([.bool(true), .array([.uint(1), .uint(2), .uint(70000)])], as: [.bool, .array(.uint(16))])
        }
    }

    @Test func lengths() {
        #expect(throws: ABIError.fixedBytesLength(path: "[0]", expected: 4, got: 3)) {
            try ABI.encode([.fixedBytes([1, 2, 3])], as: [.fixedBytes(4)])
        }
        #expect(throws: ABIError.fixedArrayLength(path: "[0]", expected: 2, got: 3)) {
            try ABI.encode([.array([.bool(true), .bool(false), .bool(true)])], as: [.fixedArray(.bool, 2)])
        }
        #expect(throws: ABIError.valueCountMismatch(path: "", expected: 2, got: 1)) {
            try ABI.encode([.bool(true)], as: [.bool, .bool])
        }
        #expect(throws: ABIError.valueCountMismatch(path: "[0]", expected: 2, got: 1)) {
            try ABI.encode([.tuple([.bool(true)])], as: [.tuple([.bool, .bool])])
        }
        #expect(throws: ABIError.valueCountMismatch(path: "", expected: 1, got: 2)) {
            try ABI.encodeCall(signature: "f(bool)", [.bool(true), .bool(false)])
        }
    }

    @Test func errorDescriptionsSayWhatAndWhere() {
        #expect(ABIError.uintTooLarge(path: "[1][2]", bits: 16).description == "value[1][2]: value does not fit in uint16")
        #expect(ABIError.invalidBool(offset: 36).description == "bool at byte 36 is neither 0 nor 1")
        #expect(ABIError.lengthOutOfBounds(offset: 32, length: UInt256(99)).description.contains("byte 32"))
    }
}
