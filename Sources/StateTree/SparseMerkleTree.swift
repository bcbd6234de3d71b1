import Primitives

/// Where persisted tree nodes come from (LevelDB in the node, a dictionary in tests).
public protocol TreeNodeSource {
    /// The node with this hash, or nil when it is not stored.
    func node(_ hash: Hash32) throws -> TreeNode?
}

/// Errors from the tree.
public enum StateTreeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A node the root refers to is not in the store: the database is incomplete or corrupt.
    case missingNode(Hash32)

    public var description: String {
        switch self {
        case .missingNode(let h): return "state tree node \(h) is missing from the database"
        }
    }
}

/// A compact sparse Merkle tree over 256-bit key hashes (keccak256 of the raw key).
///
/// The shape is canonical: an empty subtree is `Hash32.zero`, a subtree with one key is that
/// key's leaf, and a subtree with two or more keys is a branch on the next key bit. So the root
/// depends only on the set of (key, value) pairs, never on the order of updates, and a batch of
/// k updates on n keys rehashes O(k log n) nodes (keys are hashed, so depth is about log2 n).
///
/// Nodes are content-addressed: updating creates new nodes (collected in ``pendingNodes``
/// for the caller to persist in the same write batch as the block) and leaves old ones intact,
/// so every past root stays readable.
public struct SparseMerkleTree {
    /// The current root (`Hash32.zero` for the empty tree).
    public private(set) var root: Hash32
    /// Nodes created since the last ``takePendingNodes()``, by hash.
    public private(set) var pendingNodes: [Hash32: TreeNode] = [:]
    let source: any TreeNodeSource

    /// A tree at `root` whose nodes come from `source`.
    public init(root: Hash32 = .zero, source: any TreeNodeSource) {
        self.root = root
        self.source = source
    }

    /// Hands over the nodes created so far, for the caller to persist.
    public mutating func takePendingNodes() -> [Hash32: TreeNode] {
        defer { pendingNodes = [:] }
        return pendingNodes
    }

    /// The source is asked first: between ``takePendingNodes()`` calls, updates only walk nodes
    /// that were already persisted, so the pending table is consulted only on a miss.
    func load(_ h: Hash32) throws -> TreeNode {
        if let n = try source.node(h) { return n }
        guard let n = pendingNodes[h] else { throw StateTreeError.missingNode(h) }
        return n
    }

    // MARK: Reads

    /// The value stored under `key`, read by walking from the root.
    public func get(_ key: [UInt8]) throws -> [UInt8]? {
        try get(keyHash: Hash32.keccak256(key))
    }

    /// The value stored under a key hash.
    public func get(keyHash: Hash32) throws -> [UInt8]? {
        var h = root
        var depth = 0
        while h != .zero {
            switch try load(h) {
            case .leaf(let k, let v): return k == keyHash ? v : nil
            case .branch(let l, let r):
                h = keyHash.bit(depth) ? r : l
                depth += 1
            }
        }
        return nil
    }

    // MARK: Updates

    /// One change: a value to store, or nil to delete.
    public struct Update: Sendable {
        public var keyHash: Hash32
        public var value: [UInt8]?
        public init(keyHash: Hash32, value: [UInt8]?) { self.keyHash = keyHash; self.value = value }
        public init(key: [UInt8], value: [UInt8]?) { self.init(keyHash: Hash32.keccak256(key), value: value) }
    }

    /// Applies a batch of changes (later entries for the same key win) and returns the new root.
    /// Deleting an absent key and storing an unchanged value are no-ops.
    @discardableResult
    public mutating func update(_ changes: [Update]) throws -> Hash32 {
        if changes.isEmpty { return root }
        // Sort by key hash; keep the last change per key.
        let indexed = changes.enumerated().sorted { x, y in
            x.element.keyHash != y.element.keyHash ? x.element.keyHash < y.element.keyHash : x.offset < y.offset
        }
        var ups: [Update] = []
        ups.reserveCapacity(indexed.count)
        for (_, u) in indexed {
            if let last = ups.last, last.keyHash == u.keyHash { ups[ups.count - 1] = u } else { ups.append(u) }
        }
        pendingNodes.reserveCapacity(pendingNodes.count + ups.count * 4)
        root = try update(root, depth: 0, ups[...]).hash
        return root
    }

