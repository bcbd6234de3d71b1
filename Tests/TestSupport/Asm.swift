/// A tiny RV32IM assembler for tests (encodings from the ISA manual's base formats).
public enum Asm {
    public static func r(_ opcode: UInt32, _ f3: UInt32, _ f7: UInt32, _ rd: UInt32, _ rs1: UInt32, _ rs2: UInt32) -> UInt32 {
        f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opcode
    }
    public static func i(_ opcode: UInt32, _ f3: UInt32, _ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 {
        precondition(imm >= -2048 && imm <= 2047, "I-immediate out of range")
        return UInt32(bitPattern: imm) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opcode
    }
    public static func s(_ f3: UInt32, _ rs2: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 {
        precondition(imm >= -2048 && imm <= 2047, "S-immediate out of range")
        let v = UInt32(bitPattern: imm)
        return (v >> 5 & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (v & 31) << 7 | 0x23
    }
    public static func b(_ f3: UInt32, _ rs1: UInt32, _ rs2: UInt32, _ offset: Int32) -> UInt32 {
        precondition(offset % 2 == 0 && offset >= -4096 && offset < 4096, "B-offset out of range")
        let v = UInt32(bitPattern: offset)
        return (v >> 12 & 1) << 31 | (v >> 5 & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12
            | (v >> 1 & 0xf) << 8 | (v >> 11 & 1) << 7 | 0x63
    }
    public static func u(_ opcode: UInt32, _ rd: UInt32, _ imm20: UInt32) -> UInt32 { (imm20 & 0xfffff) << 12 | rd << 7 | opcode }
    public static func j(_ rd: UInt32, _ offset: Int32) -> UInt32 {
        precondition(offset % 2 == 0 && offset >= -(1 << 20) && offset < (1 << 20), "J-offset out of range")
        let v = UInt32(bitPattern: offset)
        return (v >> 20 & 1) << 31 | (v >> 1 & 0x3ff) << 21 | (v >> 11 & 1) << 20 | (v >> 12 & 0xff) << 12 | rd << 7 | 0x6f
    }

    public static func lui(_ rd: UInt32, _ imm20: UInt32) -> UInt32 { u(0x37, rd, imm20) }
    public static func auipc(_ rd: UInt32, _ imm20: UInt32) -> UInt32 { u(0x17, rd, imm20) }
    public static func jal(_ rd: UInt32, _ offset: Int32) -> UInt32 { j(rd, offset) }
    public static func jalr(_ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { i(0x67, 0, rd, rs1, imm) }

    public static let branchF3: [String: UInt32] = ["beq": 0, "bne": 1, "blt": 4, "bge": 5, "bltu": 6, "bgeu": 7]
    public static func branch(_ name: String, _ rs1: UInt32, _ rs2: UInt32, _ offset: Int32) -> UInt32 {
        b(branchF3[name]!, rs1, rs2, offset)
    }

    public static let loadF3: [String: UInt32] = ["lb": 0, "lh": 1, "lw": 2, "lbu": 4, "lhu": 5]
    public static func load(_ name: String, _ rd: UInt32, _ offset: Int32, _ rs1: UInt32) -> UInt32 {
        i(0x03, loadF3[name]!, rd, rs1, offset)
    }
    public static let storeF3: [String: UInt32] = ["sb": 0, "sh": 1, "sw": 2]
    public static func store(_ name: String, _ rs2: UInt32, _ offset: Int32, _ rs1: UInt32) -> UInt32 {
        s(storeF3[name]!, rs2, rs1, offset)
    }
    public static func lw(_ rd: UInt32, _ offset: Int32, _ rs1: UInt32) -> UInt32 { load("lw", rd, offset, rs1) }
    public static func sw(_ rs2: UInt32, _ offset: Int32, _ rs1: UInt32) -> UInt32 { store("sw", rs2, offset, rs1) }

    /// f3 and f7 of every R-type operation.
    public static let rOps: [String: (f3: UInt32, f7: UInt32)] = [
        "add": (0, 0), "sub": (0, 0x20), "sll": (1, 0), "slt": (2, 0), "sltu": (3, 0), "xor": (4, 0),
        "srl": (5, 0), "sra": (5, 0x20), "or": (6, 0), "and": (7, 0),
        "mul": (0, 1), "mulh": (1, 1), "mulhsu": (2, 1), "mulhu": (3, 1), "div": (4, 1), "divu": (5, 1),
        "rem": (6, 1), "remu": (7, 1),
    ]
    public static func op(_ name: String, _ rd: UInt32, _ rs1: UInt32, _ rs2: UInt32) -> UInt32 {
        let (f3, f7) = rOps[name]!
        return r(0x33, f3, f7, rd, rs1, rs2)
    }
    public static func add(_ rd: UInt32, _ rs1: UInt32, _ rs2: UInt32) -> UInt32 { op("add", rd, rs1, rs2) }

    /// f3 of every I-type ALU operation (shifts put f7 in the immediate's top bits).
    public static let iOps: [String: UInt32] = ["addi": 0, "slti": 2, "sltiu": 3, "xori": 4, "ori": 6, "andi": 7,
                                         "slli": 1, "srli": 5, "srai": 5]
    public static func opImm(_ name: String, _ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 {
        let value = name == "srai" ? imm | 0x400 : imm
        return i(0x13, iOps[name]!, rd, rs1, value)
    }
    public static func addi(_ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { i(0x13, 0, rd, rs1, imm) }

    public static let ecall: UInt32 = 0x0000_0073
    public static let ebreak: UInt32 = 0x0010_0073
    public static let fence: UInt32 = 0x0ff0_000f
    public static let unimp: UInt32 = 0xc000_1073
    public static let nop: UInt32 = 0x0000_0013

    /// rd = value (lui + addi, with the carry from the sign-extended low 12 bits).
    public static func li(_ rd: UInt32, _ value: UInt32) -> [UInt32] {
        let low = Int32(bitPattern: value << 20) >> 20
        let high = (value &- UInt32(bitPattern: low)) >> 12
        return [lui(rd, high), addi(rd, rd, low)]
    }

    /// HALT with exit code a0.
    public static let halt: [UInt32] = [addi(5, 0, 0), ecall]
    /// A system call: t0 = id, then ecall.
    public static func syscall(_ id: UInt32) -> [UInt32] { li(5, id) + [ecall] }
}

