import Testing
@testable import RISCV

/// Per-instruction tests in the spirit of the rv32ui / rv32um suites, written for this executor:
/// arithmetic edge cases, every branch condition, sign and zero extension of every load,
/// stores of every width, lui/auipc/jal/jalr offsets, and writes to x0.
@Suite struct InstructionTests {
    /// (rs1, rs2, rd) for every R-type operation, computed from the ISA manual's definitions.
    static let registerCases = InstructionCases.register

    static let registerOps = registerCases.keys.sorted()

    @Test(arguments: registerOps)
    func registerRegister(_ name: String) throws {
        for (a, b, expected) in Self.registerCases[name]! {
            var code = Asm.li(ra, a) + Asm.li(s1, b)
            code += [
                Asm.op(name, a1, ra, s1),  // distinct registers
                Asm.op(name, zero, ra, s1),  // x0 as destination: discarded
                Asm.add(a2, ra, zero), Asm.op(name, a2, a2, s1),  // rd == rs1
                Asm.add(a3, s1, zero), Asm.op(name, a3, ra, a3),  // rd == rs2
            ]
            let (e, _) = try run(code)
            let regs = e.registers
            #expect(regs[Int(a1)] == expected, "\(name) \(hex32(a)), \(hex32(b))")
            #expect(regs[Int(a2)] == expected, "\(name) rd == rs1")
            #expect(regs[Int(a3)] == expected, "\(name) rd == rs2")
            #expect(regs[0] == 0)
        }
    }

    @Test(arguments: registerOps)
    func sameSourceRegister(_ name: String) throws {
        // op rd, rs, rs reads one register twice.
        for (a, _, _) in Self.registerCases[name]! {
            let (e, _) = try run(Asm.li(ra, a) + Asm.li(s1, a) + [Asm.op(name, a1, ra, ra), Asm.op(name, a2, ra, s1)])
            #expect(e.registers[Int(a1)] == e.registers[Int(a2)], "\(name) \(hex32(a)), same register")
        }
    }

    /// (rs1, immediate, rd) for every I-type ALU operation.
    static let immediateCases = InstructionCases.immediate

    @Test(arguments: immediateCases.keys.sorted())
    func registerImmediate(_ name: String) throws {
        for (a, imm, expected) in Self.immediateCases[name]! {
            let code = Asm.li(ra, a) + [
                Asm.opImm(name, a1, ra, imm),
                Asm.opImm(name, zero, ra, imm),
                Asm.add(a2, ra, zero), Asm.opImm(name, a2, a2, imm),  // rd == rs1
            ]
            let (e, _) = try run(code)
            #expect(e.registers[Int(a1)] == expected, "\(name) \(hex32(a)), \(imm)")
            #expect(e.registers[Int(a2)] == expected, "\(name) rd == rs1")
            #expect(e.registers[0] == 0)
        }
    }

    @Test func shiftImmediatesWithBadUpperBitsAreIllegal() throws {
        // slli/srli with imm[11:5] other than 0, srai other than 0x20: not RV32I encodings.
        for word in [Asm.i(0x13, 1, a1, ra, 0x020), Asm.i(0x13, 5, a1, ra, 0x220), Asm.i(0x13, 1, a1, ra, 0x400)] {
            let t = try #require(try trapOf([word]))
            #expect(t.kind == .illegalInstruction)
        }
    }

    @Test func lui() throws {
        let cases: [(UInt32, UInt32)] = [(0, 0), (0xfffff, 0xfffff000), (0x7ffff, 0x7ffff000), (0x80000, 0x80000000), (1, 0x1000)]
        for (imm, expected) in cases {
            let (e, _) = try run([Asm.lui(a1, imm), Asm.lui(zero, imm)])
            #expect(e.registers[Int(a1)] == expected)
            #expect(e.registers[0] == 0)
        }
        // lui then addi with a negative immediate: the usual 32-bit constant sequence.
        let (e, _) = try run([Asm.lui(a1, 0x80000), Asm.addi(a1, a1, -1)])
        #expect(e.registers[Int(a1)] == 0x7fffffff)
    }

    @Test func auipc() throws {
        // auipc adds the upper immediate to its own address.
        let (e, _) = try run([Asm.nop, Asm.auipc(a1, 0), Asm.auipc(a2, 1), Asm.auipc(a3, 0xfffff)])
        #expect(e.registers[Int(a1)] == pcOf(1))
        #expect(e.registers[Int(a2)] == pcOf(2) &+ 0x1000)
        #expect(e.registers[Int(a3)] == pcOf(3) &- 0x1000)
    }

