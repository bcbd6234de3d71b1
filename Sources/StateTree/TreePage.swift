import Primitives

/// What sits at one position of the binary tree inside a ``TreePage``.
public enum TreeSlot: Sendable, Hashable {
    /// An empty subtree (hash zero).
    case empty
    /// A key's leaf, stored in full; `hash` is ``TreeHash/leaf(keyHash:value:)``.
    case leaf(keyHash: Hash32, value: [UInt8], hash: Hash32)
    /// A branch inside the page: its two children are the slots below it.
    case branch(Hash32)
    /// A branch on the page's last level: the root of a page of its own, stored under this hash.
    case page(Hash32)

    /// The hash of the subtree at this position.
    @inlinable
    public var hash: Hash32 {
        switch self {
        case .empty: return .zero
        case .leaf(_, _, let h): return h
        case .branch(let h), .page(let h): return h
        }
    }
}

/// The unit in which the state tree is stored: the binary subtree below a node at a depth that
/// is a multiple of four, cut four levels further down.
///
/// Hashing stays binary (pages change how nodes are stored, never the root or the proofs), but
/// a block's changes touch about a third as many stored records as one record per node would,
/// and a lookup walks at most one page per four levels. Leaves live inside the page where they
/// hang, so the bottom of the tree costs no records of its own. Positions use heap order: the
/// root is slot 0 and the children of slot `s` are `2s + 1` (bit 0) and `2s + 2` (bit 1).
/// Invariant: below an empty, leaf or page slot every slot of the page is empty.
public struct TreePage: Sendable {
    /// Levels a page spans below its root; a branch that many levels down starts a new page.
    public static let levels = 4
    /// Slots of a full page (levels 0 through ``levels``).
    public static let slotCount = (2 << levels) - 1

    /// Slots in heap order; trailing empty slots are not stored.
    private var slots: [TreeSlot]

    /// An empty page.
    public init() { slots = [.empty] }

    /// The slot at heap position `i` (`0 ..< slotCount`).
    @inlinable
    public subscript(i: Int) -> TreeSlot {
        get { i < storedCount ? stored(i) : .empty }
        set { set(i, newValue) }
    }

    @usableFromInline var storedCount: Int { slots.count }
    @usableFromInline func stored(_ i: Int) -> TreeSlot { slots[i] }

    @usableFromInline mutating func set(_ i: Int, _ slot: TreeSlot) {
        if i >= slots.count {
            if case .empty = slot { return }
            slots.reserveCapacity(i + 1)
            while slots.count <= i { slots.append(.empty) }
        }
        slots[i] = slot
    }

    /// Roughly the bytes the decoded page occupies in memory (slots and leaf values), for
    /// caches that bound their size.
    public var approximateMemorySize: Int {
        var n = 64 + storedCount * MemoryLayout<TreeSlot>.stride
        for s in slots { if case .leaf(_, let v, _) = s { n += 32 + v.count } }
        return n
    }

    /// The hash of the page's root, under which the page is stored.
    public var rootHash: Hash32 { self[0].hash }

    /// The level (0 = the page's root) of heap position `i`.
    @inlinable
    public static func level(of i: Int) -> Int { Int.bitWidth - 1 - (i + 1).leadingZeroBitCount }
}

extension TreePage: Equatable {
    public static func == (x: TreePage, y: TreePage) -> Bool {
        for i in 0..<max(x.storedCount, y.storedCount) where x[i] != y[i] { return false }
        return true
    }
}

// MARK: - Encoding

/// Why stored page bytes were refused.
public struct TreePageDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { "undecodable state tree page: \(reason)" }
}

extension TreePage {
    static let emptyTag: UInt8 = 0x00
    static let leafTag: UInt8 = 0x01
    static let branchTag: UInt8 = 0x02
    static let pageTag: UInt8 = 0x03
    /// Largest value a leaf may hold (the state's values are a few hundred bytes at most).
    public static let maxValueLength = 1 << 24

    /// Storage encoding, in preorder from the root: `0x00` empty; `0x01` leaf ‖ keyHash ‖
    /// LEB128 value length ‖ value; `0x02` branch ‖ hash, followed by its two children; `0x03` ‖
    /// hash for a branch on the last level (a page of its own). Decoding recomputes and checks
    /// every hash; a decoded page keeps them, so walking it needs no hashing.
    public var encoded: [UInt8] {
        let size = encodedSize(0)
        return [UInt8](unsafeUninitializedCapacity: size) { buf, n in
            var p = buf.baseAddress!
            encode(0, &p)
            n = size
        }
    }

    private func encodedSize(_ i: Int) -> Int {
        switch self[i] {
        case .empty: return 1
        case .leaf(_, let v, _):
            var n = v.count, lengthBytes = 1
            while n >= 0x80 { n >>= 7; lengthBytes += 1 }
            return 33 + lengthBytes + v.count
        case .branch: return 33 + encodedSize(2 * i + 1) + encodedSize(2 * i + 2)
        case .page: return 33
        }
    }

