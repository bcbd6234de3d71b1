import KoalaBear
@testable import STARK
import STARKExamples
import Testing
import TestSupport

@Suite struct MerkleTests {
    func tree(_ leaves: Int, seed: UInt64) -> (MerkleTree, ColumnMatrix) {
        var rng = TestRNG(seed: seed)
        let m = ColumnMatrix(columns: (0..<3).map { _ in (0..<leaves).map { _ in rng.field() } })
        return (MerkleTree.commitRows(m, hasher: SHA256MerkleHasher(), threads: 2), m)
    }

    @Test func batchOpeningsVerify() {
        let h = SHA256MerkleHasher()
        for (leaves, seed) in [(1, 1), (2, 2), (64, 3), (1024, 4)] as [(Int, UInt64)] {
            let (t, m) = tree(leaves, seed: seed)
            #expect(t.leafCount == leaves && t.depth == leaves.trailingZeroBitCount)
            var rng = TestRNG(seed: seed + 10)
            for count in [1, 2, 5, 40] {
                let idx = Array(Set((0..<count).map { _ in rng.below(leaves) })).sorted()
                let sib = t.openBatch(idx)
                let digests = idx.map { MerkleTree.leafDigest(ArraySlice(m.row($0)), hasher: h) }
                #expect(MerkleTree.verifyBatch(root: t.root, depth: t.depth, indices: idx, leaves: digests,
                                               siblings: sib, hasher: h))
                // Shared nodes are sent once: never more than one path's worth per index.
                #expect(sib.count <= idx.count * t.depth)
                if leaves > 1 {
                    var badLeaves = digests
                    badLeaves[0].w0 ^= 1
                    #expect(!MerkleTree.verifyBatch(root: t.root, depth: t.depth, indices: idx, leaves: badLeaves,
                                                    siblings: sib, hasher: h))
                    if !sib.isEmpty {
                        var badSib = sib
                        badSib[badSib.count - 1].w3 ^= 1 << 60
                        #expect(!MerkleTree.verifyBatch(root: t.root, depth: t.depth, indices: idx, leaves: digests,
                                                        siblings: badSib, hasher: h))
                    }
                    #expect(!MerkleTree.verifyBatch(root: t.root, depth: t.depth, indices: idx, leaves: digests,
                                                    siblings: sib + [.zero], hasher: h))
                }
            }
        }
        // Unsorted or duplicate indices are refused.
        let (t, m) = tree(8, seed: 9)
        let d = [3, 1].map { MerkleTree.leafDigest(ArraySlice(m.row($0)), hasher: h) }
        #expect(!MerkleTree.verifyBatch(root: t.root, depth: 3, indices: [3, 1], leaves: d, siblings: t.openBatch([1, 3]), hasher: h))
    }

    @Test func sha256LeafIsLittleEndianWords() {
        let h = SHA256MerkleHasher()
        let d = [UInt32(1), 2].withUnsafeBufferPointer { h.hashLeaf($0) }
        #expect(d.bytes == Hashing_sha256([1, 0, 0, 0, 2, 0, 0, 0]))
        #expect(h.compress(d, d).bytes == Hashing_sha256(d.bytes + d.bytes))
    }
}

import Hashing
func Hashing_sha256(_ b: [UInt8]) -> [UInt8] { SHA256.hash(b) }

@Suite struct TranscriptTests {
    @Test func deterministicAndOrderSensitive() {
        var a = Transcript(label: "t"), b = Transcript(label: "t"), c = Transcript(label: "t")
        a.absorb(KoalaBear(5)); b.absorb(KoalaBear(5)); c.absorb(KoalaBear(6))
        let ea = a.sampleExt(), eb = b.sampleExt(), ec = c.sampleExt()
        #expect(ea == eb && ea != ec)
        #expect(a.sampleIndex(bits: 10) == b.sampleIndex(bits: 10))
        var d = Transcript(label: "other")
        d.absorb(KoalaBear(5))
        #expect(d.sampleExt() != ea)
    }