    @Test func jalLinksAndJumpsBothWays() throws {
        let code: [UInt32] = [
            Asm.jal(ra, 12),  // 0 → 3, ra = pc(1)
            Asm.addi(a1, zero, 1),  // 1: skipped
            Asm.jal(zero, 16),  // 2 → 6 (after the backward jump)
            Asm.jal(s1, -4),  // 3 → 2, s1 = pc(4)
            Asm.addi(a1, zero, 2),  // 4: skipped
            Asm.addi(a1, zero, 3),  // 5: skipped
            Asm.addi(a2, zero, 7),  // 6
            Asm.jal(zero, 4),  // 7: to the next instruction
        ]
        let (e, r) = try run(code)
        #expect(e.registers[Int(ra)] == pcOf(1))
        #expect(e.registers[Int(s1)] == pcOf(4))
        #expect(e.registers[Int(a1)] == 0)
        #expect(e.registers[Int(a2)] == 7)
        #expect(e.registers[0] == 0)
        #expect(r.cycles == 5 + 2)
    }

    @Test func jalrTargetsClearBitZeroAndUseTheOldSource() throws {
        var code = Asm.li(s1, pcOf(6) + 1)  // 0, 1: an odd address
        code += [
            Asm.jalr(ra, s1, 0),  // 2 → 6 (bit 0 cleared), ra = pc(3)
            Asm.addi(a1, a1, 100),  // 3: skipped
            Asm.addi(a2, zero, 5),  // 4: reached by the negative offset
            Asm.jal(zero, 12),  // 5 → 8
            Asm.jalr(s1, s1, 3),  // 6: rd == rs1: old s1 + 3 = pc(7), s1 = pc(7)
            Asm.jalr(a3, s1, -12),  // 7: pc(7) - 12 = pc(4), a3 = pc(8)
            Asm.addi(a1, a1, 1),  // 8
        ]
        let (e, r) = try run(code)
        #expect(e.registers[Int(ra)] == pcOf(3))
        #expect(e.registers[Int(s1)] == pcOf(7))
        #expect(e.registers[Int(a3)] == pcOf(8))
        #expect(e.registers[Int(a2)] == 5)
        #expect(e.registers[Int(a1)] == 1)
        #expect(r.cycles == 8 + 2)
    }

    static let branchCases = InstructionCases.branches

    @Test func everyBranchCondition() throws {
        for (name, a, b, taken) in Self.branchCases {
            // Forward: skip one instruction when taken.
            let forward = Asm.li(ra, a) + Asm.li(s1, b) + [
                Asm.branch(name, ra, s1, 8),
                Asm.addi(a1, zero, 1),
                Asm.addi(a2, zero, 2),
            ]
            let (e, _) = try run(forward)
            #expect(e.registers[Int(a1)] == (taken ? 0 : 1), "\(name) \(hex32(a)), \(hex32(b)) forward")
            #expect(e.registers[Int(a2)] == 2)

            // Backward: jump over the branch to a block that ends by jumping back past it.
            let backward = Asm.li(ra, a) + Asm.li(s1, b) + [
                Asm.jal(zero, 12),  // 4 → 7
                Asm.addi(a1, a1, 1),  // 5: reached only by the taken branch
                Asm.jal(zero, 12),  // 6 → 9
                Asm.branch(name, ra, s1, -8),  // 7 → 5 when taken
                Asm.addi(a1, a1, 16),  // 8: not taken
            ]
            let (e2, _) = try run(backward)
            #expect(e2.registers[Int(a1)] == (taken ? 1 : 16), "\(name) \(hex32(a)), \(hex32(b)) backward")
        }
    }

    /// Bytes at dataBase: a pattern with every sign-bit combination.
    static let loadData = InstructionCases.loadData

    static let loadCases = InstructionCases.loads

    @Test func loadsExtendSignAndZero() throws {
        for (name, offset, expected) in Self.loadCases {
            // From the base, and from base + 16 with a negative offset.
            let code = Asm.li(s1, dataBase) + Asm.li(s0, dataBase + 16) + [
                Asm.load(name, a1, offset, s1),
                Asm.load(name, a2, offset - 16, s0),
                Asm.load(name, zero, offset, s1),
            ]
            let (e, _) = try run(code, data: Self.loadData)
            #expect(e.registers[Int(a1)] == expected, "\(name) at +\(offset)")
            #expect(e.registers[Int(a2)] == expected, "\(name) at +\(offset) via a negative offset")
            #expect(e.registers[0] == 0)
        }
    }

    @Test func loadWithRdEqualToBase() throws {
        let (e, _) = try run(Asm.li(a1, dataBase + 4) + [Asm.lw(a1, 0, a1)], data: Self.loadData)
        #expect(e.registers[Int(a1)] == 0x67452301)
    }

