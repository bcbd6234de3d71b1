/// What the executor runs: one operation per pre-decoded instruction. Several encodings map
/// to one operation (`auipc` becomes `.lui` with the absolute value; ALU results written to
/// x0 become `.nop`).
@usableFromInline
enum Op: UInt8, Sendable {
    case lui  // rd = imm (lui, and auipc with pc folded in)
    case jal, jalr
    case beq, bne, blt, bge, bltu, bgeu
    case lb, lh, lw, lbu, lhu
    case sb, sh, sw
    case addi, slti, sltiu, xori, ori, andi, slli, srli, srai
    case add, sub, sll, slt, sltu, xor, srl, sra, or, and
    case mul, mulh, mulhsu, mulhu, div, divu, rem, remu
    case nop  // fence, and ALU operations whose destination is x0
    case ecall, ebreak
    case illegal
    /// A branch or jump whose static target is misaligned or outside the code: `imm` is the
    /// target; it traps only when taken (the executor redirects it to a sentinel).
    case badTarget
    /// An address inside the code span that belongs to no executable segment.
    case outsideCode
}

/// A pre-decoded instruction: 8 bytes. Register fields index the executor's register file,
/// where slot 32 is a write-only sink standing in for x0 as a destination.
@usableFromInline
struct Decoded: Sendable {
    @usableFromInline var op: Op
    @usableFromInline var rd: UInt8
    @usableFromInline var rs1: UInt8
    @usableFromInline var rs2: UInt8
    /// The immediate (sign-extended), or for branches and `jal` the absolute target address
    /// (the executor rewrites it to an instruction index).
    @usableFromInline var imm: UInt32

    @inlinable
    init(_ op: Op, rd: UInt32 = 0, rs1: UInt32 = 0, rs2: UInt32 = 0, imm: UInt32 = 0) {
        self.op = op
        self.rd = rd == 0 ? 32 : UInt8(truncatingIfNeeded: rd)
        self.rs1 = UInt8(truncatingIfNeeded: rs1)
        self.rs2 = UInt8(truncatingIfNeeded: rs2)
        self.imm = imm
    }
}

/// The sink register slot that replaces x0 as a destination.
let sinkRegister: UInt8 = 32

