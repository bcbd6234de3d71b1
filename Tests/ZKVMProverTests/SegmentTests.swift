import KoalaBear
import RISCV
import STARK
import Testing
import TestSupport
@testable import ZKVMProver

/// Runs proven in several segments: memory, registers, the pc and the I/O cursor carried across
/// boundaries, and segments that are reordered, dropped, duplicated or forged.
@Suite("ZKVM segments", .tags(.slow), .disabled(if: Quick.enabled, Quick.reason))
struct SegmentTests {
    static let config = ChipTests.config
    static let options = ProvingOptions(stark: config, segmentCycles: 64)

    /// Stores 0x5a5 at 0x300000 in the first segment, spins through the second, loads the word
    /// back in the third and exits with it.
    static let code: [UInt32] = [
        Asm.lui(5, 0x300),              // x5 = 0x300000 (kept in a register across segments)
        Asm.addi(6, 0, 0x5a5),
        Asm.sw(6, 0, 5),                // cycle 2: segment 0 writes the word
        Asm.addi(1, 0, 70),
        Asm.addi(1, 1, -1),             // loop: 140 cycles
        Asm.branch("bne", 1, 0, -4),
        Asm.lw(10, 0, 5),               // cycle 144: segment 2 reads it
    ] + Asm.halt

    static func proof() throws -> (ExecutionProof, Program) {
        let program = try RV32.program(code)
        return (try ZKVM.prove(program: program, inputs: [], options: options), program)
    }

    static func verify(_ proof: ExecutionProof, _ program: Program) throws -> Claims {
        try ZKVM.verify(proof: proof, program: program, inputs: [], config: config)
    }

    @Test func memoryWrittenInTheFirstSegmentIsReadInTheThird() throws {
        let (proof, program) = try SegmentTests.proof()
        #expect(proof.segments.count == 3)
        #expect(proof.segmentStarts.count == 2)
        let claims = try SegmentTests.verify(proof, program)
        #expect(claims.exitCode == 0x5a5)
        #expect(claims.segments == 3)
        #expect(claims.cycles == 147)
        // The encoding keeps the segments.
        let bytes = proof.serialized()
        #expect(try ExecutionProof(bytes: bytes) == proof)
        #expect(try ZKVM.verify(proofBytes: bytes, program: program, inputs: [], config: SegmentTests.config) == claims)
    }

    @Test func aForgedValueAcrossTheBoundaryFails() throws {
        let program = try RV32.program(SegmentTests.code)
        var options = SegmentTests.options
        options.stark.checkConstraints = false
        // The third segment's load claims the word held 0x5a4 (its low limb, one less), and
        // the register it loads into the same: locally consistent, but not what segment 0 left.
        let forged = try ZKVM.prove(program: program, inputs: [], options: options, progress: nil) { k, tables in
            guard k == 2, let t = tables.firstIndex(where: { $0.air.name == LoadStoreChip().name }) else { return }
            var m = tables[t].trace
            m[0, LoadStoreChip.Col.p] -= .one
            tables[t] = MachineTable(air: tables[t].air, trace: m, publicInputs: tables[t].publicInputs)
        }
        #expect(throws: VerificationError.self) { try SegmentTests.verify(forged, program) }
        // Altering segment 0's store instead fails the same way.
        let forgedStore = try ZKVM.prove(program: program, inputs: [], options: options, progress: nil) { k, tables in
            guard k == 0, let t = tables.firstIndex(where: { $0.air.name == LoadStoreChip().name }) else { return }
            var m = tables[t].trace
            m[0, LoadStoreChip.Col.n] += .one
            tables[t] = MachineTable(air: tables[t].air, trace: m, publicInputs: tables[t].publicInputs)
        }
        #expect(throws: VerificationError.self) { try SegmentTests.verify(forgedStore, program) }
    }

    @Test func reorderedDroppedOrDuplicatedSegmentsFail() throws {
        let (proof, program) = try SegmentTests.proof()
        _ = try SegmentTests.verify(proof, program)
        func altered(_ change: (inout ExecutionProof) -> Void) -> ExecutionProof {
            var p = proof
            change(&p)
            return p
        }
        let cases: [(String, ExecutionProof)] = [
            ("swap 0 and 1", altered { $0.segments.swapAt(0, 1) }),
            ("swap 1 and 2", altered { $0.segments.swapAt(1, 2); $0.segmentStarts.swapAt(0, 1) }),
            ("drop the last", altered { $0.segments.removeLast(); $0.segmentStarts.removeLast(); $0.claims.segments = 2 }),
            ("drop the last, fewer cycles", altered {
                $0.segments.removeLast(); $0.segmentStarts.removeLast(); $0.claims.segments = 2; $0.claims.cycles = 128
            }),
            ("drop the middle", altered { $0.segments.remove(at: 1); $0.segmentStarts.remove(at: 0); $0.claims.segments = 2 }),
            ("duplicate the middle", altered { $0.segments[2] = $0.segments[1] }),
            ("duplicate the first", altered { $0.segments[1] = $0.segments[0] }),
            ("one more segment", altered { $0.segments.append($0.segments[2]); $0.segmentStarts.append(4); $0.claims.segments = 4 }),
            ("another start pc", altered { $0.segmentStarts[1] &+= 4 }),
            ("another segment size", altered { $0.segmentCycles = 128 }),
        ]
        for (name, p) in cases {
            #expect(throws: VerificationError.self, "\(name)") { try SegmentTests.verify(p, program) }
            #expect(throws: VerificationError.self, "\(name), encoded") {
                try ZKVM.verify(proofBytes: p.serialized(), program: program, inputs: [], config: SegmentTests.config)
            }
        }
    }

    /// (guest, input, segment size): about 7,000 and 15,000 cycles in four segments each.
    static let guests: [(String, String, UInt64)] = [
        ("c/sha256", "The quick brown fox jumps over the lazy dog", 1 << 11), ("swift/sha256", "ab", 1 << 12),
    ]

    @Test(arguments: 0..<2)
    func guestsProveInSegmentsWithTheExecutorsClaims(_ index: Int) throws {
        // Input read and output written in different segments: the I/O cursor crosses them.
        let (guest, text, size) = SegmentTests.guests[index]
        let program = try Program(elf: Guests.elf(guest + ".elf"))
        let input = Array(text.utf8)
        let expected = try Executor(program: program, inputs: [input]).run()
        var options = SegmentTests.options
        options.segmentCycles = size
        let proof = try ZKVM.prove(program: program, input: input, options: options)
        let claims = try ZKVM.verify(proofBytes: proof.serialized(), program: program, inputs: [input], config: SegmentTests.config)
        #expect(claims.segments >= 3)
        #expect(UInt64(claims.segments) == (expected.cycles + size - 1) / size)
        #expect(claims.publicOutput == expected.publicOutput)
        #expect(claims.exitCode == expected.exitCode)
        #expect(claims.cycles == expected.cycles)
        var altered = proof
        altered.claims.publicOutput[0] ^= 1
        #expect(throws: VerificationError.self) { try ZKVM.verify(proof: altered, program: program, inputs: [input], config: SegmentTests.config) }
    }

    @Test func segmentSizesOutsideTheRangeAreRefused() throws {
        let program = try RV32.program(SegmentTests.code)
        for size: UInt64 in [32, 100, 1 << 22] {
            var options = SegmentTests.options
            options.segmentCycles = size
            #expect(throws: ProvingError.self, "\(size)") { try ZKVM.prove(program: program, inputs: [], options: options) }
        }
    }
}
