/// The random RV32IM programs of the executor's differential corpus (RISCVTests), shared so the
/// prover's tests prove the very same programs.
public enum RandomRV32Program {
    public static let interesting: [UInt32] = [0, 1, 2, 0xffffffff, 0xfffffffe, 0x80000000, 0x7fffffff, 0x80000001, 31, 32, 0xffff8000, 0x00007fff]

    /// `length` random instructions after setting x1…x15 to random (often edge-case) values;
    /// x20 holds `dataBase` (loads and stores stay within 256 bytes of it) and x21 `textStart`
    /// (for jalr); the random instructions write x0…x15 only. Ends with `epilogue` (default HALT).
    /// Returns the code and 512 random data bytes for `dataBase`.
    public static func generate(_ rng: inout SplitMix64, length: Int, dataBase: UInt32, textStart: UInt32,
                                epilogue: [UInt32] = Asm.halt) -> (code: [UInt32], data: [UInt8]) {
        var code: [UInt32] = []
        for r in UInt32(1)...15 {
            let v = Bool.random(using: &rng) ? interesting.randomElement(using: &rng)! : UInt32.random(in: .min ... .max, using: &rng)
            code += Asm.li(r, v)
        }
        code += Asm.li(20, dataBase) + Asm.li(21, textStart)
        let reg = { (rng: inout SplitMix64) -> UInt32 in UInt32.random(in: 0...15, using: &rng) }
        let rNames = Asm.rOps.keys.sorted()
        let iNames = Asm.iOps.keys.sorted()
        let body = code.count
        while code.count - body < length {
            let remaining = length - (code.count - body)
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<35:
                code.append(Asm.op(rNames.randomElement(using: &rng)!, reg(&rng), reg(&rng), reg(&rng)))
            case 35..<55:
                let name = iNames.randomElement(using: &rng)!
                let imm = ["slli", "srli", "srai"].contains(name) ? Int32.random(in: 0...31, using: &rng)
                    : Int32.random(in: -2048...2047, using: &rng)
                code.append(Asm.opImm(name, reg(&rng), reg(&rng), imm))
            case 55..<60:
                let imm = UInt32.random(in: 0...0xfffff, using: &rng)
                code.append(Bool.random(using: &rng) ? Asm.lui(reg(&rng), imm) : Asm.auipc(reg(&rng), imm))
            case 60..<72:
                let name = Asm.loadF3.keys.sorted().randomElement(using: &rng)!
                let width: Int32 = name == "lw" ? 4 : name.hasPrefix("lh") ? 2 : 1
                var offset = Int32.random(in: 0..<256, using: &rng)
                if Int.random(in: 0..<20, using: &rng) != 0 { offset &= ~(width - 1) }
                code.append(Asm.load(name, reg(&rng), offset, 20))
            case 72..<84:
                let name = Asm.storeF3.keys.sorted().randomElement(using: &rng)!
                let width: Int32 = name == "sw" ? 4 : name == "sh" ? 2 : 1
                var offset = Int32.random(in: 0..<256, using: &rng)
                if Int.random(in: 0..<20, using: &rng) != 0 { offset &= ~(width - 1) }
                code.append(Asm.store(name, reg(&rng), offset, 20))
            case 84..<94 where remaining > 4:
                let skip = Int32.random(in: 1...3, using: &rng)
                code.append(Asm.branch(Asm.branchF3.keys.sorted().randomElement(using: &rng)!, reg(&rng), reg(&rng), 4 * (skip + 1)))
            case 94..<97 where remaining > 4:
                code.append(Asm.jal(reg(&rng), 4 * (Int32.random(in: 1...3, using: &rng) + 1)))
            case 97..<100 where remaining > 4:
                // jalr rd, x21 (= the code's start), offset of the instruction after next (+1
                // sometimes: bit 0 is cleared) → skips one instruction.
                let target = Int32(4 * (code.count + 2))
                code.append(Asm.jalr(reg(&rng), 21, target + Int32.random(in: 0...1, using: &rng)))
            default:
                code.append(Asm.addi(reg(&rng), reg(&rng), Int32.random(in: -2048...2047, using: &rng)))
            }
        }
        code += epilogue
        let data = (0..<512).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return (code, data)
    }

    /// An epilogue that publishes x1…x15 (60 bytes, little-endian, stored at `dataBase` + 0x400)
    /// as the public output (WRITE to fd 3) and halts with x10's value as the exit code.
    public static let publishRegisters: [UInt32] = {
        var code: [UInt32] = (1...15).map { Asm.sw(UInt32($0), Int32(0x400 + 4 * ($0 - 1)), 20) }
        code += [Asm.addi(10, 0, 3), Asm.addi(11, 20, 0x400), Asm.addi(12, 0, 60)] + Asm.syscall(2)
        code += [Asm.lw(10, 0x400 + 36, 20)] + Asm.halt
        return code
    }()
}
