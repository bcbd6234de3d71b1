import Locking
import KoalaBear

/// A Merkle tree over the rows of a matrix (leaf i = row i), with every level kept so that
/// openings cost no hashing. The number of leaves is a power of two.
public struct MerkleTree: Sendable {
    /// Levels from the leaves (level 0) up to the root (a single digest).
    public let levels: [[Digest]]

    /// Builds the tree over precomputed leaf digests (count a power of two).
    public init(leaves: [Digest], hasher: any MerkleHasher, threads: Int = 1) {
        precondition(!leaves.isEmpty && leaves.count & (leaves.count - 1) == 0,
                     "a Merkle tree needs a power-of-two number of leaves")
        var levels = [leaves]
        var current = leaves
        while current.count > 1 {
            let half = current.count / 2
            var next = [Digest](repeating: .zero, count: half)
            current.withUnsafeBufferPointer { inp in
                next.withUnsafeMutableBufferPointer { out in
                    let i = UnsafeTransfer(inp.baseAddress!), o = UnsafeTransfer(out.baseAddress!)
                    Parallel.chunks(half, threads: threads, minChunk: 4096) { r in
                        hasher.compressLayer(UnsafeBufferPointer(start: i.value + 2 * r.lowerBound, count: 2 * r.count),
                                             into: UnsafeMutableBufferPointer(start: o.value + r.lowerBound, count: r.count))
                    }
                }
            }
            levels.append(next)
            current = next
        }
        self.levels = levels
    }

    /// The root digest.
    public var root: Digest { levels[levels.count - 1][0] }
    /// Number of leaves.
    public var leafCount: Int { levels[0].count }
    /// Number of levels above the leaves (log2 of the leaf count).
    public var depth: Int { levels.count - 1 }

    /// The sibling digests a verifier needs to recompute the root from the leaves at
    /// `indices` (sorted, distinct): level by level, for each known node whose sibling is not
    /// itself known, that sibling, in ascending index order. Shared path nodes appear once.
    public func openBatch(_ indices: [Int]) -> [Digest] {
        var siblings: [Digest] = []
        var current = indices
        for level in 0..<depth {
            var next: [Int] = []
            next.reserveCapacity(current.count)
            var k = 0
            while k < current.count {
                let i = current[k]
                if i & 1 == 0, k + 1 < current.count, current[k + 1] == i + 1 {
                    k += 2
                } else {
                    siblings.append(levels[level][i ^ 1])
                    k += 1
                }
                next.append(i >> 1)
            }
            current = next
        }
        return siblings
    }

    /// Recomputes the root from leaf digests at sorted, distinct `indices` and the siblings
    /// `openBatch` produced; true iff it equals `root` and every sibling was used exactly once.
    /// Works in place on a copy of the leaves: no allocation beyond the number of openings.
    public static func verifyBatch(root: Digest, depth: Int, indices: [Int], leaves: [Digest],
                                   siblings: [Digest], hasher: any MerkleHasher) -> Bool {
        guard !indices.isEmpty, indices.count == leaves.count, depth >= 0, depth < 64 else { return false }
        for k in indices.indices {
            guard indices[k] >= 0, indices[k] < (1 << depth) else { return false }
            if k > 0 && indices[k] <= indices[k - 1] { return false }
        }
        var idx = indices
        var nodes = leaves
        var s = 0
        for _ in 0..<depth {
            var count = 0
            var k = 0
            while k < idx.count {
                let i = idx[k]
                let parent: Digest
                if i & 1 == 0, k + 1 < idx.count, idx[k + 1] == i + 1 {
                    parent = hasher.compress(nodes[k], nodes[k + 1])
                    k += 2
                } else {
                    guard s < siblings.count else { return false }
                    let sib = siblings[s]
                    s += 1
                    parent = i & 1 == 0 ? hasher.compress(nodes[k], sib) : hasher.compress(sib, nodes[k])
                    k += 1
                }
                // Parents stay sorted and distinct, and never overtake the read position.
                idx[count] = i >> 1
                nodes[count] = parent
                count += 1
            }
            idx.removeLast(idx.count - count)
            nodes.removeLast(nodes.count - count)
        }
        return s == siblings.count && nodes.count == 1 && nodes[0] == root
    }
}

extension MerkleTree {
    /// Commits to the rows of a column-major matrix: leaf i hashes row i's canonical values.
    public static func commitRows(_ m: ColumnMatrix, hasher: any MerkleHasher, threads: Int) -> MerkleTree {
        let height = m.height, width = m.width
        var leaves = [Digest](repeating: .zero, count: height)
        m.values.withUnsafeBufferPointer { src in
            leaves.withUnsafeMutableBufferPointer { dst in
                let s = UnsafeTransfer(src.baseAddress), d = UnsafeTransfer(dst.baseAddress!)
                Parallel.chunks(height, threads: threads, minChunk: 1024) { r in
                    let row = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: Swift.max(1, width))
                    defer { row.deallocate() }
                    for i in r {
                        for c in 0..<width { row[c] = s.value![c * height + i].value }
                        d.value[i] = hasher.hashLeaf(UnsafeBufferPointer(rebasing: row[0..<width]))
                    }
                }
            }
        }
        return MerkleTree(leaves: leaves, hasher: hasher, threads: threads)
    }

    /// Commits to a codeword of extension elements grouped `leafSize` to a leaf: leaf i hashes
    /// the canonical coefficients of elements [i·leafSize, (i+1)·leafSize).
    public static func commitExtension(_ values: [KoalaBearExt], leafSize: Int, hasher: any MerkleHasher,
                                       threads: Int) -> MerkleTree {
        precondition(leafSize > 0 && values.count % leafSize == 0)
        let count = values.count / leafSize
        var leaves = [Digest](repeating: .zero, count: count)
        values.withUnsafeBufferPointer { src in
            leaves.withUnsafeMutableBufferPointer { dst in
                let s = UnsafeTransfer(src.baseAddress!), d = UnsafeTransfer(dst.baseAddress!)
                Parallel.chunks(count, threads: threads, minChunk: 256) { r in
                    let row = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: 4 * leafSize)
                    defer { row.deallocate() }
                    for i in r {
                        for j in 0..<leafSize {
                            let e = s.value[i * leafSize + j]
                            row[4 * j] = e.c0.value
                            row[4 * j + 1] = e.c1.value
                            row[4 * j + 2] = e.c2.value
                            row[4 * j + 3] = e.c3.value
                        }
                        d.value[i] = hasher.hashLeaf(UnsafeBufferPointer(row))
                    }
                }
            }
        }
        return MerkleTree(leaves: leaves, hasher: hasher, threads: threads)
    }

    /// The leaf digest of a row of field elements (what the verifier recomputes).
    public static func leafDigest(_ row: ArraySlice<KoalaBear>, hasher: any MerkleHasher) -> Digest {
        var canon = [UInt32](repeating: 0, count: row.count)
        var k = 0
        for v in row {
            canon[k] = v.value
            k += 1
        }
        return canon.withUnsafeBufferPointer { hasher.hashLeaf($0) }
    }
}
