import Keccak
import Primitives

/// The node hashes of the compact sparse Merkle tree.
///
/// Leaves carry the full 256-bit key hash, so a leaf's hash does not depend on its depth and a
/// subtree holding a single key is represented by that key's leaf alone (path compression).
/// A leaf and a branch are domain-separated by their first byte, so they can never hash alike.
public enum TreeHash {
    /// Hash of a leaf: keccak256(0x00 ‖ keyHash ‖ keccak256(value)).
    @inlinable
    public static func leaf(keyHash: Hash32, valueHash: Hash32) -> Hash32 {
        hash65(0x00, keyHash, valueHash)
    }

    /// Hash of a leaf from its key hash and value.
    @inlinable
    public static func leaf(keyHash: Hash32, value: [UInt8]) -> Hash32 {
        hash65(0x00, keyHash, Hash32.keccak256(value))
    }

    /// Hash of a branch: keccak256(0x01 ‖ left ‖ right), `Hash32.zero` standing for an empty side.
    @inlinable
    public static func branch(_ left: Hash32, _ right: Hash32) -> Hash32 {
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
