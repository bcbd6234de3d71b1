import Locking
import KoalaBear

/// The DEEP composition's coefficients: the t-th out-of-domain opening (value v_t of
/// polynomial F_t at ζ or ζ·ω) contributes γ^t·(F_t(x) − v_t)/(x − point). Extension-valued
/// columns (LogUp, quotient chunks) are F = Σ_j X^j·f_j over their four base columns, so every
/// opening becomes an extension coefficient on base columns. Prover and verifier share it; a
/// backend's DEEP kernel reads it.
public struct DeepLayout: Sendable {
    /// Coefficient of each main column's opening at ζ, and at ζ·ω (zero when not opened there).
    public internal(set) var mainZ: [KoalaBearExt]
    public internal(set) var mainZN: [KoalaBearExt]
    public internal(set) var preZ: [KoalaBearExt]
    public internal(set) var preZN: [KoalaBearExt]
    /// Per base column of the auxiliary and quotient LDEs (four per extension column).
    public internal(set) var auxZ: [KoalaBearExt]
    public internal(set) var auxZN: [KoalaBearExt]
    public internal(set) var quotientZ: [KoalaBearExt]
    /// Σ γ^t v_t over the openings at ζ, and at ζ·ω.
    public internal(set) var constantZ = KoalaBearExt.zero
    public internal(set) var constantZN = KoalaBearExt.zero

    init(system: ConstraintSystem, gamma: KoalaBearExt, ood: [KoalaBearExt]) {
        let wm = system.mainWidth, wp = system.preprocessedWidth, wa = system.auxWidth, d = system.quotientChunks
        mainZ = .init(repeating: .zero, count: wm)
        mainZN = .init(repeating: .zero, count: wm)
        preZ = .init(repeating: .zero, count: wp)
        preZN = .init(repeating: .zero, count: wp)
        auxZ = .init(repeating: .zero, count: 4 * wa)
        auxZN = .init(repeating: .zero, count: 4 * wa)
        quotientZ = .init(repeating: .zero, count: 4 * d)
        var g = KoalaBearExt.one
        var t = 0
        func nextPower() -> KoalaBearExt {
            let r = g
            g *= gamma
            t += 1
            return r
        }
        for c in 0..<wm { let p = nextPower(); mainZ[c] = p; constantZ += p * ood[t - 1] }
        for c in 0..<wp { let p = nextPower(); preZ[c] = p; constantZ += p * ood[t - 1] }
        for c in 0..<wa {
            let p = nextPower()
            for j in 0..<4 { auxZ[4 * c + j] = p * KoalaBearExt.basis(j) }
            constantZ += p * ood[t - 1]
        }
        for c in 0..<d {
            let p = nextPower()
            for j in 0..<4 { quotientZ[4 * c + j] = p * KoalaBearExt.basis(j) }
            constantZ += p * ood[t - 1]
        }
        for c in system.mainNext { let p = nextPower(); mainZN[c] = p; constantZN += p * ood[t - 1] }
        for c in system.preprocessedNext { let p = nextPower(); preZN[c] = p; constantZN += p * ood[t - 1] }
        for c in system.auxNext {
            let p = nextPower()
            for j in 0..<4 { auxZN[4 * c + j] = p * KoalaBearExt.basis(j) }
            constantZN += p * ood[t - 1]
        }
    }

    /// The DEEP value at one point x from the rows opened there (verifier side).
    func evaluate(x: KoalaBear, main: ArraySlice<KoalaBear>, preprocessed: ArraySlice<KoalaBear>?,
                  aux: ArraySlice<KoalaBear>?, quotient: ArraySlice<KoalaBear>, zeta: KoalaBearExt,
                  zetaNext: KoalaBearExt) -> KoalaBearExt? {
        var sz = KoalaBearExt.zero, szn = KoalaBearExt.zero
        func add(_ row: ArraySlice<KoalaBear>, _ cz: [KoalaBearExt], _ czn: [KoalaBearExt]?) {
            for (k, v) in row.enumerated() {
                sz += cz[k] * v
                if let czn { szn += czn[k] * v }
            }
        }
        add(main, mainZ, mainZN)
        if let preprocessed { add(preprocessed, preZ, preZN) }
        if let aux { add(aux, auxZ, auxZN) }
        add(quotient, quotientZ, nil)
        guard let i1 = (x - zeta).inverse, let i2 = (x - zetaNext).inverse else { return nil }
        return (sz - constantZ) * i1 + (szn - constantZN) * i2
    }
}

/// The prover's DEEP codeword over the whole LDE domain.
enum DeepComposition {
    static let chunk = 1024

