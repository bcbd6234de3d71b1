import Primitives

/// Where persisted tree pages come from (LevelDB in the node, a dictionary in tests).
public protocol TreePageSource {
    /// The page whose root has this hash, or nil when it is not stored.
    func page(_ hash: Hash32) throws -> TreePage?
}

/// Errors from the tree.
public enum StateTreeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A page the root refers to is not in the store: the database is incomplete or corrupt.
    case missingPage(Hash32)
    /// A value longer than a stored page can hold (``TreePage/maxValueLength``).
    case valueTooLarge(keyHash: Hash32, length: Int)

    public var description: String {
        switch self {
        case .missingPage(let h): return "state tree page \(h) is missing from the database"
        case .valueTooLarge(let k, let n):
            return "state value of \(n) bytes under key hash \(k) exceeds the limit of \(TreePage.maxValueLength)"
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
/// Storage is content-addressed by ``TreePage``s (four binary levels each, leaves inside):
/// updating creates new pages (collected in ``pendingPages`` for the caller to persist in the
/// same write batch as the block) and leaves old ones intact, so every past root stays readable.
public struct SparseMerkleTree {
    /// The current root (`Hash32.zero` for the empty tree).
    public private(set) var root: Hash32
    /// Pages created since the last ``takePendingPages()``, by root hash.
    public private(set) var pendingPages: [Hash32: TreePage] = [:]
    let source: any TreePageSource

    /// A tree at `root` whose pages come from `source`.
    public init(root: Hash32 = .zero, source: any TreePageSource) {
        self.root = root
        self.source = source
    }

    /// Hands over the pages created so far, for the caller to persist.
    public mutating func takePendingPages() -> [Hash32: TreePage] {
        defer { pendingPages = [:] }
        return pendingPages
    }

    /// The source is asked first: between ``takePendingPages()`` calls, updates only walk pages
    /// that were already persisted, so the pending table is consulted only on a miss.
    func load(_ h: Hash32) throws -> TreePage {
        if let p = try source.page(h) { return p }
        guard let p = pendingPages[h] else { throw StateTreeError.missingPage(h) }
        return p
    }

    // MARK: Reads

    /// The value stored under `key`, read by walking from the root.
    public func get(_ key: [UInt8]) throws -> [UInt8]? {
        try get(keyHash: Hash32.keccak256(key))
    }

    /// The value stored under a key hash.
    public func get(keyHash: Hash32) throws -> [UInt8]? {
        if root == .zero { return nil }
        var page = try load(root)
        var slot = 0, depth = 0
        while true {
            switch page[slot] {
            case .empty: return nil
            case .leaf(let k, let v, _): return k == keyHash ? v : nil
            case .branch:
                slot = 2 * slot + (keyHash.bit(depth) ? 2 : 1)
                depth += 1
            case .page(let h):
                // The next page's root is this very node.
                page = try load(h)
                slot = 0
            }
        }
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
    /// Deleting an absent key and storing an unchanged value are no-ops. A value over
    /// ``TreePage/maxValueLength`` bytes is refused before anything changes.
    @discardableResult
    public mutating func update(_ changes: [Update]) throws -> Hash32 {
        if changes.isEmpty { return root }
        for c in changes where (c.value?.count ?? 0) > TreePage.maxValueLength {
            throw StateTreeError.valueTooLarge(keyHash: c.keyHash, length: c.value!.count)
        }
        // Sort by key hash (stable, so the last change per key is last among equals); keep it.
        var order = Array(changes.indices)
        order.sort { x, y in
            let a = changes[x].keyHash, b = changes[y].keyHash
            return a != b ? a < b : x < y
        }
        var ups: [Update] = []
        ups.reserveCapacity(order.count)
        for i in order {
            let u = changes[i]
            if let last = ups.last, last.keyHash == u.keyHash { ups[ups.count - 1] = u } else { ups.append(u) }
        }
        var page = root == .zero ? TreePage() : try load(root)
        try update(&page, slot: 0, depth: 0, ups[...])
        let newRoot = page.rootHash
        if newRoot != root, newRoot != .zero { pendingPages[newRoot] = page }
        root = newRoot
        return root
    }

    /// Applies sorted, distinct changes to the subtree at `slot` of `page` (at tree depth
    /// `depth`), in place.
    private mutating func update(_ page: inout TreePage, slot: Int, depth: Int, _ ups: ArraySlice<Update>) throws {
        if ups.isEmpty { return }
        switch page[slot] {
        case .empty:
            build(&page, slot: slot, depth: depth, ups.compactMap { u in u.value.map { (u.keyHash, $0) } }[...])
        case .leaf(let k, let v, _):
            // The common case: one change to this very key.
            if ups.count == 1, let u = ups.first, u.keyHash == k {
                guard let value = u.value else { page[slot] = .empty; return }
                if value != v { page[slot] = .leaf(keyHash: k, value: value, hash: TreeHash.leaf(keyHash: k, value: value)) }
                return
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
            if items.count == 1, items[0].0 == k, items[0].1 == v { return }
            page[slot] = .empty
            build(&page, slot: slot, depth: depth, items[...])
        case .branch:
            let split = partition(ups, depth: depth)
            try update(&page, slot: 2 * slot + 1, depth: depth + 1, ups[ups.startIndex..<split])
            try update(&page, slot: 2 * slot + 2, depth: depth + 1, ups[split..<ups.endIndex])
            settle(&page, slot)
        case .page(let h):
            var child = try load(h)
            try update(&child, slot: 0, depth: depth, ups)
            place(child, at: slot, in: &page, replacing: h)
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

    /// Builds the canonical subtree for sorted, distinct items at `slot` (which is empty).
    private mutating func build(_ page: inout TreePage, slot: Int, depth: Int, _ items: ArraySlice<(Hash32, [UInt8])>) {
        switch items.count {
        case 0:
            return
        case 1:
            let (k, v) = items[items.startIndex]
            page[slot] = .leaf(keyHash: k, value: v, hash: TreeHash.leaf(keyHash: k, value: v))
        default:
            if TreePage.level(of: slot) == TreePage.levels {
                var child = TreePage()
                build(&child, slot: 0, depth: depth, items)
                place(child, at: slot, in: &page, replacing: .zero)
                return
            }
            var split = items.startIndex
            while split < items.endIndex, !items[split].0.bit(depth) { split += 1 }
            build(&page, slot: 2 * slot + 1, depth: depth + 1, items[items.startIndex..<split])
            build(&page, slot: 2 * slot + 2, depth: depth + 1, items[split..<items.endIndex])
            settle(&page, slot)
        }
    }

    /// Recomputes the branch at `slot` from its children, collapsing it when it holds one leaf
    /// (the leaf moves up) or nothing.
    private func settle(_ page: inout TreePage, _ slot: Int) {
        let l = page[2 * slot + 1], r = page[2 * slot + 2]
        switch (l, r) {
        case (.empty, .empty):
            page[slot] = .empty
        case (.empty, .leaf):
            page[slot] = r
            page[2 * slot + 2] = .empty
        case (.leaf, .empty):
            page[slot] = l
            page[2 * slot + 1] = .empty
        default:
            page[slot] = .branch(TreeHash.branch(l.hash, r.hash))
        }
    }

    /// Puts the subtree rooted at `child`'s slot 0 on the last level of `page`: a branch stays a
    /// page of its own (recorded as pending if new), a leaf moves into `page`.
    private mutating func place(_ child: TreePage, at slot: Int, in page: inout TreePage, replacing old: Hash32) {
        switch child[0] {
        case .empty: page[slot] = .empty
        case .leaf: page[slot] = child[0]
        case .branch(let h), .page(let h):
            if h != old { pendingPages[h] = child }
            page[slot] = .page(h)
        }
    }

    // MARK: Proofs

    /// A proof that `key` holds its value, or that it is absent, under ``root``.
    public func prove(_ key: [UInt8]) throws -> MerkleProof {
        let keyHash = Hash32.keccak256(key)
        var siblings: [Hash32] = []
        if root == .zero { return MerkleProof(siblings: siblings, terminal: .empty) }
        var page = try load(root)
        var slot = 0, depth = 0
        while true {
            switch page[slot] {
            case .empty:
                return MerkleProof(siblings: siblings, terminal: .empty)
            case .leaf(let k, let v, _):
                return MerkleProof(siblings: siblings, terminal: .leaf(keyHash: k, valueHash: Hash32.keccak256(v)))
            case .branch:
                let bit = keyHash.bit(depth)
                siblings.append(page[2 * slot + (bit ? 1 : 2)].hash)
                slot = 2 * slot + (bit ? 2 : 1)
                depth += 1
            case .page(let h):
                page = try load(h)
                slot = 0
            }
        }
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
            h = TreeHash.leaf(keyHash: k, valueHash: vh)
        case (.leaf(let k, let vh), .none):
            // Another key's leaf on our path proves ours absent: it must share the path so far.
            guard k != keyHash else { return false }
            for i in 0..<siblings.count where k.bit(i) != keyHash.bit(i) { return false }
            h = TreeHash.leaf(keyHash: k, valueHash: vh)
        case (.empty, .none):
            h = .zero
        case (.empty, .some):
            return false
        }
        for depth in stride(from: siblings.count - 1, through: 0, by: -1) {
            let s = siblings[depth]
            h = keyHash.bit(depth) ? TreeHash.branch(s, h) : TreeHash.branch(h, s)
        }
        return h == root
    }
}

/// Pages held in memory: for tests, benchmarks and the genesis state.
public final class MemoryPageSource: TreePageSource, @unchecked Sendable {
    public var pages: [Hash32: TreePage] = [:]
    public init() {}
    public func page(_ hash: Hash32) throws -> TreePage? { pages[hash] }
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
            return (TreeHash.leaf(keyHash: k, valueHash: vh), true)
        default:
            var split = items.startIndex
            while split < items.endIndex, !items[split].0.bit(depth) { split += 1 }
            let l = rootHash(items[items.startIndex..<split], depth: depth + 1)
            let r = rootHash(items[split..<items.endIndex], depth: depth + 1)
            if l.hash == .zero, r.leaf { return r }
            if r.hash == .zero, l.leaf { return l }
            return (TreeHash.branch(l.hash, r.hash), false)
        }
    }
}
