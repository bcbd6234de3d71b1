import KoalaBear
import RISCV
import STARK

/// Why a run cannot be proven.
public enum ProvingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The run did not halt (a trap, the cycle limit), so there is nothing to prove.
    case execution(String)
    /// The run is longer than the memory argument's timestamps allow in one proof.
    case tooLong(cycles: UInt64, limit: UInt64)
    /// The run uses something the prover does not prove yet.
    case unsupported(String)
    /// The machine refused the trace (an internal inconsistency: a bug).
    case stark(String)

    public var description: String {
        switch self {
        case .execution(let m): return "the run cannot be proven: \(m)"
        case .tooLong(let c, let l): return "the run has \(c) cycles; one proof covers at most \(l)"
        case .unsupported(let m): return "not provable yet: \(m)"
        case .stark(let m): return "prover: \(m)"
        }
    }
}

/// The RV32IM machine: its tables in a fixed order, the witness of a recorded run, and what
/// the verifier adds to the buses itself.
public enum RV32Machine {
    /// The most cycles one proof covers: the last access of the last cycle, at 4·clk + 7, stays
    /// below ``maxMemoryTimestamp``.
    public static let maxCycles = UInt64(maxMemoryTimestamp / 4) - 2

    /// The tables, in proof order.
    public static func airs(program: ProgramChip) -> [any AIR] {
        [CPUChip(), program, AddSubChip(), BitwiseChip(), LessThanChip(), MulChip(), ShiftChip(), DivChip(), LoadStoreChip(),
         SyscallChip(),
         MemoryBoundaryChip(), Range16Chip(), ByteChip()]
    }

    /// The initial memory the verifier puts on the bus: the program image and sp.
    public static func initialMemory(of program: Program) -> [UInt32: UInt32] {
        var image = MemoryBoundaryChip.image(of: program)
        image[registerAddress(2)] = ZKVM.stackTop
        return image
    }

    /// What the verifier puts on the buses for a run of `program` that halted with `exitCode`
    /// after `cycles` cycles: the initial memory, and the final state it must end in.
    public static func publicInteractions(program: Program, exitCode: UInt32, cycles: UInt64) -> [PublicInteraction] {
        MemoryBoundaryChip.imageInteractions(initialMemory(of: program)) + [
            PublicInteraction(bus: VMBus.finalState,
                              values: [.one, .zero, KoalaBear(UInt32(truncatingIfNeeded: cycles)),
                                       KoalaBear(exitCode & 0xffff), KoalaBear(exitCode >> 16)],
                              isSend: false),
        ]
    }

    /// The public inputs of each table, in ``airs(program:)`` order.
    public static func publicInputs(program: Program) -> [[KoalaBear]] {
        [[KoalaBear(program.entry), .zero], [], [], [], [], [], [], [], LoadStoreChip.publicInputs(program: program), [], [], [], []]
    }

    /// The machine's tables for a halted run of `program` recorded in `trace`.
    public static func tables(program: Program, chip: ProgramChip, trace: Trace) throws(ProvingError) -> [MachineTable] {
        var w = Witness(program: program, chip: chip)
        try w.run(trace)
        return w.tables()
    }
}

/// Walks a recorded run and fills every table: the CPU rows, each chip's requests, the register
/// file and memory timestamps, the boundary, and the lookups' multiplicities.
struct Witness {
    let program: Program
    let chip: ProgramChip
    let index: [UInt32: Int]
    var programCounts: [UInt32]
    var counts = LookupCounts()
    var regs = [UInt32](repeating: 0, count: 32)
    var regTs = [UInt32](repeating: 0, count: 32)
    /// Last access (value, timestamp) of every touched word and register; image words start at
    /// timestamp 0.
    var final: [UInt32: (value: UInt32, timestamp: UInt32)] = [:]
    let image: [UInt32: UInt32]
    var cpu = ColumnMatrix(width: 0, height: 0)
    var addSub: [AddSubChip.Row] = [], bitwise: [AddSubChip.Row] = [], lessThan: [AddSubChip.Row] = []
    var mul: [AddSubChip.Row] = [], shift: [AddSubChip.Row] = [], div: [AddSubChip.Row] = []
    var loadStore: [LoadStoreChip.Row] = []
    var syscalls: [SyscallChip.Row] = []

    init(program: Program, chip: ProgramChip) {
        self.program = program
        self.chip = chip
        index = chip.index()
        programCounts = [UInt32](repeating: 0, count: chip.rows.count)
        regs[2] = ZKVM.stackTop
        image = RV32Machine.initialMemory(of: program)
        for (a, v) in image { final[a] = (v, 0) }
    }

    mutating func alu(_ op: ALUOp, _ a: UInt32, _ b: UInt32, _ c: UInt32) throws(ProvingError) {
        let row = AddSubChip.Row(op: op, a: a, b: b, c: c)
        switch op {
        case .add, .sub: addSub.append(row)
        case .and, .or, .xor: bitwise.append(row)
        case .slt, .sltu: lessThan.append(row)
        case .mul, .mulh, .mulhsu, .mulhu: mul.append(row)
        case .sll, .srl, .sra: shift.append(row)
        case .div, .divu, .rem, .remu: div.append(row)
        }
    }

