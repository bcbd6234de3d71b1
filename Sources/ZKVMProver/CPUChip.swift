import KoalaBear
import RISCV
import STARK

/// The CPU table: one row per cycle. Each row looks up its instruction in the program table by
/// pc, reads rs1 and rs2 and writes rd through the memory bus (registers are memory, at
/// ``registerAddress(_:)``, timestamps 4·clk + 4 + {0, 1, 3}; slot 2 belongs to the data
/// access or the system call), sends its ALU operation, load/store or `ecall` to the chip that
/// answers it, and computes the next pc: pc + 4, the static target of `jal` and taken branches,
/// or `jalr`'s sum with bit 0 cleared. Active rows come first; the last active row puts the
/// state the run ends in on ``VMBus/finalState`` (halted with the exit code, or the next pc
/// and clk of a segment that stops there). Public inputs: the first row's pc and clk.
///
/// Writes to x0: the program table gives rd = 0 and no write flag, so the row writes 0 there;
/// x0 starts at 0 and so always reads 0.
public struct CPUChip: AIR {
    public init() {}
    public var name: String { "cpu" }
    public var mainWidth: Int { Col.count }
    public var publicInputCount: Int { 2 }

    enum Col {
        static let pc = 0, clk = 1, active = 2, isLast = 3
        /// rs1, rs2, rd, imm₀, imm₁, target, op, then the flags (``DecodedRow/fields`` order).
        static let decoded = 4
        static let flags = decoded + 7
        static let a = flags + DecodedRow.Flags.all.count  // rs1's value (2 limbs)
        static let r = a + 2  // rs2's value
        static let c = r + 2  // the result
        static let w = c + 2  // the value written to rd
        static let npc = w + 2, z = npc + 1, zInv = z + 1, jalrBit = zInv + 1, halt = jalrBit + 1
        /// Per register access: previous timestamp, difference limbs (rs1, rs2); rd also has
        /// the previous value's limbs first.
        static let rs1Access = halt + 1
        static let rs2Access = rs1Access + 3
        static let rdAccess = rs2Access + 3
        static let count = rdAccess + 5
    }

    static func flag(_ f: DecodedRow.Flags) -> Int {
        Col.flags + DecodedRow.Flags.all.firstIndex(of: f)!
    }

