import Keccak
import Primitives

/// A node of the compact sparse Merkle tree.
///
/// Leaves carry the full 256-bit key hash, so a leaf's hash does not depend on its depth and a
/// subtree holding a single key is represented by that key's leaf alone (path compression).
public enum TreeNode: Sendable, Hashable {
    /// A key's hash and its value.
    case leaf(keyHash: Hash32, value: [UInt8])
    /// Two children; `Hash32.zero` stands for an empty subtree.
    case branch(left: Hash32, right: Hash32)

    /// Domain tags: a leaf and a branch can never hash alike.
    static let leafTag: UInt8 = 0x00
    static let branchTag: UInt8 = 0x01

    /// The node's hash: keccak256(0x00 ‖ keyHash ‖ keccak256(value)) for a leaf,
    /// keccak256(0x01 ‖ left ‖ right) for a branch.
    public var hash: Hash32 {
        switch self {
        case .leaf(let k, let v): return TreeNode.leafHash(keyHash: k, valueHash: Hash32.keccak256(v))
        case .branch(let l, let r): return TreeNode.branchHash(l, r)
        }
    }

    /// Hash of a leaf from its key hash and value hash.
    @inlinable
    public static func leafHash(keyHash: Hash32, valueHash: Hash32) -> Hash32 {
        hash65(0x00, keyHash, valueHash)
    }

    /// Hash of a branch from its children's hashes.
    @inlinable
    public static func branchHash(_ left: Hash32, _ right: Hash32) -> Hash32 {
        hash65(0x01, left, right)
    }

    @inlinable
    static func hash65(_ tag: UInt8, _ x: Hash32, _ y: Hash32) -> Hash32 {
        var buf = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &buf) { raw in
            raw[0] = tag
            x.write(into: UnsafeMutableRawBufferPointer(rebasing: raw[1..<33]))
            y.write(into: UnsafeMutableRawBufferPointer(rebasing: raw[33..<65]))
            return Hash32.keccak256(UnsafeRawBufferPointer(rebasing: raw[0..<65]))
        }
    }

    /// Storage encoding: 0x00 ‖ keyHash ‖ value, or 0x01 ‖ left ‖ right.
    public var encoded: [UInt8] {
        switch self {
        case .leaf(let k, let v): return [TreeNode.leafTag] + k.bytes + v
        case .branch(let l, let r): return [TreeNode.branchTag] + l.bytes + r.bytes
        }
    }

    /// Decodes a stored node; nil when the bytes are not a node.
    public init?(encoded bytes: [UInt8]) {
        guard bytes.count >= 33 else { return nil }
        switch bytes[0] {
        case TreeNode.leafTag:
            self = .leaf(keyHash: Hash32(bytes[1..<33])!, value: Array(bytes[33...]))
        case TreeNode.branchTag where bytes.count == 65:
            self = .branch(left: Hash32(bytes[1..<33])!, right: Hash32(bytes[33..<65])!)
        default:
            return nil
        }
    }
}

extension Hash32 {
    /// Bit `i` of the hash, most significant bit of the first byte first.
    @inlinable
    public func bit(_ i: Int) -> Bool {
        let word: UInt64
        switch i >> 6 {
        case 0: word = a
        case 1: word = b
        case 2: word = c
        default: word = d
        }
        return (word >> UInt64(63 - (i & 63))) & 1 == 1
    }
}

extension Hash32: Comparable {
    /// Byte-wise (and so bit-wise, most significant first) order.
    @inlinable
    public static func < (x: Hash32, y: Hash32) -> Bool {
        if x.a != y.a { return x.a < y.a }
        if x.b != y.b { return x.b < y.b }
        if x.c != y.c { return x.c < y.c }
        return x.d < y.d
    }
}
