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
    /// The most cycles a run may have: the last access of the last cycle, at 4·clk + 7, stays
    /// below ``maxMemoryTimestamp`` (timestamps are global across segments).
    public static let maxCycles = UInt64(maxMemoryTimestamp / 4) - 2

    /// Segment sizes (cycles; powers of two): a segment's chips stay within the field's
    /// two-adic domains at blowup 4 even when every cycle makes two chip rows.
    public static let segmentCycleRange: ClosedRange<UInt64> = (1 << 6)...(1 << 21)

    /// The tables of a segment, in proof order; the last segment also has the memory boundary
    /// (every word the run touched, once), after the tables every segment has.
    public static func airs(program: ProgramChip, last: Bool = true) -> [any AIR] {
        var airs: [any AIR] = [CPUChip(), program, AddSubChip(), BitwiseChip(), LessThanChip(), MulChip(), ShiftChip(), DivChip(),
                               LoadStoreChip(), SyscallChip(), IOChip(), Range16Chip(), ByteChip()]
        if last { airs.append(MemoryBoundaryChip()) }
        return airs
    }

    /// The initial memory the verifier puts on the bus: the program image and sp.
    public static func initialMemory(of program: Program) -> [UInt32: UInt32] {
        var image = MemoryBoundaryChip.image(of: program)
        image[registerAddress(2)] = ZKVM.stackTop
        return image
    }

    /// Programs the machine can prove: code from address 4 on, ending on a word boundary.
    public static func checkProvable(_ program: Program) throws(ProvingError) {
        guard program.codeEnd % 4 == 0 else { throw .unsupported("code that ends inside a word (\(program.codeEnd))") }
    }

    /// What the verifier puts on the buses itself for `statement`: the initial memory, the
    /// input items the guest read and their bytes, the public output's bytes, the I/O cursor
    /// the run starts and ends with, where each segment hands over to the next (its next pc at
    /// the next segment's first clk) and the final state (halted with the exit code after the
    /// cycles).
    public static func publicInteractions(_ statement: RunStatement) -> [PublicInteraction] {
        var out = MemoryBoundaryChip.imageInteractions(initialMemory(of: statement.program))
        var position: UInt32 = 0
        let inputs = statement.inputs
        func length(_ k: Int) -> UInt32 { k < inputs.count ? UInt32(inputs[k].count) : UInt32.max }
        for (k, item) in inputs.prefix(statement.itemsRead).enumerated() {
            let next = length(k + 1)
            let size = UInt32(item.count)
            out.append(PublicInteraction(bus: VMBus.inputItem, values: [
                KoalaBear(UInt32(k)), KoalaBear(position), KoalaBear(size & 0xffff), KoalaBear(size >> 16),
                KoalaBear(next & 0xffff), KoalaBear(next >> 16),
            ], isSend: true))
            for (j, byte) in item.enumerated() {
                out.append(PublicInteraction(bus: VMBus.input, values: [KoalaBear(position + UInt32(j)), KoalaBear(UInt32(byte))],
                                             isSend: true))
            }
            position += size
        }
        for (j, byte) in statement.output.enumerated() {
            out.append(PublicInteraction(bus: VMBus.output, values: [KoalaBear(UInt32(j)), KoalaBear(UInt32(byte))], isSend: false))
        }
        out.append(PublicInteraction(bus: VMBus.ioCursor, values: SyscallChip.cursor(clk: 0, item: 0, position: 0, length: length(0),
                                                                                    output: 0), isSend: true))
        out.append(PublicInteraction(bus: VMBus.ioCursor, values: SyscallChip.cursor(
            clk: UInt32(truncatingIfNeeded: statement.cycles), item: UInt32(statement.itemsRead), position: position,
            length: length(statement.itemsRead), output: UInt32(statement.output.count)), isSend: false))
        for (k, pc) in statement.segmentStarts.enumerated() {
            out.append(PublicInteraction(bus: VMBus.finalState, values: [
                .zero, KoalaBear(pc), KoalaBear(UInt32(truncatingIfNeeded: UInt64(k + 1) * statement.segmentCycles)), .zero, .zero,
            ], isSend: false))
        }
        out.append(PublicInteraction(bus: VMBus.finalState, values: [
            .one, .zero, KoalaBear(UInt32(truncatingIfNeeded: statement.cycles)),
            KoalaBear(statement.exitCode & 0xffff), KoalaBear(statement.exitCode >> 16),
        ], isSend: false))
        return out
    }

    /// The public inputs of each table of segment `segment`, in ``airs(program:last:)`` order:
    /// the CPU starts at the segment's pc and first clk.
    public static func publicInputs(_ statement: RunStatement, segment k: Int = 0) -> [[KoalaBear]] {
        let program = statement.program
        let pc = k == 0 ? program.entry : statement.segmentStarts[k - 1]
        let clk = UInt32(truncatingIfNeeded: UInt64(k) * statement.segmentCycles)
        var inputs: [[KoalaBear]] = [[KoalaBear(pc), KoalaBear(clk)], [], [], [], [], [], [], [],
                                     LoadStoreChip.publicInputs(program: program), [], IOChip.publicInputs(program: program), [], []]
        if k == statement.segments - 1 { inputs.append([]) }
        return inputs
    }

    /// The machine's tables for a halted run of `program` on `inputs` recorded in `trace`, as one
    /// segment, and the statement they prove.
    public static func tables(program: Program, chip: ProgramChip, inputs: [[UInt8]], trace: Trace,
                              output: [UInt8], exitCode: UInt32) throws(ProvingError) -> (tables: [MachineTable], statement: RunStatement) {
        try checkProvable(program)
        var w = Witness(program: program, chip: chip, inputs: inputs)
        try w.run(trace, rows: 0..<trace.count, last: true)
        let statement = RunStatement(program: program, inputs: inputs, itemsRead: Int(w.item), output: output,
                                     exitCode: exitCode, cycles: UInt64(trace.count))
        guard w.outputBytes == output.count else { throw .stark("the output's length disagrees with the executor") }
        return (w.tables(last: true), statement)
    }
}

