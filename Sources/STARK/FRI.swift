import Locking
import KoalaBear

/// FRI over codewords of extension elements stored in bit-reversed order on a coset
/// shift·K_N. Each committed layer groups 2^k consecutive values per Merkle leaf (the 2^k
/// points that fold into one); folding by 2^k is k binary folds
/// f'(x²) = (f(x) + f(−x))/2 + β·(f(x) − f(−x))/(2x) with β, β², β⁴, …, which equals
/// Σ_t β^t f_t(y) for f(x) = Σ_t x^t f_t(x^{2^k}). After the last layer the prover sends the
/// final polynomial's coefficients; the verifier checks each query's folded value against it.
enum FRI {
    struct Layer {
        var codeword: [KoalaBearExt]
        var tree: MerkleTree
        var logArity: Int
    }

    struct ProverData {
        var layers: [Layer]
        var finalPolynomial: [KoalaBearExt]
    }

    /// One binary fold of a codeword of size N on shift·K_N (bit-reversed).
    static func foldOnce(_ values: [KoalaBearExt], shift: KoalaBear, beta: KoalaBearExt, threads: Int) -> [KoalaBearExt] {
        let n = values.count, half = n / 2
        let logN = n.trailingZeroBitCount
        // Twiddles ω_N^{-rev(i)} for the pairs i < N/2, generated block by block.
        let twiddles = BitReversedPowers(root: KoalaBear.twoAdicGenerator(logN: logN).inverseOrZero, bits: logN - 1)
        let c = beta * (shift.inverseOrZero.halved)
        var out = [KoalaBearExt](repeating: .zero, count: half)
        values.withUnsafeBufferPointer { vb in
            out.withUnsafeMutableBufferPointer { ob in
                let v = UnsafeTransfer(vb.baseAddress!), o = UnsafeTransfer(ob.baseAddress!)
                Parallel.chunks(half, threads: threads, minChunk: 4096) { r in
                    let block = 1024
                    let w = UnsafeMutablePointer<KoalaBear>.allocate(capacity: block)
                    defer { w.deallocate() }
                    var lo = r.lowerBound
                    while lo < r.upperBound {
                        let len = Swift.min(block, r.upperBound - lo)
                        twiddles.fill(from: lo, count: len, into: w)
                        for k in 0..<len {
                            let i = lo + k
                            let a = v.value[2 * i], b = v.value[2 * i + 1]
                            let sum = a + b
                            let halfSum = KoalaBearExt(sum.c0.halved, sum.c1.halved, sum.c2.halved, sum.c3.halved)
                            o.value[i] = halfSum + c * ((a - b) * w[k])
                        }
                        lo += len
                    }
                }
            }
        }
        return out
    }

    /// Commit phase: commits layer after layer, drawing each folding challenge after the
    /// layer's root, then sends the final polynomial. (`truncateFinal` is a test hook that
    /// plays a cheating prover: it sends the low coefficients of a too-high-degree final
    /// polynomial instead of failing.)
    static func commit(codeword: [KoalaBearExt], shift: KoalaBear, logDegree: Int, config: FRIConfig,
                       hasher: any MerkleHasher, backend: any ProverBackend,
                       transcript: inout Transcript, truncateFinal: Bool = false) throws(StarkError) -> ProverData {
        try commit(codeword: codeword, rollIns: [:], shift: shift, logDegrees: [logDegree], config: config, hasher: hasher,
                   backend: backend, transcript: &transcript, truncateFinal: truncateFinal)
    }

