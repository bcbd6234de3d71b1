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
    /// x20 holds dataBase and x21 the code's start (for jalr); random instructions write x0…x15 only.
    static func randomProgram(_ rng: inout SplitMix64, length: Int) -> (code: [UInt32], data: [UInt8]) {
        RandomRV32Program.generate(&rng, length: length, dataBase: dataBase, textStart: ZKVM.textStart)
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
