import Testing
@testable import RISCV

/// Every trap, with the pc and instruction it names and its message.
@Suite struct TrapTests {
    /// The trap `code` ends with; the message must name its pc and instruction.
    func expectTrap(_ code: [UInt32], at index: Int, _ kind: TrapKind, message: String,
                    data: [UInt8] = [], inputs: [[UInt8]] = [],
                    options: ExecutionOptions = ExecutionOptions(maxCycles: 10_000),
                    sourceLocation: SourceLocation = #_sourceLocation) throws {
        let t = try #require(try trapOf(code, data: data, inputs: inputs, options: options), sourceLocation: sourceLocation)
        #expect(t.kind == kind, sourceLocation: sourceLocation)
        #expect(t.pc == pcOf(index), sourceLocation: sourceLocation)
        #expect(t.instruction == code[index], sourceLocation: sourceLocation)
        #expect(t.cycle == UInt64(index), "straight-line code: one cycle per instruction before the trap", sourceLocation: sourceLocation)
        let text = ExecutionError.trap(t).description
        #expect(text.contains("pc \(hex32(pcOf(index)))"), sourceLocation: sourceLocation)
        #expect(text.contains("instruction \(hex32(code[index]))"), sourceLocation: sourceLocation)
        #expect(text.contains(message), "\(text)", sourceLocation: sourceLocation)
    }

    @Test func illegalInstructions() throws {
        for word: UInt32 in [0x0000_0000, 0xffff_ffff, 0x0000_1073 /* csrrw */, 0x0000_100f /* fence.i */,
                             0x0200_0013 | 1 << 12 /* slli with imm[5] */, 0x4000_0033 | 1 << 12 /* f7 0x20 on sll */,
                             0x0000_3003 /* ld */, 0x0000_3023 /* sd */, 0x0000_2063 /* branch f3 2 */, 0x0000_1067 /* jalr f3 1 */,
                             0x0000_0007 /* flw opcode */, 0x0000_0002 /* compressed */] {
            try expectTrap([Asm.nop, word], at: 1, .illegalInstruction, message: "illegal instruction")
        }
        try expectTrap([Asm.unimp], at: 0, .illegalInstruction, message: "unimp) after 0 cycles: the guest stopped itself")
    }

    @Test func ebreak() throws {
        try expectTrap([Asm.nop, Asm.nop, Asm.ebreak], at: 2, .breakpoint, message: "ebreak) after 2 cycles: breakpoint (ebreak)")
    }

    @Test func misalignedLoadsAndStores() throws {
        let base = Asm.li(s1, dataBase)
        try expectTrap(base + [Asm.lw(a0, 1, s1)], at: 2, .misalignedLoad(address: dataBase + 1, width: 4),
                       message: "misaligned 4-byte load from 0x00300001")
        try expectTrap(base + [Asm.lw(a0, 2, s1)], at: 2, .misalignedLoad(address: dataBase + 2, width: 4), message: "misaligned")
        try expectTrap(base + [Asm.load("lh", a0, 3, s1)], at: 2, .misalignedLoad(address: dataBase + 3, width: 2), message: "2-byte load")
        try expectTrap(base + [Asm.load("lhu", a0, -1, s1)], at: 2, .misalignedLoad(address: dataBase - 1, width: 2), message: "0x002fffff")
        try expectTrap(base + [Asm.sw(a0, 3, s1)], at: 2, .misalignedStore(address: dataBase + 3, width: 4),
                       message: "misaligned 4-byte store to 0x00300003")
        try expectTrap(base + [Asm.store("sh", a0, 1, s1)], at: 2, .misalignedStore(address: dataBase + 1, width: 2), message: "2-byte store")
    }

    @Test func accessesBeyondTheFieldPrime() throws {
        let top = Asm.li(s1, 0x7f00_0000)
        // The last byte below the prime is memory; a word there is not.
        let (e, _) = try run(top + Asm.li(a1, 0xab) + [Asm.store("sb", a1, 0, s1), Asm.load("lbu", a2, 0, s1)])
        #expect(e.registers[Int(a2)] == 0xab)
        try expectTrap(top + [Asm.lw(a0, 0, s1)], at: 2, .loadOutOfBounds(address: 0x7f00_0000, width: 4),
                       message: "4-byte load from 0x7f000000 reaches beyond guest memory")
        try expectTrap(top + [Asm.load("lh", a0, 0, s1)], at: 2, .loadOutOfBounds(address: 0x7f00_0000, width: 2), message: "beyond")
        try expectTrap(top + [Asm.load("lb", a0, 1, s1)], at: 2, .loadOutOfBounds(address: 0x7f00_0001, width: 1), message: "beyond")
        try expectTrap([Asm.load("lbu", a0, -1, zero)], at: 0, .loadOutOfBounds(address: 0xffff_ffff, width: 1), message: "0xffffffff")
        try expectTrap(top + [Asm.sw(a0, 0, s1)], at: 2, .storeOutOfBounds(address: 0x7f00_0000, width: 4),
                       message: "4-byte store to 0x7f000000 reaches beyond guest memory")
        try expectTrap(top + [Asm.store("sh", a0, 0, s1)], at: 2, .storeOutOfBounds(address: 0x7f00_0000, width: 2), message: "beyond")
        try expectTrap(top + [Asm.store("sb", a0, 1, s1)], at: 2, .storeOutOfBounds(address: 0x7f00_0001, width: 1), message: "beyond")
        try expectTrap(Asm.li(s1, 0x8000_0000) + [Asm.sw(a0, 0, s1)], at: 2, .storeOutOfBounds(address: 0x8000_0000, width: 4),
                       message: "beyond")
    }

