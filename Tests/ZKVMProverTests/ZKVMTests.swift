import Hashing
import KoalaBear
import Primitives
import RISCV
import STARK
import Testing
import TestSupport
@testable import ZKVMProver

/// `ZKVM.prove` / `ZKVM.verify` on the example guests, the claims, and the proof format.
@Suite("ZKVM.prove and ZKVM.verify", .tags(.slow), .disabled(if: Quick.enabled, Quick.reason))
struct ZKVMTests {
    /// A cheaper configuration for tests (the protocol's is ZKVM.proofConfig).
    static let config = ChipTests.config
    static let options = ProvingOptions(stark: config)

    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    static let guests: [(String, [UInt8])] = [
        ("fibonacci", le32(30)),
        ("sha256", Array("The quick brown fox jumps over the lazy dog".utf8)),
        ("keccak256", Array("abc".utf8)),
        ("sort", [9, 3, 7, 1, 0x8000_0000, 5].flatMap(le32)),
        ("merkle", (0..<96).map { UInt8($0) }),
    ]

    static let cases: [String] = ["c", "swift"].flatMap { l in guests.map { "\(l)/\($0.0)" } }

    @Test(arguments: cases)
    func exampleGuestProves(_ guest: String) throws {
        let program = try Program(elf: Guests.elf(guest + ".elf"))
        let input = ZKVMTests.guests.first { guest.hasSuffix("/" + $0.0) }!.1
        let expected = try Executor(program: program, inputs: [input]).run()
        let proof = try ZKVM.prove(program: program, input: input, options: ZKVMTests.options)
        let claims = try ZKVM.verify(proofBytes: proof.serialized(), program: program, inputs: [input], config: ZKVMTests.config)
        #expect(claims.publicOutput == expected.publicOutput)
        #expect(claims.exitCode == expected.exitCode)
        #expect(claims.cycles == expected.cycles)
        #expect(claims.programId == program.programId)
        #expect(claims.inputDigest == Claims.digest(ofInputs: [input]))
        #expect(claims.itemsRead == 1)
        #expect(claims.segments == 1)
    }

    @Test func aProofForOneProgramIsNoProofForAnother() throws {
        let a = try Program(elf: Guests.elf("c/sha256.elf")), b = try Program(elf: Guests.elf("swift/sha256.elf"))
        let input = Array("abc".utf8)
        let proof = try ZKVM.prove(program: a, input: input, options: ZKVMTests.options)
        #expect(throws: VerificationError.wrongProgram(expected: b.programId, got: a.programId)) {
            try ZKVM.verify(proof: proof, program: b, inputs: [input], config: ZKVMTests.config)
        }
        // Claiming b's id does not help: b's code is not what ran.
        var forged = proof
        forged.claims.programId = b.programId
        #expect(throws: VerificationError.self) { try ZKVM.verify(proof: forged, program: b, inputs: [input], config: ZKVMTests.config) }
        // Another input, another exit code, output or cycle count: refused.
        #expect(throws: VerificationError.self) {
            try ZKVM.verify(proof: proof, program: a, inputs: [Array("abd".utf8)], config: ZKVMTests.config)
        }
        for change in [{ (c: inout Claims) in c.exitCode ^= 1 }, { $0.cycles += 1 }, { $0.publicOutput[0] ^= 0x80 },
                       { $0.publicOutput.removeLast() }, { $0.itemsRead = 0 }] {
            var altered = proof
            change(&altered.claims)
            #expect(throws: VerificationError.self) { try ZKVM.verify(proof: altered, program: a, inputs: [input], config: ZKVMTests.config) }
        }
    }

    @Test func aReusedVerifyingKeyGivesTheSameVerdicts() throws {
        let program = try Program(elf: Guests.elf("c/fibonacci.elf"))
        let key = ZKVM.VerifyingKey(program: program, config: ZKVMTests.config)
        for n: UInt32 in [10, 300] {  // two sizes: two heights of some tables
            let input = ZKVMTests.le32(n)
            let proof = try ZKVM.prove(program: program, input: input, options: ZKVMTests.options)
            let first = try ZKVM.verify(proof: proof, key: key, inputs: [input])
            #expect(try ZKVM.verify(proof: proof, key: key, inputs: [input]) == first)
            #expect(first == (try ZKVM.verify(proof: proof, program: program, inputs: [input], config: ZKVMTests.config)))
            var altered = proof
            altered.claims.publicOutput[0] ^= 1
            #expect(throws: VerificationError.self) { try ZKVM.verify(proof: altered, key: key, inputs: [input]) }
            #expect(throws: VerificationError.self) { try ZKVM.verify(proof: proof, key: key, inputs: [ZKVMTests.le32(n + 1)]) }
        }
    }

    /// 10,000 random corruptions of a real proof (one byte flipped, or the proof cut short),
    /// each checked in full against one verifying key: every one is refused with a typed error.
    @Test func corruptedProofsAreRefusedWithATypedError() throws {
        let program = try Program(elf: Guests.elf("c/fibonacci.elf"))
        let input = ZKVMTests.le32(10)
        let bytes = try ZKVM.prove(program: program, input: input, options: ZKVMTests.options).serialized()
        #expect(try ExecutionProof(bytes: bytes).serialized() == bytes)
        let key = ZKVM.VerifyingKey(program: program, config: ZKVMTests.config)
        _ = try ZKVM.verify(proofBytes: bytes, key: key, inputs: [input])
        var rng = SplitMix64(seed: 99)
        var rejected = 0, decoding = 0
        let trials = 10_000
        for trial in 0..<trials {
            var b = bytes
            if trial % 4 == 0 {
                b = Array(b.prefix(Int.random(in: 0..<b.count, using: &rng)))
            } else {
                let i = Int.random(in: 0..<b.count, using: &rng)
                b[i] ^= UInt8.random(in: 1...255, using: &rng)
            }
            do {
                _ = try ZKVM.verify(proofBytes: b, key: key, inputs: [input])
                Issue.record("trial \(trial): a corrupted proof verified")
            } catch {
                rejected += 1
                if case .malformed = error { decoding += 1 }
            }
        }
        #expect(rejected == trials)
        // Most flips land in field elements and digests that decode fine: the verifier's checks,
        // not the decoder, refuse them.
        #expect(decoding < trials / 2)
        #expect(throws: VerificationError.self) { try ExecutionProof(bytes: bytes + [0]) }
        #expect(throws: VerificationError.self) { try ExecutionProof(bytes: bytes, maxSize: bytes.count - 1) }
    }

    @Test func trapsAndUnfinishedRunsHaveNoProof() throws {
        let program = try RV32.program([Asm.ebreak])
        #expect(throws: ProvingError.self) { try ZKVM.prove(program: program, inputs: [], options: ZKVMTests.options) }
        var options = ZKVMTests.options
        options.maxCycles = 100
        let loop = try RV32.program([Asm.jal(0, 0)])
        #expect(throws: ProvingError.self) { try ZKVM.prove(program: loop, inputs: [], options: options) }
    }
}
