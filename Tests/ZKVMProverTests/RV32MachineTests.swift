import KoalaBear
import RISCV
import STARK
import Testing
import TestSupport
@testable import ZKVMProver

/// Proves a run of `code` (at ZKVM.textStart, with optional data at 0x300000) end to end and
/// returns the result, so tests can compare claims.
enum RV32 {
    static let config = ChipTests.config

    static func program(_ code: [UInt32], data: [UInt8] = []) throws -> Program {
        let bytes = code.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
        return try Program(entry: ZKVM.textStart, segments: [
            Segment(address: ZKVM.textStart, memorySize: UInt32(bytes.count), isExecutable: true, data: bytes),
            Segment(address: 0x30_0000, memorySize: 4096, isExecutable: false, data: data),
        ])
    }

    static func execute(_ program: Program, inputs: [[UInt8]] = []) throws -> ExecutionResult {
        try Executor(program: program, inputs: inputs, options: ExecutionOptions(maxCycles: 1 << 20, recordTrace: true)).run()
    }

    /// Proves and verifies; returns the proof and the statement for further checks.
    @discardableResult
    static func prove(_ program: Program, inputs: [[UInt8]] = [], check: Bool = true) throws -> (MachineProof, ExecutionResult, RunStatement) {
        let result = try execute(program, inputs: inputs)
        let chip = ProgramChip(program: program)
        let (tables, statement) = try RV32Machine.tables(program: program, chip: chip, inputs: inputs, trace: #require(result.trace),
                                                         output: result.publicOutput, exitCode: result.exitCode)
        var c = config
        c.checkConstraints = check
        let proof = try Machine.prove(tables, publicInteractions: RV32Machine.publicInteractions(statement), config: c)
        try verify(proof, statement)
        return (proof, result, statement)
    }

    static func verify(_ proof: MachineProof, _ statement: RunStatement) throws {
        let chip = ProgramChip(program: statement.program)
        try Machine.verify(RV32Machine.airs(program: chip), proof: proof, publicInputs: RV32Machine.publicInputs(statement),
                           publicInteractions: RV32Machine.publicInteractions(statement), config: config)
    }
}

@Suite("RV32IM machine", .tags(.slow), .disabled(if: Quick.enabled, Quick.reason))
struct RV32MachineTests {
    /// Σ 1…10 in a loop, a call and return, lui/auipc, mul, slt, xor; exits with a mix of them.
    static let loop: [UInt32] = [
        Asm.addi(1, 0, 10),         // x1 = 10
        Asm.addi(2, 0, 0),          // x2 = 0
        Asm.add(2, 2, 1),           // loop: x2 += x1
        Asm.addi(1, 1, -1),         //       x1 -= 1
        Asm.branch("bne", 1, 0, -8),
        Asm.jal(1, 12),             // call f (3 instructions ahead)
        Asm.op("xor", 10, 10, 2),   // a0 ^= x2
        Asm.jal(0, 16),             // skip f
        Asm.lui(3, 0x12345),        // f: x3 = 0x12345000
        Asm.op("mul", 10, 2, 2),    //    a0 = x2 * x2
        Asm.jalr(0, 1, 0),          //    return
        Asm.auipc(4, 1),            // x4 = pc + 0x1000
        Asm.op("slt", 5, 4, 3),     // x5 = x4 < x3
        Asm.branch("bge", 5, 0, 8), // taken
        Asm.addi(10, 0, 1),         // skipped
        Asm.op("sltu", 6, 3, 4),
        Asm.op("mulhu", 7, 3, 3),
        Asm.op("or", 10, 10, 6),
        Asm.op("sub", 10, 10, 7),
        Asm.branch("beq", 0, 0, 8),
        Asm.addi(10, 0, 2),         // skipped
    ] + Asm.halt

    @Test func aLoopWithCallsAndBranchesProves() throws {
        let program = try RV32.program(RV32MachineTests.loop)
        let (_, result, _) = try RV32.prove(program)
        let expectedA0 = (UInt32(55 * 55) ^ 55) | (0x1234_5000 < UInt32(0x20_0800 + 44 + 0x1000) ? 1 : 0)
        #expect(result.exitCode == expectedA0 &- UInt32((UInt64(0x1234_5000) * 0x1234_5000) >> 32))
    }

    @Test func claimsAreBound() throws {
        let program = try RV32.program(RV32MachineTests.loop)
        let (proof, _, statement) = try RV32.prove(program)
        var s = statement
        s.exitCode ^= 1
        #expect(throws: StarkError.self) { try RV32.verify(proof, s) }
        s = statement
        s.cycles += 1
        #expect(throws: StarkError.self) { try RV32.verify(proof, s) }
        // Another program (one immediate changed) rejects the proof.
        var other = RV32MachineTests.loop
        other[0] = Asm.addi(1, 0, 11)
        s = statement
        s.program = try RV32.program(other)
        #expect(throws: StarkError.self) { try RV32.verify(proof, s) }
    }
}

