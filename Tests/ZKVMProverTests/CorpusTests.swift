import RISCV
import STARK
import Testing
import TestSupport
@testable import ZKVMProver

/// The executor's 320-program differential corpus (RISCVTests.DifferentialTests: the same
/// seeds, the same random bodies), each ending by publishing x1…x15 as its public output:
/// every program that halts proves and verifies with claims equal to the executor's results
/// (so the proof binds all fifteen registers), every program that traps has no proof.
@Suite("ZKVM: the differential corpus", .tags(.slow), .disabled(if: Quick.enabled, Quick.reason))
struct CorpusTests {
    static let dataBase: UInt32 = 0x30_0000

    @Test(arguments: 0..<8)
    func everyProgramOfTheCorpusProvesWithTheExecutorsClaims(batch: Int) throws {
        var rng = SplitMix64(seed: 0x5eed_0000 + UInt64(batch))
        var proven = 0, trapped = 0
        for index in 0..<40 {
            let (code, data) = RandomRV32Program.generate(&rng, length: 150, dataBase: CorpusTests.dataBase,
                                                          textStart: ZKVM.textStart, epilogue: RandomRV32Program.publishRegisters)
            let program = try RV32.program(code, data: data)
            let run: ExecutionResult
            do {
                run = try Executor(program: program, options: ExecutionOptions(maxCycles: 10_000)).run()
            } catch {
                trapped += 1
                #expect(throws: ProvingError.self, "program \(batch).\(index) traps: no proof") {
                    try ZKVM.prove(program: program, inputs: [], options: ZKVMTests.options)
                }
                continue
            }
            let proof = try ZKVM.prove(program: program, inputs: [], options: ZKVMTests.options)
            let claims = try ZKVM.verify(proof: proof, program: program, inputs: [], config: ZKVMTests.config)
            #expect(claims.programId == program.programId)
            #expect(claims.publicOutput == run.publicOutput && claims.publicOutput.count == 60, "program \(batch).\(index)")
            #expect(claims.exitCode == run.exitCode && claims.cycles == run.cycles, "program \(batch).\(index)")
            proven += 1
        }
        #expect(proven + trapped == 40 && proven > 0)
    }
}
