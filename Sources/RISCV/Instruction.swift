/// A decoded RV32IM instruction as the executor runs it, for tools outside the executor (the
/// prover's program table). Decoding is the executor's own, so the two never disagree.
public struct Instruction: Sendable, Equatable {
    /// What the executor does.
    public enum Operation: Sendable, Equatable {
        /// rd ← imm (`lui`, and `auipc` with its pc already added).
        case loadImmediate
        case jal, jalr
        case beq, bne, blt, bge, bltu, bgeu
        case lb, lh, lw, lbu, lhu
        case sb, sh, sw
        case addi, slti, sltiu, xori, ori, andi, slli, srli, srai
        case add, sub, sll, slt, sltu, xor, srl, sra, or, and
        case mul, mulh, mulhsu, mulhu, div, divu, rem, remu
        /// `fence`, and register-writing instructions whose destination is x0.
        case nop
        case ecall
        /// `ebreak` and anything outside RV32IM: executing it traps.
        case trap
    }

    /// The operation.
    public var operation: Operation
    /// The destination register; 0 when it is x0 or the format writes none.
    public var rd: UInt32
    /// The first source register (0 when the operation reads none).
    public var rs1: UInt32
    /// The second source register (0 when the operation reads none).
    public var rs2: UInt32
    /// The sign-extended immediate; for `jal` and branches the absolute target address; for
    /// ``Operation/loadImmediate`` the value written.
    public var imm: UInt32

    /// Decodes the instruction word `word` at address `pc`.
    public init(decoding word: UInt32, pc: UInt32) {
        let d = Decoder.decode(word, pc: pc)
        rd = d.rd == sinkRegister ? 0 : UInt32(d.rd)
        rs1 = UInt32(d.rs1)
        rs2 = UInt32(d.rs2)
        imm = d.imm
        switch d.op {
        case .lui: operation = .loadImmediate
        case .jal: operation = .jal
        case .jalr: operation = .jalr
        case .beq: operation = .beq
        case .bne: operation = .bne
        case .blt: operation = .blt
        case .bge: operation = .bge
        case .bltu: operation = .bltu
        case .bgeu: operation = .bgeu
        case .lb: operation = .lb
        case .lh: operation = .lh
        case .lw: operation = .lw
        case .lbu: operation = .lbu
        case .lhu: operation = .lhu
        case .sb: operation = .sb
        case .sh: operation = .sh
        case .sw: operation = .sw
        case .addi: operation = .addi
        case .slti: operation = .slti
        case .sltiu: operation = .sltiu
        case .xori: operation = .xori
        case .ori: operation = .ori
        case .andi: operation = .andi
        case .slli: operation = .slli
        case .srli: operation = .srli
        case .srai: operation = .srai
        case .add: operation = .add
        case .sub: operation = .sub
        case .sll: operation = .sll
        case .slt: operation = .slt
        case .sltu: operation = .sltu
        case .xor: operation = .xor
        case .srl: operation = .srl
        case .sra: operation = .sra
        case .or: operation = .or
        case .and: operation = .and
        case .mul: operation = .mul
        case .mulh: operation = .mulh
        case .mulhsu: operation = .mulhsu
        case .mulhu: operation = .mulhu
        case .div: operation = .div
        case .divu: operation = .divu
        case .rem: operation = .rem
        case .remu: operation = .remu
        case .nop:
            operation = .nop
            rs1 = 0
            rs2 = 0
        case .ecall: operation = .ecall
        case .ebreak, .illegal, .badTarget, .outsideCode: operation = .trap
        }
    }
}

extension Program {
    /// The instruction words of the executable segments, by address: what the executor
    /// decodes (bytes past a segment's data are zero).
    public var codeWords: [(pc: UInt32, word: UInt32)] {
        var out: [(pc: UInt32, word: UInt32)] = []
        for s in segments where s.isExecutable {
            let n = (Int(s.memorySize) + 3) / 4
            out.reserveCapacity(out.count + n)
            for i in 0..<n {
                var w: UInt32 = 0
                for k in 0..<4 where 4 * i + k < s.data.count { w |= UInt32(s.data[4 * i + k]) << (8 * k) }
                out.append((s.address &+ UInt32(4 * i), w))
            }
        }
        return out.sorted { $0.pc < $1.pc }
    }
}