    enum Kind { case empty, leaf, branch }

    private mutating func update(_ h: Hash32, depth: Int, _ ups: ArraySlice<Update>) throws -> (hash: Hash32, kind: Kind) {
        if ups.isEmpty { return (h, h == .zero ? .empty : try kind(of: h)) }
        if h == .zero {
            return build(depth: depth, ups.compactMap { u in u.value.map { (u.keyHash, $0) } }[...])
        }
        switch try load(h) {
        case .leaf(let k, let v):
            // The common case: one change to this very key.
            if ups.count == 1, let u = ups.first, u.keyHash == k {
                guard let value = u.value else { return (.zero, .empty) }
                if value == v { return (h, .leaf) }
                return build(depth: depth, [(k, value)][...])
            }
            var items: [(Hash32, [UInt8])] = []
            items.reserveCapacity(ups.count + 1)
            var placed = false
            for u in ups {
                if !placed, k < u.keyHash {
                    items.append((k, v))
                    placed = true
                }
                if u.keyHash == k { placed = true }
                if let value = u.value { items.append((u.keyHash, value)) }
            }
            if !placed { items.append((k, v)) }
            if items.count == 1, items[0].0 == k, items[0].1 == v { return (h, .leaf) }
            return build(depth: depth, items[...])
        case .branch(let l, let r):
            let split = partition(ups, depth: depth)
            let nl = try update(l, depth: depth + 1, ups[ups.startIndex..<split])
            let nr = try update(r, depth: depth + 1, ups[split..<ups.endIndex])
            if nl.hash == l, nr.hash == r { return (h, .branch) }
            return join(nl, nr)
        }
    }

    private func kind(of h: Hash32) throws -> Kind {
        switch try load(h) {
        case .leaf: return .leaf
        case .branch: return .branch
        }
    }

