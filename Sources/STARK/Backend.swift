import Locking
import KoalaBear

/// What the quotient kernel evaluates: every constraint of `system` on the coset
/// shift·K_{n·D} (D = quotient chunks), reading trace values from the LDEs, combined with
/// powers of λ and divided by the vanishing polynomial (through the row selectors).
public struct QuotientJob: Sendable {
    /// The compiled constraints.
    public let system: ConstraintSystem
    /// Main trace LDE (bit-reversed, on shift·K_{n·blowup}).
    public let main: ColumnMatrix
    /// Preprocessed LDE, if the AIR has preprocessed columns.
    public let preprocessed: ColumnMatrix?
    /// LogUp trace LDE (4 base columns per extension column), if the AIR has lookups.
    public let aux: ColumnMatrix?
    /// log2 of the trace height n.
    public let logTraceHeight: Int
    /// log2 of the blowup of the LDEs.
    public let logBlowup: Int
    /// The LDE coset shift.
    public let shift: KoalaBear
    /// The public inputs the constraints read.
    public let publicInputs: [KoalaBear]
    /// LogUp challenges (α, β), empty without lookups.
    public let challenges: [KoalaBearExt]
    /// The claimed LogUp total (zero without lookups).
    public let cumulativeSum: KoalaBearExt
    /// The constraint-combination challenge.
    public let lambda: KoalaBearExt
}

/// What the LogUp kernel builds: the auxiliary (running-sum) trace of `system`'s lookups over
/// the main and preprocessed traces, with challenges α (the tuple combination) and β (the shift).
public struct LogUpJob: Sendable {
    public let system: ConstraintSystem
    public let trace: ColumnMatrix
    public let preprocessed: ColumnMatrix?
    public let publicInputs: [KoalaBear]
    public let alpha: KoalaBearExt
    public let beta: KoalaBearExt
}

/// The LogUp kernel's result: the auxiliary trace (4 base columns per extension column), the
/// claimed total of the running sum, and each bus's share of it (for diagnostics).
public struct LogUpTrace: Sendable {
    public let aux: ColumnMatrix
    public let total: KoalaBearExt
    public let busSums: [Int: KoalaBearExt]
}

/// What the DEEP kernel composes: Σ γ^t (F_t(x) − v_t)/(x − point) over every opened column of
/// the LDEs (main, preprocessed, auxiliary, quotient) at ζ and ζ·ω, on shift·K_{2^logSize}.
public struct DeepJob: Sendable {
    public let layout: DeepLayout
    public let main: ColumnMatrix
    public let preprocessed: ColumnMatrix?
    public let aux: ColumnMatrix?
    public let quotient: ColumnMatrix
    public let zeta: KoalaBearExt
    public let zetaNext: KoalaBearExt
    public let shift: KoalaBear
    public let logSize: Int
}

/// The prover's heavy kernels: every pass over a trace-sized or LDE-sized buffer goes through
/// here, so a GPU backend implementing this protocol takes all of them; the prover never asks
/// which backend it has. The CPU backend runs them on every core. Results must not depend on
/// the backend (they are exact field computations), so proofs are byte-identical whichever
/// backend made them.
public protocol ProverBackend: Sendable {
    /// A name for logs.
    var name: String { get }
    /// Threads the host-side work around the kernels may use (transcript grinding, trace
    /// checks, out-of-domain evaluations).
    var hostThreads: Int { get }
    /// Coset low-degree extension of trace columns (natural order over the trace subgroup)
    /// onto shift·K_{n·2^logBlowup}, in bit-reversed order.
    func lowDegreeExtend(_ trace: ColumnMatrix, logBlowup: Int, shift: KoalaBear) -> ColumnMatrix
    /// Evaluations of polynomials given by coefficients (scaled by `scale`) on
    /// shift·K_{n·2^logBlowup}, in bit-reversed order.
    func extendCoefficients(_ coefficients: ColumnMatrix, logBlowup: Int, shift: KoalaBear,
                            scale: KoalaBear) -> ColumnMatrix
    /// Merkle tree over the rows of a matrix.
    func commitRows(_ matrix: ColumnMatrix, hasher: any MerkleHasher) -> MerkleTree
    /// Merkle tree over groups of `leafSize` consecutive extension elements.
    func commitExtension(_ values: [KoalaBearExt], leafSize: Int, hasher: any MerkleHasher) -> MerkleTree
    /// The quotient's values on shift·K_{n·D}, in bit-reversed order.
    func evaluateQuotient(_ job: QuotientJob) -> [KoalaBearExt]
    /// The LogUp auxiliary trace.
    func buildLogUpTrace(_ job: LogUpJob) throws(StarkError) -> LogUpTrace
    /// Interpolates `columns` columns of `height` values each (column-major in `values`, in
    /// natural order over shift·K_height) into coefficients, in place.
    func interpolateCoset(_ values: inout [KoalaBear], columns: Int, height: Int, shift: KoalaBear)
    /// The DEEP composition's values on the LDE domain (bit-reversed), nil when the
    /// out-of-domain point falls on the domain.
    func composeDeep(_ job: DeepJob) -> [KoalaBearExt]?
    /// One FRI fold by 2 of a codeword on shift·K (bit-reversed) with challenge β.
    func foldFRI(_ codeword: [KoalaBearExt], shift: KoalaBear, beta: KoalaBearExt) -> [KoalaBearExt]
}