    private func encode(_ i: Int, _ p: inout UnsafeMutablePointer<UInt8>) {
        func put(_ h: Hash32, _ p: inout UnsafeMutablePointer<UInt8>) {
            h.write(into: UnsafeMutableRawBufferPointer(start: p, count: 32))
            p += 32
        }
        switch self[i] {
        case .empty:
            p.pointee = TreePage.emptyTag
            p += 1
        case .leaf(let k, let v, _):
            p.pointee = TreePage.leafTag
            p += 1
            put(k, &p)
            var n = v.count
            while n >= 0x80 {
                p.pointee = UInt8(truncatingIfNeeded: n) | 0x80
                p += 1
                n >>= 7
            }
            p.pointee = UInt8(n)
            p += 1
            v.withUnsafeBufferPointer { src in
                if let base = src.baseAddress { p.update(from: base, count: src.count) }
            }
            p += v.count
        case .branch(let h):
            p.pointee = TreePage.branchTag
            p += 1
            put(h, &p)
            encode(2 * i + 1, &p)
            encode(2 * i + 2, &p)
        case .page(let h):
            p.pointee = TreePage.pageTag
            p += 1
            put(h, &p)
        }
    }

    /// Decodes stored bytes, checking everything a page can check about itself: the shape
    /// (branches only above the last level, page references only on it, no branch that should
    /// have collapsed), every branch hash against its children, minimal lengths, every byte
    /// used, so a page that decodes re-encodes to exactly its bytes. So a damaged
    /// page is refused, or decodes with another root hash than the one it is stored under.
    public init(encoded bytes: [UInt8]) throws(TreePageDecodingError) {
        self.init()
        var pos = 0
        try bytes.withUnsafeBufferPointer { (b: UnsafeBufferPointer<UInt8>) throws(TreePageDecodingError) in
            try decode(0, b, &pos)
        }
        guard pos == bytes.count else { throw TreePageDecodingError(reason: "\(bytes.count - pos) trailing bytes") }
    }

    private mutating func decode(_ i: Int, _ b: UnsafeBufferPointer<UInt8>, _ pos: inout Int) throws(TreePageDecodingError) {
        func hash(_ pos: inout Int) throws(TreePageDecodingError) -> Hash32 {
            guard b.count - pos >= 32 else { throw TreePageDecodingError(reason: "truncated hash at byte \(pos)") }
            defer { pos += 32 }
            return Hash32(rawBytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: b[pos..<pos + 32])))
        }
        guard pos < b.count else { throw TreePageDecodingError(reason: "truncated at byte \(pos)") }
        let tag = b[pos]
        let lastLevel = TreePage.level(of: i) == TreePage.levels
        pos += 1
        switch tag {
        case TreePage.emptyTag:
            break
        case TreePage.leafTag:
            let k = try hash(&pos)
            var n = 0, shift = 0
            while true {
                guard pos < b.count else { throw TreePageDecodingError(reason: "truncated value length") }
                let byte = b[pos]
                pos += 1
                n |= Int(byte & 0x7f) << shift
                if byte & 0x80 == 0 {
                    guard byte != 0 || shift == 0 else { throw TreePageDecodingError(reason: "non-minimal value length") }
                    break
                }
                shift += 7
                guard shift < 28 else { throw TreePageDecodingError(reason: "value length too long") }
            }
            guard n <= TreePage.maxValueLength, b.count - pos >= n else {
                throw TreePageDecodingError(reason: "value of \(n) bytes past the end")
            }
            let v = Array(b[pos..<pos + n])
            pos += n
            self[i] = .leaf(keyHash: k, value: v, hash: TreeHash.leaf(keyHash: k, value: v))
        case TreePage.branchTag:
            guard !lastLevel else { throw TreePageDecodingError(reason: "branch on the last level") }
            let h = try hash(&pos)
            try decode(2 * i + 1, b, &pos)
            try decode(2 * i + 2, b, &pos)
            let l = self[2 * i + 1], r = self[2 * i + 2]
            switch (l, r) {
            case (.empty, .empty), (.empty, .leaf), (.leaf, .empty):
                throw TreePageDecodingError(reason: "non-canonical branch at byte \(pos)")
            default:
                guard TreeHash.branch(l.hash, r.hash) == h else {
                    throw TreePageDecodingError(reason: "branch hash does not match its children")
                }
            }
            self[i] = .branch(h)
        case TreePage.pageTag:
            guard lastLevel else { throw TreePageDecodingError(reason: "page reference above the last level") }
            self[i] = .page(try hash(&pos))
        default:
            throw TreePageDecodingError(reason: "unknown tag \(tag) at byte \(pos - 1)")
        }
    }
}
