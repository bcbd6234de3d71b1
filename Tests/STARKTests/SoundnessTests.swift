import KoalaBear
import STARK
import STARKExamples
import Testing
import TestSupport

@Suite struct SoundnessTests {
    /// Every single-byte change of a valid proof is rejected, by the decoder or the verifier,
    /// and none crashes.
    @Test func thousandRandomByteFlips() throws {
        let config = StarkConfig(fri: FRIConfig(logBlowup: 2, numQueries: 6, proofOfWorkBits: 1,
                                                logFoldingArity: 2, logFinalPolynomialLength: 1))
        let air = FibonacciAIR()
        let (trace, pub) = FibonacciAIR.trace(logHeight: 4)
        let bytes = try STARK.prove(air, trace: trace, publicInputs: pub, config: config).serialized()
        try STARK.verify(air, proofBytes: bytes, publicInputs: pub, config: config)
        var rng = TestRNG(seed: 2024)
        var accepted: [Int] = []
        for _ in 0..<1000 {
            var tampered = bytes
            let pos = rng.below(bytes.count)
            tampered[pos] ^= UInt8(1 + rng.below(255))
            do {
                try STARK.verify(air, proofBytes: tampered, publicInputs: pub, config: config)
                accepted.append(pos)
            } catch {
                // Rejected, as it must be.
            }
        }
        #expect(accepted.isEmpty, "accepted tampered proofs at byte offsets \(accepted)")
    }

