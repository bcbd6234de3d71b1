import Primitives
import RLP
import Testing

private func b(_ s: String) -> [UInt8] { Array(s.utf8) }
private func h(_ s: String) -> [UInt8] { try! Hex.decode(s) }

@Suite struct RLPEncodingTests {
    /// The examples from the RLP specification (Ethereum yellow paper appendix B / ethereum.org).
    @Test func specificationExamples() {
        #expect(RLPItem.bytes(b("dog")).rlpEncoded == [0x83, 0x64, 0x6f, 0x67])
        #expect(RLPItem.list([.bytes(b("cat")), .bytes(b("dog"))]).rlpEncoded
                == [0xc8, 0x83, 0x63, 0x61, 0x74, 0x83, 0x64, 0x6f, 0x67])
        #expect(RLPItem.bytes([]).rlpEncoded == [0x80])
        #expect(RLPItem.list([]).rlpEncoded == [0xc0])
        #expect(RLPItem.bytes([0x00]).rlpEncoded == [0x00])
        #expect(RLPItem.bytes([0x0f]).rlpEncoded == [0x0f])
        #expect(RLPItem.bytes([0x04, 0x00]).rlpEncoded == [0x82, 0x04, 0x00])
        // The set-theoretical representation of three: [ [], [[]], [ [], [[]] ] ].
        let three = RLPItem.list([.list([]), .list([.list([])]), .list([.list([]), .list([.list([])])])])
        #expect(three.rlpEncoded == [0xc7, 0xc0, 0xc1, 0xc0, 0xc3, 0xc0, 0xc1, 0xc0])
        let lorem = b("Lorem ipsum dolor sit amet, consectetur adipisicing elit")
        #expect(RLPItem.bytes(lorem).rlpEncoded == [0xb8, 0x38] + lorem)
    }

    @Test func integers() throws {
        var w = RLPWriter()
        w.write(UInt64(0)); w.write(UInt64(15)); w.write(UInt64(1024)); w.write(UInt256.max)
        #expect(w.bytes == [0x80, 0x0f, 0x82, 0x04, 0x00, 0xa0] + [UInt8](repeating: 0xff, count: 32))
        #expect(RLPLength.uint(UInt256.max) == 33 && RLPLength.uint(UInt64(1024)) == 3)
        var d = RLPDecoder(w.bytes)
        #expect(try d.readUInt64() == 0)
        #expect(try d.readUInt64() == 15)
        #expect(try d.readUInt64() == 1024)
        #expect(try d.readUInt256() == .max)
        #expect(throws: Never.self) { try d.finish() }
    }

    @Test func longListsAndStrings() throws {
        let big = [UInt8](repeating: 0xab, count: 70_000)
        let item = RLPItem.list([.bytes(big), .list((0..<300).map { .bytes([UInt8($0 & 0x7f)]) })])
        let enc = item.rlpEncoded
        #expect(enc.count == item.rlpLength)
        #expect(try RLPItem(decoding: enc) == item)
    }
}

@Suite struct RLPRejectionTests {
    /// Each malformed input fails with its own error, naming the offset.
    @Test(arguments: [
        ("", RLPError.unexpectedEnd(offset: 0)),
        ("81", .unexpectedEnd(offset: 1)),
        ("8105", .nonCanonicalSingleByte(offset: 0)),
        ("817f", .nonCanonicalSingleByte(offset: 0)),
        ("b80161", .nonCanonicalLongForm(offset: 0)),
        ("f80180", .nonCanonicalLongForm(offset: 0)),
        ("b90037" + String(repeating: "61", count: 55), .leadingZeroInLength(offset: 1)),
        ("83646f", .lengthPastEnd(offset: 0, length: 3, available: 2)),
        ("c383646f", .lengthPastEnd(offset: 1, length: 3, available: 2)),
        ("c583646f67", .lengthPastEnd(offset: 0, length: 5, available: 4)),
        ("83646f6700", .trailingBytes(offset: 4, count: 1)),
        ("c0c0", .trailingBytes(offset: 1, count: 1)),
        ("bfffffffffffffffff", .lengthOverflow(offset: 1)),
        ("b9", .unexpectedEnd(offset: 1)),
    ] as [(String, RLPError)])
    func malformed(hex: String, error: RLPError) {
        #expect(throws: error) { _ = try RLPItem(decoding: h(hex)) }
    }

    @Test func wellFormedSingleBytesInList() throws {
        #expect(try RLPItem(decoding: h("c3646f67")) == .list([.bytes([0x64]), .bytes([0x6f]), .bytes([0x67])]))
    }

    @Test func integerRules() {
        var d = RLPDecoder(h("820001"))
        #expect(throws: RLPError.leadingZeroInInteger(offset: 0)) { _ = try d.readUInt64() }
        var e = RLPDecoder(h("00"))
        #expect(throws: RLPError.leadingZeroInInteger(offset: 0)) { _ = try e.readUInt64() }
        var f = RLPDecoder(h("89010203040506070809"))
        #expect(throws: RLPError.integerTooLarge(offset: 0, maxBytes: 8)) { _ = try f.readUInt64() }
        var g = RLPDecoder(h("c0"))
        #expect(throws: RLPError.expectedString(offset: 0)) { _ = try g.readUInt64() }
        var k = RLPDecoder(h("80"))
        #expect(throws: RLPError.expectedList(offset: 0)) { _ = try k.readList() }
        var a = RLPDecoder(h("8401020304"))
        #expect(throws: RLPError.wrongLength(offset: 0, expected: 20, actual: 4)) { _ = try a.readAddress() }
    }

    @Test func depthLimit() throws {
        var enc: [UInt8] = [0xc0]
        for _ in 0..<2000 { enc = wrap(enc) }
        #expect(throws: RLPError.tooDeep(offset: offsetOfDepth(enc, 1024), limit: 1024)) {
            _ = try RLPItem(decoding: enc)
        }
        var shallow: [UInt8] = [0xc0]
        for _ in 0..<100 { shallow = wrap(shallow) }
        #expect(try RLPItem(decoding: shallow).rlpEncoded == shallow)
    }

    /// Random bytes never crash the decoder: each input is accepted or rejected with an RLPError.
    @Test func fuzzNeverCrashes() {
        var state: UInt64 = 1
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        for _ in 0..<20_000 {
            let n = Int(next() % 40)
            var bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: next()) }
            if n > 0, next() % 2 == 0 { bytes[0] = 0xb7 &+ UInt8(next() % 80) }
            if let item = try? RLPItem(decoding: bytes) {
                #expect(item.rlpEncoded == bytes, "accepted input must be canonical")
            }
        }
    }
}

private func wrap(_ inner: [UInt8]) -> [UInt8] {
    var w = RLPWriter()
    w.writeListHeader(payloadLength: inner.count)
    w.writeRaw(inner)
    return w.bytes
}

/// Offset of the list header at nesting depth `depth` in a chain of singly nested lists.
private func offsetOfDepth(_ enc: [UInt8], _ depth: Int) -> Int {
    var pos = 0
    for _ in 0..<depth {
        let b = enc[pos]
        pos += b <= 0xf7 ? 1 : 1 + Int(b - 0xf7)
    }
    return pos
}