enum Decoder {
    /// Decodes one RV32IM instruction at `pc`. Anything outside RV32IM (and `fence`, which is
    /// a no-op on one hart) decodes to `.illegal`, which traps only if executed.
    static func decode(_ w: UInt32, pc: UInt32) -> Decoded {
        let opcode = w & 0x7f
        let rd = (w >> 7) & 31, rs1 = (w >> 15) & 31, rs2 = (w >> 20) & 31
        let f3 = (w >> 12) & 7, f7 = w >> 25
        let immI = UInt32(bitPattern: Int32(bitPattern: w) >> 20)
        let immS = UInt32(bitPattern: (Int32(bitPattern: w) >> 25) << 5) | ((w >> 7) & 31)
        let immB = UInt32(bitPattern: (Int32(bitPattern: w) >> 31) << 12) | ((w << 4) & 0x800)
            | ((w >> 20) & 0x7e0) | ((w >> 7) & 0x1e)
        let immU = w & 0xffff_f000
        let immJ = UInt32(bitPattern: (Int32(bitPattern: w) >> 31) << 20) | (w & 0xff000)
            | ((w >> 9) & 0x800) | ((w >> 20) & 0x7fe)

        switch opcode {
        case 0x37: return alu(.lui, rd: rd, imm: immU)
        case 0x17: return alu(.lui, rd: rd, imm: pc &+ immU)
        case 0x6f: return Decoded(.jal, rd: rd, imm: pc &+ immJ)
        case 0x67:
            return f3 == 0 ? Decoded(.jalr, rd: rd, rs1: rs1, imm: immI) : Decoded(.illegal)
        case 0x63:
            let op: Op
            switch f3 {
            case 0: op = .beq
            case 1: op = .bne
            case 4: op = .blt
            case 5: op = .bge
            case 6: op = .bltu
            case 7: op = .bgeu
            default: return Decoded(.illegal)
            }
            return Decoded(op, rs1: rs1, rs2: rs2, imm: pc &+ immB)
        case 0x03:
            let op: Op
            switch f3 {
            case 0: op = .lb
            case 1: op = .lh
            case 2: op = .lw
            case 4: op = .lbu
            case 5: op = .lhu
            default: return Decoded(.illegal)
            }
            return Decoded(op, rd: rd, rs1: rs1, imm: immI)
        case 0x23:
            let op: Op
            switch f3 {
            case 0: op = .sb
            case 1: op = .sh
            case 2: op = .sw
            default: return Decoded(.illegal)
            }
            return Decoded(op, rs1: rs1, rs2: rs2, imm: immS)
        case 0x13:
            switch f3 {
            case 0: return alu(.addi, rd: rd, rs1: rs1, imm: immI)
            case 2: return alu(.slti, rd: rd, rs1: rs1, imm: immI)
            case 3: return alu(.sltiu, rd: rd, rs1: rs1, imm: immI)
            case 4: return alu(.xori, rd: rd, rs1: rs1, imm: immI)
            case 6: return alu(.ori, rd: rd, rs1: rs1, imm: immI)
            case 7: return alu(.andi, rd: rd, rs1: rs1, imm: immI)
            case 1: return f7 == 0 ? alu(.slli, rd: rd, rs1: rs1, imm: rs2) : Decoded(.illegal)
            default:
                if f7 == 0 { return alu(.srli, rd: rd, rs1: rs1, imm: rs2) }
                if f7 == 0x20 { return alu(.srai, rd: rd, rs1: rs1, imm: rs2) }
                return Decoded(.illegal)
            }
        case 0x33:
            let op: Op
            switch (f7, f3) {
            case (0x00, 0): op = .add
            case (0x00, 1): op = .sll
            case (0x00, 2): op = .slt
            case (0x00, 3): op = .sltu
            case (0x00, 4): op = .xor
            case (0x00, 5): op = .srl
            case (0x00, 6): op = .or
            case (0x00, 7): op = .and
            case (0x20, 0): op = .sub
            case (0x20, 5): op = .sra
            case (0x01, 0): op = .mul
            case (0x01, 1): op = .mulh
            case (0x01, 2): op = .mulhsu
            case (0x01, 3): op = .mulhu
            case (0x01, 4): op = .div
            case (0x01, 5): op = .divu
            case (0x01, 6): op = .rem
            case (0x01, 7): op = .remu
            default: return Decoded(.illegal)
            }
            return alu(op, rd: rd, rs1: rs1, rs2: rs2)
        case 0x0f:
            return f3 == 0 ? Decoded(.nop) : Decoded(.illegal)  // fence; fence.i (Zifencei) is not RV32I
        case 0x73:
            if w == 0x0000_0073 { return Decoded(.ecall) }
            if w == 0x0010_0073 { return Decoded(.ebreak) }
            return Decoded(.illegal)
        default:
            return Decoded(.illegal)
        }
    }

    /// An operation that only writes rd: a no-op when rd is x0.
    private static func alu(_ op: Op, rd: UInt32, rs1: UInt32 = 0, rs2: UInt32 = 0, imm: UInt32 = 0) -> Decoded {
        rd == 0 ? Decoded(.nop, rs1: rs1, rs2: rs2) : Decoded(op, rd: rd, rs1: rs1, rs2: rs2, imm: imm)
    }

    /// The mnemonic of an instruction word, for trap messages ("unknown" when it is not RV32IM).
    static func mnemonic(_ w: UInt32) -> String {
        if w == 0xc000_1073 { return "unimp" }
        let d = decode(w, pc: 0)
        switch d.op {
        case .nop:
            if w & 0x7f == 0x0f { return "fence" }
            return mnemonic(w | (1 << 7))  // the same operation with rd = x1
        case .lui: return w & 0x7f == 0x17 ? "auipc" : "lui"
        case .illegal: return "unknown"
        case .badTarget, .outsideCode: return "unknown"
        default: return "\(d.op)"
        }
    }
}
