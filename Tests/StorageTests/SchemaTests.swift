import Storage
import Testing

@Suite("Schema")
struct SchemaTests {
    @Test func noPrefixIsAPrefixOfAnother() {
        let all = Schema.all
        #expect(Set(all.map(\.name)).count == all.count)
        for (i, a) in all.enumerated() {
            #expect(!a.key.isEmpty, "\(a.name) is empty")
            for (j, b) in all.enumerated() where i != j {
                #expect(!b.key.starts(with: a.key), "\(a.name) \(a.key) is a prefix of \(b.name) \(b.key)")
            }
        }
    }

    @Test func keysStartWithTheirPrefixAndHaveFixedWidth() {
        let hash = [UInt8](repeating: 0xAB, count: 32)
        #expect(Schema.headerKey(hash) == Schema.headerPrefix + hash)
        #expect(Schema.bodyKey(hash).count == 33)
        #expect(Schema.receiptsKey(hash).starts(with: Schema.receiptsPrefix))
        #expect(Schema.txLookupKey(hash).starts(with: Schema.txLookupPrefix))
        #expect(Schema.treePageKey(hash).starts(with: Schema.treePagePrefix))
        #expect(Schema.snapshotStorageKey(hash, hash).count == 65)
        #expect(Schema.logAddressIndexKey([UInt8](repeating: 1, count: 20), 7).count == 29)
        #expect(Schema.logTopicIndexKey(hash, 7).suffix(8) == Schema.encode(7)[...])
        #expect(Schema.canonicalHashKey(0x0102) == Schema.canonicalHashPrefix + [0, 0, 0, 0, 0, 0, 1, 2])
        #expect(Schema.chainConfigKey(hash).starts(with: Schema.chainConfigPrefix))
    }

    @Test func canonicalKeysSortNumerically() {
        let numbers: [UInt64] = [0, 1, 255, 256, 65_535, 1 << 32, .max]
        let keys = numbers.map(Schema.canonicalHashKey)
        #expect(keys == keys.sorted { $0.lexicographicallyPrecedes($1) })
    }

    @Test func numberAndTxLookupCodecsRoundTrip() throws {
        for n: UInt64 in [0, 1, 0xDEAD_BEEF, .max] { #expect(Schema.decodeNumber(Schema.encode(n)) == n) }
        #expect(Schema.decodeNumber([1, 2, 3]) == nil)
        let lookup = try #require(Schema.decodeTxLookup(Schema.txLookupValue(blockNumber: 123_456, index: 0x0102_0304)))
        #expect(lookup.blockNumber == 123_456 && lookup.index == 0x0102_0304)
        #expect(Schema.decodeTxLookup([0]) == nil)
    }
}