@Suite("RV32IM machine: loads and stores", .tags(.slow), .disabled(if: Quick.enabled, Quick.reason))
struct LoadStoreMachineTests {
    /// Every load and store width at every legal offset, sign extension both ways, the stack,
    /// a load from the code; exits with a checksum of what it loaded.
    static let code: [UInt32] = Asm.li(1, 0x30_0000) + Asm.li(11, 0x80f1_7f82) + [
        Asm.sw(11, 0, 1),
        Asm.load("lb", 3, 0, 1), Asm.load("lb", 4, 1, 1), Asm.load("lb", 5, 2, 1), Asm.load("lb", 6, 3, 1),
        Asm.load("lbu", 7, 0, 1), Asm.load("lbu", 8, 3, 1),
        Asm.load("lh", 9, 0, 1), Asm.load("lh", 13, 2, 1), Asm.load("lhu", 14, 2, 1), Asm.load("lhu", 15, 0, 1),
        Asm.store("sb", 11, 5, 1), Asm.store("sb", 11, 6, 1), Asm.store("sh", 11, 10, 1), Asm.store("sh", 11, 8, 1),
        Asm.lw(16, 4, 1), Asm.lw(17, 8, 1),
        Asm.store("sw", 17, -4, 2), Asm.lw(18, -4, 2),   // the stack
        Asm.load("lbu", 19, 4, 0),                        // x0-based, address 4 (zero memory)
        Asm.load("lw", 0, 0, 1),                          // a load to x0
        Asm.lui(20, 0x201), Asm.lw(20, -2048, 20),        // the first instruction word
    ] + [3, 4, 5, 6, 7, 8, 9, 13, 14, 15, 16, 17, 18, 19, 20].map { Asm.op("xor", 10, 10, $0) } + Asm.halt

    @Test func everyWidthAndOffsetProves() throws {
        let program = try RV32.program(LoadStoreMachineTests.code)
        let (_, result, _) = try RV32.prove(program)
        #expect(result.cycles > 30)
    }
}

/// The executor's per-instruction edge cases, proven: one program per family checks every case
/// against its expected value and exits with the number of mismatches, so a verified proof with
/// exit code 0 attests every result.
@Suite("RV32IM machine: the instruction edge cases", .tags(.slow), .disabled(if: Quick.enabled, Quick.reason))
struct InstructionCaseProofs {
    /// x12 ← expected; a0 += (x11 != x12).
    static func check(_ expected: UInt32) -> [UInt32] {
        Asm.li(12, expected) + [Asm.branch("beq", 11, 12, 8), Asm.addi(10, 10, 1)]
    }

    static func proveClean(_ code: [UInt32], data: [UInt8] = []) throws {
        let program = try RV32.program(Asm.li(10, 0) + code + Asm.halt, data: data)
        let (_, result, _) = try RV32.prove(program)
        #expect(result.exitCode == 0, "\(result.exitCode) cases disagree")
    }

    @Test(arguments: InstructionCases.register.keys.sorted())
    func registerRegister(_ name: String) throws {
        var code: [UInt32] = []
        for (a, b, expected) in InstructionCases.register[name]! {
            code += Asm.li(1, a) + Asm.li(9, b) + [Asm.op(name, 11, 1, 9), Asm.op(name, 0, 1, 9)] + Self.check(expected)
            code += [Asm.add(11, 1, 0), Asm.op(name, 11, 11, 9)] + Self.check(expected)  // rd == rs1
            code += [Asm.add(11, 9, 0), Asm.op(name, 11, 1, 11)] + Self.check(expected)  // rd == rs2
        }
        try InstructionCaseProofs.proveClean(code)
    }

    @Test func registerImmediate() throws {
        var code: [UInt32] = []
        for name in InstructionCases.immediate.keys.sorted() {
            for (a, imm, expected) in InstructionCases.immediate[name]! {
                code += Asm.li(1, a) + [Asm.opImm(name, 11, 1, imm), Asm.opImm(name, 0, 1, imm)] + Self.check(expected)
            }
        }
        try InstructionCaseProofs.proveClean(code)
    }

    @Test func branches() throws {
        var code: [UInt32] = []
        for (name, a, b, taken) in InstructionCases.branches {
            code += Asm.li(1, a) + Asm.li(9, b) + [Asm.addi(11, 0, 0), Asm.branch(name, 1, 9, 8), Asm.addi(11, 0, 1)]
            code += Self.check(taken ? 0 : 1)
        }
        try InstructionCaseProofs.proveClean(code)
    }

