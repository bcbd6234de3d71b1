import Primitives
import RISCV
import SystemContracts
import Testing
import TestSupport
import ZKVMProver
@testable import Node

/// The zkVM's verifier behind the Market's seam, with the protocol's own proof parameters.
@Suite("ZKVM proof verifier (the Market's seam)", .tags(.slow), .disabled(if: Quick.enabled, Quick.reason))
struct ZKVMProofVerifierTests {
    @Test func aValidProofIsAcceptedAndReportsTheRun() throws {
        let elf = try Guests.elf("c/fibonacci.elf")
        let program = try Program(elf: elf)
        let input: [UInt8] = [20, 0, 0, 0]
        let expected = try Executor(program: program, inputs: [input]).run()
        let proof = try ZKVM.prove(program: program, input: input).serialized()
        let verifier: any ProofVerifier = ZKVMProofVerifier()
        let run = try verifier.verify(proof: proof, elf: elf, programId: program.programId, input: input)
        #expect(run == VerifiedRun(output: expected.publicOutput, exitCode: expected.exitCode, cycles: expected.cycles))

        // Another input, another program, a registered id that is not the ELF's, garbage: rejected with a reason.
        #expect(throws: ProofRejection.self) { try verifier.verify(proof: proof, elf: elf, programId: program.programId, input: [21, 0, 0, 0]) }
        let other = try Guests.elf("swift/fibonacci.elf")
        #expect(throws: ProofRejection.self) {
            try verifier.verify(proof: proof, elf: other, programId: try Program(elf: other).programId, input: input)
        }
        #expect(throws: ProofRejection.self) { try verifier.verify(proof: proof, elf: other, programId: program.programId, input: input) }
        #expect(throws: ProofRejection.self) { try verifier.verify(proof: Array(proof.prefix(100)), elf: elf, programId: program.programId, input: input) }
        #expect(throws: ProofRejection.self) { try verifier.verify(proof: [], elf: elf, programId: program.programId, input: input) }
    }
}