    /// First index whose key has bit `depth` set (the slice is sorted by key hash).
    private func partition(_ ups: ArraySlice<Update>, depth: Int) -> Int {
        var lo = ups.startIndex, hi = ups.endIndex
        while lo < hi {
            let mid = (lo + hi) / 2
            if ups[mid].keyHash.bit(depth) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    /// The canonical subtree for sorted, distinct items below `depth`.
    private mutating func build(depth: Int, _ items: ArraySlice<(Hash32, [UInt8])>) -> (hash: Hash32, kind: Kind) {
        switch items.count {
        case 0: return (.zero, .empty)
        case 1:
            let (k, v) = items[items.startIndex]
            let node = TreeNode.leaf(keyHash: k, value: v)
            let h = TreeNode.leafHash(keyHash: k, valueHash: Hash32.keccak256(v))
            pendingNodes[h] = node
            return (h, .leaf)
        default:
            var split = items.startIndex
            while split < items.endIndex, !items[split].0.bit(depth) { split += 1 }
            let l = build(depth: depth + 1, items[items.startIndex..<split])
            let r = build(depth: depth + 1, items[split..<items.endIndex])
            return join(l, r)
        }
    }

    /// A branch over two subtrees, collapsed when it would hold a single leaf.
    private mutating func join(_ l: (hash: Hash32, kind: Kind), _ r: (hash: Hash32, kind: Kind)) -> (hash: Hash32, kind: Kind) {
        switch (l.kind, r.kind) {
        case (.empty, .empty): return (.zero, .empty)
        case (.empty, .leaf): return r
        case (.leaf, .empty): return l
        default:
            let h = TreeNode.branchHash(l.hash, r.hash)
            pendingNodes[h] = .branch(left: l.hash, right: r.hash)
            return (h, .branch)
        }
    }

    // MARK: Proofs

    /// A proof that `key` holds its value, or that it is absent, under ``root``.
    public func prove(_ key: [UInt8]) throws -> MerkleProof {
        let keyHash = Hash32.keccak256(key)
        var siblings: [Hash32] = []
        var h = root
        var depth = 0
        while h != .zero {
            switch try load(h) {
            case .leaf(let k, let v):
                return MerkleProof(siblings: siblings, terminal: .leaf(keyHash: k, valueHash: Hash32.keccak256(v)))
            case .branch(let l, let r):
                if keyHash.bit(depth) {
                    siblings.append(l)
                    h = r
                } else {
                    siblings.append(r)
                    h = l
                }
                depth += 1
            }
        }
        return MerkleProof(siblings: siblings, terminal: .empty)
    }
}

/// An inclusion or exclusion proof: the sibling hashes from the root down, and what the path
/// ends in (a leaf, or an empty subtree).
public struct MerkleProof: Sendable, Hashable {
    public enum Terminal: Sendable, Hashable {
        case empty
        case leaf(keyHash: Hash32, valueHash: Hash32)
    }

    /// Sibling hashes, root first.
    public var siblings: [Hash32]
    public var terminal: Terminal

    public init(siblings: [Hash32], terminal: Terminal) {
        self.siblings = siblings
        self.terminal = terminal
    }

    /// Checks the proof against `root`: with a value, that `key` holds exactly that value; with
    /// nil, that `key` is absent.
    public func verify(root: Hash32, key: [UInt8], value: [UInt8]?) -> Bool {
        let keyHash = Hash32.keccak256(key)
        guard siblings.count <= 256 else { return false }
        var h: Hash32
        switch (terminal, value) {
        case (.leaf(let k, let vh), .some(let v)):
            guard k == keyHash, vh == Hash32.keccak256(v) else { return false }
            h = TreeNode.leafHash(keyHash: k, valueHash: vh)
        case (.leaf(let k, let vh), .none):
            // Another key's leaf on our path proves ours absent: it must share the path so far.
            guard k != keyHash else { return false }
            for i in 0..<siblings.count where k.bit(i) != keyHash.bit(i) { return false }
            h = TreeNode.leafHash(keyHash: k, valueHash: vh)
        case (.empty, .none):
            h = .zero
        case (.empty, .some):
            return false
        }
        for depth in stride(from: siblings.count - 1, through: 0, by: -1) {
            let s = siblings[depth]
            h = keyHash.bit(depth) ? TreeNode.branchHash(s, h) : TreeNode.branchHash(h, s)
        }
        return h == root
    }
}

/// Nodes held in memory: for tests, and for one-off trees such as a block's transaction root.
public final class MemoryNodeSource: TreeNodeSource, @unchecked Sendable {
    public var nodes: [Hash32: TreeNode] = [:]
    public init() {}
    public func node(_ hash: Hash32) throws -> TreeNode? { nodes[hash] }
}

extension SparseMerkleTree {
    /// The root of a tree holding `items` (key, value), computed without keeping nodes: used
    /// for a block's transactions and receipts roots, keyed by the RLP of their index.
    public static func root(of items: [(key: [UInt8], value: [UInt8])]) -> Hash32 {
        root(ofHashed: items.map { (Hash32.keccak256($0.key), Hash32.keccak256($0.value)) })
    }

    /// The root of a tree given each item's key hash and value hash (when the caller already
    /// has them, e.g. a transaction's hash is the keccak256 of its encoding).
    public static func root(ofHashed items: [(keyHash: Hash32, valueHash: Hash32)]) -> Hash32 {
        var leaves = items.map { ($0.keyHash, $0.valueHash) }
        leaves.sort { $0.0 < $1.0 }
        var unique: [(Hash32, Hash32)] = []
        unique.reserveCapacity(leaves.count)
        for l in leaves {
            if let last = unique.last, last.0 == l.0 { unique[unique.count - 1] = l } else { unique.append(l) }
        }
        return rootHash(unique[...], depth: 0).hash
    }

    private static func rootHash(_ items: ArraySlice<(Hash32, Hash32)>, depth: Int) -> (hash: Hash32, leaf: Bool) {
        switch items.count {
        case 0: return (.zero, false)
        case 1:
            let (k, vh) = items[items.startIndex]
            return (TreeNode.leafHash(keyHash: k, valueHash: vh), true)
        default:
            var split = items.startIndex
            while split < items.endIndex, !items[split].0.bit(depth) { split += 1 }
            let l = rootHash(items[items.startIndex..<split], depth: depth + 1)
            let r = rootHash(items[split..<items.endIndex], depth: depth + 1)
            if l.hash == .zero, r.leaf { return r }
            if r.hash == .zero, l.leaf { return l }
            return (TreeNode.branchHash(l.hash, r.hash), false)
        }
    }
}
