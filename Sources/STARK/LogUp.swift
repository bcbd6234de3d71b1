import Locking
import KoalaBear

/// Prover-side trace work that runs over the n trace rows: the constraint check and the
/// LogUp auxiliary trace.
enum TraceWork {
    static let chunk = 256

    /// Evaluates `nodes` on every trace row; result[k] holds node k's values (base nodes only).
    static func evaluateRows(system: ConstraintSystem, nodes: [Int], trace: ColumnMatrix, preprocessed: ColumnMatrix?,
                             publicInputs: [KoalaBear], threads: Int) -> [[KoalaBear]] {
        let n = trace.height
        let program = BatchProgram(system: system, outputNodes: nodes)
        var out = [[KoalaBear]](repeating: [], count: nodes.count)
        var flat = [KoalaBear](repeating: .zero, count: nodes.count * n)
        let inputs = EvalInputs(publicInputs: publicInputs, challenges: [], cumulativeSum: .zero)
        trace.values.withUnsafeBufferPointer { tp in
            (preprocessed?.values ?? []).withUnsafeBufferPointer { pp in
                flat.withUnsafeMutableBufferPointer { fb in
                    let views = UnsafeTransfer((MatrixView(base: tp.baseAddress, height: n),
                                                MatrixView(base: pp.baseAddress, height: preprocessed?.height ?? 0)))
                    let f = UnsafeTransfer(fb.baseAddress!)
                    let chunks = (n + chunk - 1) / chunk
                    Parallel.chunks(chunks, threads: threads, minChunk: 1) { range in
                        let regs = BatchProgram.Registers(program: program, chunk: chunk)
                        defer { regs.free() }
                        var cur = [Int](repeating: 0, count: chunk), nxt = [Int](repeating: 0, count: chunk)
                        for c in range {
                            let lo = c * chunk, len = Swift.min(chunk, n - lo)
                            for k in 0..<len {
                                cur[k] = lo + k
                                nxt[k] = (lo + k + 1) & (n - 1)
                            }
                            cur.withUnsafeBufferPointer { cb in
                                nxt.withUnsafeBufferPointer { nb in
                                    program.run(len: len, cur: cb.baseAddress!, next: nb.baseAddress!,
                                                main: views.value.0, pre: views.value.1, aux: .empty,
                                                inputs: inputs, regs: regs)
                                }
                            }
                            for (t, o) in program.outputs.enumerated() {
                                let src = regs.b(o.reg)
                                for k in 0..<len { f.value[t * n + lo + k] = src[k] }
                            }
                        }
                    }
                }
            }
        }
        for t in 0..<nodes.count { out[t] = Array(flat[(t * n)..<((t + 1) * n)]) }
        return out
    }

    /// Checks every AIR constraint on every row of its scope; throws the lowest failing row
    /// (and on it the first failing constraint).
    static func check(system: ConstraintSystem, trace: ColumnMatrix, preprocessed: ColumnMatrix?,
                      publicInputs: [KoalaBear], threads: Int) throws(StarkError) {
        let user = Array(system.outputs[0..<system.userConstraintCount])
        if user.isEmpty { return }
        let values = evaluateRows(system: system, nodes: user.map(\.node), trace: trace, preprocessed: preprocessed,
                                  publicInputs: publicInputs, threads: threads)
        let n = trace.height
        var firstBad: (row: Int, constraint: Int)?
        for (k, o) in user.enumerated() {
            let rows: [Int]
            switch o.scope {
            case .everyRow: rows = Array(0..<n)
            case .transition: rows = Array(0..<(n - 1))
            case .firstRow: rows = [0]
            case .lastRow: rows = [n - 1]
            }
            for r in rows where !values[k][r].isZero {
                if firstBad == nil || r < firstBad!.row { firstBad = (r, k) }
                break
            }
        }
        if let bad = firstBad {
            throw .constraintNotSatisfied(constraint: bad.constraint, row: bad.row, detail: user[bad.constraint].label)
        }
    }