/// The CPU backend: parallel across columns, rows and chunks with `DispatchQueue.concurrentPerform`.
public struct CPUBackend: ProverBackend {
    /// Threads to use (default: every core).
    public let threads: Int

    /// A backend using `threads` threads.
    public init(threads: Int = Parallel.coreCount) {
        self.threads = Swift.max(1, threads)
    }

    public var name: String { "cpu(\(threads) threads)" }
    public var hostThreads: Int { threads }

    public func lowDegreeExtend(_ trace: ColumnMatrix, logBlowup: Int, shift: KoalaBear) -> ColumnMatrix {
        LDE.coset(trace, logBlowup: logBlowup, shift: shift, threads: threads)
    }

    public func extendCoefficients(_ coefficients: ColumnMatrix, logBlowup: Int, shift: KoalaBear,
                                   scale: KoalaBear) -> ColumnMatrix {
        LDE.cosetFromCoefficients(coefficients, logBlowup: logBlowup, shift: shift, scale: scale, threads: threads)
    }

    public func commitRows(_ matrix: ColumnMatrix, hasher: any MerkleHasher) -> MerkleTree {
        MerkleTree.commitRows(matrix, hasher: hasher, threads: threads)
    }

    public func commitExtension(_ values: [KoalaBearExt], leafSize: Int, hasher: any MerkleHasher) -> MerkleTree {
        MerkleTree.commitExtension(values, leafSize: leafSize, hasher: hasher, threads: threads)
    }

    public func evaluateQuotient(_ job: QuotientJob) -> [KoalaBearExt] {
        QuotientKernel.evaluate(job, threads: threads)
    }

    public func buildLogUpTrace(_ job: LogUpJob) throws(StarkError) -> LogUpTrace {
        let built = try TraceWork.buildAux(system: job.system, trace: job.trace, preprocessed: job.preprocessed,
                                           publicInputs: job.publicInputs, alpha: job.alpha, beta: job.beta, threads: threads)
        return LogUpTrace(aux: built.aux, total: built.total, busSums: built.busSums)
    }

    public func interpolateCoset(_ values: inout [KoalaBear], columns: Int, height: Int, shift: KoalaBear) {
        precondition(values.count == columns * height, "interpolateCoset: \(values.count) values for \(columns)×\(height)")
        let threads = self.threads
        values.withUnsafeMutableBufferPointer { vb in
            let v = UnsafeTransfer(vb.baseAddress!)
            Parallel.forEach(columns, threads: threads) { j in
                LDE.interpolateCoset(UnsafeMutableBufferPointer(start: v.value + j * height, count: height), shift: shift,
                                     threads: Swift.max(1, threads / Swift.max(1, columns)))
            }
        }
    }

    public func composeDeep(_ job: DeepJob) -> [KoalaBearExt]? {
        DeepComposition.evaluate(layout: job.layout, main: job.main, preprocessed: job.preprocessed, aux: job.aux,
                                 quotient: job.quotient, zeta: job.zeta, zetaNext: job.zetaNext, shift: job.shift,
                                 logSize: job.logSize, threads: threads)
    }

    public func foldFRI(_ codeword: [KoalaBearExt], shift: KoalaBear, beta: KoalaBearExt) -> [KoalaBearExt] {
        FRI.foldOnce(codeword, shift: shift, beta: beta, threads: threads)
    }
}

/// The CPU quotient kernel.
enum QuotientKernel {
    static let chunk = 256

