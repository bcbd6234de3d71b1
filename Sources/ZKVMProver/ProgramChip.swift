import KoalaBear
import RISCV
import STARK

/// The load and store operations on ``VMBus/loadStore`` (the `op` field of their program rows).
public enum MemoryOp: UInt32, CaseIterable, Sendable {
    case lb = 0, lh = 1, lw = 2, lbu = 3, lhu = 4, sb = 5, sh = 6, sw = 7

    /// Bytes accessed.
    public var width: UInt32 {
        switch self {
        case .lb, .lbu, .sb: return 1
        case .lh, .lhu, .sh: return 2
        case .lw, .sw: return 4
        }
    }

    public var isStore: Bool { self == .sb || self == .sh || self == .sw }
}

/// One instruction as the CPU table sees it: the register fields, the immediate, the static
/// next pc of jumps and branches, an operation code and the flags that steer the CPU's
/// constraints. Built from the executor's own decoding; every field is public (the verifier
/// derives the program table from the ELF), so the prover never chooses one.
public struct DecodedRow: Sendable, Equatable {
    public var pc: UInt32
    public var rs1: UInt32 = 0
    public var rs2: UInt32 = 0
    /// 0 when the instruction writes no register (or writes x0).
    public var rd: UInt32 = 0
    /// The operand added to rs2's value for the ALU (I-type immediates, `lui`/`auipc` values)
    /// or the address offset of loads and stores (0 otherwise).
    public var imm: UInt32 = 0
    /// The static next pc of `jal` and branches when taken (1, never a pc, when the target is
    /// outside the field).
    public var target: UInt32 = 0
    /// The ``ALUOp`` of ALU instructions, branches and `jalr`; the ``MemoryOp`` of loads and stores.
    public var op: UInt32 = 0
    public var flags: Flags = []

    /// The flags, one CPU column each.
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        /// The row sends (op, rs1, rs2 + imm, c) on the ALU bus.
        public static let usesALU = Flags(rawValue: 1 << 0)
        /// rd ← c.
        public static let writesC = Flags(rawValue: 1 << 1)
        /// rd ← pc + 4.
        public static let isLink = Flags(rawValue: 1 << 2)
        /// A load or store.
        public static let isMemory = Flags(rawValue: 1 << 3)
        /// next pc ← target.
        public static let isJal = Flags(rawValue: 1 << 4)
        /// next pc ← c with bit 0 cleared.
        public static let isJalr = Flags(rawValue: 1 << 5)
        /// Taken when c = 1 (BLT, BLTU).
        public static let branchIfSet = Flags(rawValue: 1 << 6)
        /// Taken when c = 0 (BGE, BGEU).
        public static let branchIfClear = Flags(rawValue: 1 << 7)
        /// Taken when rs1 − rs2 = 0 (BEQ).
        public static let branchIfEqual = Flags(rawValue: 1 << 8)
        /// Taken when rs1 − rs2 ≠ 0 (BNE).
        public static let branchIfNotEqual = Flags(rawValue: 1 << 9)
        /// An `ecall`.
        public static let isEcall = Flags(rawValue: 1 << 10)