    /// The commit phase over a batch of codewords of different sizes: `codeword` is the largest;
    /// `rollIns[log size]` is added to the folded codeword when folding reaches that size (each
    /// size a layer boundary of `config.schedule(logDegrees:)`). A roll-in lives on the base
    /// coset of its own size while the folded codeword lives on a power of it; the sum is still
    /// a polynomial of the same degree bound (the roll-in composed with a scaling), which is all
    /// the low-degree test needs, and the verifier adds the same values at the same indices.
    static func commit(codeword: [KoalaBearExt], rollIns: [Int: [KoalaBearExt]], shift: KoalaBear, logDegrees: [Int],
                       config: FRIConfig, hasher: any MerkleHasher, backend: any ProverBackend,
                       transcript: inout Transcript, truncateFinal: Bool = false) throws(StarkError) -> ProverData {
        let (arities, logFinal) = config.schedule(logDegrees: logDegrees)
        var current = codeword
        var s = shift
        var layers: [Layer] = []
        func rollIn() throws(StarkError) {
            guard let extra = rollIns[current.count.trailingZeroBitCount] else { return }
            guard extra.count == current.count else { throw .invalidTrace("internal: a roll-in has the wrong size") }
            for i in current.indices { current[i] += extra[i] }
        }
        for k in arities {
            let tree = backend.commitExtension(current, leafSize: 1 << k, hasher: hasher)
            transcript.absorb(tree.root)
            var beta = transcript.sampleExt()
            var next = current
            for _ in 0..<k {
                next = backend.foldFRI(next, shift: s, beta: beta)
                s = s * s
                beta = beta * beta
            }
            layers.append(Layer(codeword: current, tree: tree, logArity: k))
            current = next
            try rollIn()
        }
        // Final polynomial: interpolate the last codeword; it must have degree < 2^logFinal.
        let m = current.count
        var flat: [KoalaBear] = []
        flat.reserveCapacity(4 * m)
        for j in 0..<4 { flat.append(contentsOf: current.map { $0[j] }) }
        backend.interpolateCoset(&flat, columns: 4, height: m, shift: s)
        let comps = (0..<4).map { j in Array(flat[(j * m)..<((j + 1) * m)]) }
        let len = 1 << logFinal
        for j in 0..<4 where !truncateFinal {
            for k in len..<m where !comps[j][k].isZero {
                throw .invalidTrace("internal: the DEEP composition is not of low degree")
            }
        }
        let finalPoly = (0..<len).map { k in KoalaBearExt(comps[0][k], comps[1][k], comps[2][k], comps[3][k]) }
        for c in finalPoly { transcript.absorb(c) }
        return ProverData(layers: layers, finalPolynomial: finalPoly)
    }

    /// Openings of every layer at the queries (indices into the first layer's domain).
    static func open(_ data: ProverData, queries: [Int]) -> [BatchOpening] {
        var q = queries
        var out: [BatchOpening] = []
        for layer in data.layers {
            let k = layer.logArity, m = 1 << k
            let leaves = Array(Set(q.map { $0 >> k })).sorted()
            var values: [KoalaBear] = []
            values.reserveCapacity(leaves.count * 4 * m)
            for l in leaves {
                for j in 0..<m {
                    let e = layer.codeword[l * m + j]
                    values.append(contentsOf: [e.c0, e.c1, e.c2, e.c3])
                }
            }
            out.append(BatchOpening(width: 4 * m, values: values, siblings: layer.tree.openBatch(leaves)))
            q = q.map { $0 >> k }
        }
        return out
    }