    @Test func storesIntoCode() throws {
        let base = Asm.li(s1, ZKVM.textStart)
        try expectTrap(base + [Asm.sw(a0, 0, s1)], at: 2, .storeToCode(address: ZKVM.textStart),
                       message: "store to 0x00200800, inside the program's code")
        try expectTrap(base + [Asm.store("sb", a0, 9, s1)], at: 2, .storeToCode(address: ZKVM.textStart + 9), message: "code")
        try expectTrap(base + [Asm.store("sh", a0, 6, s1)], at: 2, .storeToCode(address: ZKVM.textStart + 6), message: "code")
        // Loads from code are fine, and the byte just past the code is data (none here: zero).
        let (e, _) = try run(base + [Asm.lw(a1, 0, s1)])
        #expect(e.registers[Int(a1)] == Asm.li(s1, ZKVM.textStart)[0])
    }

    @Test func jumpsOutsideTheCode() throws {
        // jalr to an address with no code.
        try expectTrap(Asm.li(s1, 0x1000) + [Asm.jalr(ra, s1, 0)], at: 2, .jumpOutsideCode(target: 0x1000),
                       message: "jump to 0x00001000, outside the program's code")
        // jalr to the data segment.
        try expectTrap(Asm.li(s1, dataBase) + [Asm.jalr(ra, s1, 4)], at: 2, .jumpOutsideCode(target: dataBase + 4), message: "outside")
        // A taken branch whose target is past the code: the branch is named, its cycle undone.
        let branch = [Asm.nop, Asm.branch("beq", zero, zero, 64), Asm.ebreak]
        try expectTrap(branch, at: 1, .jumpOutsideCode(target: pcOf(17)), message: "jump to \(hex32(pcOf(17)))")
        // The same branch not taken runs on.
        let t = try #require(try trapOf([Asm.nop, Asm.branch("bne", zero, zero, 64), Asm.ebreak]))
        #expect(t.kind == .breakpoint)
        // jal backwards out of the code.
        try expectTrap([Asm.jal(ra, -8)], at: 0, .jumpOutsideCode(target: pcOf(0) - 8), message: "outside")
        // Falling off the end: the trap names the address reached.
        let fall = try #require(try trapOf([Asm.nop, Asm.nop]))
        #expect(fall.kind == .jumpOutsideCode(target: pcOf(2)))
        #expect(fall.pc == pcOf(2) && fall.instruction == 0 && fall.cycle == 2)
    }

    @Test func misalignedJumps() throws {
        // jalr clears bit 0 only: bit 1 set traps.
        try expectTrap(Asm.li(s1, pcOf(3) + 2) + [Asm.jalr(ra, s1, 0)], at: 2, .misalignedJump(target: pcOf(3) + 2),
                       message: "not a multiple of 4")
        // Branch and jal offsets that are multiples of 2 but not 4.
        try expectTrap([Asm.nop, Asm.branch("beq", zero, zero, 6), Asm.nop, Asm.nop], at: 1, .misalignedJump(target: pcOf(1) + 6),
                       message: "jump to \(hex32(pcOf(1) + 6))")
        try expectTrap([Asm.jal(zero, 2), Asm.nop], at: 0, .misalignedJump(target: pcOf(0) + 2), message: "multiple of 4")
    }

    @Test func aBranchOutOnTheLastAllowedCycleStillTraps() throws {
        // A branch that would jump out on the last allowed cycle still traps (it executed).
        let t = try #require(try trapOf([Asm.nop, Asm.branch("beq", zero, zero, 64)], options: ExecutionOptions(maxCycles: 2)))
        #expect(t.pc == pcOf(1))
        #expect(t.kind == .jumpOutsideCode(target: pcOf(17)))
    }