    @Test func loads() throws {
        var code: [UInt32] = Asm.li(9, 0x30_0000) + Asm.li(8, 0x30_0010)
        for (name, offset, expected) in InstructionCases.loads {
            code += [Asm.load(name, 11, offset, 9)] + Self.check(expected)
            code += [Asm.load(name, 11, offset - 16, 8), Asm.load(name, 0, offset, 9)] + Self.check(expected)
        }
        try InstructionCaseProofs.proveClean(code, data: InstructionCases.loadData)
    }
}

@Suite("RV32IM machine: system calls and public I/O", .tags(.slow), .disabled(if: Quick.enabled, Quick.reason))
struct SyscallMachineTests {
    /// Reads two input items (HINT_LEN, HINT_READ; the second to an unaligned buffer), asks for
    /// a third that is not there, echoes them to fd 3 from an unaligned start, writes to stdout,
    /// commits, and exits with the second item's length plus HINT_LEN's "none left" marker + 1 (0).
    static let code: [UInt32] = Asm.li(20, 0x30_0000)
        + Asm.syscall(0xF0) + [Asm.addi(21, 5, 0)]                              // x21 = len0
        + [Asm.addi(10, 20, 0), Asm.addi(11, 21, 0)] + Asm.syscall(0xF1)           // read item 0 to 0x300000
        + Asm.syscall(0xF0) + [Asm.addi(22, 5, 0)]                               // x22 = len1
        + [Asm.addi(10, 20, 0x101), Asm.addi(11, 22, 0)] + Asm.syscall(0xF1)       // item 1 to 0x300101
        + Asm.syscall(0xF0) + [Asm.addi(23, 5, 1)]                               // 0xFFFFFFFF + 1 = 0
        + [Asm.addi(10, 0, 3), Asm.addi(11, 20, 1), Asm.addi(12, 21, -1)] + Asm.syscall(0x02)   // item 0 minus its first byte
        + [Asm.addi(10, 0, 3), Asm.addi(11, 20, 0x101), Asm.addi(12, 22, 0)] + Asm.syscall(0x02) // item 1
        + [Asm.addi(10, 0, 3), Asm.addi(11, 20, 0), Asm.addi(12, 0, 0)] + Asm.syscall(0x02)      // nothing
        + [Asm.addi(10, 0, 1), Asm.addi(11, 20, 0), Asm.addi(12, 0, 5)] + Asm.syscall(0x02)      // stdout
        + [Asm.addi(10, 0, 7), Asm.addi(11, 0, 99)] + Asm.syscall(0x10)                          // COMMIT
        + [Asm.add(10, 22, 23)] + Asm.halt

    static let inputs: [[UInt8]] = [Array("hello, world".utf8), (0..<37).map { UInt8($0 &* 7 &+ 3) }]

    @Test func readsInputAndWritesOutput() throws {
        let program = try RV32.program(SyscallMachineTests.code)
        let (proof, result, statement) = try RV32.prove(program, inputs: SyscallMachineTests.inputs)
        #expect(result.publicOutput == Array("ello, world".utf8) + SyscallMachineTests.inputs[1])
        #expect(result.exitCode == 37)
        #expect(statement.itemsRead == 2)

        // Every public claim altered fails.
        var s = statement
        s.output[3] ^= 1
        #expect(throws: StarkError.self) { try RV32.verify(proof, s) }
        s = statement
        s.output.removeLast()
        #expect(throws: StarkError.self) { try RV32.verify(proof, s) }
        s = statement
        s.output.append(0)
        #expect(throws: StarkError.self) { try RV32.verify(proof, s) }
        s = statement
        s.inputs[1][5] ^= 1
        #expect(throws: StarkError.self) { try RV32.verify(proof, s) }
        s = statement
        s.inputs[0].append(1)
        #expect(throws: StarkError.self) { try RV32.verify(proof, s) }
        s = statement
        s.inputs.append([1, 2, 3])  // HINT_LEN saw "none left"
        #expect(throws: StarkError.self) { try RV32.verify(proof, s) }
        s = statement
        s.itemsRead = 1
        #expect(throws: StarkError.self) { try RV32.verify(proof, s) }
    }

    @Test func unreadInputIsFree() throws {
        // A guest that reads nothing.
        let program = try RV32.program([Asm.addi(10, 0, 5)] + Asm.halt)
        let (proof, _, statement) = try RV32.prove(program, inputs: [[1, 2, 3]])
        var s = statement
        s.inputs = [[9, 9]]
        // The first item's length is a public input of the syscall table, so even unread input is bound by its length.
        #expect(throws: StarkError.self) { try RV32.verify(proof, s) }
        s.inputs = [[7, 7, 7]]
        try RV32.verify(proof, s)
    }
}
