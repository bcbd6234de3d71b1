import ABI
import Primitives
import Testing

/// Strict decoding: each kind of malformed input is rejected with its own error, and hostile
/// input never crashes, reads out of bounds or allocates out of proportion.
@Suite struct MalformedInputTests {
    @Test func truncated() {
        #expect(throws: ABIError.truncated(offset: 0, needed: 32, available: 31)) {
            try ABI.decode([.uint256], from: [UInt8](repeating: 0, count: 31))
        }
        #expect(throws: ABIError.truncated(offset: 0, needed: 64, available: 32)) {
            try ABI.decode([.uint256, .bool], from: word(1))
        }
        #expect(throws: ABIError.truncated(offset: 0, needed: 96, available: 64)) {
            try ABI.decode([.fixedArray(.uint256, 3)], from: word(1) + word(2))
        }
        // bytes whose contents fit but whose zero padding is missing.
        #expect(throws: ABIError.truncated(offset: 64, needed: 32, available: 5)) {
            try ABI.decode([.bytes], from: word(0x20) + word(5) + Array("abcde".utf8))
        }
    }

    @Test func offsetOutOfBounds() {
        #expect(throws: ABIError.offsetOutOfBounds(offset: 0, pointer: UInt256(0x1000))) {
            try ABI.decode([.bytes], from: word(0x1000) + word(0))
        }
        // Points exactly at the end: no room for the length word.
        #expect(throws: ABIError.offsetOutOfBounds(offset: 0, pointer: UInt256(0x40))) {
            try ABI.decode([.bytes], from: word(0x40) + word(0))
        }
        // Offsets too large for Int must not overflow.
        for huge in [UInt256.one << 64, UInt256.one << 255, UInt256.max, UInt256(UInt64.max), UInt256(UInt64(Int.max))] {
            #expect(throws: ABIError.offsetOutOfBounds(offset: 0, pointer: huge)) {
                try ABI.decode([.string], from: word(huge) + word(0) + word(0))
            }
        }
        // A dynamic tuple needs room for its whole head at the target.
        #expect(throws: ABIError.offsetOutOfBounds(offset: 0, pointer: UInt256(0x20))) {
            try ABI.decode([.tuple([.uint256, .uint256, .bytes])], from: word(0x20) + word(1) + word(2))
        }
        // Nested: the inner offset is relative to the inner array's elements.
        #expect(throws: ABIError.offsetOutOfBounds(offset: 64, pointer: UInt256(0x40))) {
            try ABI.decode([.array(.string)], from: word(0x20) + word(1) + word(0x40) + word(0))
        }
    }

    @Test func offsetIntoHead() {
        #expect(throws: ABIError.offsetIntoHead(offset: 0, pointer: UInt256(0x20))) {
            try ABI.decode([.bytes, .bytes], from: word(0x20) + word(0x40) + word(0) + word(0))
        }
        // An offset of zero points at itself.
        #expect(throws: ABIError.offsetIntoHead(offset: 0, pointer: .zero)) {
            try ABI.decode([.bytes], from: word(0) + word(0))
        }
        #expect(throws: ABIError.offsetIntoHead(offset: 64, pointer: .zero)) {
            try ABI.decode([.array(.bytes)], from: word(0x20) + word(1) + word(0) + word(0))
        }
    }

    @Test func lengthOutOfBounds() {
        #expect(throws: ABIError.lengthOutOfBounds(offset: 32, length: UInt256(33))) {
            try ABI.decode([.bytes], from: word(0x20) + word(33) + word(0))
        }
        #expect(throws: ABIError.lengthOutOfBounds(offset: 32, length: UInt256.one << 60)) {
            try ABI.decode([.string], from: word(0x20) + word(UInt256.one << 60) + word(0))
        }
        // Two 64-byte tuples do not fit in 96 bytes.
        #expect(throws: ABIError.lengthOutOfBounds(offset: 32, length: UInt256(2))) {
            try ABI.decode([.array(.tuple([.uint256, .uint256]))], from: word(0x20) + word(2) + word(1) + word(2) + word(3))
        }
        #expect(throws: ABIError.lengthOutOfBounds(offset: 32, length: UInt256.max)) {
            try ABI.decode([.array(.uint256)], from: word(0x20) + word(.max) + word(1))
        }
    }

    /// A length claiming 2^60 elements fails before anything is allocated.
    @Test func hugeArrayLengthFailsFast() {
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for t: ABIType in [.array(.uint256), .array(.string), .array(.fixedArray(.uint256, 4)), .array(.array(.bool))] {
                #expect(throws: ABIError.lengthOutOfBounds(offset: 32, length: UInt256.one << 60)) {
                    try ABI.decode([t], from: word(0x20) + word(UInt256.one << 60) + word(1) + word(2))
                }
            }
        }
        #expect(elapsed < .seconds(1))
    }

    @Test func invalidBool() throws {
        #expect(try ABI.decode([.bool], from: word(1)) == [.bool(true)])
        #expect(try ABI.decode([.bool], from: word(0)) == [.bool(false)])
        #expect(throws: ABIError.invalidBool(offset: 0)) { try ABI.decode([.bool], from: word(2)) }
        #expect(throws: ABIError.invalidBool(offset: 32)) {
            try ABI.decode([.uint256, .bool], from: word(7) + word(UInt256.one << 255 | .one))
        }
    }

    @Test func invalidAddress() throws {
        var w = word(0xabcdef)
        #expect(try ABI.decode([.address], from: w) == [.address(Address(low: 0xabcdef))])
        w[11] = 1
        #expect(throws: ABIError.invalidAddress(offset: 0)) { try ABI.decode([.address], from: w) }
        w[11] = 0
        w[0] = 0x80
        #expect(throws: ABIError.invalidAddress(offset: 0)) { try ABI.decode([.address], from: w) }
    }

    @Test func invalidUint() throws {
        #expect(try ABI.decode([.uint(8)], from: word(255)) == [.uint(255)])
        #expect(throws: ABIError.invalidUint(offset: 0, bits: 8)) { try ABI.decode([.uint(8)], from: word(0x100)) }
        #expect(throws: ABIError.invalidUint(offset: 0, bits: 248)) {
            try ABI.decode([.uint(248)], from: word(UInt256.one << 248))
        }
        #expect(try ABI.decode([.uint(248)], from: word((UInt256.one << 248) &- .one)) == [.uint((UInt256.one << 248) &- .one)])
    }

    @Test func invalidInt() throws {
        let minus = { (n: UInt64) in word(Int256(sign: true, magnitude: UInt256(n))!.bitPattern) }
        #expect(try ABI.decode([.int(8)], from: minus(128)) == [.int(-128)])
        #expect(try ABI.decode([.int(8)], from: word(127)) == [.int(127)])
        // 128 is not sign-extended as an int8: the high bytes would have to be 0xff.
        #expect(throws: ABIError.invalidInt(offset: 0, bits: 8)) { try ABI.decode([.int(8)], from: word(0x80)) }
        #expect(throws: ABIError.invalidInt(offset: 0, bits: 8)) { try ABI.decode([.int(8)], from: minus(129)) }
        #expect(throws: ABIError.invalidInt(offset: 32, bits: 16)) {
            try ABI.decode([.int(8), .int(16)], from: minus(1) + word(0xffff))
        }
        #expect(try ABI.decode([.int256], from: word(.max)) == [.int(-1)])
    }

    @Test func nonZeroPadding() {
        var b3 = padded(Array("abc".utf8))
        b3[3] = 1
        #expect(throws: ABIError.nonZeroPadding(offset: 3)) { try ABI.decode([.fixedBytes(3)], from: b3) }
        var b31 = [UInt8](repeating: 7, count: 32)
        #expect(throws: ABIError.nonZeroPadding(offset: 63)) {
            try ABI.decode([.bool, .fixedBytes(31)], from: word(1) + b31)
        }
        b31[31] = 0
        #expect((try? ABI.decode([.bool, .fixedBytes(31)], from: word(1) + b31)) != nil)

        var bytes = word(0x20) + word(3) + padded(Array("abc".utf8))
        bytes[95] = 9
        #expect(throws: ABIError.nonZeroPadding(offset: 95)) { try ABI.decode([.bytes], from: bytes) }
        #expect(throws: ABIError.nonZeroPadding(offset: 95)) { try ABI.decode([.string], from: bytes) }
        bytes[67] = 9
        #expect(throws: ABIError.nonZeroPadding(offset: 67)) { try ABI.decode([.string], from: bytes) }
    }

    @Test func invalidUTF8() throws {
        func string(_ contents: [UInt8]) -> [UInt8] { word(0x20) + word(UInt64(contents.count)) + padded(contents) }
        #expect(try ABI.decode([.string], from: string(Array("a€😀".utf8))) == [.string("a€😀")])
        #expect(throws: ABIError.invalidUTF8(offset: 66)) { try ABI.decode([.string], from: string([0x61, 0x62, 0xff, 0x63])) }
        #expect(throws: ABIError.invalidUTF8(offset: 64)) { try ABI.decode([.string], from: string([0xc0, 0x80])) }  // overlong
        #expect(throws: ABIError.invalidUTF8(offset: 65)) { try ABI.decode([.string], from: string([0x61, 0xed, 0xa0, 0x80])) }  // surrogate
        #expect(throws: ABIError.invalidUTF8(offset: 65)) { try ABI.decode([.string], from: string([0x61, 0xe2, 0x82])) }  // cut short
        #expect(throws: ABIError.invalidUTF8(offset: 64)) { try ABI.decode([.string], from: string([0xf4, 0x90, 0x80, 0x80])) }  // > U+10FFFF
        // The same bytes are fine as `bytes`.
        #expect(try ABI.decode([.bytes], from: string([0xff])) == [.bytes([0xff])])
    }

    /// Offsets that alias one large inner array from many slots would decode to a result
    /// quadratically larger than the input; decoding stops early instead.
    @Test func aliasingBombIsStopped() throws {
        let n: UInt64 = 2000, m: UInt64 = 2000
        var data = word(0x20) + word(n)
        for _ in 0..<n { data += word(32 * n) }  // every element points at the same inner array
        data += word(m)
        for i in 0..<m { data += word(i) }
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            let error = try #require(throws: ABIError.self) { try ABI.decode([.array(.array(.uint256))], from: data) }
            guard case .expansionLimitExceeded = error else {
                Issue.record("unexpected \(error)")
                return
            }
        }
        #expect(elapsed < .seconds(2))

        // Mild sharing (two strings with the same tail, as some encoders compress) is accepted.
        let shared = word(0x40) + word(0x40) + word(5) + padded(Array("hello".utf8))
        #expect(try ABI.decode([.string, .string], from: shared) == [.string("hello"), .string("hello")])
    }

    @Test func trailingBytesAllowed() throws {
        let data = try ABI.encode([.uint(1), .string("x")], as: [.uint256, .string])
        #expect(try ABI.decode([.uint256, .string], from: data + [1, 2, 3]) == [.uint(1), .string("x")])
        #expect(try ABI.decode([.uint256], from: data) == [.uint(1)])
    }

    /// Random data against random types: decoding either succeeds or throws an ABIError.
    @Test func randomBytesFuzz() {
        var gen = Generator(seed: 0xf022)
        var successes = 0
        for _ in 0..<4000 {
            let types = gen.types()
            var data: [UInt8] = []
            for _ in 0..<gen.int(0...12) {
                switch gen.int(0...5) {
                case 0: data += word(0)
                case 1: data += word(UInt64(gen.int(0...12)))
                case 2: data += word(UInt64(32 * gen.int(0...12)))
                case 3: data += word(UInt256.max)
                case 4: data += word(UInt256.one << gen.int(0...255))
                default: data += gen.bytes(32)
                }
            }
            if gen.chance(0.3) { data += gen.bytes(gen.int(0...31)) }
            do {
                let values = try ABI.decode(types, from: data)
                successes += 1
                // Anything decoded is a valid value of its type.
                _ = try ABI.encode(values, as: types)
            } catch {
                _ = error.description  // an ABIError, never a trap
            }
        }
        #expect(successes > 0)
    }

    /// Valid encodings with a few bytes or words changed: no crash, and anything that still
    /// decodes re-encodes.
    /// Mutated encodings either decode to values that survive a round trip, or fail with an
    /// ``ABIError`` (never a trap); both outcomes occur.
    @Test func mutationFuzz() throws {
        var gen = Generator(seed: 0xbad)
        var accepted = 0, refused = 0
        for _ in 0..<3000 {
            let types = gen.types()
            guard !types.isEmpty else { continue }
            let values = types.map { gen.value($0) }
            var data = try ABI.encode(values, as: types)
            guard !data.isEmpty else { continue }
            for _ in 0..<gen.int(1...3) {
                let i = gen.int(0...data.count - 1)
                if gen.chance(0.5) {
                    data[i] = UInt8.random(in: 0...255, using: &gen.rng)
                } else {
                    let w = (i / 32) * 32
                    let replacement = word(UInt64(gen.int(0...0x400)))
                    data.replaceSubrange(w..<min(w + 32, data.count), with: replacement[0..<min(32, data.count - w)])
                }
            }
            if gen.chance(0.2) { data.removeLast(gen.int(0...data.count)) }
            switch Result(catching: { () throws(ABIError) in try ABI.decode(types, from: data) }) {
            case .success(let decoded):
                let again = try ABI.encode(decoded, as: types)
                let redecoded = try ABI.decode(types, from: again)
                #expect(redecoded == decoded, "decoded values re-encode to themselves")
                accepted += 1
            case .failure(let e):
                #expect(!e.description.isEmpty)
                refused += 1
            }
        }
        #expect(accepted > 100 && refused > 100, "accepted \(accepted), refused \(refused)")
    }
}
