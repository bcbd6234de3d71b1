import Locking

/// A matrix of base-field elements stored column by column (each column contiguous), the
/// layout the transforms want. Traces and their low-degree extensions use it.
public struct ColumnMatrix: Sendable, Equatable {
    /// Number of columns.
    public let width: Int
    /// Number of rows.
    public let height: Int
    /// Column-major storage: column c occupies `values[c*height ..< (c+1)*height]`.
    public var values: [KoalaBear]

    /// A zero matrix.
    public init(width: Int, height: Int) {
        precondition(width >= 0 && height >= 0)
        self.width = width
        self.height = height
        values = [KoalaBear](repeating: .zero, count: width * height)
    }

    /// A matrix with the given columns, which must all have the same length.
    public init(columns: [[KoalaBear]]) {
        let h = columns.first?.count ?? 0
        precondition(columns.allSatisfy { $0.count == h }, "columns of a matrix must have equal lengths")
        width = columns.count
        height = h
        values = Array(columns.joined())
    }

    /// Wraps column-major storage.
    public init(width: Int, height: Int, values: [KoalaBear]) {
        precondition(values.count == width * height, "storage does not match width × height")
        self.width = width
        self.height = height
        self.values = values
    }

    /// Element at (row, column).
    @inlinable
    public subscript(row: Int, column: Int) -> KoalaBear {
        get { values[column * height + row] }
        set { values[column * height + row] = newValue }
    }

    /// A copy of column c.
    public func column(_ c: Int) -> [KoalaBear] {
        Array(values[(c * height)..<((c + 1) * height)])
    }

    /// A copy of row r.
    public func row(_ r: Int) -> [KoalaBear] {
        (0..<width).map { values[$0 * height + r] }
    }

    /// All columns as arrays.
    public var columns: [[KoalaBear]] { (0..<width).map(column) }
}

/// Low-degree extensions onto cosets of two-adic subgroups.
public enum LDE {
    /// Extends each column, given as evaluations over the subgroup H of size n (natural
    /// order), to the coset `shift`·K of size N = n·2^logBlowup. The result holds the
    /// evaluations in bit-reversed order (position i holds the value at shift·ω_N^{bitrev(i)}),
    /// the order Merkle trees and FRI folding use. Per column: one bit reversal and one inverse
    /// transform of size n give the coefficients; then, since the coset splits into the 2^logBlowup
    /// cosets shift·ω_N^t·H, which occupy contiguous blocks of the bit-reversed output
    /// (block bitrev(t)), each block is one forward transform of size n of the coefficients
    /// scaled by (shift·ω_N^t)^k/n. Blocks and columns run in parallel.
    public static func coset(_ m: ColumnMatrix, logBlowup: Int, shift: KoalaBear,
                             threads: Int = Parallel.coreCount) -> ColumnMatrix {
        let n = m.height
        precondition(n > 0 && n & (n - 1) == 0, "trace height must be a power of two")
        // Coefficients (natural order), in parallel across columns.
        var coeffs = m
        coeffs.values.withUnsafeMutableBufferPointer { cb in
            let c = UnsafeTransfer(cb.baseAddress!)
            let inner = Swift.max(1, threads / Swift.max(1, m.width))
            Parallel.forEach(m.width, threads: threads) { col in
                let p = UnsafeMutableBufferPointer(start: c.value + col * n, count: n)
                NTT.bitReversePermute(p, threads: inner)
                NTT.inverseFromBitReversed(p, threads: inner)
            }
        }
        return cosetFromCoefficients(coeffs, logBlowup: logBlowup, shift: shift,
                                     scale: KoalaBear(UInt32(n)).inverseOrZero, threads: threads)
    }

    /// Evaluates polynomials given by coefficients (each column: n coefficients, natural order)
    /// on the coset `shift`·K of size n·2^logBlowup, in bit-reversed order (see `coset`). Every
    /// coefficient is first multiplied by `scale`.
    public static func cosetFromCoefficients(_ m: ColumnMatrix, logBlowup: Int, shift: KoalaBear,
                                             scale: KoalaBear = .one,
                                             threads: Int = Parallel.coreCount) -> ColumnMatrix {
        let n = m.height
        precondition(n > 0 && n & (n - 1) == 0, "polynomial length must be a power of two")
        let blowup = 1 << logBlowup
        let bigN = n << logBlowup
        precondition(bigN.trailingZeroBitCount <= KoalaBear.twoAdicity, "LDE larger than 2^24")
        if m.width == 0 { return ColumnMatrix(width: 0, height: bigN) }
        let omegaN = KoalaBear.twoAdicGenerator(logN: bigN.trailingZeroBitCount)
        let tasks = m.width * blowup
        let inner = Swift.max(1, threads / tasks)
        // Every element is written below, so the storage is not zero-filled first.
        let storage = [KoalaBear](unsafeUninitializedCapacity: m.width * bigN) { dst, count in
            m.values.withUnsafeBufferPointer { src in
                let s = UnsafeTransfer(src.baseAddress!), d = UnsafeTransfer(dst.baseAddress!)
                Parallel.forEach(tasks, threads: threads) { task in
                    let c = task / blowup, t = task % blowup
                    let block = NTT.reverseBits(t, bits: logBlowup)
                    let out = UnsafeMutableBufferPointer(start: d.value + c * bigN + block * n, count: n)
                    let from = s.value + c * n
                    let step = shift * omegaN.pow(UInt64(t))
                    var f = scale
                    for k in 0..<n {
                        out[k] = from[k] * f
                        f *= step
                    }
                    NTT.forwardToBitReversed(out, threads: inner)
                }
            }
            count = m.width * bigN
        }
        return ColumnMatrix(width: m.width, height: bigN, values: storage)
    }

