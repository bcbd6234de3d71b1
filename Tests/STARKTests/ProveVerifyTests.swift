import KoalaBear
import STARK
import STARKExamples
import Testing
import TestSupport

@Suite struct ExampleAIRTests {
    @Test(arguments: [1, 4, 6, 10])
    func fibonacci(logHeight: Int) throws {
        let air = FibonacciAIR()
        let (trace, pub) = FibonacciAIR.trace(logHeight: logHeight, a0: 2, b0: 7)
        let proof = try STARK.prove(air, trace: trace, publicInputs: pub, config: TestConfigs.small)
        try STARK.verify(air, proof: proof, publicInputs: pub, config: TestConfigs.small)
        let bytes = proof.serialized()
        #expect(try Proof(bytes: bytes) == proof)
        try STARK.verify(air, proofBytes: bytes, publicInputs: pub, config: TestConfigs.small)
    }

    /// The default configuration (≥ 100 conjectured bits, 16 grinding bits) end to end.
    @Test func fibonacciStandardConfig() throws {
        #expect(StarkConfig.standard.conjecturedSecurityBits >= 100)
        let air = FibonacciAIR()
        let (trace, pub) = FibonacciAIR.trace(logHeight: 8)
        let proof = try STARK.prove(air, trace: trace, publicInputs: pub)
        try STARK.verify(air, proofBytes: proof.serialized(), publicInputs: pub)
    }

    @Test func rangeCheckThroughLogUp() throws {
        let air = RangeCheckAIR(bits: 8)
        var rng = TestRNG(seed: 42)
        let values = (0..<1000).map { _ in UInt32(rng.below(256)) } + [0, 255]
        let trace = air.trace(values: values, logHeight: 10)
        let key = try STARK.setup(air, logTraceHeight: 10, config: TestConfigs.small)
        let proof = try STARK.prove(air, trace: trace, publicInputs: [], config: TestConfigs.small, key: key)
        #expect(proof.cumulativeSum == .zero)
        try STARK.verify(air, proof: proof, publicInputs: [], config: TestConfigs.small, key: key.verifyingKey)
        // Without a key the verifier recomputes the preprocessed commitment.
        try STARK.verify(air, proof: proof, publicInputs: [], config: TestConfigs.small)
    }

    @Test func permutationBetweenTwoTables() throws {
        let air = PermutationAIR()
        let trace = PermutationAIR.trace(logHeight: 7)
        let proof = try STARK.prove(air, trace: trace, publicInputs: [], config: TestConfigs.small)
        try STARK.verify(air, proof: proof, publicInputs: [], config: TestConfigs.small)
    }

    @Test func preprocessedTableLookup() throws {
        let air = XorChainAIR()
        var rng = TestRNG(seed: 7)
        let ys = (0..<256).map { _ in UInt32(rng.below(16)) }
        let (trace, pub) = XorChainAIR.trace(x0: 9, ys: ys, logHeight: 8)
        let key = try STARK.setup(air, logTraceHeight: 8, config: TestConfigs.small)
        let proof = try STARK.prove(air, trace: trace, publicInputs: pub, config: TestConfigs.small, key: key)
        try STARK.verify(air, proof: proof, publicInputs: pub, config: TestConfigs.small, key: key.verifyingKey)
        // A reusable verifier compiles the AIR once.
        let verifier = try STARKVerifier(air: air, config: TestConfigs.small, key: key.verifyingKey)
        try verifier.verify(proofBytes: proof.serialized(), publicInputs: pub)
        #expect(throws: StarkError.self) { try verifier.verify(proof, publicInputs: [pub[0], pub[1] + 1]) }
    }

    /// A degree-3 AIR with several lookups: interactions are grouped two to a helper column,
    /// the quotient has two chunks, and next-row openings include LogUp columns.
    @Test func cubicWithGroupedLookups() throws {
        let air = CubeChainAIR()
        let trace = CubeChainAIR.trace(logHeight: 6)
        let system = try ConstraintSystem(air: air)
        #expect(system.quotientChunks == 2)
        #expect(system.auxWidth == 3)  // two helpers (pairs of interactions) and the running sum
        let proof = try STARK.prove(air, trace: trace, publicInputs: [], config: TestConfigs.small)
        try STARK.verify(air, proof: proof, publicInputs: [], config: TestConfigs.small)
    }

    @Test func configurationsAndBackends() throws {
        let air = FibonacciAIR()
        let (trace, pub) = FibonacciAIR.trace(logHeight: 7)
        for fri in [FRIConfig(logBlowup: 1, numQueries: 10, proofOfWorkBits: 0, logFoldingArity: 1, logFinalPolynomialLength: 0),
                    FRIConfig(logBlowup: 3, numQueries: 5, proofOfWorkBits: 4, logFoldingArity: 4, logFinalPolynomialLength: 3),
                    FRIConfig(logBlowup: 2, numQueries: 6, proofOfWorkBits: 1, logFoldingArity: 3, logFinalPolynomialLength: 10)] {
            let config = StarkConfig(fri: fri)
            let proof = try STARK.prove(air, trace: trace, publicInputs: pub, config: config, backend: CPUBackend(threads: 3))
            try STARK.verify(air, proof: proof, publicInputs: pub, config: config)
            // A verifier with another configuration rejects.
            #expect(throws: StarkError.self) { try STARK.verify(air, proof: proof, publicInputs: pub, config: TestConfigs.small) }
        }
    }
}

/// x' = x³ + c on every transition, with (x, y) rows permuted into (u, v) and x also range
/// checked against a column of small values: degree 3, four interactions.
struct CubeChainAIR: AIR {
    var name: String { "cube-chain" }
    var mainWidth: Int { 5 }  // x, y, u, v, w

    func constraints(_ b: ConstraintBuilder) {
        let x = b.main(0)
        b.assertEqual(b.mainNext(0), x * x * x + 5, on: .transition)
        b.assertEqual(b.main(1), x + 1)
        b.send(Bus(0, "bus0"), values: [b.main(0), b.main(1)])
        b.receive(Bus(0, "bus0"), values: [b.main(2), b.main(3)])
        b.send(Bus(1, "bus1"), values: [b.main(4)])
        b.receive(Bus(1, "bus1"), values: [b.main(4)])
    }

    static func trace(logHeight: Int) -> ColumnMatrix {
        let n = 1 << logHeight
        var m = ColumnMatrix(width: 5, height: n)
        var x = KoalaBear(3)
        for r in 0..<n {
            m[r, 0] = x
            m[r, 1] = x + 1
            m[r, 4] = KoalaBear(UInt32(r % 3))
            x = x * x * x + 5
        }
        for r in 0..<n {
            m[r, 2] = m[n - 1 - r, 0]
            m[r, 3] = m[n - 1 - r, 1]
        }
        return m
    }
}