    @Test func storesOfEveryWidthTouchOnlyTheirBytes() throws {
        let fill = [UInt8](repeating: 0xee, count: 16)
        let cases: [(String, Int32, UInt32, [UInt8])] = [
            ("sb", 0, 0x123456aa, [0xaa, 0xee, 0xee, 0xee]),
            ("sb", 1, 0x000000bb, [0xee, 0xbb, 0xee, 0xee]),
            ("sb", 3, 0xffffff00, [0xee, 0xee, 0xee, 0x00]),
            ("sh", 0, 0x1234beef, [0xef, 0xbe, 0xee, 0xee]),
            ("sh", 2, 0xffff0000, [0xee, 0xee, 0x00, 0x00]),
            ("sw", 0, 0xdeadbeef, [0xef, 0xbe, 0xad, 0xde]),
            ("sw", 0, 0x00000000, [0x00, 0x00, 0x00, 0x00]),
        ]
        for (name, offset, value, expected) in cases {
            let code = Asm.li(s1, dataBase + 4) + Asm.li(s0, dataBase + 20) + Asm.li(a1, value) + [
                Asm.store(name, a1, offset, s1),  // into bytes 4..<8
                Asm.store(name, a1, offset - 16, s0),  // the same place via a negative offset
                Asm.lw(a2, 0, s1),
            ]
            let (e, _) = try run(code, data: fill)
            #expect(Array(e.readMemory(at: dataBase, count: 12)) == fill[0..<4] + expected + fill[8..<12],
                    "\(name) \(hex32(value)) at +\(offset)")
            #expect(e.registers[Int(a2)] == UInt32(expected[0]) | UInt32(expected[1]) << 8 | UInt32(expected[2]) << 16 | UInt32(expected[3]) << 24)
        }
    }

    @Test func storesFromX0WriteZero() throws {
        let code = Asm.li(s1, dataBase) + [Asm.store("sw", zero, 0, s1), Asm.store("sh", zero, 4, s1), Asm.store("sb", zero, 6, s1)]
        let (e, _) = try run(code, data: [UInt8](repeating: 0xff, count: 8))
        #expect(e.readMemory(at: dataBase, count: 8) == [0, 0, 0, 0, 0, 0, 0, 0xff])
    }

    @Test func x0IsAlwaysZero() throws {
        let code: [UInt32] = [
            Asm.addi(zero, zero, 5), Asm.lui(zero, 0x12345), Asm.auipc(zero, 1), Asm.jal(zero, 4),
            Asm.add(a1, zero, zero), Asm.addi(a2, zero, -1), Asm.op("mul", zero, a2, a2), Asm.op("sub", a3, zero, a2),
        ]
        let (e, _) = try run(code)
        #expect(e.registers[0] == 0)
        #expect(e.registers[Int(a1)] == 0)
        #expect(e.registers[Int(a3)] == 1)
    }

    @Test func fenceIsANoOp() throws {
        let (e, r) = try run([Asm.addi(a1, zero, 3), Asm.fence, Asm.addi(a1, a1, 1)])
        #expect(e.registers[Int(a1)] == 4)
        #expect(r.cycles == 5)
    }

    @Test func registersStartAtZeroExceptTheStackPointer() throws {
        let (e, _) = try run([])
        for (i, v) in e.registers.enumerated() where i != 2 && i != 5 { #expect(v == 0, "x\(i)") }
        #expect(e.registers[2] == ZKVM.stackTop)
    }

    @Test func stackBelowTheInitialPointerIsUsable() throws {
        let code = Asm.li(a1, 0xcafe) + [Asm.addi(sp, sp, -16), Asm.sw(a1, 12, sp), Asm.lw(a2, 12, sp), Asm.addi(sp, sp, 16)]
        let (e, _) = try run(code)
        #expect(e.registers[Int(a2)] == 0xcafe)
        #expect(e.readMemory(at: ZKVM.stackTop - 4, count: 4) == [0xfe, 0xca, 0, 0])
    }

    @Test func encoderMatchesKnownWords() {
        // Spot checks against words the toolchain's assembler produces.
        #expect(Asm.addi(sp, sp, -16) == 0xff01_0113)
        #expect(Asm.jalr(zero, ra, 0) == 0x0000_8067)  // ret
        #expect(Asm.sw(ra, 12, sp) == 0x0011_2623)
        #expect(Asm.lw(ra, 12, sp) == 0x00c1_2083)
        #expect(Asm.op("mul", a0, a1, a0) == 0x02a5_8533)
        #expect(Asm.op("div", a2, a0, a1) == 0x02b5_4633)
        #expect(Asm.branch("bne", a0, a1, -8) == 0xfeb5_1ce3)
        #expect(Asm.jal(zero, 0) == 0x0000_006f)
    }
}