    static func evaluate(_ job: QuotientJob, threads: Int) -> [KoalaBearExt] {
        let sys = job.system
        let logN = job.logTraceHeight, n = 1 << logN
        let logD = sys.logQuotientChunks, d = 1 << logD
        let logM = logN + logD, m = 1 << logM
        let program = BatchProgram(system: sys, outputNodes: sys.outputs.map(\.node))
        let scopes = sys.outputs.map { Int($0.scope.rawValue) }
        let lambdaPowers = job.lambda.powers(sys.outputs.count)
        let inputs = EvalInputs(publicInputs: job.publicInputs, challenges: job.challenges,
                                cumulativeSum: job.cumulativeSum)
        // The points shift·ω_M^{rev(i)}, generated chunk by chunk.
        let points = BitReversedPowers(root: KoalaBear.twoAdicGenerator(logN: logM), bits: logM, shift: job.shift)
        // 1/Z_H(x): x^n = shift^n·ω_D^{rev(i) mod D} takes D values.
        let shiftN = job.shift.pow(UInt64(n))
        let omegaD = KoalaBear.twoAdicGenerator(logN: logD)
        let zhInv = (0..<d).map { (shiftN * omegaD.pow(UInt64($0)) - .one).inverseOrZero }
        let omegaInvN = KoalaBear.twoAdicGenerator(logN: logN).inverseOrZero  // the last row's point
        let nField = KoalaBear(UInt32(n))
        var out = [KoalaBearExt](repeating: .zero, count: m)
        let chunks = (m + chunk - 1) / chunk
        let mainView = job.main
        let preM = job.preprocessed, auxM = job.aux
        out.withUnsafeMutableBufferPointer { outBuf in
            let o = UnsafeTransfer(outBuf.baseAddress!)
            mainView.values.withUnsafeBufferPointer { mp in
                (preM?.values ?? []).withUnsafeBufferPointer { pp in
                    (auxM?.values ?? []).withUnsafeBufferPointer { ap in
                        let views = UnsafeTransfer((MatrixView(base: mp.baseAddress, height: mainView.height),
                                                    MatrixView(base: pp.baseAddress, height: preM?.height ?? 0),
                                                    MatrixView(base: ap.baseAddress, height: auxM?.height ?? 0)))
                        let pieces = Swift.min(chunks, threads * 4)
                        Parallel.forEach(pieces, threads: threads) { piece in
                            let regs = BatchProgram.Registers(program: program, chunk: chunk)
                            defer { regs.free() }
                            var cur = [Int](repeating: 0, count: chunk), nxt = [Int](repeating: 0, count: chunk)
                            var xs = [KoalaBear](repeating: .zero, count: chunk)
                            var inv = [KoalaBear](repeating: .zero, count: 2 * chunk)
                            var scratch = [KoalaBear](repeating: .zero, count: 2 * chunk)
                            var acc = [KoalaBearExt](repeating: .zero, count: 4 * chunk)
                            var c = piece
                            while c < chunks {
                                let lo = c * chunk, len = Swift.min(chunk, m - lo)
                                xs.withUnsafeMutableBufferPointer { points.fill(from: lo, count: len, into: $0.baseAddress!) }
                                for k in 0..<len {
                                    let i = lo + k
                                    let r = NTT.reverseBits(i, bits: logM)
                                    cur[k] = i
                                    nxt[k] = NTT.reverseBits((r + d) & (m - 1), bits: logM)
                                    let x = xs[k]
                                    inv[k] = nField * (x - .one)
                                    inv[chunk + k] = nField * (x - omegaInvN)
                                }
                                for k in len..<chunk {
                                    inv[k] = .one
                                    inv[chunk + k] = .one
                                }
                                inv.withUnsafeMutableBufferPointer { ib in
                                    scratch.withUnsafeMutableBufferPointer { sb in
                                        _ = KoalaBear.batchInvert(ib, scratch: sb)
                                    }
                                }
                                cur.withUnsafeBufferPointer { cb in
                                    nxt.withUnsafeBufferPointer { nb in
                                        program.run(len: len, cur: cb.baseAddress!, next: nb.baseAddress!,
                                                    main: views.value.0, pre: views.value.1, aux: views.value.2,
                                                    inputs: inputs, regs: regs)
                                    }
                                }
                                for k in 0..<(4 * chunk) { acc[k] = .zero }
                                acc.withUnsafeMutableBufferPointer { a in
                                    for (t, out) in program.outputs.enumerated() {
                                        let lp = lambdaPowers[t]
                                        let dst = a.baseAddress! + scopes[t] * chunk
                                        if out.isExt {
                                            let src = regs.e(out.reg)
                                            for k in 0..<len { dst[k] += lp * src[k] }
                                        } else {
                                            let src = regs.b(out.reg)
                                            for k in 0..<len { dst[k] += lp * src[k] }
                                        }
                                    }
                                }
                                for k in 0..<len {
                                    let i = lo + k
                                    let r = NTT.reverseBits(i, bits: logM)
                                    let trans = xs[k] - omegaInvN
                                    let every = acc[k] + acc[chunk + k] * trans
                                    o.value[i] = every * zhInv[r & (d - 1)] + acc[2 * chunk + k] * inv[k]
                                        + acc[3 * chunk + k] * inv[chunk + k]
                                }
                                c += pieces
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
