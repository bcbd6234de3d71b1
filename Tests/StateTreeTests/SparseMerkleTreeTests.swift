import Primitives
import StateTree
import Testing

private struct Rng: RandomNumberGenerator {
    var s: UInt64
    mutating func next() -> UInt64 {
        s &+= 0x9E37_79B9_7F4A_7C15
        var z = s
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A tree whose pending nodes are persisted into a dictionary after every batch, the way the
/// node persists them into LevelDB with each block.
private struct PersistedTree {
    let store = MemoryNodeSource()
    var tree: SparseMerkleTree
    init() { tree = SparseMerkleTree(source: store) }
    mutating func apply(_ ups: [SparseMerkleTree.Update]) throws -> Hash32 {
        let r = try tree.update(ups)
        for (h, n) in tree.takePendingNodes() { store.nodes[h] = n }
        return r
    }
}

@Suite struct SparseMerkleTreeTests {
    @Test func emptyAndSingle() throws {
        var t = PersistedTree()
        #expect(t.tree.root == .zero)
        let r = try t.apply([.init(key: [1], value: [9])])
        #expect(r == TreeNode.leafHash(keyHash: Hash32.keccak256([1]), valueHash: Hash32.keccak256([9])))
        #expect(try t.apply([.init(key: [1], value: nil)]) == .zero)
    }

    /// Random insert/update/delete batches: the root always equals a from-scratch rebuild of the
    /// resulting key set, and every key reads back.
    @Test func incrementalEqualsRebuild() throws {
        var rng = Rng(s: 99)
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

    @Test func noOpUpdatesKeepTheRootAndCreateNoNodes() throws {
        var t = PersistedTree()
        let r = try t.apply((0..<50).map { .init(key: [UInt8($0)], value: [1]) })
        #expect(try t.apply([.init(key: [7], value: [1]), .init(key: [250], value: nil)]) == r)
        #expect(t.tree.pendingNodes.isEmpty)
    }

    @Test func proofs() throws {
        var t = PersistedTree()
        var rng = Rng(s: 5)
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

    @Test func missingNodesAreReported() throws {
        var t = SparseMerkleTree(source: MemoryNodeSource())
        try t.update([.init(key: [1], value: [1]), .init(key: [2], value: [2])])
        let orphan = SparseMerkleTree(root: t.root, source: MemoryNodeSource())
        #expect(throws: StateTreeError.self) { try orphan.get([1]) }
    }

    @Test func nodeEncodingRoundTrip() {
        let leaf = TreeNode.leaf(keyHash: Hash32.keccak256([1]), value: [1, 2, 3])
        let branch = TreeNode.branch(left: Hash32.keccak256([1]), right: .zero)
        #expect(TreeNode(encoded: leaf.encoded) == leaf)
        #expect(TreeNode(encoded: branch.encoded) == branch)
        #expect(TreeNode(encoded: [0x02] + [UInt8](repeating: 0, count: 64)) == nil)
        #expect(TreeNode(encoded: [0x01]) == nil)
    }
}