    /// Interpolates, in place, a column of evaluations on the coset `shift`·K (|K| = count,
    /// bit-reversed order) into natural-order coefficients.
    public static func interpolateCoset(_ col: UnsafeMutableBufferPointer<KoalaBear>, shift: KoalaBear,
                                        threads: Int = 1) {
        let n = col.count
        NTT.inverseFromBitReversed(col, threads: threads)
        let inv = shift.inverseOrZero
        var f = KoalaBear(UInt32(n)).inverseOrZero
        for k in 0..<n {
            col[k] = col[k] * f
            f *= inv
        }
    }

    /// scale·shift^k for k < count.
    public static func shiftPowers(_ shift: KoalaBear, count: Int, scale: KoalaBear = .one) -> [KoalaBear] {
        var out = [KoalaBear](repeating: .zero, count: count)
        var acc = scale
        for k in 0..<count {
            out[k] = acc
            acc *= shift
        }
        return out
    }
}

/// Evaluating polynomials at points of the extension field.
public enum PolynomialEvaluation {
    /// Σ c_k·z^k for base coefficients (Horner).
    public static func evaluate(_ coefficients: UnsafeBufferPointer<KoalaBear>, at z: KoalaBearExt) -> KoalaBearExt {
        var acc = KoalaBearExt.zero
        var k = coefficients.count - 1
        while k >= 0 {
            acc = acc * z + coefficients[k]
            k -= 1
        }
        return acc
    }

    /// Σ c_k·z^k for extension coefficients (Horner).
    public static func evaluate(_ coefficients: UnsafeBufferPointer<KoalaBearExt>, at z: KoalaBearExt) -> KoalaBearExt {
        var acc = KoalaBearExt.zero
        var k = coefficients.count - 1
        while k >= 0 {
            acc = acc * z + coefficients[k]
            k -= 1
        }
        return acc
    }

    /// Σ c_k·x^k for extension coefficients at a base-field point.
    public static func evaluate(_ coefficients: UnsafeBufferPointer<KoalaBearExt>, at x: KoalaBear) -> KoalaBearExt {
        var acc = KoalaBearExt.zero
        var k = coefficients.count - 1
        while k >= 0 {
            acc = acc * x + coefficients[k]
            k -= 1
        }
        return acc
    }

    /// Barycentric weights for evaluating, at `z`, polynomials of degree < n given by their
    /// values on H = ⟨ω_n⟩ in natural order: f(z) = Σ_i w_i·f(ω^i) with
    /// w_i = (z^n − 1)/n · ω^i/(z − ω^i). Returns nil if z lies in H (then f(z) is a table value).
    /// The n inverses come from base-field batch inversions (see `InverseDistance`).
    public static func barycentricWeights(logN: Int, at z: KoalaBearExt,
                                          threads: Int = Parallel.coreCount) -> [KoalaBearExt]? {
        let n = 1 << logN
        let omega = KoalaBear.twoAdicGenerator(logN: logN)
        let zn = z.pow(UInt64(n))
        if zn == .one { return nil }
        guard let dist = InverseDistance(z) else { return nil }
        // w_i = −factor·ω^i·q(ω^i)/m(ω^i), since 1/(z − x) = −1/(x − z).
        let factor = -((zn - KoalaBearExt.one) * KoalaBear(UInt32(n)).inverseOrZero)
        var w = [KoalaBearExt](repeating: .zero, count: n)
        let pieces = Swift.min(64, Swift.max(1, threads * 4))
        var failed = [Bool](repeating: false, count: pieces)
        w.withUnsafeMutableBufferPointer { wp in
            failed.withUnsafeMutableBufferPointer { fp in
                let p = UnsafeTransfer(wp.baseAddress!), f = UnsafeTransfer(fp.baseAddress!)
                let per = (n + pieces - 1) / pieces
                Parallel.forEach(pieces, threads: threads) { k in
                    let lo = k * per, hi = Swift.min(n, lo + per)
                    guard lo < hi else { return }
                    let len = hi - lo
                    let ms = UnsafeMutableBufferPointer<KoalaBear>.allocate(capacity: 2 * len)
                    defer { ms.deallocate() }
                    let scratch = UnsafeMutableBufferPointer(rebasing: ms[len...])
                    let inv = UnsafeMutableBufferPointer(rebasing: ms[..<len])
                    var x = omega.pow(UInt64(lo))
                    for i in 0..<len {
                        inv[i] = dist.minimal(x)
                        x *= omega
                    }
                    if !KoalaBear.batchInvert(inv, scratch: scratch) {
                        f.value[k] = true
                        return
                    }
                    x = omega.pow(UInt64(lo))
                    for i in 0..<len {
                        let x2 = x * x
                        p.value[lo + i] = factor * dist.cofactor(x, x2, x2 * x) * (x * inv[i])
                        x *= omega
                    }
                }
            }
        }
        return failed.contains(true) ? nil : w
    }

    /// Σ_i weights[i]·values[i].
    public static func dot(_ weights: UnsafeBufferPointer<KoalaBearExt>, _ values: UnsafeBufferPointer<KoalaBear>) -> KoalaBearExt {
        precondition(weights.count == values.count)
        var acc = KoalaBearExt.zero
        var i = 0
        let n = values.count
        while i < n {
            let v = values[i]
            acc += weights[i] * v
            i += 1
        }
        return acc
    }
}