    @Test func samplesInRange() {
        var t = Transcript(label: "range")
        for bits in [0, 1, 5, 20, 24, 32] {
            for _ in 0..<50 { #expect(t.sampleIndex(bits: bits) < (1 << bits) || bits == 32) }
        }
        for _ in 0..<200 { #expect(t.sampleBase().value < KoalaBear.modulus) }
    }

    @Test func grinding() {
        var p = Transcript(label: "pow"), v = Transcript(label: "pow")
        p.absorb(UInt64(7)); v.absorb(UInt64(7))
        let nonce = p.grind(bits: 8, threads: 2)
        var v2 = v
        let ok = v.checkGrinding(bits: 8, nonce: nonce)
        #expect(ok)
        #expect(p.sampleExt() == v.sampleExt())
        // The smallest valid nonce, whatever the thread count.
        var q = Transcript(label: "pow")
        q.absorb(UInt64(7))
        #expect(q.grind(bits: 8, threads: 1) == nonce)
        if nonce > 0 {
            let early = v2.checkGrinding(bits: 8, nonce: nonce - 1)
            #expect(!early)
        }
    }
}

@Suite struct FRITests {
    /// A codeword of a polynomial of degree < 2^logDegree on the coset g·K (bit-reversed).
    func codeword(logDegree: Int, logBlowup: Int, degreeOverflow: Bool, seed: UInt64) -> [KoalaBearExt] {
        var rng = TestRNG(seed: seed)
        let n = 1 << logDegree, big = n << logBlowup
        var comps: [[KoalaBear]] = []
        for _ in 0..<4 {
            var coeffs = (0..<big).map { k -> KoalaBear in k < n ? rng.field() : .zero }
            if degreeOverflow { coeffs[n] = .one }  // degree exactly 2^logDegree: one too many
            let m = ColumnMatrix(columns: [coeffs])
            comps.append(LDE.cosetFromCoefficients(m, logBlowup: 0, shift: STARK.cosetShift).column(0))
        }
        return (0..<big).map { KoalaBearExt(comps[0][$0], comps[1][$0], comps[2][$0], comps[3][$0]) }
    }

    /// Runs the FRI prover (optionally tolerating a high-degree input by truncating the final
    /// polynomial, as a cheating prover would) and the verifier.
    func run(_ word: [KoalaBearExt], logDegree: Int, config: FRIConfig, cheat: Bool) throws {
        try runFRI(word, rollIns: [:], logDegrees: [logDegree], config: config, cheat: cheat)
    }

    /// Mixed heights: a codeword of a smaller degree rolled in where folding reaches its size.
    func runMixed(_ word: [KoalaBearExt], _ small: [KoalaBearExt], logDegrees: [Int], config: FRIConfig, cheat: Bool) throws {
        try runFRI(word, rollIns: [small.count.trailingZeroBitCount: small], logDegrees: logDegrees, config: config, cheat: cheat)
    }

    /// The FRI prover on `word` with `rollIns` (by log size), then the verifier, which computes
    /// each roll-in's value at a query from the query's index shifted to the roll-in's size.
    func runFRI(_ word: [KoalaBearExt], rollIns: [Int: [KoalaBearExt]], logDegrees: [Int], config: FRIConfig, cheat: Bool) throws {
        let logDomain = word.count.trailingZeroBitCount
        var pt = Transcript(label: "fri-test")
        let data = try FRI.commit(codeword: word, rollIns: rollIns, shift: STARK.cosetShift, logDegrees: logDegrees,
                                  config: config, hasher: SHA256MerkleHasher(), backend: CPUBackend(threads: 2),
                                  transcript: &pt, truncateFinal: cheat)
        let (arities, _) = config.schedule(logDegrees: logDegrees)
        #expect(data.layers.count == arities.count)
        let nonce = pt.grind(bits: config.proofOfWorkBits, threads: 2)
        let queries = (0..<config.numQueries).map { _ in pt.sampleIndex(bits: logDomain) }
        let openings = FRI.open(data, queries: queries)
        // Verifier.
        var vt = Transcript(label: "fri-test")
        var betas: [KoalaBearExt] = []
        for l in data.layers {
            vt.absorb(l.tree.root)
            betas.append(vt.sampleExt())
        }
        for c in data.finalPolynomial { vt.absorb(c) }
        guard vt.checkGrinding(bits: config.proofOfWorkBits, nonce: nonce) else { throw StarkError.verificationFailed("pow") }
        let vq = (0..<config.numQueries).map { _ in vt.sampleIndex(bits: logDomain) }
        let expectedRollIns = rollIns.mapValues { w in vq.map { w[$0 >> (logDomain - w.count.trailingZeroBitCount)] } }
        try FRI.verifyQueries(queries: vq, initialValues: vq.map { word[$0] }, rollIns: expectedRollIns, logDomain: logDomain,
                              shift: STARK.cosetShift, arities: arities, betas: betas, roots: data.layers.map(\.tree.root),
                              openings: openings, finalPolynomial: data.finalPolynomial, hasher: SHA256MerkleHasher())
    }

    @Test func rollsInSmallerCodewords() throws {
        let config = FRIConfig(logBlowup: 2, numQueries: 16, proofOfWorkBits: 0, logFoldingArity: 3, logFinalPolynomialLength: 1)
        let big = codeword(logDegree: 9, logBlowup: 2, degreeOverflow: false, seed: 1)
        let small = codeword(logDegree: 5, logBlowup: 2, degreeOverflow: false, seed: 2)
        try runMixed(big, small, logDegrees: [9, 5], config: config, cheat: false)
        // A rolled-in codeword of too high a degree is caught, though the big one is fine.
        let bad = codeword(logDegree: 5, logBlowup: 2, degreeOverflow: true, seed: 3)
        #expect(throws: StarkError.self) { try runMixed(big, bad, logDegrees: [9, 5], config: config, cheat: false) }
        #expect(throws: StarkError.self) { try runMixed(big, bad, logDegrees: [9, 5], config: config, cheat: true) }
        var rng = TestRNG(seed: 9)
        let random = (0..<small.count).map { _ in rng.ext() }
        #expect(throws: StarkError.self) { try runMixed(big, random, logDegrees: [9, 5], config: config, cheat: true) }
    }

    @Test(arguments: [(6, 1, 1), (8, 2, 2), (9, 3, 3), (5, 1, 4)])
    func acceptsLowDegree(logDegree: Int, logBlowup: Int, arity: Int) throws {
        let config = FRIConfig(logBlowup: logBlowup, numQueries: 12, proofOfWorkBits: 3, logFoldingArity: arity,
                               logFinalPolynomialLength: 2)
        let w = codeword(logDegree: logDegree, logBlowup: logBlowup, degreeOverflow: false, seed: UInt64(logDegree))
        try run(w, logDegree: logDegree, config: config, cheat: false)
    }

    @Test(arguments: [(6, 1, 1), (8, 2, 2), (9, 3, 3)])
    func rejectsDegreeOneTooHigh(logDegree: Int, logBlowup: Int, arity: Int) throws {
        let config = FRIConfig(logBlowup: logBlowup, numQueries: 12, proofOfWorkBits: 0, logFoldingArity: arity,
                               logFinalPolynomialLength: 2)
        let w = codeword(logDegree: logDegree, logBlowup: logBlowup, degreeOverflow: true, seed: UInt64(logDegree))
        // The honest prover refuses outright…
        #expect(throws: StarkError.self) { try run(w, logDegree: logDegree, config: config, cheat: false) }
        // …and a prover that commits anyway is caught by the verifier.
        #expect(throws: StarkError.self) { try run(w, logDegree: logDegree, config: config, cheat: true) }
    }

    @Test func rejectsRandomWord() throws {
        var rng = TestRNG(seed: 77)
        let config = FRIConfig(logBlowup: 2, numQueries: 12, proofOfWorkBits: 0, logFoldingArity: 2,
                               logFinalPolynomialLength: 1)
        let w = (0..<256).map { _ in rng.ext() }  // degree up to 255 on a domain of 256: far from RS(64)
        #expect(throws: StarkError.self) { try run(w, logDegree: 6, config: config, cheat: false) }
        #expect(throws: StarkError.self) { try run(w, logDegree: 6, config: config, cheat: true) }
        // Cheating with any final polynomial still fails: use the honest schedule for degree < 2^6
        // but a word of full degree.
        #expect(throws: StarkError.self) {
            var pt = Transcript(label: "x")
            _ = try FRI.commit(codeword: w, shift: STARK.cosetShift, logDegree: 6, config: config,
                               hasher: SHA256MerkleHasher(), backend: CPUBackend(threads: 1), transcript: &pt)
        }
    }

    @Test func securityBitsAndSchedule() {
        let std = FRIConfig.standard
        #expect(std.conjecturedSecurityBits == std.logBlowup * std.numQueries + std.proofOfWorkBits)
        #expect(std.conjecturedSecurityBits >= 100)
        #expect(std.description.contains("\(std.conjecturedSecurityBits) conjectured security bits"))
        let s = std.schedule(logDegree: 20)
        #expect(s.arities.reduce(0, +) + s.logFinal == 20)
        #expect(FRIConfig(logBlowup: 2, numQueries: 1, proofOfWorkBits: 0).schedule(logDegree: 2).arities.isEmpty)
        #expect(throws: StarkError.self) { try FRIConfig(logBlowup: 0, numQueries: 10, proofOfWorkBits: 0).validate() }
        #expect(throws: StarkError.self) { try FRIConfig(logBlowup: 2, numQueries: 0, proofOfWorkBits: 0).validate() }
    }
}

@Suite struct ConstraintSystemTests {
    struct BadColumn: AIR {
        var name: String { "bad" }
        var mainWidth: Int { 1 }
        func constraints(_ b: ConstraintBuilder) { b.assertZero(b.main(3)) }
    }

