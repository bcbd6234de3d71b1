import Chain
import Testing

@Suite("ChainSchema")
struct ChainSchemaTests {
    @Test func noPrefixIsAPrefixOfAnother() {
        let all = ChainSchema.all
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
        #expect(ChainSchema.headerKey(hash) == ChainSchema.headerPrefix + hash)
        #expect(ChainSchema.bodyKey(hash).count == 33)
        #expect(ChainSchema.receiptsKey(hash).starts(with: ChainSchema.receiptsPrefix))
        #expect(ChainSchema.txLookupKey(hash).starts(with: ChainSchema.txLookupPrefix))
        #expect(ChainSchema.treePageKey(hash).starts(with: ChainSchema.treePagePrefix))
        #expect(ChainSchema.logAddressIndexKey([UInt8](repeating: 1, count: 20), 7).count == 29)
        #expect(ChainSchema.logTopicIndexKey(hash, 7).suffix(8) == ChainSchema.encode(7)[...])
        #expect(ChainSchema.canonicalHashKey(0x0102) == ChainSchema.canonicalHashPrefix + [0, 0, 0, 0, 0, 0, 1, 2])
        #expect(ChainSchema.chainConfigKey(hash).starts(with: ChainSchema.chainConfigPrefix))
    }

    @Test func canonicalKeysSortNumerically() {
        let numbers: [UInt64] = [0, 1, 255, 256, 65_535, 1 << 32, .max]
        let keys = numbers.map(ChainSchema.canonicalHashKey)
        #expect(keys == keys.sorted { $0.lexicographicallyPrecedes($1) })
    }

    @Test func numberAndTxLookupCodecsRoundTrip() throws {
        for n: UInt64 in [0, 1, 0xDEAD_BEEF, .max] { #expect(ChainSchema.decodeNumber(ChainSchema.encode(n)) == n) }
        #expect(ChainSchema.decodeNumber([1, 2, 3]) == nil)
        let lookup = try #require(ChainSchema.decodeTxLookup(ChainSchema.txLookupValue(blockNumber: 123_456, index: 0x0102_0304)))
        #expect(lookup.blockNumber == 123_456 && lookup.index == 0x0102_0304)
        #expect(ChainSchema.decodeTxLookup([0]) == nil)
    }
}
