import Testing
@testable import RISCV
import TestSupport

/// A deliberately plain RV32IM interpreter: decodes every instruction from its bits at every
/// step, keeps memory in a dictionary of bytes and computes in 64-bit integers. It also writes
/// its own trace rows, so the executor's trace is checked against an independent derivation.
struct ReferenceMachine {
    var x = [UInt32](repeating: 0, count: 32)
    var pc: UInt32
    var memory: [UInt32: UInt8] = [:]
    var code: [UInt32: UInt32] = [:]
    var rows: [TraceRow] = []
    var lastAccess: [UInt32: UInt32] = [:]

    enum Outcome: Equatable {
        case halted
        case trapped(pc: UInt32, kind: String)
        case limit
    }

    init(program: Program) {
        pc = program.entry
        x[2] = ZKVM.stackTop
        for s in program.segments {
            for (i, b) in s.data.enumerated() { memory[s.address + UInt32(i)] = b }
            if s.isExecutable {
                var a = s.address
                while a < s.address + s.memorySize {
                    code[a] = (0..<4).reduce(UInt32(0)) { $0 | UInt32(memory[a + UInt32($1)] ?? 0) << (8 * UInt32($1)) }
                    a += 4
                }
            }
        }
    }

    func byte(_ a: UInt32) -> UInt32 { UInt32(memory[a] ?? 0) }
    func word(_ a: UInt32) -> UInt32 { byte(a) | byte(a + 1) << 8 | byte(a + 2) << 16 | byte(a + 3) << 24 }

    mutating func run(maxSteps: Int) -> Outcome {
        for _ in 0..<maxSteps {
            guard let w = code[pc] else { return .trapped(pc: pc, kind: "jumpOutsideCode") }
            let opcode = w & 0x7f
            let rd = Int((w >> 7) & 31), f3 = (w >> 12) & 7, f7 = w >> 25
            let rs1 = Int((w >> 15) & 31), rs2 = Int((w >> 20) & 31)
            let a = x[rs1], b = x[rs2]
            let sa = Int64(Int32(bitPattern: a)), sb = Int64(Int32(bitPattern: b))
            let ua = Int64(a), ub = Int64(b)
            let immI = Int64(Int32(bitPattern: w) >> 20)
            let immS = Int64(Int32(bitPattern: w & 0xfe00_0000) >> 20) | Int64((w >> 7) & 31)
            let bit = { (n: UInt32) -> Int64 in Int64((w >> n) & 1) }
            let immB = -(bit(31) << 12) | bit(7) << 11 | Int64((w >> 25) & 0x3f) << 5 | Int64((w >> 8) & 0xf) << 1
            let immJ = -(bit(31) << 20) | Int64((w >> 12) & 0xff) << 12 | bit(20) << 11 | Int64((w >> 21) & 0x3ff) << 1
            var row = TraceRow(pc: pc, instruction: w)
            var next = pc &+ 4
            var result: Int64? = nil

            // Register reads as the trace reports them: the fields the format has.
            switch opcode {
            case 0x33, 0x23, 0x63: row.rs1Value = a; row.rs2Value = b
            case 0x13, 0x03, 0x67: row.rs1Value = a
            default: break
            }
            if opcode == 0x13 && (f3 == 1 || f3 == 5) { row.rs2Value = 0 }

            func trap(_ kind: String) -> Outcome { .trapped(pc: pc, kind: kind) }
            func access(_ address: UInt32, previous: UInt32, value: UInt32) {
                row.memoryAddress = address
                row.memoryPrevious = previous
                row.memoryValue = value
                row.memoryPreviousTimestamp = lastAccess[address] ?? 0
                lastAccess[address] = UInt32(rows.count + 1)
            }

            switch opcode {
            case 0x37: result = Int64(w & 0xffff_f000)
            case 0x17: result = Int64(pc) + Int64(Int32(bitPattern: w & 0xffff_f000))
            case 0x6f:
                result = Int64(pc) + 4
                next = UInt32(truncatingIfNeeded: Int64(pc) + immJ)
            case 0x67:
                result = Int64(pc) + 4
                next = UInt32(truncatingIfNeeded: ua + immI) & ~1
                if next % 4 != 0 { return trap("misalignedJump") }
            case 0x63:
                let taken: Bool
                switch f3 {
                case 0: taken = a == b
                case 1: taken = a != b
                case 4: taken = sa < sb
                case 5: taken = sa >= sb
                case 6: taken = ua < ub
                default: taken = ua >= ub
                }
                if taken { next = UInt32(truncatingIfNeeded: Int64(pc) + immB) }
            case 0x03:
                let address = UInt32(truncatingIfNeeded: ua + immI)
                let width: UInt32 = [1, 2, 4, 0, 1, 2][Int(f3)]
                if address % width != 0 { return trap("misalignedLoad") }
                var v: Int64 = 0
                for i in 0..<width { v |= Int64(byte(address + i)) << (8 * Int64(i)) }
                if f3 == 0 { v = Int64(Int8(truncatingIfNeeded: v)) }
                if f3 == 1 { v = Int64(Int16(truncatingIfNeeded: v)) }
                result = v
                let aligned = address & ~3
                access(aligned, previous: word(aligned), value: word(aligned))
            case 0x23:
                let address = UInt32(truncatingIfNeeded: ua + immS)
                let width: UInt32 = [1, 2, 4][Int(f3)]
                if address % width != 0 { return trap("misalignedStore") }
                let aligned = address & ~3
                let before = word(aligned)
                for i in 0..<width { memory[address + i] = UInt8(truncatingIfNeeded: b >> (8 * i)) }
                access(aligned, previous: before, value: word(aligned))
            case 0x13:
                let shamt = Int64((w >> 20) & 31)
                switch f3 {
                case 0: result = sa + immI
                case 2: result = sa < immI ? 1 : 0
                case 3: result = ua < Int64(UInt32(truncatingIfNeeded: immI)) ? 1 : 0
                case 4: result = ua ^ immI
                case 6: result = ua | immI
                case 7: result = ua & immI
                case 1: result = ua << shamt
                default: result = f7 == 0x20 ? sa >> shamt : ua >> shamt
                }
            case 0x33:
                let sh = ub & 31
                switch (f7, f3) {
                case (0, 0): result = ua + ub
                case (0x20, 0): result = ua - ub
                case (0, 1): result = ua << sh
                case (0, 2): result = sa < sb ? 1 : 0
                case (0, 3): result = ua < ub ? 1 : 0
                case (0, 4): result = ua ^ ub
                case (0, 5): result = ua >> sh
                case (0x20, 5): result = sa >> sh
                case (0, 6): result = ua | ub
                case (0, 7): result = ua & ub
                case (1, 0): result = sa * sb
                case (1, 1): result = (sa * sb) >> 32
                case (1, 2): result = (sa * ub) >> 32
                case (1, 3): result = Int64((UInt64(a) * UInt64(b)) >> 32)
                case (1, 4): result = sb == 0 ? -1 : sa / sb
                case (1, 5): result = ub == 0 ? -1 : ua / ub
                case (1, 6): result = sb == 0 ? sa : sa % sb
                case (1, 7): result = ub == 0 ? ua : ua % ub
                default: return trap("illegalInstruction")
                }
            case 0x73:
                if w == 0x73 && x[5] == 0 {
                    rows.append(row)
                    return .halted
                }
                return trap("other")
            default:
                return trap("illegalInstruction")
            }
            if let result, rd != 0 {
                x[rd] = UInt32(truncatingIfNeeded: result)
                row.rdValue = x[rd]
            }
            rows.append(row)
            pc = next
        }
        return .limit
    }
}

