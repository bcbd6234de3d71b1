#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Primitives

/// How to run a program.
public struct ExecutionOptions: Sendable {
    /// Stop with ``ExecutionError/cycleLimit(limit:pc:)`` after this many instructions. With
    /// a trace, at most `UInt32.max - 1` (timestamps are 32-bit).
    public var maxCycles: UInt64
    /// Record a ``Trace`` (one ``TraceRow`` per cycle).
    public var recordTrace: Bool
    /// The most bytes the guest may write to stdout, stderr and the public output together.
    public var outputLimit: Int

    /// The default cycle limit: 2^32 − 2, the most a trace can timestamp.
    public static let defaultMaxCycles: UInt64 = UInt64(UInt32.max) - 1

    /// Options; the defaults run up to ``defaultMaxCycles`` cycles without a trace.
    public init(maxCycles: UInt64 = ExecutionOptions.defaultMaxCycles, recordTrace: Bool = false,
                outputLimit: Int = 64 << 20) {
        self.maxCycles = maxCycles
        self.recordTrace = recordTrace
        self.outputLimit = outputLimit
    }
}

/// What a halted run produced.
/// Not `Sendable` when it carries a ``Trace`` (which has one owner at a time).
public struct ExecutionResult {
    /// `a0` at `HALT`.
    public var exitCode: UInt32
    /// Instructions executed, the final `ecall` included.
    public var cycles: UInt64
    /// Bytes written to file descriptor 1.
    public var stdout: [UInt8]
    /// Bytes written to file descriptor 2.
    public var stderr: [UInt8]
    /// Bytes written to file descriptor 3: the public output the proof binds.
    public var publicOutput: [UInt8]
    /// The eight words `COMMIT` set (zero where never set).
    public var committedDigest: [UInt32]
    /// The program's identity.
    public var programId: Hash32
    /// The trace, when ``ExecutionOptions/recordTrace`` was set.
    public var trace: Trace?
}

/// Runs an RV32IM program: every RV32I and M instruction with the specification's semantics,
/// aligned memory below the field prime, immutable code, the Pico/SP1 system calls, a cycle
/// limit and an optional per-cycle trace.
///
/// The code is decoded once into a flat array; the loop keeps registers and memory behind
/// unsafe pointers and allocates nothing. An executor runs once.
public final class Executor {
    /// The program.
    public let program: Program
    /// The options.
    public let options: ExecutionOptions

    private let memory: HostMapping
    /// Decoded instructions: `codeCount` real ones, the fall-off sentinel, then one sentinel per
    /// branch or jump whose static target is invalid.
    private let code: UnsafeMutablePointer<Decoded>
    private let codeSlots: Int
    /// The instruction words, index for index with `code` (zero for sentinels).
    private let words: UnsafeMutablePointer<UInt32>
    private let sentinelSources: [Int]
    private let codeBase: UInt32
    private let codeCount: Int
    /// x0 ... x31, then the write-only sink (slot 32).
    private let regs: UnsafeMutablePointer<UInt32>
    private var pcIndex: Int
    /// Instructions executed so far.
    public private(set) var cycles: UInt64 = 0

    private let inputs: [[UInt8]]
    private var nextInput = 0
    /// Bytes the guest wrote to file descriptor 1 so far.
    public private(set) var stdout: [UInt8] = []
    /// Bytes the guest wrote to file descriptor 2 so far.
    public private(set) var stderr: [UInt8] = []
    /// Bytes the guest wrote to the public output (file descriptor 3) so far.
    public private(set) var publicOutput: [UInt8] = []
    /// The words `COMMIT` set so far.
    public private(set) var committedDigest = [UInt32](repeating: 0, count: 8)
    private var started = false
    private var outputWritten = 0