    /// Same for an AIR with preprocessed columns and lookups (every proof section present).
    @Test func byteFlipsWithLookups() throws {
        let config = StarkConfig(fri: FRIConfig(logBlowup: 1, numQueries: 4, proofOfWorkBits: 1,
                                                logFoldingArity: 2, logFinalPolynomialLength: 1))
        let air = RangeCheckAIR(bits: 3)
        let trace = air.trace(values: [1, 2, 3, 7, 0, 5], logHeight: 3)
        let key = try STARK.setup(air, logTraceHeight: 3, config: config)
        let bytes = try STARK.prove(air, trace: trace, publicInputs: [], config: config, key: key).serialized()
        var rng = TestRNG(seed: 99)
        for _ in 0..<300 {
            var tampered = bytes
            tampered[rng.below(bytes.count)] ^= UInt8(1 + rng.below(255))
            #expect(throws: StarkError.self) {
                try STARK.verify(air, proofBytes: tampered, publicInputs: [], config: config, key: key.verifyingKey)
            }
        }
    }

    @Test func wrongPublicInput() throws {
        let air = FibonacciAIR()
        let (trace, pub) = FibonacciAIR.trace(logHeight: 6)
        let proof = try STARK.prove(air, trace: trace, publicInputs: pub, config: TestConfigs.small)
        for k in 0..<3 {
            var bad = pub
            bad[k] += 1
            #expect(throws: StarkError.self) { try STARK.verify(air, proof: proof, publicInputs: bad, config: TestConfigs.small) }
        }
        // Claiming a wrong result makes the prover fail its check…
        var bad = pub
        bad[2] += 1
        #expect(throws: StarkError.self) { try STARK.prove(air, trace: trace, publicInputs: bad, config: TestConfigs.small) }
        // …and without the check the proof does not verify.
        let forged = try STARK.prove(air, trace: trace, publicInputs: bad, config: TestConfigs.unchecked)
        #expect(throws: StarkError.self) { try STARK.verify(air, proof: forged, publicInputs: bad, config: TestConfigs.small) }
        #expect(throws: StarkError.publicInputCount(expected: 3, got: 2)) {
            try STARK.verify(air, proof: proof, publicInputs: [pub[0], pub[1]], config: TestConfigs.small)
        }
    }

    @Test func oneBrokenConstraintOnOneRow() throws {
        let air = FibonacciAIR()
        var (trace, pub) = FibonacciAIR.trace(logHeight: 6)
        trace[37, 1] = trace[37, 1] + 1
        // Downstream rows are recomputed so that only the transition into row 37 breaks.
        for r in 38..<64 {
            trace[r, 0] = trace[r - 1, 1]
            trace[r, 1] = trace[r - 1, 0] + trace[r - 1, 1]
        }
        pub[2] = trace[63, 1]
        #expect(throws: StarkError.constraintNotSatisfied(constraint: 3, row: 36, detail: "b' = a + b")) {
            try STARK.prove(air, trace: trace, publicInputs: pub, config: TestConfigs.small)
        }
        let proof = try STARK.prove(air, trace: trace, publicInputs: pub, config: TestConfigs.unchecked)
        #expect(throws: StarkError.self) { try STARK.verify(air, proof: proof, publicInputs: pub, config: TestConfigs.small) }
    }

    @Test func lookupValueOutsideItsTable() throws {
        let air = RangeCheckAIR(bits: 4)
        var values = (0..<60).map { UInt32($0 % 16) }
        values[17] = 16  // one value out of range
        let trace = air.trace(values: values, logHeight: 6)
        #expect(throws: StarkError.lookupNotBalanced(bus: 0)) {
            try STARK.prove(air, trace: trace, publicInputs: [], config: TestConfigs.small)
        }
        let proof = try STARK.prove(air, trace: trace, publicInputs: [], config: TestConfigs.unchecked)
        #expect(throws: StarkError.self) { try STARK.verify(air, proof: proof, publicInputs: [], config: TestConfigs.small) }
        // Forging a zero total does not help: the running sum's last-row constraint breaks.
        var forged = proof
        forged.cumulativeSum = .zero
        #expect(throws: StarkError.self) { try STARK.verify(air, proof: forged, publicInputs: [], config: TestConfigs.small) }
    }

    @Test func brokenPermutationAndPreprocessedLookup() throws {
        var trace = PermutationAIR.trace(logHeight: 5)
        trace[3, 2] = trace[3, 2] + 1
        trace[3, 3] = trace[3, 2] * trace[3, 2]
        #expect(throws: StarkError.lookupNotBalanced(bus: 1)) {
            try STARK.prove(PermutationAIR(), trace: trace, publicInputs: [], config: TestConfigs.small)
        }
        let p = try STARK.prove(PermutationAIR(), trace: trace, publicInputs: [], config: TestConfigs.unchecked)
        #expect(throws: StarkError.self) { try STARK.verify(PermutationAIR(), proof: p, publicInputs: [], config: TestConfigs.small) }

        // A wrong XOR result: z ≠ x ⊕ y on one row (the chain stays consistent).
        let air = XorChainAIR()
        let ys = (0..<256).map { UInt32($0 * 5 % 16) }
        var (xt, pub) = XorChainAIR.trace(x0: 3, ys: ys, logHeight: 8)
        xt[255, 2] = KoalaBear(xt[255, 2].value ^ 1)
        pub[1] = xt[255, 2]
        #expect(throws: StarkError.self) { try STARK.prove(air, trace: xt, publicInputs: pub, config: TestConfigs.small) }
        let key = try STARK.setup(air, logTraceHeight: 8, config: TestConfigs.small)
        let xp = try STARK.prove(air, trace: xt, publicInputs: pub, config: TestConfigs.unchecked, key: key)
        #expect(throws: StarkError.self) {
            try STARK.verify(air, proof: xp, publicInputs: pub, config: TestConfigs.small, key: key.verifyingKey)
        }
    }

    @Test func verifyingKeyMismatch() throws {
        let air = RangeCheckAIR(bits: 3)
        let trace = air.trace(values: [1, 2, 3], logHeight: 4)
        let key = try STARK.setup(air, logTraceHeight: 4, config: TestConfigs.small)
        let proof = try STARK.prove(air, trace: trace, publicInputs: [], config: TestConfigs.small, key: key)
        let otherHeight = try STARK.setup(air, logTraceHeight: 5, config: TestConfigs.small)
        #expect(throws: StarkError.self) {
            try STARK.verify(air, proof: proof, publicInputs: [], config: TestConfigs.small, key: otherHeight.verifyingKey)
        }
        // The same trace proved against a different table (range 2^4 instead of 2^3) is rejected.
        let wider = RangeCheckAIR(bits: 4)
        #expect(throws: StarkError.self) {
            try STARK.verify(wider, proof: proof, publicInputs: [], config: TestConfigs.small)
        }
    }

    @Test func determinism() throws {
        let air = XorChainAIR()
        let ys = (0..<256).map { UInt32($0 * 11 % 16) }
        let (trace, pub) = XorChainAIR.trace(x0: 1, ys: ys, logHeight: 8)
        let a = try STARK.prove(air, trace: trace, publicInputs: pub, config: TestConfigs.small,
                                backend: CPUBackend(threads: 1)).serialized()
        let b = try STARK.prove(air, trace: trace, publicInputs: pub, config: TestConfigs.small,
                                backend: CPUBackend(threads: 4)).serialized()
        let c = try STARK.prove(air, trace: trace, publicInputs: pub, config: TestConfigs.small).serialized()
        #expect(a == b && b == c)
        let (ft, fp) = FibonacciAIR.trace(logHeight: 5)
        let f1 = try STARK.prove(FibonacciAIR(), trace: ft, publicInputs: fp).serialized()
        let f2 = try STARK.prove(FibonacciAIR(), trace: ft, publicInputs: fp).serialized()
        #expect(f1 == f2)
    }
}