/// What a proof of one whole run states: the program, the input items, how many the guest
/// read, the public output, the exit code and the cycle count; and how it is cut into segments
/// (their size, and the pc each segment after the first starts at).
public struct RunStatement: Sendable {
    public var program: Program
    public var inputs: [[UInt8]]
    public var itemsRead: Int
    public var output: [UInt8]
    public var exitCode: UInt32
    public var cycles: UInt64
    /// Cycles per segment (every segment but the last has exactly this many).
    public var segmentCycles: UInt64
    /// The pc segment k + 1 starts at, for each segment after the first.
    public var segmentStarts: [UInt32]

    /// Segments.
    public var segments: Int { segmentStarts.count + 1 }

    public init(program: Program, inputs: [[UInt8]], itemsRead: Int, output: [UInt8], exitCode: UInt32, cycles: UInt64,
                segmentCycles: UInt64 = RV32Machine.segmentCycleRange.upperBound, segmentStarts: [UInt32] = []) {
        self.program = program
        self.inputs = inputs
        self.itemsRead = itemsRead
        self.output = output
        self.exitCode = exitCode
        self.cycles = cycles
        self.segmentCycles = segmentCycles
        self.segmentStarts = segmentStarts
    }
}

/// Walks a recorded run and fills every table: the CPU rows, each chip's requests, the register
/// file and memory timestamps, the boundary, and the lookups' multiplicities. A run is walked
/// segment by segment: what carries over (registers, every word's last value and timestamp, the
/// I/O cursor) stays, the tables start afresh; a copy taken at a segment's start rebuilds it.
struct Witness {
    let program: Program
    let chip: ProgramChip
    let index: [UInt32: Int]
    let image: [UInt32: UInt32]
    let inputs: [[UInt8]]

    // Carried from segment to segment.
    var regs = [UInt32](repeating: 0, count: 32)
    var regTs = [UInt32](repeating: 0, count: 32)
    /// Last access (value, timestamp) of every touched word and register; image words start at
    /// timestamp 0.
    var final: [UInt32: (value: UInt32, timestamp: UInt32)] = [:]
    var item: UInt32 = 0
    var inputPosition: UInt32 = 0
    var outputBytes = 0
    /// The clk the I/O cursor was left at.
    var cursorClk: UInt32 = 0
    var syscallIndex = 0

    // One segment's tables.
    var programCounts: [UInt32]
    var counts = LookupCounts()
    var startPC: UInt32 = 0
    var startClk: UInt32 = 0
    var cpu = ColumnMatrix(width: 0, height: 0)
    var addSub: [AddSubChip.Row] = [], bitwise: [AddSubChip.Row] = [], lessThan: [AddSubChip.Row] = []
    var mul: [AddSubChip.Row] = [], shift: [AddSubChip.Row] = [], div: [AddSubChip.Row] = []
    var loadStore: [LoadStoreChip.Row] = []
    var syscalls: [SyscallChip.Row] = []
    var io: [IOChip.Row] = []

    init(program: Program, chip: ProgramChip, inputs: [[UInt8]]) {
        self.program = program
        self.inputs = inputs
        self.chip = chip
        index = chip.index()
        programCounts = [UInt32](repeating: 0, count: chip.rows.count)
        regs[2] = ZKVM.stackTop
        image = RV32Machine.initialMemory(of: program)
        for (a, v) in image { final[a] = (v, 0) }
    }