        /// In column order.
        public static let all: [Flags] = [.usesALU, .writesC, .isLink, .isMemory, .isJal, .isJalr, .branchIfSet,
                                          .branchIfClear, .branchIfEqual, .branchIfNotEqual, .isEcall]
    }

    /// The row of the instruction `word` at `pc`, or nil when executing it traps (`ebreak`,
    /// illegal encodings), so no row of the table stands for it.
    public init?(word: UInt32, pc: UInt32) {
        let i = Instruction(decoding: word, pc: pc)
        self.pc = pc
        func target(_ t: UInt32) -> UInt32 { t < ZKVM.fieldPrime ? t : 1 }
        func alu(_ op: ALUOp, rs2: UInt32 = 0, imm: UInt32 = 0) {
            self.op = op.rawValue
            rs1 = i.rs1
            self.rs2 = rs2
            self.imm = imm
            rd = i.rd
            flags = i.rd == 0 ? [.usesALU] : [.usesALU, .writesC]
        }
        func branch(_ op: ALUOp, _ f: Flags) {
            self.op = op.rawValue
            rs1 = i.rs1
            rs2 = i.rs2
            self.target = target(i.imm)
            flags = [.usesALU, f]
        }
        func memory(_ op: MemoryOp) {
            self.op = op.rawValue
            rs1 = i.rs1
            rs2 = op.isStore ? i.rs2 : 0
            rd = op.isStore ? 0 : i.rd
            imm = i.imm
            flags = op.isStore || i.rd == 0 ? [.isMemory] : [.isMemory, .writesC]
        }
        switch i.operation {
        case .loadImmediate: alu(.add, imm: i.imm)
        case .jal:
            self.target = target(i.imm)
            rd = i.rd
            flags = i.rd == 0 ? [.isJal] : [.isJal, .isLink]
        case .jalr:
            op = ALUOp.add.rawValue
            rs1 = i.rs1
            imm = i.imm
            rd = i.rd
            flags = i.rd == 0 ? [.usesALU, .isJalr] : [.usesALU, .isJalr, .isLink]
        case .beq: branch(.sub, .branchIfEqual)
        case .bne: branch(.sub, .branchIfNotEqual)
        case .blt: branch(.slt, .branchIfSet)
        case .bge: branch(.slt, .branchIfClear)
        case .bltu: branch(.sltu, .branchIfSet)
        case .bgeu: branch(.sltu, .branchIfClear)
        case .lb: memory(.lb)
        case .lh: memory(.lh)
        case .lw: memory(.lw)
        case .lbu: memory(.lbu)
        case .lhu: memory(.lhu)
        case .sb: memory(.sb)
        case .sh: memory(.sh)
        case .sw: memory(.sw)
        case .addi: alu(.add, imm: i.imm)
        case .slti: alu(.slt, imm: i.imm)
        case .sltiu: alu(.sltu, imm: i.imm)
        case .xori: alu(.xor, imm: i.imm)
        case .ori: alu(.or, imm: i.imm)
        case .andi: alu(.and, imm: i.imm)
        case .slli: alu(.sll, imm: i.imm)
        case .srli: alu(.srl, imm: i.imm)
        case .srai: alu(.sra, imm: i.imm)
        case .add: alu(.add, rs2: i.rs2)
        case .sub: alu(.sub, rs2: i.rs2)
        case .sll: alu(.sll, rs2: i.rs2)
        case .slt: alu(.slt, rs2: i.rs2)
        case .sltu: alu(.sltu, rs2: i.rs2)
        case .xor: alu(.xor, rs2: i.rs2)
        case .srl: alu(.srl, rs2: i.rs2)
        case .sra: alu(.sra, rs2: i.rs2)
        case .or: alu(.or, rs2: i.rs2)
        case .and: alu(.and, rs2: i.rs2)
        case .mul: alu(.mul, rs2: i.rs2)
        case .mulh: alu(.mulh, rs2: i.rs2)
        case .mulhsu: alu(.mulhsu, rs2: i.rs2)
        case .mulhu: alu(.mulhu, rs2: i.rs2)
        case .div: alu(.div, rs2: i.rs2)
        case .divu: alu(.divu, rs2: i.rs2)
        case .rem: alu(.rem, rs2: i.rs2)
        case .remu: alu(.remu, rs2: i.rs2)
        case .nop: break
        case .ecall:
            rs1 = 5   // t0: the call id
            rs2 = 10  // a0
            rd = 5    // t0 ← the result
            flags = [.isEcall, .writesC]
        case .trap: return nil
        }
    }

    /// The row's fields in program-bus order after (pc, 1): rs1, rs2, rd, imm₀, imm₁, target,
    /// op, then the flags.
    var fields: [UInt32] {
        [rs1, rs2, rd, imm & 0xffff, imm >> 16, target, op] + Flags.all.map { flags.contains($0) ? 1 : 0 }
    }

    /// Number of fields after (pc, 1).
    static let fieldCount = 7 + Flags.all.count
}

/// The program table: one preprocessed row per executable instruction of the ELF that does not
/// trap — (pc, 1, rs1, rs2, rd, imm₀, imm₁, target, op, flags…) — and one main column counting
/// how often the CPU executed it. The CPU sends each executed row's decoded fields on
/// ``VMBus/program`` with its pc, so it runs exactly this program's code: the verifier builds
/// the table from the ELF and commits it itself (the commitment enters the transcript), and a
/// pc with no row (outside the code, a trapping instruction, a misaligned target) cannot be
/// executed. Padding rows carry 0 in the second column, which the CPU never sends.
public struct ProgramChip: AIR {
    public let rows: [DecodedRow]
    public let logHeight: Int

    /// The table of `program`.
    public init(program: Program) {
        rows = program.codeWords.compactMap { DecodedRow(word: $0.word, pc: $0.pc) }
        var log = 1
        while 1 << log < rows.count { log += 1 }
        logHeight = log
    }

    public var name: String { "program" }
    public var mainWidth: Int { 1 }
    public var preprocessedWidth: Int { 2 + DecodedRow.fieldCount }

    public func preprocessedTrace(logHeight: Int) -> ColumnMatrix? {
        guard logHeight == self.logHeight else { return nil }
        var m = ColumnMatrix(width: preprocessedWidth, height: 1 << logHeight)
        for (r, row) in rows.enumerated() {
            m[r, 0] = KoalaBear(row.pc)
            m[r, 1] = .one
            for (k, v) in row.fields.enumerated() { m[r, 2 + k] = KoalaBear(v) }
        }
        return m
    }

    public func constraints(_ b: ConstraintBuilder) {
        b.receive(VMBus.program, values: (0..<preprocessedWidth).map { b.preprocessed($0) }, multiplicity: b.main(0))
    }

    /// The row index of each pc.
    public func index() -> [UInt32: Int] {
        var out: [UInt32: Int] = [:]
        out.reserveCapacity(rows.count)
        for (r, row) in rows.enumerated() { out[row.pc] = r }
        return out
    }

    /// The multiplicity column for `counts[r]` executions of row r.
    public func trace(counts: [UInt32]) -> ColumnMatrix {
        var column = [KoalaBear](repeating: .zero, count: 1 << logHeight)
        for (r, c) in counts.enumerated() { column[r] = KoalaBear(c) }
        return ColumnMatrix(columns: [column])
    }
}
