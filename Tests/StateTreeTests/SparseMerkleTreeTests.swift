import Primitives
import StateTree
import Testing
import TestSupport

/// A tree whose pending pages are persisted into a dictionary after every batch, the way the
/// node persists them into LevelDB with each block.
private struct PersistedTree {
    let store = MemoryPageSource()
    var tree: SparseMerkleTree
    init() { tree = SparseMerkleTree(source: store) }
    mutating func apply(_ ups: [SparseMerkleTree.Update]) throws -> Hash32 {
        let r = try tree.update(ups)
        for (h, p) in tree.takePendingPages() { store.pages[h] = p }
        return r
    }
}

@Suite struct SparseMerkleTreeTests {
    @Test func emptyAndSingle() throws {
        var t = PersistedTree()
        #expect(t.tree.root == .zero)
        let r = try t.apply([.init(key: [1], value: [9])])
        #expect(r == TreeHash.leaf(keyHash: Hash32.keccak256([1]), valueHash: Hash32.keccak256([9])))
        #expect(try t.apply([.init(key: [1], value: nil)]) == .zero)
    }

    /// Random insert/update/delete batches: the root always equals a from-scratch rebuild of the
    /// resulting key set, and every key reads back.
    @Test func incrementalEqualsRebuild() throws {
        var rng = SplitMix64(seed: 99)
        var t = PersistedTree()
        var model: [[UInt8]: [UInt8]] = [:]
        for round in 0..<60 {
            var batch: [SparseMerkleTree.Update] = []
            for _ in 0..<(1 + Int(rng.next() % 40)) {
                let key = [UInt8(rng.next() % 200), UInt8(rng.next() % 3)]
                if rng.next() % 3 == 0 {
                    batch.append(.init(key: key, value: nil))
                    model[key] = nil
                } else {
                    let v = [UInt8(truncatingIfNeeded: rng.next()), UInt8(round)]
                    batch.append(.init(key: key, value: v))
                    model[key] = v
                }
            }
            let root = try t.apply(batch)
            let rebuilt = SparseMerkleTree.root(of: model.map { ($0.key, $0.value) })
            #expect(root == rebuilt, "round \(round)")
            for (k, v) in model { #expect(try t.tree.get(k) == v) }
        }
        // Order independence: the same set inserted in another order.
        let shuffled = model.map { ($0.key, $0.value) }.shuffled(using: &rng)
        #expect(SparseMerkleTree.root(of: shuffled) == t.tree.root)
        // Deleting everything returns to the empty root.
        #expect(try t.apply(model.keys.map { .init(key: $0, value: nil) }) == .zero)
    }

    @Test func laterChangesInABatchWin() throws {
        var t = PersistedTree()
        let r = try t.apply([.init(key: [1], value: [1]), .init(key: [1], value: [2]), .init(key: [2], value: [3]),
                             .init(key: [2], value: nil)])
        #expect(r == SparseMerkleTree.root(of: [([1], [2])]))
    }

    @Test func noOpUpdatesKeepTheRootAndCreateNoPages() throws {
        var t = PersistedTree()
        let r = try t.apply((0..<50).map { .init(key: [UInt8($0)], value: [1]) })
        #expect(try t.apply([.init(key: [7], value: [1]), .init(key: [250], value: nil)]) == r)
        #expect(t.tree.pendingPages.isEmpty)
    }

    @Test func proofs() throws {
        var t = PersistedTree()
        var rng = SplitMix64(seed: 5)
        var model: [[UInt8]: [UInt8]] = [:]
        for i in 0..<300 {
            let k = withUnsafeBytes(of: UInt32(i).bigEndian) { Array($0) }
            model[k] = [UInt8(truncatingIfNeeded: rng.next())]
        }
        let root = try t.apply(model.map { .init(key: $0.key, value: $0.value) })
        for (k, v) in model {
            let p = try t.tree.prove(k)
            #expect(p.verify(root: root, key: k, value: v))
            #expect(!p.verify(root: root, key: k, value: v + [0]), "wrong value")
            #expect(!p.verify(root: root, key: k, value: nil), "present key claimed absent")
            #expect(!p.verify(root: Hash32.keccak256([1]), key: k, value: v), "wrong root")
        }
        for i in 300..<400 {
            let k = withUnsafeBytes(of: UInt32(i).bigEndian) { Array($0) }
            let p = try t.tree.prove(k)
            #expect(p.verify(root: root, key: k, value: nil))
            #expect(!p.verify(root: root, key: k, value: [1]), "absent key claimed present")
        }
        // A proof for one key does not serve another.
        let (k0, v0) = model.first!
        let p0 = try t.tree.prove(k0)
        let other = model.keys.first { $0 != k0 }!
        #expect(!p0.verify(root: root, key: other, value: v0))
        // Tampered siblings fail.
        var bad = p0
        if !bad.siblings.isEmpty {
            bad.siblings[0] = Hash32.keccak256([0xee])
            #expect(!bad.verify(root: root, key: k0, value: v0))
        }
    }

    @Test func missingPagesAreReported() throws {
        var t = SparseMerkleTree(source: MemoryPageSource())
        try t.update([.init(key: [1], value: [1]), .init(key: [2], value: [2])])
        let orphan = SparseMerkleTree(root: t.root, source: MemoryPageSource())
        #expect(throws: StateTreeError.missingPage(t.root)) { try orphan.get([1]) }
        // A deeper page missing: drop one below the root page.
        var big = PersistedTree()
        try big.apply((0..<2_000).map { .init(key: withUnsafeBytes(of: UInt32($0)) { Array($0) }, value: [1]) })
        let child = big.store.pages.keys.first { $0 != big.tree.root }!
        big.store.pages[child] = nil
        var failed = false
        for i in 0..<2_000 {
            do { _ = try big.tree.get(withUnsafeBytes(of: UInt32(i)) { Array($0) }) } catch StateTreeError.missingPage(let h) {
                #expect(h == child)
                failed = true
            }
        }
        #expect(failed)
    }

    /// Thousands of keys (pages four and more levels deep), grown and shrunk in random batches:
    /// the root always equals the rebuild, every key reads back from the persisted pages alone,
    /// every page is stored under its root hash, and proofs verify.
    @Test func deepTreesGrowAndShrink() throws {
        var rng = SplitMix64(seed: 7)
        var t = PersistedTree()
        var model: [[UInt8]: [UInt8]] = [:]
        for round in 0..<24 {
            var batch: [SparseMerkleTree.Update] = []
            let growing = round < 12
            for _ in 0..<(200 + Int(rng.next() % 600)) {
                let key = withUnsafeBytes(of: UInt16(truncatingIfNeeded: rng.next() % 6_000)) { Array($0) }
                if !growing, rng.next() % 4 != 0 {
                    batch.append(.init(key: key, value: nil))
                    model[key] = nil
                } else {
                    let v = [UInt8](repeating: UInt8(round), count: Int(rng.next() % 200))
                    batch.append(.init(key: key, value: v))
                    model[key] = v.isEmpty ? nil : v
                    if v.isEmpty { batch[batch.count - 1].value = nil }
                }
            }
            let root = try t.apply(batch)
            #expect(root == SparseMerkleTree.root(of: model.map { ($0.key, $0.value) }), "round \(round)")
            let fresh = SparseMerkleTree(root: root, source: t.store)
            for (k, v) in model.prefix(300) {
                #expect(try fresh.get(k) == v)
                #expect(try fresh.prove(k).verify(root: root, key: k, value: v))
            }
        }
        for (h, p) in t.store.pages { #expect(p.rootHash == h) }
        #expect(try t.apply(model.keys.map { .init(key: $0, value: nil) }) == .zero)
    }

    /// A block's worth of changes on a 10,000-key tree writes about a third as many pages as
    /// a node-per-record layout would write nodes.
    @Test func pagesPerBatch() throws {
        var t = PersistedTree()
        try t.apply((0..<10_000).map { .init(key: withUnsafeBytes(of: UInt32($0)) { Array($0) }, value: [1]) })
        try t.tree.update((0..<2_800).map { .init(key: withUnsafeBytes(of: UInt32($0 * 3)) { Array($0) }, value: [2]) })
        let written = t.tree.pendingPages.count
        #expect(written > 1_500 && written < 3_200, "\(written) pages")
    }

    /// A value no page could store is refused before anything changes.
    @Test func oversizedValuesAreRefused() throws {
        var t = PersistedTree()
        let root = try t.apply([.init(key: [1], value: [1])])
        let big = [UInt8](repeating: 7, count: TreePage.maxValueLength + 1)
        #expect(throws: StateTreeError.valueTooLarge(keyHash: Hash32.keccak256([2]), length: big.count)) {
            try t.tree.update([.init(key: [3], value: [3]), .init(key: [2], value: big)])
        }
        #expect(t.tree.root == root && t.tree.pendingPages.isEmpty)
        // The largest allowed value round-trips through a stored page.
        let max = [UInt8](repeating: 9, count: TreePage.maxValueLength)
        let r = try t.apply([.init(key: [2], value: max)])
        #expect(try TreePage(encoded: t.store.pages[r]!.encoded) == t.store.pages[r]!)
        #expect(try SparseMerkleTree(root: r, source: t.store).get([2]) == max)
    }

    /// Random and mutated bytes never crash the decoder, and whatever decodes is canonical:
    /// it re-encodes to exactly the bytes it came from.
    @Test func fuzzedPagesDecodeCanonicallyOrNotAtAll() throws {
        var rng = SplitMix64(seed: 41)
        var t = PersistedTree()
        try t.apply((0..<400).map { .init(key: [UInt8($0 % 256), UInt8($0 / 256)], value: Array(repeating: 1, count: $0 % 140)) })
        let samples = Array(t.store.pages.values.map(\.encoded).prefix(40))
        var decoded = 0
        for i in 0..<20_000 {
            var b: [UInt8]
            if i % 4 == 0 {
                b = (0..<Int(rng.next() % 120)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                if !b.isEmpty { b[0] = UInt8(rng.next() % 5) }
            } else {
                b = samples[Int(rng.next() % UInt64(samples.count))]
                for _ in 0...Int(rng.next() % 3) where !b.isEmpty {
                    let at = Int(rng.next() % UInt64(b.count))
                    switch rng.next() % 3 {
                    case 0: b[at] = UInt8(truncatingIfNeeded: rng.next())
                    case 1: b.remove(at: at)
                    default: b.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
                    }
                }
            }
            if let p = try? TreePage(encoded: b) {
                decoded += 1
                #expect(p.encoded == b)
            }
        }
        #expect(decoded > 0)
        // A non-minimal length (0x80 0x00 for zero) is refused.
        let h = [UInt8](repeating: 0x11, count: 32)
        #expect((try? TreePage(encoded: [0x01] + h + [0x00])) != nil)
        #expect((try? TreePage(encoded: [0x01] + h + [0x80, 0x00])) == nil)
    }

    @Test func pageEncodingRoundTrip() throws {
        var t = PersistedTree()
        try t.apply((0..<3_000).map { .init(key: withUnsafeBytes(of: UInt32($0)) { Array($0) }, value: Array(repeating: 7, count: $0 % 300)) })
        for p in t.store.pages.values {
            let decoded = try TreePage(encoded: p.encoded)
            #expect(decoded == p)
            #expect(decoded.encoded == p.encoded)
        }
    }

    @Test func corruptPagesAreRefused() throws {
        var t = PersistedTree()
        try t.apply((0..<500).map { .init(key: [UInt8($0 % 256), UInt8($0 / 256)], value: [1, 2, 3]) })
        let good = t.store.pages[t.tree.root]!.encoded
        func refused(_ bytes: [UInt8]) -> Bool { (try? TreePage(encoded: bytes)) == nil }
        #expect(refused([]))
        #expect(refused([0x09]), "unknown tag")
        #expect(refused(good + [0]), "trailing byte")
        for cut in [1, 10, 33, good.count - 1] { #expect(refused(Array(good.prefix(cut))), "truncated at \(cut)") }
        // A branch on the last level, a page reference above it.
        let h = [UInt8](repeating: 0xab, count: 32)
        let deepBranch = [0x02] + h + [0x02] + h + [0x02] + h + [0x02] + h + [0x02] + h + [0x00, 0x00] + [0x00] + [0x00] + [0x00] + [0x00]
        #expect(refused(deepBranch))
        #expect(refused([0x03] + h))
        // A leaf whose length runs past the end.
        #expect(refused([0x01] + h + [0x05, 1, 2]))
        #expect(refused([0x01] + h + [0xff, 0xff, 0xff, 0xff, 0x7f]))
        // Every single-byte flip is refused, or decodes to a page with another root hash (which
        // the store refuses: pages are stored under their root hash).
        for i in good.indices {
            var b = good
            b[i] ^= 0x01
            if let p = try? TreePage(encoded: b) { #expect(p.rootHash != t.tree.root, "flip at \(i)") }
        }
    }
}