    static func evaluate(layout: DeepLayout, main: ColumnMatrix, preprocessed: ColumnMatrix?, aux: ColumnMatrix?,
                         quotient: ColumnMatrix, zeta: KoalaBearExt, zetaNext: KoalaBearExt, shift: KoalaBear,
                         logSize: Int, threads: Int) -> [KoalaBearExt]? {
        let size = 1 << logSize
        let points = BitReversedPowers(root: KoalaBear.twoAdicGenerator(logN: logSize), bits: logSize, shift: shift)
        guard let d1 = InverseDistance(zeta), let d2 = InverseDistance(zetaNext) else { return nil }
        // (column, coefficient at ζ, coefficient at ζω or nil) per base column.
        var cols: [(UnsafeTransfer<UnsafePointer<KoalaBear>>, KoalaBearExt, KoalaBearExt?)] = []
        var out = [KoalaBearExt](repeating: .zero, count: size)
        var failed = false
        func withColumns(_ body: () -> Void) {
            main.values.withUnsafeBufferPointer { mp in
                (preprocessed?.values ?? []).withUnsafeBufferPointer { pp in
                    (aux?.values ?? []).withUnsafeBufferPointer { ap in
                        quotient.values.withUnsafeBufferPointer { qp in
                            func addMatrix(_ base: UnsafePointer<KoalaBear>?, _ width: Int, _ cz: [KoalaBearExt],
                                           _ czn: [KoalaBearExt]?) {
                                for c in 0..<width {
                                    let zn = czn.map { $0[c] }
                                    cols.append((UnsafeTransfer(base! + c * size), cz[c], zn == .zero ? nil : zn))
                                }
                            }
                            addMatrix(mp.baseAddress, main.width, layout.mainZ, layout.mainZN)
                            if let preprocessed { addMatrix(pp.baseAddress, preprocessed.width, layout.preZ, layout.preZN) }
                            if let aux { addMatrix(ap.baseAddress, aux.width, layout.auxZ, layout.auxZN) }
                            addMatrix(qp.baseAddress, quotient.width, layout.quotientZ, nil)
                            body()
                        }
                    }
                }
            }
        }
        let chunks = (size + chunk - 1) / chunk
        var failures = [Bool](repeating: false, count: chunks)
        withColumns {
            out.withUnsafeMutableBufferPointer { ob in
                failures.withUnsafeMutableBufferPointer { fb in
                    let o = UnsafeTransfer(ob.baseAddress!), f = UnsafeTransfer(fb.baseAddress!)
                    Parallel.chunks(chunks, threads: threads, minChunk: 1, oversubscribe: 4) { range in
                        var accZ = [KoalaBearExt](repeating: .zero, count: chunk)
                        var accZN = [KoalaBearExt](repeating: .zero, count: chunk)
                        var xs = [KoalaBear](repeating: .zero, count: chunk)
                        var m1 = [KoalaBear](repeating: .zero, count: chunk)
                        var m2 = [KoalaBear](repeating: .zero, count: chunk)
                        var inv = [KoalaBear](repeating: .zero, count: chunk)
                        var scratch = [KoalaBear](repeating: .zero, count: chunk)
                        for c in range {
                            let lo = c * chunk, len = Swift.min(chunk, size - lo)
                            xs.withUnsafeMutableBufferPointer { points.fill(from: lo, count: len, into: $0.baseAddress!) }
                            for k in 0..<len {
                                accZ[k] = .zero
                                accZN[k] = .zero
                                let x = xs[k]
                                m1[k] = d1.minimal(x)
                                m2[k] = d2.minimal(x)
                                inv[k] = m1[k] * m2[k]
                            }
                            for k in len..<chunk { inv[k] = .one }
                            let ok = inv.withUnsafeMutableBufferPointer { ib in
                                scratch.withUnsafeMutableBufferPointer { sb in KoalaBear.batchInvert(ib, scratch: sb) }
                            }
                            if !ok { f.value[c] = true; continue }
                            accZ.withUnsafeMutableBufferPointer { az in
                                accZN.withUnsafeMutableBufferPointer { azn in
                                    for (colPtr, cz, czn) in cols {
                                        let src = colPtr.value + lo
                                        for k in 0..<len { az[k] += cz * src[k] }
                                        if let czn { for k in 0..<len { azn[k] += czn * src[k] } }
                                    }
                                }
                            }
                            for k in 0..<len {
                                let x = xs[k], x2 = x * x, x3 = x2 * x
                                // 1/(x − ζ) = q1(x)·m2(x)/(m1(x)·m2(x)), likewise for ζω.
                                let i1 = d1.cofactor(x, x2, x3) * (m2[k] * inv[k])
                                let i2 = d2.cofactor(x, x2, x3) * (m1[k] * inv[k])
                                o.value[lo + k] = (accZ[k] - layout.constantZ) * i1 + (accZN[k] - layout.constantZN) * i2
                            }
                        }
                    }
                }
            }
        }
        failed = failures.contains(true)
        return failed ? nil : out
    }
}