    /// Records the timestamp order of an access (previous → ts) and returns the difference limbs.
    mutating func order(_ previous: UInt32, _ ts: UInt32) -> (UInt32, UInt32) {
        let d = ts - previous - 1
        counts.range(d & 0xffff)
        counts.range((d >> 16) * 32)
        return (d & 0xffff, d >> 16)
    }

    mutating func run(_ trace: Trace) throws(ProvingError) {
        guard program.codeStart >= 4 else { throw .unsupported("code at address \(program.codeStart)") }
        let n = trace.count
        guard n >= 1 else { throw .execution("no cycles") }
        guard UInt64(n) <= RV32Machine.maxCycles else { throw .tooLong(cycles: UInt64(n), limit: RV32Machine.maxCycles) }
        let height = paddedHeight(n)
        var m = ColumnMatrix(width: CPUChip.Col.count, height: height)
        var syscallIndex = 0
        typealias C = CPUChip.Col
        for i in 0..<n {
            let row = trace[i]
            guard let r = index[row.pc] else { throw .execution("pc \(row.pc) has no instruction") }
            programCounts[r] += 1
            let d = chip.rows[r]
            let clk = UInt32(i)
            let t = 4 * clk + 4
            let a = regs[Int(d.rs1)], rv = regs[Int(d.rs2)]
            let bValue = rv &+ d.imm
            var c: UInt32 = 0
            var halt = false
            if d.flags.contains(.usesALU) {
                guard let op = ALUOp(rawValue: d.op) else { throw .stark("bad ALU op \(d.op)") }
                c = op.apply(a, bValue)
                try alu(op, a, bValue, c)
            }
            if d.flags.contains(.isMemory) {
                guard let op = MemoryOp(rawValue: d.op) else { throw .stark("bad memory op \(d.op)") }
                let address = a &+ d.imm, word = address & ~3
                let previous = final[word] ?? (0, 0)
                guard word == row.memoryAddress, previous.value == row.memoryPrevious else {
                    throw .stark("memory disagrees with the executor at cycle \(i)")
                }
                let (result, value) = LoadStoreChip.apply(op, address: address, word: previous.value, data: rv)
                guard value == row.memoryValue else { throw .stark("stored word disagrees with the executor at cycle \(i)") }
                c = result
                loadStore.append(LoadStoreChip.Row(op: op, clk: clk, base: a, imm: d.imm, data: rv, result: result,
                                                   previous: previous.value, value: value, previousTimestamp: previous.timestamp))
                final[word] = (value, t + 2)
            }
            if d.flags.contains(.isEcall) {
                guard syscallIndex < trace.syscalls.count, trace.syscalls[syscallIndex].timestamp == clk + 1 else {
                    throw .stark("ecall at cycle \(i) has no record")
                }
                let s = trace.syscalls[syscallIndex]
                syscallIndex += 1
                guard s.id == a, s.arguments.0 == rv else { throw .stark("ecall registers disagree at cycle \(i)") }
                switch Syscall(rawValue: s.id) {
                case .halt?: halt = true
                case .commit?: break
                default: throw .unsupported("system call \(s.id)")
                }
                c = s.result
                syscalls.append(SyscallChip.Row(clk: clk, id: s.id, a0: rv, result: c))
            }
            let written: UInt32 = d.flags.contains(.writesC) ? c : (d.flags.contains(.isLink) ? row.pc &+ 4 : 0)
            if d.flags.contains(.isLink) {
                counts.range(written & 0xffff)
                counts.range(written >> 16)
            }
            if d.rd != 0 && !d.flags.contains(.isEcall) && written != row.rdValue { throw .stark("rd value disagrees with the executor at cycle \(i)") }
            // Next pc.
            var npc = row.pc &+ 4
            var z: UInt32 = 0, zInv = KoalaBear.zero, jalrBit: UInt32 = 0
            if d.flags.contains(.isJal) { npc = d.target }
            if d.flags.contains(.isJalr) {
                npc = c & ~1
                jalrBit = c & 1
                counts.range(0x7eff &- (c >> 16))
            }
            if d.flags.contains(.branchIfSet) && c == 1 { npc = d.target }
            if d.flags.contains(.branchIfClear) && c == 0 { npc = d.target }
            if d.flags.contains(.branchIfEqual) || d.flags.contains(.branchIfNotEqual) {
                let sum = KoalaBear(c & 0xffff) + KoalaBear(c >> 16)
                if sum == .zero { z = 1 } else { zInv = sum.inverse! }
                if d.flags.contains(.branchIfEqual) == (z == 1) { npc = d.target }
            }
            if i + 1 < n && trace[i + 1].pc != npc { throw .stark("next pc disagrees with the executor at cycle \(i)") }

            // Register accesses.
            let p1 = regTs[Int(d.rs1)]
            regTs[Int(d.rs1)] = t
            let o1 = order(p1, t)
            let p2 = regTs[Int(d.rs2)]
            regTs[Int(d.rs2)] = t + 1
            let o2 = order(p2, t + 1)
            let prevW = regs[Int(d.rd)], p3 = regTs[Int(d.rd)]
            regTs[Int(d.rd)] = t + 3
            let o3 = order(p3, t + 3)
            regs[Int(d.rd)] = written
            final[registerAddress(d.rs1)] = (a, t)
            final[registerAddress(d.rs2)] = (rv, t + 1)
            final[registerAddress(d.rd)] = (written, t + 3)

            m[i, C.pc] = KoalaBear(row.pc)
            m[i, C.clk] = KoalaBear(clk)
            m[i, C.active] = .one
            for (k, v) in d.fields.enumerated() { m[i, C.decoded + k] = KoalaBear(v) }
            m[i, C.a] = KoalaBear(a & 0xffff)
            m[i, C.a + 1] = KoalaBear(a >> 16)
            m[i, C.r] = KoalaBear(rv & 0xffff)
            m[i, C.r + 1] = KoalaBear(rv >> 16)
            m[i, C.c] = KoalaBear(c & 0xffff)
            m[i, C.c + 1] = KoalaBear(c >> 16)
            m[i, C.w] = KoalaBear(written & 0xffff)
            m[i, C.w + 1] = KoalaBear(written >> 16)
            m[i, C.npc] = KoalaBear(npc)
            m[i, C.z] = KoalaBear(z)
            m[i, C.zInv] = zInv
            m[i, C.jalrBit] = KoalaBear(jalrBit)
            m[i, C.halt] = halt ? .one : .zero
            m[i, C.rs1Access] = KoalaBear(p1)
            m[i, C.rs1Access + 1] = KoalaBear(o1.0)
            m[i, C.rs1Access + 2] = KoalaBear(o1.1)
            m[i, C.rs2Access] = KoalaBear(p2)
            m[i, C.rs2Access + 1] = KoalaBear(o2.0)
            m[i, C.rs2Access + 2] = KoalaBear(o2.1)
            m[i, C.rdAccess] = KoalaBear(prevW & 0xffff)
            m[i, C.rdAccess + 1] = KoalaBear(prevW >> 16)
            m[i, C.rdAccess + 2] = KoalaBear(p3)
            m[i, C.rdAccess + 3] = KoalaBear(o3.0)
            m[i, C.rdAccess + 4] = KoalaBear(o3.1)
            if halt && i + 1 != n { throw .stark("HALT before the last cycle") }
        }
        guard syscallIndex == trace.syscalls.count,
              let last = trace.syscalls.last, Syscall(rawValue: last.id) == .halt else {
            throw .execution("the run did not halt")
        }
        m[n - 1, C.isLast] = .one
        for i in n..<height {
            m[i, C.clk] = KoalaBear(UInt32(i))
            m[i, C.npc] = KoalaBear(4)  // pc + 4 with pc = 0: padding rows satisfy the next-pc identity
        }
        cpu = m
    }