    /// The LogUp trace: for each interaction group g the helper column
    /// h_g = Σ_{i∈g} ±m_i / (α − fingerprint_i), then the running sum S (S_0 = Σ_g h_g(0),
    /// S_{r+1} = S_r + Σ_g h_g(r+1)). Returns the columns (4 base columns per extension
    /// column), the total S_{n−1}, and each bus's own total.
    static func buildAux(system: ConstraintSystem, trace: ColumnMatrix, preprocessed: ColumnMatrix?,
                         publicInputs: [KoalaBear], alpha: KoalaBearExt, beta: KoalaBearExt,
                         threads: Int) throws(StarkError) -> (aux: ColumnMatrix, total: KoalaBearExt, busSums: [Int: KoalaBearExt]) {
        let n = trace.height
        let inters = system.interactions
        var nodeList: [Int] = []
        for i in inters { nodeList.append(i.multiplicity); nodeList.append(contentsOf: i.values) }
        let vals = evaluateRows(system: system, nodes: nodeList, trace: trace, preprocessed: preprocessed,
                                publicInputs: publicInputs, threads: threads)
        let maxLen = inters.map(\.values.count).max() ?? 1
        var betaPowers = [KoalaBearExt](repeating: .one, count: maxLen + 1)
        for j in 1...maxLen { betaPowers[j] = betaPowers[j - 1] * beta }
        // terms[i][r] = ±m_i(r) / (α − fp_i(r))
        var terms = [[KoalaBearExt]](repeating: [], count: inters.count)
        var offset = 0
        for (ii, inter) in inters.enumerated() {
            let mult = vals[offset]
            let vs = Array(vals[(offset + 1)..<(offset + 1 + inter.values.count)])
            offset += 1 + inter.values.count
            var dens = [KoalaBearExt](repeating: .zero, count: n)
            let busField = KoalaBear(inter.bus)
            let sign = inter.isSend
            var failed = [Bool](repeating: false, count: 64)
            dens.withUnsafeMutableBufferPointer { db in
                failed.withUnsafeMutableBufferPointer { fb in
                    let d = UnsafeTransfer(db.baseAddress!), f = UnsafeTransfer(fb.baseAddress!)
                    let pieces = Swift.min(64, Swift.max(1, threads * 4))
                    let per = (n + pieces - 1) / pieces
                    Parallel.forEach(pieces, threads: threads) { k in
                        let lo = k * per, hi = Swift.min(n, lo + per)
                        guard lo < hi else { return }
                        for r in lo..<hi {
                            var fp = KoalaBearExt(busField)
                            for (j, v) in vs.enumerated() { fp += betaPowers[j + 1] * v[r] }
                            d.value[r] = alpha - fp
                        }
                        let seg = UnsafeMutableBufferPointer(start: d.value + lo, count: hi - lo)
                        let scratch = UnsafeMutableBufferPointer<KoalaBearExt>.allocate(capacity: hi - lo)
                        defer { scratch.deallocate() }
                        if !KoalaBearExt.batchInvert(seg, scratch: scratch) {
                            f.value[k] = true
                            return
                        }
                        for r in lo..<hi {
                            let t = d.value[r] * mult[r]
                            d.value[r] = sign ? t : -t
                        }
                    }
                }
            }
            guard !failed.contains(true) else { throw .lookupDenominatorZero }
            terms[ii] = dens
        }
        var busSums: [Int: KoalaBearExt] = [:]
        for (ii, inter) in inters.enumerated() {
            var s = KoalaBearExt.zero
            for t in terms[ii] { s += t }
            busSums[inter.bus, default: .zero] += s
        }
        let g = system.groups.count
        var aux = ColumnMatrix(width: 4 * (g + 1), height: n)
        var running = KoalaBearExt.zero
        for r in 0..<n {
            var rowSum = KoalaBearExt.zero
            for (gi, grp) in system.groups.enumerated() {
                var h = KoalaBearExt.zero
                for i in grp { h += terms[i][r] }
                rowSum += h
                for j in 0..<4 { aux[r, 4 * gi + j] = h[j] }
            }
            running += rowSum
            for j in 0..<4 { aux[r, 4 * g + j] = running[j] }
        }
        return (aux, running, busSums)
    }
}
