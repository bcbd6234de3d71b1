import Foundation
import KoalaBear
import RISCV
import STARK
import Testing
import TestSupport
@testable import ZKVMProver

/// The security of the protocol's configuration (docs/zkvm.md §2), computed from the machine's
/// own tables rather than written down once.
@Suite("ZKVM security")
struct SecurityTests {
    static let program = try! RV32.program([Asm.addi(10, 0, 7)] + Asm.halt)

    static func systems(last: Bool) throws -> [ConstraintSystem] {
        try RV32Machine.airs(program: ProgramChip(program: program), last: last).map { try ConstraintSystem(air: $0) }
    }

    @Test func theProtocolsConfigurationGivesAtLeast100Bits() throws {
        let config = ZKVM.proofConfig
        #expect(config.fri.conjecturedSecurityBits == 2 * 42 + 20)
        #expect(config.minimumSecurityBits == 100)
        // The longest honest run in the largest segments: 2^25 cycles in 16 segments of 2^21,
        // every cycle an SRA (the instruction with the most chip rows and fractions: a shift, a
        // DIVU with its two products and its remainder check), the boundary at 2^22 rows.
        let logHeight: [String: Int] = ["cpu": 21, "program": 16, "alu-add-sub": 21, "alu-bitwise": 10, "alu-less-than": 21,
                                        "alu-mul": 22, "alu-shift": 21, "alu-div": 21, "load-store": 10, "syscall": 4, "io": 4,
                                        "range16": 16, "byte": 16, "memory-boundary": 22]
        let middle = try SecurityTests.systems(last: false), last = try SecurityTests.systems(last: true)
        for s in last { #expect(logHeight[s.name] != nil, "\(s.name) has a height in this shape") }
        let segment = { (systems: [ConstraintSystem]) in systems.map { (system: $0, logHeight: logHeight[$0.name] ?? 22) } }
        let shape = Array(repeating: segment(middle), count: 15) + [segment(last)]
        let estimate = SoundnessEstimate(segments: shape, publicInteractions: 1 << 20, config: config)
        #expect(estimate.bits >= 100, "\(estimate)")
        #expect(estimate.friBits == 104)
        #expect(estimate.logUpBits >= 100 && estimate.deepBits >= 100 && estimate.batchingBits >= 100, "\(estimate)")
        // Without the grinding before α, β the same shape falls short: the grinding is needed.
        var bare = config
        bare.lookupGrindingBits = 0
        #expect(SoundnessEstimate(segments: shape, publicInteractions: 1 << 20, config: bare).bits < 100)
        // The longest tuple is the program table's decoded row (pc, 1, rs1, rs2, rd, imm's two
        // limbs, target, op, 11 flags); the docs' figure is that.
        #expect(last.map(\.maxTupleLength).max() == 20)
    }

    @Test func theEstimateIsTheSumOfItsParts() throws {
        let systems = try SecurityTests.systems(last: true)
        let one = [systems.map { (system: $0, logHeight: 10) }]
        let config = ZKVM.proofConfig
        let e = SoundnessEstimate(segments: one, publicInteractions: 100, config: config)
        let fractions = Double(systems.reduce(0) { $0 + $1.interactionCount } << 10 + 100)
        let tuple = Double(systems.map(\.maxTupleLength).max()! + 1)
        #expect(abs(e.logUpBits - (SoundnessEstimate.fieldBits - log2(fractions * tuple) + 16)) < 1e-9)
        let deep = Double(systems.reduce(0) { $0 + ($1.maxEffectiveDegree + 2) << 10 })
        #expect(abs(e.deepBits - (SoundnessEstimate.fieldBits - log2(deep) + 8)) < 1e-9)
        let sum = exp2(-e.friBits) + exp2(-e.logUpBits) + exp2(-e.deepBits) + exp2(-e.batchingBits)
        #expect(abs(e.bits + log2(sum)) < 1e-9)
        // More segments: LogUp's fractions add up, DEEP and FRI stay those of the worst segment.
        let four = SoundnessEstimate(segments: Array(repeating: one[0], count: 4), publicInteractions: 100, config: config)
        #expect(four.logUpBits < e.logUpBits - 1.9 && four.deepBits == e.deepBits && four.friBits == e.friBits)
        #expect(abs(SoundnessEstimate.fieldBits - 4 * log2(2_130_706_433.0)) < 1e-9)
    }

    /// A proof made with the protocol's configuration: the verifier computes its security from
    /// its shape, and one that asks for more refuses it.
    @Test(.tags(.slow), .disabled(if: Quick.enabled, Quick.reason))
    func theVerifierHoldsProofsToTheFloor() throws {
        let program = SecurityTests.program
        let proof = try ZKVM.prove(program: program, inputs: [], options: ProvingOptions(stark: ZKVM.proofConfig, segmentCycles: 64))
        let key = ZKVM.VerifyingKey(program: program)
        let claims = try ZKVM.verify(proof: proof, key: key, inputs: [])
        #expect(claims.exitCode == 7)
        let estimate = try ZKVM.soundness(of: proof, key: key, inputs: [])
        #expect(estimate.bits >= 100 && estimate.bits < 104, "\(estimate)")
        var strict = ZKVM.proofConfig
        strict.minimumSecurityBits = 110
        #expect(throws: VerificationError.self) {
            try ZKVM.verify(proof: proof, key: ZKVM.VerifyingKey(program: program, config: strict), inputs: [])
        }
        #expect(throws: ProvingError.self) {
            try ZKVM.prove(program: program, inputs: [], options: ProvingOptions(stark: strict, segmentCycles: 64))
        }
    }
}