    func tables() -> [MachineTable] {
        var counts = self.counts
        var mulRows = self.mul, divRows = self.div, lessThanRows = self.lessThan
        let (shift, shiftRequests) = ShiftChip.trace(self.shift, counts: &counts)
        for r in shiftRequests { if r.op == .mul { mulRows.append(r) } else { divRows.append(r) } }
        let (div, divRequests) = DivChip.trace(divRows, counts: &counts)
        for r in divRequests { if r.op == .sltu { lessThanRows.append(r) } else { mulRows.append(r) } }
        let addSub = AddSubChip.trace(self.addSub, counts: &counts)
        let bitwise = BitwiseChip.trace(self.bitwise, counts: &counts)
        let lessThan = LessThanChip.trace(lessThanRows, counts: &counts)
        let mul = MulChip.trace(mulRows, counts: &counts)
        let loadStore = LoadStoreChip.trace(self.loadStore, program: program, counts: &counts)
        let syscall = SyscallChip.trace(syscalls, counts: &counts)
        let boundary = MemoryBoundaryChip.trace(final: final, image: image, counts: &counts)
        return [
            MachineTable(air: CPUChip(), trace: cpu, publicInputs: [KoalaBear(program.entry), .zero]),
            MachineTable(air: chip, trace: chip.trace(counts: programCounts)),
            MachineTable(air: AddSubChip(), trace: addSub),
            MachineTable(air: BitwiseChip(), trace: bitwise),
            MachineTable(air: LessThanChip(), trace: lessThan),
            MachineTable(air: MulChip(), trace: mul),
            MachineTable(air: ShiftChip(), trace: shift),
            MachineTable(air: DivChip(), trace: div),
            MachineTable(air: LoadStoreChip(), trace: loadStore, publicInputs: LoadStoreChip.publicInputs(program: program)),
            MachineTable(air: SyscallChip(), trace: syscall),
            MachineTable(air: MemoryBoundaryChip(), trace: boundary),
            MachineTable(air: Range16Chip(), trace: Range16Chip.trace(counts: counts.range16)),
            MachineTable(air: ByteChip(), trace: ByteChip.trace(counts: counts.byte)),
        ]
    }
}