    /// Verifier: checks every layer's Merkle openings, that each query's value at layer 0 is
    /// `initialValues[i]`, that folding is consistent from layer to layer, and that the last
    /// folded value matches the final polynomial. Absorbs roots and the final polynomial,
    /// drawing the same challenges as the prover (the caller then grinds and samples queries,
    /// so it passes the challenges back in through `betas`).
    static func verifyQueries(queries: [Int], initialValues: [KoalaBearExt], rollIns: [Int: [KoalaBearExt]] = [:],
                              logDomain: Int, shift: KoalaBear,
                              arities: [Int], betas: [KoalaBearExt], roots: [Digest], openings: [BatchOpening],
                              finalPolynomial: [KoalaBearExt], hasher: any MerkleHasher) throws(StarkError) {
        // `rollIns[log size][query]`: what the prover added at that size, at each query's index there.
        for (_, values) in rollIns where values.count != queries.count {
            throw .verificationFailed("internal: roll-in values for \(values.count) of \(queries.count) queries")
        }
        guard openings.count == arities.count else {
            throw .verificationFailed("expected \(arities.count) FRI openings, got \(openings.count)")
        }
        var q = queries
        var expected = initialValues
        var logN = logDomain
        var s = shift
        for (layerIndex, k) in arities.enumerated() {
            let m = 1 << k
            let o = openings[layerIndex]
            let leaves = Array(Set(q.map { $0 >> k })).sorted()
            guard o.width == 4 * m, o.rowCount == leaves.count, o.values.count == leaves.count * 4 * m else {
                throw .verificationFailed("FRI layer \(layerIndex): opening has the wrong shape")
            }
            let digests = (0..<leaves.count).map { MerkleTree.leafDigest(o.row($0), hasher: hasher) }
            guard MerkleTree.verifyBatch(root: roots[layerIndex], depth: logN - k, indices: leaves, leaves: digests,
                                         siblings: o.siblings, hasher: hasher) else {
                throw .verificationFailed("FRI layer \(layerIndex): Merkle authentication failed")
            }
            let sInv = s.inverseOrZero
            for (qi, idx) in q.enumerated() {
                let leaf = idx >> k
                let pos = binarySearch(leaves, leaf)
                let row = o.row(pos)
                var vals = (0..<m).map { j -> KoalaBearExt in
                    let b = row.startIndex + 4 * j
                    return KoalaBearExt(row[b], row[b + 1], row[b + 2], row[b + 3])
                }
                guard vals[idx & (m - 1)] == expected[qi] else {
                    throw .verificationFailed(layerIndex == 0
                        ? "query \(qi): the DEEP composition does not match FRI layer 0"
                        : "query \(qi): FRI folding is inconsistent at layer \(layerIndex)")
                }
                // Fold the leaf's m values down to one.
                var beta = betas[layerIndex]
                var ln = logN
                var sInvStep = sInv
                var count = m
                while count > 1 {
                    let half = count / 2
                    let omegaInv = KoalaBear.twoAdicGenerator(logN: ln).inverseOrZero
                    for j in 0..<half {
                        let i = leaf * half + j
                        let xInv = sInvStep * omegaInv.pow(UInt64(NTT.reverseBits(i, bits: ln - 1)))
                        let a = vals[2 * j], b = vals[2 * j + 1]
                        let sum = a + b
                        let halfSum = KoalaBearExt(sum.c0.halved, sum.c1.halved, sum.c2.halved, sum.c3.halved)
                        vals[j] = halfSum + beta * ((a - b) * xInv.halved)
                    }
                    count = half
                    ln -= 1
                    sInvStep = sInvStep * sInvStep
                    beta = beta * beta
                }
                expected[qi] = vals[0]
                q[qi] = leaf
            }
            logN -= k
            for _ in 0..<k { s = s * s }
            if let extra = rollIns[logN] { for qi in expected.indices { expected[qi] += extra[qi] } }
        }
        // Final polynomial at the remaining points.
        let omega = KoalaBear.twoAdicGenerator(logN: logN)
        for (qi, idx) in q.enumerated() {
            let x = s * omega.pow(UInt64(NTT.reverseBits(idx, bits: logN)))
            let v = finalPolynomial.withUnsafeBufferPointer { PolynomialEvaluation.evaluate($0, at: x) }
            guard v == expected[qi] else {
                throw .verificationFailed("query \(qi): the final FRI polynomial does not match the folded value")
            }
        }
    }

    static func binarySearch(_ a: [Int], _ x: Int) -> Int {
        var lo = 0, hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// Tables of consecutive powers, built in parallel.
enum Powers {
    /// base^0 … base^(count−1).
    static func table(_ base: KoalaBear, count: Int, threads: Int) -> [KoalaBear] {
        var out = [KoalaBear](repeating: .zero, count: count)
        out.withUnsafeMutableBufferPointer { ob in
            let o = UnsafeTransfer(ob.baseAddress!)
            Parallel.chunks(count, threads: threads, minChunk: 1 << 15) { r in
                var acc = base.pow(UInt64(r.lowerBound))
                for i in r {
                    o.value[i] = acc
                    acc *= base
                }
            }
        }
        return out
    }
}