    struct TooHighDegree: AIR {
        var name: String { "degree" }
        var mainWidth: Int { 1 }
        func constraints(_ b: ConstraintBuilder) {
            let x = b.main(0)
            b.assertZero(x * x * x * x * x * x - x)
        }
    }

    struct NextInLookup: AIR {
        var name: String { "next-lookup" }
        var mainWidth: Int { 1 }
        func constraints(_ b: ConstraintBuilder) { b.send(Bus(0, "bus0"), values: [b.mainNext(0)]) }
    }

    @Test func invalidAIRsAreRejected() throws {
        #expect(throws: StarkError.self) { try ConstraintSystem(air: BadColumn()) }
        #expect(throws: StarkError.self) { try ConstraintSystem(air: NextInLookup()) }
        let sys = try ConstraintSystem(air: TooHighDegree())
        #expect(sys.maxEffectiveDegree == 6 && sys.quotientChunks == 8)
        let trace = ColumnMatrix(columns: [[KoalaBear](repeating: .one, count: 8)])
        // Degree 6 needs 8 quotient chunks: blowup 4 is too small, blowup 8 works.
        #expect(throws: StarkError.self) { try STARK.prove(TooHighDegree(), trace: trace, publicInputs: [], config: TestConfigs.small) }
        let big = StarkConfig(fri: FRIConfig(logBlowup: 3, numQueries: 4, proofOfWorkBits: 0))
        let p = try STARK.prove(TooHighDegree(), trace: trace, publicInputs: [], config: big)
        try STARK.verify(TooHighDegree(), proof: p, publicInputs: [], config: big)
    }