@Suite struct ProofFormatTests {
    func sampleProof() throws -> (Proof, [UInt8]) {
        let (trace, pub) = FibonacciAIR.trace(logHeight: 4)
        let p = try STARK.prove(FibonacciAIR(), trace: trace, publicInputs: pub, config: TestConfigs.small)
        return (p, p.serialized())
    }

    @Test func versionByteAndStrictLength() throws {
        let (proof, bytes) = try sampleProof()
        #expect(bytes[0] == Proof.currentVersion)
        #expect(try Proof(bytes: bytes) == proof)
        #expect(throws: StarkError.self) { try Proof(bytes: bytes + [0]) }
        #expect(throws: StarkError.self) { try Proof(bytes: Array(bytes.dropLast())) }
        for cut in [0, 1, 2, 3, 40, bytes.count / 2] {
            #expect(throws: StarkError.self) { try Proof(bytes: Array(bytes.prefix(cut))) }
        }
        var v2 = bytes
        v2[0] = 2
        #expect(throws: StarkError.self) { try Proof(bytes: v2) }
    }

    @Test func garbageNeverCrashes() {
        var rng = TestRNG(seed: 5)
        for len in [0, 1, 7, 100, 1000, 5000] {
            for _ in 0..<20 {
                var g = (0..<len).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                if !g.isEmpty { g[0] = 1 }
                #expect(throws: StarkError.self) { try Proof(bytes: g) }
            }
        }
        // Huge counts are refused before allocating.
        var huge = [UInt8](repeating: 0xff, count: 200)
        huge[0] = 1
        huge[1] = 4
        huge[2] = 0
        #expect(throws: StarkError.self) { try Proof(bytes: huge) }
    }

    @Test func nonCanonicalFieldElementRejected() throws {
        let (_, bytes) = try sampleProof()
        // The first out-of-domain value starts after version, height, flags, two roots and the count.
        var b = bytes
        let offset = 3 + 32 + 32 + 4
        b[offset] = 0x01
        b[offset + 1] = 0x00
        b[offset + 2] = 0x00
        b[offset + 3] = 0x7f  // 0x7f000001 = p
        #expect(throws: StarkError.self) { try Proof(bytes: b) }
    }
}
