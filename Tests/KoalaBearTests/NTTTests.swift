import KoalaBear
import Testing
import TestSupport

@Suite struct NTTTests {
    @Test(arguments: Array(0...10))
    func forwardMatchesNaiveDFT(logN: Int) {
        var rng = TestRNG(seed: UInt64(100 + logN))
        let coeffs = rng.fields(1 << logN)
        var v = coeffs
        NTT.forward(&v)
        #expect(v == naiveDFT(coeffs))
        NTT.inverse(&v)
        #expect(v == coeffs)
    }

    @Test func bitReversedKernelsCompose() {
        var rng = TestRNG(seed: 11)
        let coeffs = rng.fields(256)
        var v = coeffs
        v.withUnsafeMutableBufferPointer { NTT.forwardToBitReversed($0) }
        let natural = naiveDFT(coeffs)
        for i in 0..<256 { #expect(v[i] == natural[NTT.reverseBits(i, bits: 8)]) }
        v.withUnsafeMutableBufferPointer { NTT.inverseFromBitReversed($0) }
        let nInv = KoalaBear(256).inverse!
        #expect(v.map { $0 * nInv } == coeffs)
    }

    /// Sizes above the cache block and the parallel threshold: round trip, the serial and
    /// parallel kernels agree, and sampled outputs match Horner evaluation.
    @Test(arguments: [14, 16])
    func largeTransforms(logN: Int) {
        var rng = TestRNG(seed: UInt64(200 + logN))
        let n = 1 << logN
        let coeffs = rng.fields(n)
        var serial = coeffs, parallel = coeffs
        NTT.forward(&serial, threads: 1)
        NTT.forward(&parallel, threads: 4)
        #expect(serial == parallel)
        let omega = KoalaBear.twoAdicGenerator(logN: logN)
        for i in [0, 1, 2, 3, n / 2, n - 1, 12345 % n] {
            #expect(serial[i] == horner(coeffs, omega.pow(UInt64(i))))
        }
        var back = parallel
        NTT.inverse(&back, threads: 3)
        #expect(back == coeffs)
        var back1 = serial
        NTT.inverse(&back1, threads: 1)
        #expect(back1 == coeffs)
    }

    @Test func parallelBitReversal() {
        let n = 1 << 16
        var a = (0..<n).map { KoalaBear(UInt32($0)) }
        var b = a
        a.withUnsafeMutableBufferPointer { NTT.bitReversePermute($0) }
        b.withUnsafeMutableBufferPointer { NTT.bitReversePermute($0, threads: 3) }
        #expect(a == b)
        #expect(a[1].value == UInt32(n / 2))
    }

    @Test func bitReversal() {
        #expect(NTT.reverseBits(1, bits: 3) == 4)
        #expect(NTT.reverseBits(6, bits: 3) == 3)
        #expect(NTT.reverseBits(0, bits: 0) == 0)
        #expect(NTT.reverseBits(1, bits: 24) == 1 << 23)
        var v = (0..<64).map { KoalaBear(UInt32($0)) }
        v.withUnsafeMutableBufferPointer { NTT.bitReversePermute($0) }
        for i in 0..<64 { #expect(v[i].value == UInt32(NTT.reverseBits(i, bits: 6))) }
    }
}

@Suite struct LDETests {
    /// The coset LDE holds, at position i, the trace polynomial's value at shift·ω_N^{bitrev(i)};
    /// its first n/… prefix restricted to the trace subgroup agrees with the trace itself.
    @Test(arguments: [(3, 1), (6, 2), (8, 3)])
    func cosetLDEConsistency(logN: Int, logBlowup: Int) {
        var rng = TestRNG(seed: UInt64(300 + logN))
        let n = 1 << logN, bigN = n << logBlowup
        let columns = (0..<3).map { _ in rng.fields(n) }
        let m = ColumnMatrix(columns: columns)
        let shift = KoalaBear.multiplicativeGenerator
        let lde = LDE.coset(m, logBlowup: logBlowup, shift: shift, threads: 2)
        #expect(lde.height == bigN && lde.width == 3)
        let omegaN = KoalaBear.twoAdicGenerator(logN: logN + logBlowup)
        for c in 0..<3 {
            var coeffs = columns[c]
            NTT.inverse(&coeffs)
            // Degree < n: interpolant agrees with the trace on H.
            #expect(naiveDFT(coeffs) == columns[c])
            for i in stride(from: 0, to: bigN, by: Swift.max(1, bigN / 37)) {
                let x = shift * omegaN.pow(UInt64(NTT.reverseBits(i, bits: logN + logBlowup)))
                #expect(lde[i, c] == horner(coeffs, x))
            }
            // Interpolating the LDE gives back the coefficients padded with zeros.
            var col = lde.column(c)
            col.withUnsafeMutableBufferPointer { LDE.interpolateCoset($0, shift: shift) }
            #expect(Array(col[0..<n]) == coeffs)
            #expect(col[n...].allSatisfy { $0 == .zero })
        }
        // From coefficients directly gives the same matrix.
        let coeffMatrix = ColumnMatrix(columns: columns.map { c -> [KoalaBear] in var c = c; NTT.inverse(&c); return c })
        #expect(LDE.cosetFromCoefficients(coeffMatrix, logBlowup: logBlowup, shift: shift) == lde)
    }

    @Test func extensionPointEvaluation() throws {
        var rng = TestRNG(seed: 400)
        let logN = 7, n = 1 << logN
        let values = rng.fields(n)
        var coeffs = values
        NTT.inverse(&coeffs)
        let z = rng.ext()
        let direct = coeffs.withUnsafeBufferPointer { PolynomialEvaluation.evaluate($0, at: z) }
        let w = try #require(PolynomialEvaluation.barycentricWeights(logN: logN, at: z, threads: 3))
        let bary = w.withUnsafeBufferPointer { wp in values.withUnsafeBufferPointer { PolynomialEvaluation.dot(wp, $0) } }
        #expect(direct == bary)
        // A point of H has no barycentric weights.
        #expect(PolynomialEvaluation.barycentricWeights(logN: logN, at: KoalaBearExt(KoalaBear.twoAdicGenerator(logN: logN)), threads: 1) == nil)
        let extCoeffs = coeffs.map { KoalaBearExt($0) }
        #expect(extCoeffs.withUnsafeBufferPointer { PolynomialEvaluation.evaluate($0, at: z) } == direct)
        let x = rng.field()
        #expect(extCoeffs.withUnsafeBufferPointer { PolynomialEvaluation.evaluate($0, at: x) } == KoalaBearExt(horner(coeffs, x)))
    }
}