    /// Loads `program` into a fresh memory. Each element of `inputs` is one input item
    /// (`HINT_LEN` / `HINT_READ` read them in order).
    public init(program: Program, inputs: [[UInt8]] = [], options: ExecutionOptions = ExecutionOptions()) {
        self.program = program
        self.options = options
        self.inputs = inputs
        let memory = HostMapping(size: Int(ZKVM.memorySize))
        for s in program.segments where !s.data.isEmpty {
            s.data.withUnsafeBytes { (memory.base + Int(s.address)).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        }
        self.memory = memory

        codeBase = program.codeStart
        codeCount = Int(program.codeEnd - program.codeStart) / 4
        var isCode = [Bool](repeating: false, count: codeCount)
        var words = [UInt32](repeating: 0, count: codeCount)
        for s in program.segments where s.isExecutable {
            let first = Int(s.address - codeBase) / 4
            for i in first..<(first + (Int(s.memorySize) + 3) / 4) { isCode[i] = true }
        }
        for i in 0..<codeCount where isCode[i] {
            words[i] = memory.base.load(fromByteOffset: Int(codeBase) + 4 * i, as: UInt32.self).littleEndian
        }
        var decoded: [Decoded] = []
        decoded.reserveCapacity(codeCount + 1)
        var sentinels: [Decoded] = []
        var sources: [Int] = []
        let codeEnd = program.codeEnd
        for i in 0..<codeCount {
            let pc = codeBase &+ UInt32(4 * i)
            guard isCode[i] else {
                decoded.append(Decoded(.outsideCode, imm: pc))
                continue
            }
            var d = Decoder.decode(words[i], pc: pc)
            switch d.op {
            case .jal, .beq, .bne, .blt, .bge, .bltu, .bgeu:
                let target = d.imm
                if target % 4 == 0 && target >= codeBase && target < codeEnd && isCode[Int(target - codeBase) / 4] {
                    d.imm = (target - codeBase) / 4
                } else {
                    d.imm = UInt32(codeCount + 1 + sentinels.count)
                    sentinels.append(Decoded(.badTarget, imm: target))
                    sources.append(i)
                }
            default: break
            }
            decoded.append(d)
        }
        decoded.append(Decoded(.outsideCode, imm: codeEnd))
        decoded += sentinels
        codeSlots = decoded.count
        code = .allocate(capacity: codeSlots)
        code.initialize(from: decoded, count: codeSlots)
        self.words = .allocate(capacity: codeSlots)
        self.words.initialize(repeating: 0, count: codeSlots)
        self.words.update(from: words, count: codeCount)
        sentinelSources = sources

        regs = .allocate(capacity: 33)
        regs.initialize(repeating: 0, count: 33)
        regs[2] = ZKVM.stackTop
        pcIndex = Int(program.entry - codeBase) / 4
    }

    deinit {
        code.deallocate()
        words.deallocate()
        regs.deallocate()
    }

    /// Runs until `HALT`, a trap or the cycle limit.
    ///
    /// - Throws: ``ExecutionError``: a ``Trap`` naming the pc and instruction, the cycle limit,
    ///   or a second call. The outputs so far stay readable on the executor.
    public func run() throws(ExecutionError) -> ExecutionResult {
        if options.recordTrace { return try run(recordingInto: Trace()) }
        guard !started else { throw .alreadyRun }
        started = true
        var sink = NoTrace()
        return try finish(execute(&sink, limit: options.maxCycles), trace: nil)
    }

    /// Runs like ``run()`` and records the trace into `trace`, which is emptied first and keeps
    /// its capacity: pass the same trace run after run to avoid mapping fresh memory each time.
    /// The cycle limit is at most `UInt32.max - 1` here (timestamps are 32-bit). If the run
    /// fails, `trace` holds the rows before the failure.
    public func run(recordingInto trace: Trace) throws(ExecutionError) -> ExecutionResult {
        guard !started else { throw .alreadyRun }
        started = true
        let stamps = HostMapping(size: Int(ZKVM.memorySize) + 4)
        var recorder = RowRecorder(into: trace, stamps: stamps.base.bindMemory(to: UInt32.self, capacity: stamps.size / 4))
        let stop = withExtendedLifetime(stamps) {
            execute(&recorder, limit: min(options.maxCycles, UInt64(UInt32.max) - 1))
        }
        recorder.finish(rows: Int(cycles))
        return try finish(stop, trace: trace)
    }

    private func finish(_ stop: Stop, trace: Trace?) throws(ExecutionError) -> ExecutionResult {
        switch stop {
        case .halted(let code):
            return ExecutionResult(exitCode: code, cycles: cycles, stdout: stdout, stderr: stderr,
                                   publicOutput: publicOutput, committedDigest: committedDigest,
                                   programId: program.programId, trace: trace)
        case .trap(let t): throw .trap(t)
        case .cycleLimit(let limit): throw .cycleLimit(limit: limit, pc: pc)
        case .traceFull: throw .traceAllocationFailed(rows: trace?.reservedCapacity ?? 0, pc: pc)
        }
    }

    /// The address of the next instruction.
    public var pc: UInt32 { codeBase &+ UInt32(truncatingIfNeeded: pcIndex) &* 4 }

    /// x0 ... x31.
    public var registers: [UInt32] { (0..<32).map { regs[$0] } }

    /// `count` bytes of guest memory from `address` (both within guest memory).
    public func readMemory(at address: UInt32, count: Int) -> [UInt8] {
        precondition(count >= 0 && UInt64(address) + UInt64(count) <= UInt64(ZKVM.memorySize),
                     "readMemory outside guest memory")
        return Array(UnsafeRawBufferPointer(start: memory.base + Int(address), count: count))
    }

    enum Stop {
        case halted(UInt32)
        case trap(Trap)
        case cycleLimit(UInt64)
        case traceFull
    }

    /// The trap for the instruction at code index `index`.
    private func trap(_ kind: TrapKind, at index: Int, cycle: UInt64) -> Stop {
        .trap(Trap(pc: codeBase &+ UInt32(index) &* 4, instruction: words[index], cycle: cycle, kind: kind))
    }

    /// The interpreter loop, specialized once without and once with trace recording.
    @inline(never)
    private func execute<T: TraceSink>(_ sink: inout T, limit maxCycles: UInt64) -> Stop {
        // A local copy whose address never escapes, so its fields live in registers.
        var t = sink
        defer { sink = t }
        let code = self.code
        let regs = self.regs
        let mem = memory.base
        let base = codeBase
        let codeBytes = UInt32(codeCount) &* 4
        let memSize = ZKVM.memorySize
        let words = self.words
        var pc = pcIndex
        var cycle = cycles
        var stop: Stop
        // With a trace, the loop also stops when the buffer is full, to grow it: one check for both.
        var limit = T.enabled ? min(maxCycles, UInt64(t.capacity)) : maxCycles

        @inline(__always) func link(_ pc: Int) -> UInt32 { base &+ (UInt32(truncatingIfNeeded: pc) &+ 1) &<< 2 }
        @inline(__always) func rowPC(_ pc: Int) -> UInt32 { base &+ UInt32(truncatingIfNeeded: pc) &<< 2 }
        @inline(__always) func word(_ a: UInt32) -> UInt32 {
            mem.load(fromByteOffset: Int(a & ~3), as: UInt32.self).littleEndian
        }

        loop: while true {
            if cycle >= limit {
                if T.enabled && cycle < maxCycles {
                    var grown = t
                    guard grown.grow() else {
                        stop = .traceFull
                        break loop
                    }
                    t = grown
                    limit = min(maxCycles, UInt64(t.capacity))
                } else if code[pc].op != .badTarget {
                    // (A taken branch to a bad target on the last allowed cycle still traps.)
                    stop = .cycleLimit(maxCycles)
                    break loop
                }
            }
            let d = code[pc]
            let rd = Int(d.rd), rs1 = Int(d.rs1), rs2 = Int(d.rs2)
            let row = Int(truncatingIfNeeded: cycle)
            if T.enabled { t.begin(row, pc: rowPC(pc), instruction: words[pc], rs1: regs[rs1], rs2: regs[rs2]) }
            switch d.op {
            case .lui:
                regs[rd] = d.imm
                pc &+= 1
            case .jal:
                regs[rd] = link(pc)
                pc = Int(d.imm)
            case .jalr:
                let target = (regs[rs1] &+ d.imm) & ~1
                let offset = target &- base
                if offset & 3 != 0 || offset >= codeBytes {
                    stop = trap(.jumpFault(target: target), at: pc, cycle: cycle)
                    break loop
                }
                regs[rd] = link(pc)
                pc = Int(offset >> 2)
            case .beq: pc = regs[rs1] == regs[rs2] ? Int(d.imm) : pc &+ 1
            case .bne: pc = regs[rs1] != regs[rs2] ? Int(d.imm) : pc &+ 1
            case .blt: pc = Int32(bitPattern: regs[rs1]) < Int32(bitPattern: regs[rs2]) ? Int(d.imm) : pc &+ 1
            case .bge: pc = Int32(bitPattern: regs[rs1]) >= Int32(bitPattern: regs[rs2]) ? Int(d.imm) : pc &+ 1
            case .bltu: pc = regs[rs1] < regs[rs2] ? Int(d.imm) : pc &+ 1
            case .bgeu: pc = regs[rs1] >= regs[rs2] ? Int(d.imm) : pc &+ 1

            case .lb, .lbu:
                let a = regs[rs1] &+ d.imm
                if a >= memSize {
                    stop = trap(.loadFault(address: a, width: 1), at: pc, cycle: cycle)
                    break loop
                }
                let v = mem.load(fromByteOffset: Int(a), as: UInt8.self)
                if T.enabled { let w = word(a); t.access(row, address: a & ~3, previous: w, value: w) }
                regs[rd] = d.op == .lb ? UInt32(bitPattern: Int32(Int8(bitPattern: v))) : UInt32(v)
                pc &+= 1
            case .lh, .lhu:
                let a = regs[rs1] &+ d.imm
                if a & 1 != 0 || a >= memSize &- 1 {
                    stop = trap(.loadFault(address: a, width: 2), at: pc, cycle: cycle)
                    break loop
                }
                let v = UInt16(littleEndian: mem.load(fromByteOffset: Int(a), as: UInt16.self))
                if T.enabled { let w = word(a); t.access(row, address: a & ~3, previous: w, value: w) }
                regs[rd] = d.op == .lh ? UInt32(bitPattern: Int32(Int16(bitPattern: v))) : UInt32(v)
                pc &+= 1
            case .lw:
                let a = regs[rs1] &+ d.imm
                if a & 3 != 0 || a >= memSize &- 3 {
                    stop = trap(.loadFault(address: a, width: 4), at: pc, cycle: cycle)
                    break loop
                }
                let v = UInt32(littleEndian: mem.load(fromByteOffset: Int(a), as: UInt32.self))
                if T.enabled { t.access(row, address: a, previous: v, value: v) }
                regs[rd] = v
                pc &+= 1

            case .sb:
                let a = regs[rs1] &+ d.imm
                if a >= memSize || a &- base < codeBytes {
                    stop = trap(.storeFault(address: a, width: 1, memorySize: memSize), at: pc, cycle: cycle)
                    break loop
                }
                let previous = T.enabled ? word(a) : 0
                mem.storeBytes(of: UInt8(truncatingIfNeeded: regs[rs2]), toByteOffset: Int(a), as: UInt8.self)
                if T.enabled { t.access(row, address: a & ~3, previous: previous, value: word(a)) }
                pc &+= 1
            case .sh:
                let a = regs[rs1] &+ d.imm
                if a & 1 != 0 || a >= memSize &- 1 || a &- base < codeBytes {
                    stop = trap(.storeFault(address: a, width: 2, memorySize: memSize), at: pc, cycle: cycle)
                    break loop
                }
                let previous = T.enabled ? word(a) : 0
                mem.storeBytes(of: UInt16(truncatingIfNeeded: regs[rs2]).littleEndian, toByteOffset: Int(a), as: UInt16.self)
                if T.enabled { t.access(row, address: a & ~3, previous: previous, value: word(a)) }
                pc &+= 1
            case .sw:
                let a = regs[rs1] &+ d.imm
                if a & 3 != 0 || a >= memSize &- 3 || a &- base < codeBytes {
                    stop = trap(.storeFault(address: a, width: 4, memorySize: memSize), at: pc, cycle: cycle)
                    break loop
                }
                let v = regs[rs2]
                if T.enabled {
                    let previous = mem.load(fromByteOffset: Int(a), as: UInt32.self).littleEndian
                    t.access(row, address: a, previous: previous, value: v)
                }
                mem.storeBytes(of: v.littleEndian, toByteOffset: Int(a), as: UInt32.self)
                pc &+= 1

            case .addi:
                regs[rd] = regs[rs1] &+ d.imm
                pc &+= 1
            case .slti:
                regs[rd] = Int32(bitPattern: regs[rs1]) < Int32(bitPattern: d.imm) ? 1 : 0
                pc &+= 1
            case .sltiu:
                regs[rd] = regs[rs1] < d.imm ? 1 : 0
                pc &+= 1
            case .xori:
                regs[rd] = regs[rs1] ^ d.imm
                pc &+= 1
            case .ori:
                regs[rd] = regs[rs1] | d.imm
                pc &+= 1
            case .andi:
                regs[rd] = regs[rs1] & d.imm
                pc &+= 1
            case .slli:
                regs[rd] = regs[rs1] &<< d.imm
                pc &+= 1
            case .srli:
                regs[rd] = regs[rs1] &>> d.imm
                pc &+= 1
            case .srai:
                regs[rd] = UInt32(bitPattern: Int32(bitPattern: regs[rs1]) &>> Int32(bitPattern: d.imm))
                pc &+= 1

            case .add:
                regs[rd] = regs[rs1] &+ regs[rs2]
                pc &+= 1
            case .sub:
                regs[rd] = regs[rs1] &- regs[rs2]
                pc &+= 1
            case .sll:
                regs[rd] = regs[rs1] &<< regs[rs2]
                pc &+= 1
            case .slt:
                regs[rd] = Int32(bitPattern: regs[rs1]) < Int32(bitPattern: regs[rs2]) ? 1 : 0
                pc &+= 1
            case .sltu:
                regs[rd] = regs[rs1] < regs[rs2] ? 1 : 0
                pc &+= 1
            case .xor:
                regs[rd] = regs[rs1] ^ regs[rs2]
                pc &+= 1
            case .srl:
                regs[rd] = regs[rs1] &>> regs[rs2]
                pc &+= 1
            case .sra:
                regs[rd] = UInt32(bitPattern: Int32(bitPattern: regs[rs1]) &>> Int32(bitPattern: regs[rs2]))
                pc &+= 1
            case .or:
                regs[rd] = regs[rs1] | regs[rs2]
                pc &+= 1
            case .and:
                regs[rd] = regs[rs1] & regs[rs2]
                pc &+= 1

            case .mul:
                regs[rd] = regs[rs1] &* regs[rs2]
                pc &+= 1
            case .mulh:
                let p = Int64(Int32(bitPattern: regs[rs1])) &* Int64(Int32(bitPattern: regs[rs2]))
                regs[rd] = UInt32(truncatingIfNeeded: p &>> 32)
                pc &+= 1
            case .mulhsu:
                let p = Int64(Int32(bitPattern: regs[rs1])) &* Int64(regs[rs2])
                regs[rd] = UInt32(truncatingIfNeeded: p &>> 32)
                pc &+= 1
            case .mulhu:
                regs[rd] = UInt32(truncatingIfNeeded: (UInt64(regs[rs1]) &* UInt64(regs[rs2])) &>> 32)
                pc &+= 1
            case .div:
                let x = Int32(bitPattern: regs[rs1]), y = Int32(bitPattern: regs[rs2])
                regs[rd] = y == 0 ? UInt32.max : (y == -1 ? UInt32(bitPattern: 0 &- x) : UInt32(bitPattern: x / y))
                pc &+= 1
            case .divu:
                let x = regs[rs1], y = regs[rs2]
                regs[rd] = y == 0 ? UInt32.max : x / y
                pc &+= 1
            case .rem:
                let x = Int32(bitPattern: regs[rs1]), y = Int32(bitPattern: regs[rs2])
                regs[rd] = y == 0 ? UInt32(bitPattern: x) : (y == -1 ? 0 : UInt32(bitPattern: x % y))
                pc &+= 1
            case .remu:
                let x = regs[rs1], y = regs[rs2]
                regs[rd] = y == 0 ? x : x % y
                pc &+= 1

            case .nop:
                pc &+= 1
            case .ecall:
                pcIndex = pc
                cycles = cycle
                let calling = t  // a copy: the loop's own recorder never has its address taken
                if let s = syscall(calling, at: pc, cycle: cycle) {
                    if case .halted = s {
                        cycle &+= 1
                        if T.enabled { t.end(row, rd: 0) }
                    }
                    stop = s
                    break loop
                }
                pc &+= 1
            case .ebreak:
                stop = trap(.breakpoint, at: pc, cycle: cycle)
                break loop
            case .illegal:
                stop = trap(.illegalInstruction, at: pc, cycle: cycle)
                break loop
            case .badTarget:
                // A taken branch or jump redirected here: undo it and trap at its source.
                let source = sentinelSources[pc - codeCount - 1]
                cycle &-= 1
                pc = source
                stop = trap(.jumpFault(target: d.imm), at: source, cycle: cycle)
                break loop
            case .outsideCode:
                stop = .trap(Trap(pc: d.imm, instruction: 0, cycle: cycle, kind: .jumpOutsideCode(target: d.imm)))
                break loop
            }
            cycle &+= 1
            if T.enabled { t.end(row, rd: rd == 32 ? 0 : regs[rd]) }
        }
        pcIndex = pc
        cycles = cycle
        return stop
    }
}

// MARK: System calls

extension Executor {
    /// Runs the `ecall` at code index `pc`: nil to continue, or why execution stops.
    @inline(never)
    private func syscall<T: TraceSink>(_ t: T, at pc: Int, cycle: UInt64) -> Stop? {
        let id = regs[5], a0 = regs[10], a1 = regs[11], a2 = regs[12]
        let timestamp = UInt32(truncatingIfNeeded: cycle &+ 1)
        var result = id
        func fail(_ kind: TrapKind) -> Stop { trap(kind, at: pc, cycle: cycle) }

        switch Syscall(rawValue: id) {
        case .halt?:
            t.syscall(timestamp: timestamp, id: id, arguments: (a0, a1, a2), result: result)
            return .halted(a0)
        case .write?:
            guard let fd = FileDescriptor(rawValue: a0) else { return fail(.badFileDescriptor(a0)) }
            guard UInt64(a1) + UInt64(a2) <= UInt64(ZKVM.memorySize) else {
                return fail(.syscallBufferOutOfBounds(syscall: "WRITE", address: a1, length: a2))
            }
            guard Int(a2) <= options.outputLimit - outputWritten else {
                return fail(.outputLimitExceeded(limit: options.outputLimit))
            }
            outputWritten += Int(a2)
            if T.enabled { recordWords(t, timestamp: timestamp, from: a1, count: a2, write: nil) }
            let bytes = UnsafeRawBufferPointer(start: memory.base + Int(a1), count: Int(a2))
            switch fd {
            case .stdout: stdout += bytes
            case .stderr: stderr += bytes
            case .publicOutput: publicOutput += bytes
            }
        case .commit?:
            guard a0 < 8 else { return fail(.commitIndexOutOfRange(a0)) }
            committedDigest[Int(a0)] = a1
        case .hintLength?:
            result = nextInput < inputs.count ? UInt32(truncatingIfNeeded: inputs[nextInput].count) : UInt32.max
            regs[5] = result
        case .hintRead?:
            guard nextInput < inputs.count else { return fail(.noInputLeft) }
            let item = inputs[nextInput]
            guard Int(a1) == item.count else { return fail(.hintLengthMismatch(requested: a1, available: item.count)) }
            guard UInt64(a0) + UInt64(a1) <= UInt64(ZKVM.memorySize) else {
                return fail(.syscallBufferOutOfBounds(syscall: "HINT_READ", address: a0, length: a1))
            }
            if a1 > 0, UInt64(a0) < UInt64(program.codeEnd), UInt64(a0) + UInt64(a1) > UInt64(program.codeStart) {
                return fail(.storeToCode(address: max(a0, program.codeStart)))
            }
            nextInput += 1
            if T.enabled {
                recordWords(t, timestamp: timestamp, from: a0, count: a1, write: item)
            } else {
                item.withUnsafeBytes { (memory.base + Int(a0)).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            }
        case nil:
            return fail(.unknownSyscall(id))
        }
        t.syscall(timestamp: timestamp, id: id, arguments: (a0, a1, a2), result: result)
        return nil
    }

    /// Records the words covering `count` bytes at `address` as system-call accesses; with
    /// `write`, stores those bytes there first (recording each word's old and new value).
    private func recordWords<T: TraceSink>(_ t: T, timestamp: UInt32, from address: UInt32, count: UInt32,
                                           write: [UInt8]?) {
        guard count > 0 else { return }
        let first = address & ~3
        let end = UInt32((UInt64(address) + UInt64(count) + 3) & ~3)
        var previous: [UInt32] = []
        var a = first
        while a != end {
            previous.append(memory.base.load(fromByteOffset: Int(a), as: UInt32.self).littleEndian)
            a &+= 4
        }
        if let write {
            write.withUnsafeBytes { (memory.base + Int(address)).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        }
        a = first
        for p in previous {
            t.syscallAccess(timestamp: timestamp, address: a, previous: p,
                            value: memory.base.load(fromByteOffset: Int(a), as: UInt32.self).littleEndian)
            a &+= 4
        }
    }
}