    @Test func fibonacciShape() throws {
        let sys = try ConstraintSystem(air: FibonacciAIR())
        #expect(sys.constraintCount == 5 && sys.userConstraintCount == 5)
        #expect(sys.quotientChunks == 1 && !sys.hasLookups)
        #expect(sys.mainNext == [0, 1])
        #expect(sys.digest != (try ConstraintSystem(air: PermutationAIR())).digest)
    }

    /// The prover's batch evaluator and the verifier's point evaluator agree.
    @Test func batchAndPointEvaluatorsAgree() throws {
        let sys = try ConstraintSystem(air: CubeChainAIR())
        let trace = CubeChainAIR.trace(logHeight: 4)
        let nodes = Array(0..<sys.nodes.count).filter { !sys.nodes[$0].isExt }
        let rows = TraceWork.evaluateRows(system: sys, nodes: nodes, trace: trace, preprocessed: nil, publicInputs: [], threads: 2)
        for r in [0, 5, 15] {
            let mainRow = (0..<5).map { KoalaBearExt(trace[r, $0]) }
            let nextRow = (0..<5).map { KoalaBearExt(trace[(r + 1) % 16, $0]) }
            var vals = [KoalaBearExt](repeating: .zero, count: sys.nodes.count)
            for (i, n) in sys.nodes.enumerated() {
                switch n.kind {
                case .constant(let c): vals[i] = KoalaBearExt(c)
                case .main(let c, let nx): vals[i] = nx ? nextRow[c] : mainRow[c]
                case .add: vals[i] = vals[n.a] + vals[n.b]
                case .sub: vals[i] = vals[n.a] - vals[n.b]
                case .mul: vals[i] = vals[n.a] * vals[n.b]
                case .neg: vals[i] = -vals[n.a]
                default: break
                }
            }
            for (k, node) in nodes.enumerated() { #expect(KoalaBearExt(rows[k][r]) == vals[node]) }
        }
    }
}
