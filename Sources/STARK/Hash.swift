import Hashing
import KoalaBear

/// A 32-byte Merkle digest (the bytes exactly as the hash function produced them).
@frozen
public struct Digest: Hashable, Sendable, CustomStringConvertible {
    /// Bytes 0–7 (in memory order).
    public var w0: UInt64
    /// Bytes 8–15.
    public var w1: UInt64
    /// Bytes 16–23.
    public var w2: UInt64
    /// Bytes 24–31.
    public var w3: UInt64

    /// Size in bytes.
    public static let byteCount = 32

    /// A digest from its four words.
    @inlinable
    public init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0
        self.w1 = w1
        self.w2 = w2
        self.w3 = w3
    }

    /// The all-zero digest.
    public static let zero = Digest(w0: 0, w1: 0, w2: 0, w3: 0)

    /// A digest from exactly 32 bytes.
    public init(bytes: [UInt8]) {
        precondition(bytes.count == 32, "a digest is 32 bytes")
        var d = Digest.zero
        withUnsafeMutableBytes(of: &d) { $0.copyBytes(from: bytes) }
        self = d
    }

    /// The 32 bytes.
    public var bytes: [UInt8] {
        withUnsafeBytes(of: self) { Array($0) }
    }

    public var description: String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}

/// The hash behind every Merkle tree: leaves are rows of canonical field values, inner nodes
/// compress two children. SHA-256 today; Poseidon2 (for recursion) can implement the same
/// protocol without touching the protocol code.
public protocol MerkleHasher: Sendable {
    /// A short stable name, bound into the Fiat–Shamir transcript.
    var identifier: String { get }
    /// Digest of one leaf: the canonical values (each < p) of one row.
    func hashLeaf(_ values: UnsafeBufferPointer<UInt32>) -> Digest
    /// Digest of an inner node from its two children.
    func compress(_ left: Digest, _ right: Digest) -> Digest
    /// out[i] = compress(input[2i], input[2i+1]) for every i.
    func compressLayer(_ input: UnsafeBufferPointer<Digest>, into output: UnsafeMutableBufferPointer<Digest>)
}

extension MerkleHasher {
    public func compressLayer(_ input: UnsafeBufferPointer<Digest>, into output: UnsafeMutableBufferPointer<Digest>) {
        for i in output.indices { output[i] = compress(input[2 * i], input[2 * i + 1]) }
    }
}

/// SHA-256 (OpenSSL, SHA-NI where the CPU has it): a leaf is the SHA-256 of its values as
/// little-endian 32-bit words, an inner node the SHA-256 of its children's 64 bytes. Trees
/// have a fixed depth known to the verifier, so leaves and inner nodes need no domain tags.
public struct SHA256MerkleHasher: MerkleHasher {
    public init() {}

    public var identifier: String { "sha256" }

    @inlinable
    public func hashLeaf(_ values: UnsafeBufferPointer<UInt32>) -> Digest {
        var d = Digest.zero
        #if _endian(little)
        withUnsafeMutableBytes(of: &d) { out in
            SHA256.hash(UnsafeRawBufferPointer(values), into: out)
        }
        #else
        let le = values.map { $0.littleEndian }
        le.withUnsafeBytes { raw in
            withUnsafeMutableBytes(of: &d) { out in SHA256.hash(raw, into: out) }
        }
        #endif
        return d
    }

    @inlinable
    public func compress(_ left: Digest, _ right: Digest) -> Digest {
        var pair = (left, right)
        var d = Digest.zero
        withUnsafeBytes(of: &pair) { inp in
            withUnsafeMutableBytes(of: &d) { out in SHA256.hash(inp, into: out) }
        }
        return d
    }

    public func compressLayer(_ input: UnsafeBufferPointer<Digest>, into output: UnsafeMutableBufferPointer<Digest>) {
        let raw = UnsafeRawBufferPointer(input)
        let out = UnsafeMutableRawBufferPointer(output)
        for i in 0..<output.count {
            SHA256.hash(UnsafeRawBufferPointer(rebasing: raw[(64 * i)..<(64 * i + 64)]),
                        into: UnsafeMutableRawBufferPointer(rebasing: out[(32 * i)..<(32 * i + 32)]))
        }
    }
}