    @Test func systemCallTraps() throws {
        try expectTrap(Asm.li(t0, 0x99) + [Asm.ecall], at: 2, .unknownSyscall(0x99), message: "unknown system call 0x00000099")
        try expectTrap(Asm.li(a0, 7) + Asm.syscall(Syscall.write.rawValue), at: 4, .badFileDescriptor(7),
                       message: "WRITE to file descriptor 7")
        try expectTrap(Asm.li(a0, 1) + Asm.li(a1, 0x7eff_fff0) + Asm.li(a2, 0x20) + Asm.syscall(Syscall.write.rawValue), at: 8,
                       .syscallBufferOutOfBounds(syscall: "WRITE", address: 0x7eff_fff0, length: 0x20),
                       message: "WRITE buffer at 0x7efffff0 of 32 bytes")
        try expectTrap(Asm.li(a0, dataBase) + Asm.li(a1, 4) + Asm.syscall(Syscall.hintRead.rawValue), at: 6, .noInputLeft,
                       message: "HINT_READ with no input item left")
        try expectTrap(Asm.li(a0, dataBase) + Asm.li(a1, 3) + Asm.syscall(Syscall.hintRead.rawValue), at: 6,
                       .hintLengthMismatch(requested: 3, available: 4), message: "HINT_READ of 3 bytes, but the next input item has 4",
                       inputs: [[1, 2, 3, 4]])
        try expectTrap(Asm.li(a0, 0x7eff_fffe) + Asm.li(a1, 4) + Asm.syscall(Syscall.hintRead.rawValue), at: 6,
                       .syscallBufferOutOfBounds(syscall: "HINT_READ", address: 0x7eff_fffe, length: 4), message: "HINT_READ buffer",
                       inputs: [[1, 2, 3, 4]])
        try expectTrap(Asm.li(a0, ZKVM.textStart - 2) + Asm.li(a1, 4) + Asm.syscall(Syscall.hintRead.rawValue), at: 6,
                       .storeToCode(address: ZKVM.textStart), message: "inside the program's code", inputs: [[1, 2, 3, 4]])
        try expectTrap(Asm.li(a0, 8) + Asm.syscall(Syscall.commit.rawValue), at: 4, .commitIndexOutOfRange(8),
                       message: "COMMIT of digest word 8")
        try expectTrap(Asm.li(a0, 3) + Asm.li(a1, dataBase) + Asm.li(a2, 8) + Asm.syscall(Syscall.write.rawValue), at: 8,
                       .outputLimitExceeded(limit: 4), message: "more than 4 bytes of output",
                       options: ExecutionOptions(maxCycles: 100, outputLimit: 4))
    }

    @Test func cycleLimit() throws {
        let e = Executor(program: try makeProgram([Asm.nop, Asm.jal(zero, -4)]), options: ExecutionOptions(maxCycles: 101))
        #expect(throws: ExecutionError.cycleLimit(limit: 101, pc: pcOf(1))) { try e.run() }
        #expect(e.cycles == 101)
        #expect(ExecutionError.cycleLimit(limit: 101, pc: pcOf(1)).description
            == "cycle limit reached: 101 cycles executed without halting (next pc 0x00200804)")
        // With a trace the limit is the same; the trace holds every row before it.
        let trace = Trace()
        let traced = Executor(program: try makeProgram([Asm.nop, Asm.jal(zero, -4)]), options: ExecutionOptions(maxCycles: 101))
        #expect(throws: ExecutionError.cycleLimit(limit: 101, pc: pcOf(1))) { try traced.run(recordingInto: trace) }
        #expect(trace.count == 101)
        // Zero cycles allowed: nothing runs.
        let none = Executor(program: try makeProgram(Asm.halt), options: ExecutionOptions(maxCycles: 0))
        #expect(throws: ExecutionError.cycleLimit(limit: 0, pc: ZKVM.textStart)) { try none.run() }
        // Exactly enough cycles: HALT is the last one.
        let exact = Executor(program: try makeProgram(Asm.halt), options: ExecutionOptions(maxCycles: 2))
        #expect(try exact.run().cycles == 2)
    }

    @Test func anExecutorRunsOnce() throws {
        let e = Executor(program: try makeProgram(Asm.halt))
        _ = try e.run()
        #expect(throws: ExecutionError.alreadyRun) { try e.run() }
        #expect(throws: ExecutionError.alreadyRun) { try e.run(recordingInto: Trace()) }
    }

    @Test func outputsSoFarSurviveATrap() throws {
        var code = Asm.li(s1, dataBase) + Asm.li(a1, 0x6968)  // "hi"
        code += [Asm.sw(a1, 0, s1)] + Asm.li(a0, 1) + Asm.li(a1, dataBase) + Asm.li(a2, 2) + Asm.syscall(Syscall.write.rawValue)
        code.append(Asm.ebreak)
        let e = Executor(program: try makeProgram(code))
        #expect(throws: ExecutionError.self) { try e.run() }
        #expect(e.stdout == Array("hi".utf8))
    }
}