    /// Empties the tables for the next segment.
    mutating func startSegment() {
        programCounts = [UInt32](repeating: 0, count: chip.rows.count)
        counts = LookupCounts()
        cpu = ColumnMatrix(width: 0, height: 0)
        addSub = []; bitwise = []; lessThan = []; mul = []; shift = []; div = []
        loadStore = []; syscalls = []; io = []
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

    /// Fills the tables of the segment made of `rows` (cycle numbers); `last`: the segment the
    /// run halts in.
    mutating func run(_ trace: Trace, rows: Range<Int>, last: Bool) throws(ProvingError) {
        let n = trace.count
        guard n >= 1, !rows.isEmpty else { throw .execution("no cycles") }
        guard UInt64(n) <= RV32Machine.maxCycles else { throw .tooLong(cycles: UInt64(n), limit: RV32Machine.maxCycles) }
        let height = paddedHeight(rows.count)
        var m = ColumnMatrix(width: CPUChip.Col.count, height: height)
        startPC = trace[rows.lowerBound].pc
        startClk = UInt32(rows.lowerBound)
        typealias C = CPUChip.Col
        for i in rows {
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
                c = s.result
                try syscall(s, clk: clk, trace: trace)
                halt = Syscall(rawValue: s.id) == .halt
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
            let o1 = counts.timestampOrder(previous: p1, timestamp: t)
            let p2 = regTs[Int(d.rs2)]
            regTs[Int(d.rs2)] = t + 1
            let o2 = counts.timestampOrder(previous: p2, timestamp: t + 1)
            let prevW = regs[Int(d.rd)], p3 = regTs[Int(d.rd)]
            regTs[Int(d.rd)] = t + 3
            let o3 = counts.timestampOrder(previous: p3, timestamp: t + 3)
            regs[Int(d.rd)] = written
            final[registerAddress(d.rs1)] = (a, t)
            final[registerAddress(d.rs2)] = (rv, t + 1)
            final[registerAddress(d.rd)] = (written, t + 3)

            let j = i - rows.lowerBound
            m[j, C.pc] = KoalaBear(row.pc)
            m[j, C.clk] = KoalaBear(clk)
            m[j, C.active] = .one
            for (k, v) in d.fields.enumerated() { m[j, C.decoded + k] = KoalaBear(v) }
            m[j, C.a] = KoalaBear(a & 0xffff)
            m[j, C.a + 1] = KoalaBear(a >> 16)
            m[j, C.r] = KoalaBear(rv & 0xffff)
            m[j, C.r + 1] = KoalaBear(rv >> 16)
            m[j, C.c] = KoalaBear(c & 0xffff)
            m[j, C.c + 1] = KoalaBear(c >> 16)
            m[j, C.w] = KoalaBear(written & 0xffff)
            m[j, C.w + 1] = KoalaBear(written >> 16)
            m[j, C.npc] = KoalaBear(npc)
            m[j, C.z] = KoalaBear(z)
            m[j, C.zInv] = zInv
            m[j, C.jalrBit] = KoalaBear(jalrBit)
            m[j, C.halt] = halt ? .one : .zero
            m[j, C.rs1Access] = KoalaBear(p1)
            m[j, C.rs1Access + 1] = KoalaBear(o1.0)
            m[j, C.rs1Access + 2] = KoalaBear(o1.1)
            m[j, C.rs2Access] = KoalaBear(p2)
            m[j, C.rs2Access + 1] = KoalaBear(o2.0)
            m[j, C.rs2Access + 2] = KoalaBear(o2.1)
            m[j, C.rdAccess] = KoalaBear(prevW & 0xffff)
            m[j, C.rdAccess + 1] = KoalaBear(prevW >> 16)
            m[j, C.rdAccess + 2] = KoalaBear(p3)
            m[j, C.rdAccess + 3] = KoalaBear(o3.0)
            m[j, C.rdAccess + 4] = KoalaBear(o3.1)
            if halt && i + 1 != n { throw .stark("HALT before the last cycle") }
        }
        if last {
            guard rows.upperBound == n, syscallIndex == trace.syscalls.count,
                  let final = trace.syscalls.last, Syscall(rawValue: final.id) == .halt else {
                throw .execution("the run did not halt")
            }
        }
        m[rows.count - 1, C.isLast] = .one
        for j in rows.count..<height {
            m[j, C.clk] = KoalaBear(startClk + UInt32(j))
            m[j, C.npc] = KoalaBear(4)  // pc + 4 with pc = 0: padding rows satisfy the next-pc identity
        }
        cpu = m
    }

    /// Records an `ecall`: its row (with the I/O cursor it finds), the register reads of a1
    /// and a2, and the I/O table's words for fd 3 and HINT_READ.
    mutating func syscall(_ s: SyscallRecord, clk: UInt32, trace: Trace) throws(ProvingError) {
        let ts = 4 * clk + 6
        var row = SyscallChip.Row(clk: clk, id: s.id, a0: s.arguments.0, result: s.result)
        row.item = item
        row.position = inputPosition
        row.length = Int(item) < inputs.count ? UInt32(inputs[Int(item)].count) : UInt32.max
        row.output = UInt32(outputBytes)
        row.linkClk = cursorClk
        cursorClk = clk + 1
        func readRegister(_ r: Int) -> (value: UInt32, previous: UInt32) {
            let previous = regTs[r]
            regTs[r] = ts
            final[registerAddress(UInt32(r))] = (regs[r], ts)
            return (regs[r], previous)
        }
        var job: (start: UInt32, size: UInt32, input: [UInt8]?, position: UInt32)?
        switch Syscall(rawValue: s.id) {
        case .halt?, .commit?, .hintLength?: break
        case .write?:
            let a1 = readRegister(11), a2 = readRegister(12)
            row.a1 = a1.value
            row.a1PreviousTimestamp = a1.previous
            row.a2 = a2.value
            row.a2PreviousTimestamp = a2.previous
            if s.arguments.0 == FileDescriptor.publicOutput.rawValue {
                if a2.value > 0 { job = (a1.value, a2.value, nil, UInt32(outputBytes)) }
                outputBytes += Int(a2.value)
            }
        case .hintRead?:
            let a1 = readRegister(11)
            row.a1 = a1.value
            row.a1PreviousTimestamp = a1.previous
            guard Int(item) < inputs.count else { throw .stark("HINT_READ past the last item") }
            let data = inputs[Int(item)]
            row.nextLength = Int(item) + 1 < inputs.count ? UInt32(inputs[Int(item) + 1].count) : UInt32.max
            if !data.isEmpty { job = (s.arguments.0, UInt32(data.count), data, inputPosition) }
            item += 1
            inputPosition += UInt32(data.count)
        case nil: throw .stark("unknown system call \(s.id)")
        }
        syscalls.append(row)
        guard let job else { return }
        let events = trace.syscallMemory[Int(s.firstMemoryEvent)..<Int(s.firstMemoryEvent + s.memoryEventCount)]
        let end = UInt64(job.start) + UInt64(job.size)
        var address = job.start & ~3
        var k = events.startIndex
        while UInt64(address) < end {
            guard k < events.endIndex, events[k].address == address else { throw .stark("system call memory disagrees at cycle \(clk)") }
            let e = events[k]
            let previous = final[address] ?? (0, 0)
            guard previous.value == e.previous else { throw .stark("system call memory disagrees at cycle \(clk)") }
            let firstByte = max(UInt64(address), UInt64(job.start)), lastByte = min(UInt64(address) + 4, end)
            io.append(IOChip.Row(clk: clk, isInput: job.input != nil, first: k == events.startIndex,
                                 last: UInt64(address) + 4 >= end, address: address, previous: e.previous, value: e.value,
                                 lo: UInt32(firstByte - UInt64(address)), hi: UInt32(lastByte - UInt64(address)),
                                 base: Int64(job.position) + Int64(address) - Int64(job.start),
                                 remaining: UInt32(end - firstByte), previousTimestamp: previous.timestamp))
            final[address] = (e.value, ts)
            address &+= 4
            k += 1
        }
    }

    /// The segment's tables; `last` adds the memory boundary of the whole run.
    func tables(last: Bool) -> [MachineTable] {
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
        let io = IOChip.trace(self.io, program: program, counts: &counts)
        let boundary = last ? MemoryBoundaryChip.trace(final: final, image: image, counts: &counts) : nil
        var tables = [
            MachineTable(air: CPUChip(), trace: cpu, publicInputs: [KoalaBear(startPC), KoalaBear(startClk)]),
            MachineTable(air: chip, trace: chip.trace(counts: programCounts)),
            MachineTable(air: AddSubChip(), trace: addSub),
            MachineTable(air: BitwiseChip(), trace: bitwise),
            MachineTable(air: LessThanChip(), trace: lessThan),
            MachineTable(air: MulChip(), trace: mul),
            MachineTable(air: ShiftChip(), trace: shift),
            MachineTable(air: DivChip(), trace: div),
            MachineTable(air: LoadStoreChip(), trace: loadStore, publicInputs: LoadStoreChip.publicInputs(program: program)),
            MachineTable(air: SyscallChip(), trace: syscall),
            MachineTable(air: IOChip(), trace: io, publicInputs: IOChip.publicInputs(program: program)),
            MachineTable(air: Range16Chip(), trace: Range16Chip.trace(counts: counts.range16)),
            MachineTable(air: ByteChip(), trace: ByteChip.trace(counts: counts.byte)),
        ]
        if let boundary { tables.append(MachineTable(air: MemoryBoundaryChip(), trace: boundary)) }
        return tables
    }
}