/// Random instruction sequences give the same registers, memory, traps and trace rows in the
/// executor as in the reference interpreter.
@Suite struct DifferentialTests {
    static let interesting: [UInt32] = [0, 1, 2, 0xffffffff, 0xfffffffe, 0x80000000, 0x7fffffff, 0x80000001, 31, 32, 0xffff8000, 0x00007fff]

    /// x20 holds dataBase and x21 the code's start (for jalr); random instructions write x0…x15 only.
    static func randomProgram(_ rng: inout SplitMix64, length: Int) -> (code: [UInt32], data: [UInt8]) {
        var code: [UInt32] = []
        for r in UInt32(1)...15 {
            let v = Bool.random(using: &rng) ? interesting.randomElement(using: &rng)! : UInt32.random(in: .min ... .max, using: &rng)
            code += Asm.li(r, v)
        }
        code += Asm.li(20, dataBase) + Asm.li(21, ZKVM.textStart)
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
        code += Asm.halt
        let data = (0..<512).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return (code, data)
    }

    static func kindName(_ k: TrapKind) -> String {
        switch k {
        case .misalignedLoad: return "misalignedLoad"
        case .misalignedStore: return "misalignedStore"
        case .misalignedJump: return "misalignedJump"
        case .jumpOutsideCode: return "jumpOutsideCode"
        case .illegalInstruction: return "illegalInstruction"
        default: return "other"
        }
    }

    @Test(arguments: 0..<8)
    func randomProgramsMatchTheReference(batch: Int) throws {
        var rng = SplitMix64(seed: 0x5eed_0000 + UInt64(batch))
        var halted = 0, trapped = 0
        for _ in 0..<40 {
            let (code, data) = Self.randomProgram(&rng, length: 150)
            let program = try makeProgram(code, data: data)
            var reference = ReferenceMachine(program: program)
            let expected = reference.run(maxSteps: 10_000)

            let trace = Trace()
            let e = Executor(program: program, options: ExecutionOptions(maxCycles: 10_000))
            let outcome: ReferenceMachine.Outcome
            do {
                _ = try e.run(recordingInto: trace)
                outcome = .halted
                halted += 1
            } catch {
                guard case .trap(let t) = error else { Issue.record("unexpected \(error)"); return }
                outcome = .trapped(pc: t.pc, kind: Self.kindName(t.kind))
                trapped += 1
            }
            #expect(outcome == expected)
            #expect(e.registers == reference.x)
            #expect(e.readMemory(at: dataBase, count: 512) == (0..<512).map { UInt8(reference.byte(dataBase + UInt32($0))) })
            #expect(trace.count == reference.rows.count)
            let rows = trace.withRows { Array($0) }
            if let i = zip(rows, reference.rows).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                Issue.record("trace row \(i) differs: \(rows[i]) vs reference \(reference.rows[i])")
            }
        }
        #expect(halted > 0)
    }

    @Test func tracedAndUntracedRunsAgree() throws {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<20 {
            let (code, data) = Self.randomProgram(&rng, length: 200)
            let program = try makeProgram(code, data: data)
            let plain = Executor(program: program, options: ExecutionOptions(maxCycles: 10_000))
            let traced = Executor(program: program, options: ExecutionOptions(maxCycles: 10_000, recordTrace: true))
            let p = Result { () throws(ExecutionError) in try plain.run() }
            let t = Result { () throws(ExecutionError) in try traced.run() }
            switch (p, t) {
            case (.success(let a), .success(let b)):
                #expect(a.cycles == b.cycles)
                #expect(b.trace?.count == Int(b.cycles))
            case (.failure(let a), .failure(let b)):
                #expect(a == b)
            default:
                Issue.record("traced and untraced runs ended differently: \(p) vs \(t)")
            }
            #expect(plain.registers == traced.registers)
        }
    }
}