    public func constraints(_ b: ConstraintBuilder) {
        let base = Expr(KoalaBear(UInt32(1 << 16)))
        let pc = b.main(Col.pc), clk = b.main(Col.clk), active = b.main(Col.active), isLast = b.main(Col.isLast)
        let rs1 = b.main(Col.decoded), rs2 = b.main(Col.decoded + 1), rd = b.main(Col.decoded + 2)
        let imm0 = b.main(Col.decoded + 3), imm1 = b.main(Col.decoded + 4), target = b.main(Col.decoded + 5)
        let op = b.main(Col.decoded + 6)
        func f(_ x: DecodedRow.Flags) -> Expr { b.main(CPUChip.flag(x)) }
        let a0 = b.main(Col.a), a1 = b.main(Col.a + 1), r0 = b.main(Col.r), r1 = b.main(Col.r + 1)
        let c0 = b.main(Col.c), c1 = b.main(Col.c + 1), w0 = b.main(Col.w), w1 = b.main(Col.w + 1)
        let npc = b.main(Col.npc), z = b.main(Col.z), zInv = b.main(Col.zInv), jalrBit = b.main(Col.jalrBit)
        let halt = b.main(Col.halt)

        // Sequencing.
        b.assertBoolean(active, label: "active")
        b.assertZero(b.mainNext(Col.active) * (Expr(1) - active), on: .transition, label: "active rows first")
        b.assertEqual(isLast, active - b.mainNext(Col.active), on: .transition, label: "last active row")
        b.assertEqual(isLast, active, on: .lastRow, label: "last row")
        b.assertEqual(b.mainNext(Col.clk), clk + 1, on: .transition, label: "clk")
        b.assertEqual(active, 1, on: .firstRow, label: "first row active")
        b.assertEqual(pc, b.publicInput(0), on: .firstRow, label: "start pc")
        b.assertEqual(clk, b.publicInput(1), on: .firstRow, label: "start clk")
        b.assertZero(b.mainNext(Col.active) * (b.mainNext(Col.pc) - npc), on: .transition, label: "pc follows")

        // The instruction: flags are booleans, all zero on padding rows, and looked up by pc.
        var flagSum = Expr(0)
        for x in DecodedRow.Flags.all {
            b.assertBoolean(f(x), label: "flag \(x.rawValue)")
            flagSum += f(x)
        }
        b.assertBoolean(halt, label: "halt")
        b.assertZero((flagSum + halt) * (Expr(1) - active), label: "padding rows do nothing")
        let decoded = (0..<DecodedRow.fieldCount).map { b.main(Col.decoded + $0) }
        b.send(VMBus.program, values: [pc, Expr(1)] + decoded, multiplicity: active)

        // The ALU (also branches' comparisons and jalr's sum): b = rs2's value + imm.
        b.send(VMBus.alu, values: [op, a0, a1, r0 + imm0, r1 + imm1, c0, c1], multiplicity: f(.usesALU))

        // Branches: BEQ/BNE test c = rs1 − rs2 for zero (z), BLT(U)/BGE(U) read c = slt(u).
        let eqTest = f(.branchIfEqual) + f(.branchIfNotEqual)
        b.assertZero(eqTest * (c0 + c1) * z, label: "z: c is zero")
        b.assertZero(eqTest * ((c0 + c1) * zInv - 1 + z), label: "z: c is not zero")
        let taken = f(.branchIfSet) * c0 + f(.branchIfClear) * (Expr(1) - c0) + f(.branchIfEqual) * z
            + f(.branchIfNotEqual) * (Expr(1) - z)
        let step = pc + 4
        b.assertBoolean(jalrBit, label: "jalr bit")
        let jalrTarget = c0 - jalrBit + c1 * base
        b.assertEqual(npc, step + (f(.isJal) + taken) * (target - step) + f(.isJalr) * (jalrTarget - step), label: "next pc")
        // jalr's sum below 0x7f00_0000, so its value as a field element is the integer.
        b.send(VMBus.range16, values: [Expr(KoalaBear(UInt32(0x7eff))) - c1], multiplicity: f(.isJalr))

        // What rd receives.
        let none = Expr(1) - f(.writesC) - f(.isLink)
        b.assertZero(none * w0, label: "no write: 0")
        b.assertZero(none * w1, label: "no write: 0 (high)")
        b.assertZero(f(.writesC) * (w0 - c0), label: "rd ← c")
        b.assertZero(f(.writesC) * (w1 - c1), label: "rd ← c (high)")
        b.assertZero(f(.isLink) * (w0 + w1 * base - step), label: "rd ← pc + 4")
        b.send(VMBus.range16, values: [w0], multiplicity: f(.isLink))
        b.send(VMBus.range16, values: [w1], multiplicity: f(.isLink))

        // Loads, stores and system calls.
        b.send(VMBus.loadStore, values: [op, clk, a0, a1, imm0, imm1, r0, r1, c0, c1], multiplicity: f(.isMemory))
        b.assertZero(halt * (Expr(1) - f(.isEcall)), label: "halt is an ecall")
        b.send(VMBus.syscall, values: [clk, a0, a1, r0, r1, c0, c1, halt], multiplicity: f(.isEcall))
        b.assertZero(halt * b.mainNext(Col.active), on: .transition, label: "nothing after halt")
        b.send(VMBus.finalState, values: [halt, npc * (Expr(1) - halt), clk + 1, halt * r0, halt * r1], multiplicity: isLast)

        // Register accesses: rs1 at T, rs2 at T + 1, rd at T + 3 (T = 4·clk + 4).
        let t = clk * KoalaBear(4) + 4
        func access(address: Expr, previous: (Expr, Expr), value: (Expr, Expr), at ts: Expr, columns k: Int) {
            b.memoryAccess(address: address, previous: previous, value: value, previousTimestamp: b.main(k), timestamp: ts,
                           order: (b.main(k + 1), b.main(k + 2)), when: active, label: "register timestamp order")
        }
        access(address: rs1 * KoalaBear(4) + 1, previous: (a0, a1), value: (a0, a1), at: t, columns: Col.rs1Access)
        access(address: rs2 * KoalaBear(4) + 1, previous: (r0, r1), value: (r0, r1), at: t + 1, columns: Col.rs2Access)
        let p0 = b.main(Col.rdAccess), p1 = b.main(Col.rdAccess + 1)
        access(address: rd * KoalaBear(4) + 1, previous: (p0, p1), value: (w0, w1), at: t + 3, columns: Col.rdAccess + 2)
    }
}
