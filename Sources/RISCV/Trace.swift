#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One executed instruction, as the prover consumes it: nine little-endian 32-bit words,
/// 36 bytes, laid out contiguously in ``Trace``.
///
/// Row `i` (from 0) executes at timestamp `i + 1`; timestamp 0 stands for memory's initial
/// contents (the program image, zero elsewhere). Registers start at zero except `sp` =
/// ``ZKVM/stackTop``. Fields an instruction does not use are zero, so the row's meaning follows
/// from `instruction` alone:
///
/// - `rs1Value`, `rs2Value`: the source registers' values before the instruction (their
///   encoding fields' registers, x0 reading 0); `rdValue`: the value written to `rd` (0 when
///   `rd` is x0 or the format has no `rd`).
/// - Loads and stores: `memoryAddress` is the aligned word holding the accessed bytes,
///   `memoryPrevious` that word before the access, `memoryValue` after it (equal for loads),
///   and `memoryPreviousTimestamp` the timestamp of the word's previous access (0 if none):
///   what an offline memory-checking argument needs, without re-execution. The byte offset
///   within the word is `(rs1Value + imm) & 3`.
/// - `ecall` rows carry no register or memory values; the call's arguments, result and the
///   memory words it read or wrote are in ``Trace/syscalls`` and ``Trace/syscallMemory``.
@frozen
public struct TraceRow: Sendable, Equatable, BitwiseCopyable {
    /// The instruction's address.
    public var pc: UInt32
    /// The instruction word.
    public var instruction: UInt32
    /// Value read from rs1.
    public var rs1Value: UInt32
    /// Value read from rs2.
    public var rs2Value: UInt32
    /// Value written to rd.
    public var rdValue: UInt32
    /// The accessed memory word's address (a multiple of 4).
    public var memoryAddress: UInt32
    /// The word after the access.
    public var memoryValue: UInt32
    /// The word before the access.
    public var memoryPrevious: UInt32
    /// The timestamp of the word's previous access; 0 for its initial value.
    public var memoryPreviousTimestamp: UInt32

    /// A row.
    @inlinable
    public init(pc: UInt32, instruction: UInt32, rs1Value: UInt32 = 0, rs2Value: UInt32 = 0, rdValue: UInt32 = 0,
                memoryAddress: UInt32 = 0, memoryValue: UInt32 = 0, memoryPrevious: UInt32 = 0,
                memoryPreviousTimestamp: UInt32 = 0) {
        self.pc = pc
        self.instruction = instruction
        self.rs1Value = rs1Value
        self.rs2Value = rs2Value
        self.rdValue = rdValue
        self.memoryAddress = memoryAddress
        self.memoryValue = memoryValue
        self.memoryPrevious = memoryPrevious
        self.memoryPreviousTimestamp = memoryPreviousTimestamp
    }
}

/// One memory word a system call read or wrote (reads have `value == previous`).
@frozen
public struct MemoryEvent: Sendable, Equatable, BitwiseCopyable {
    /// The word's address (a multiple of 4).
    public var address: UInt32
    /// The word after the access.
    public var value: UInt32
    /// The word before the access.
    public var previous: UInt32
    /// The timestamp of the word's previous access; 0 for its initial value.
    public var previousTimestamp: UInt32
    /// The access's timestamp (the `ecall` row's).
    public var timestamp: UInt32
}

/// One `ecall`: which call, its arguments and result, and its memory words in ``Trace/syscallMemory``.
@frozen
public struct SyscallRecord: Sendable, Equatable, BitwiseCopyable {
    /// The `ecall` row's timestamp (row index + 1).
    public var timestamp: UInt32
    /// t0 before the call.
    public var id: UInt32
    /// a0, a1, a2 before the call.
    public var arguments: (UInt32, UInt32, UInt32)
    /// t0 after the call.
    public var result: UInt32
    /// The first of this call's entries in ``Trace/syscallMemory``.
    public var firstMemoryEvent: UInt32
    /// How many entries it has there.
    public var memoryEventCount: UInt32

    public static func == (a: SyscallRecord, b: SyscallRecord) -> Bool {
        a.timestamp == b.timestamp && a.id == b.id && a.arguments == b.arguments && a.result == b.result
            && a.firstMemoryEvent == b.firstMemoryEvent && a.memoryEventCount == b.memoryEventCount
    }
}

/// The execution trace: one ``TraceRow`` per cycle in one contiguous, growable buffer, and
/// the system calls' records.
///
/// A trace can be reused: ``Executor/run(recordingInto:)`` empties it and refills it while
/// keeping its capacity, so a prover that executes program after program (or shard after
/// shard) writes into memory that is already mapped. That matters: recording itself costs
/// about 2–3× plain execution, but a fresh buffer's page faults (36 bytes a cycle) can cost
/// ten times more. Only one run may write into a trace at a time; read it after the run returns.
/// Not `Sendable`: a trace has one owner at a time (hand it on with `sending`).
public final class Trace {
    var rows: UnsafeMutablePointer<TraceRow>
    var capacity: Int
    /// Number of rows: the run's cycle count (for a run that trapped, the rows before the trap).
    public internal(set) var count = 0
    /// Every `ecall`, in order.
    public internal(set) var syscalls: [SyscallRecord] = []
    /// The memory words system calls read or wrote, in order.
    public internal(set) var syscallMemory: [MemoryEvent] = []

    /// An empty trace with room for `capacity` rows before it grows.
    public init(capacity: Int = 1 << 16) {
        self.capacity = max(capacity, 16)
        rows = Trace.allocate(self.capacity)
    }

    deinit {
        free(rows)
    }

    /// Rows the buffer holds before it must grow.
    public var reservedCapacity: Int { capacity }

    /// Row `index` (0 ..< count).
    public subscript(index: Int) -> TraceRow {
        precondition(index >= 0 && index < count, "trace row \(index) out of range 0..<\(count)")
        return rows[index]
    }

    /// The rows as one buffer of `count` × 36 bytes, valid inside `body`.
    public func withRows<R>(_ body: (UnsafeBufferPointer<TraceRow>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: rows, count: count))
    }

    /// Empties the trace, keeping its capacity.
    public func removeAll() {
        count = 0
        syscalls.removeAll(keepingCapacity: true)
        syscallMemory.removeAll(keepingCapacity: true)
    }

    /// Room for `capacity` rows plus one spare: the loop may start (never complete) row
    /// `capacity` when a taken branch's bad target traps on the last allowed cycle.
    static func allocate(_ capacity: Int) -> UnsafeMutablePointer<TraceRow> {
        guard let p = malloc((capacity + 1) * MemoryLayout<TraceRow>.stride) else {
            fatalError("zkVM: cannot allocate a trace buffer of \(capacity) rows")
        }
        return p.bindMemory(to: TraceRow.self, capacity: capacity + 1)
    }
}

/// What the executor's loop reports to; `NoTrace` compiles away. Row indices are cycle
/// numbers: row `i` is the instruction executed at cycle `i` (timestamp `i + 1`).
protocol TraceSink {
    static var enabled: Bool { get }
    /// Rows the buffer holds; the loop never begins row `capacity` without ``grow()``.
    var capacity: Int { get }
    /// Doubles the capacity; false if the host cannot allocate it.
    mutating func grow() -> Bool
    /// Starts row `index` for the instruction about to execute.
    func begin(_ index: Int, pc: UInt32, instruction: UInt32, rs1: UInt32, rs2: UInt32)
    /// Row `index`'s memory access (a word-aligned address).
    func access(_ index: Int, address: UInt32, previous: UInt32, value: UInt32)
    /// Completes row `index`.
    func end(_ index: Int, rd: UInt32)
    /// A word a system call read or wrote at `timestamp`.
    func syscallAccess(timestamp: UInt32, address: UInt32, previous: UInt32, value: UInt32)
    /// A system call at `timestamp`, after its accesses.
    func syscall(timestamp: UInt32, id: UInt32, arguments: (UInt32, UInt32, UInt32), result: UInt32)
}

struct NoTrace: TraceSink {
    static var enabled: Bool { false }
    var capacity: Int { Int.max }
    func grow() -> Bool { true }
    @inline(__always) func begin(_ index: Int, pc: UInt32, instruction: UInt32, rs1: UInt32, rs2: UInt32) {}
    @inline(__always) func access(_ index: Int, address: UInt32, previous: UInt32, value: UInt32) {}
    @inline(__always) func end(_ index: Int, rd: UInt32) {}
    func syscallAccess(timestamp: UInt32, address: UInt32, previous: UInt32, value: UInt32) {}
    func syscall(timestamp: UInt32, id: UInt32, arguments: (UInt32, UInt32, UInt32), result: UInt32) {}
}

/// Records rows into a ``Trace``'s buffer (copied into locals for the loop and written back
/// by ``finish(rows:)``), growing it by doubling, and last-access timestamps into a shadow of
/// guest memory.
struct RowRecorder: TraceSink {
    static var enabled: Bool { true }
    let trace: Trace
    var rows: UnsafeMutablePointer<TraceRow>
    var capacity: Int
    /// The last-access timestamp of every guest word (index = address / 4).
    let stamps: UnsafeMutablePointer<UInt32>

    /// System-call records go straight into `trace` (a class), so copying the recorder never
    /// copies them.
    init(into trace: Trace, stamps: UnsafeMutablePointer<UInt32>) {
        trace.removeAll()
        self.trace = trace
        rows = trace.rows
        capacity = trace.capacity
        self.stamps = stamps
    }

    @inline(never)
    mutating func grow() -> Bool {
        let newCapacity = capacity * 2
        let bytes = (newCapacity + 1) * MemoryLayout<TraceRow>.stride
        guard let p = realloc(rows, bytes) else { return false }
        rows = p.bindMemory(to: TraceRow.self, capacity: newCapacity + 1)
        capacity = newCapacity
        trace.rows = rows
        trace.capacity = capacity
        return true
    }

    @inline(__always)
    func begin(_ index: Int, pc: UInt32, instruction: UInt32, rs1: UInt32, rs2: UInt32) {
        rows[index] = TraceRow(pc: pc, instruction: instruction, rs1Value: rs1, rs2Value: rs2)
    }

    @inline(__always)
    func access(_ index: Int, address: UInt32, previous: UInt32, value: UInt32) {
        let slot = stamps + Int(address >> 2)
        let row = rows + index
        row.pointee.memoryAddress = address
        row.pointee.memoryValue = value
        row.pointee.memoryPrevious = previous
        row.pointee.memoryPreviousTimestamp = slot.pointee
        slot.pointee = UInt32(truncatingIfNeeded: index &+ 1)
    }

    @inline(__always)
    func end(_ index: Int, rd: UInt32) {
        rows[index].rdValue = rd
    }

    func syscallAccess(timestamp: UInt32, address: UInt32, previous: UInt32, value: UInt32) {
        let slot = stamps + Int(address >> 2)
        trace.syscallMemory.append(MemoryEvent(address: address, value: value, previous: previous,
                                               previousTimestamp: slot.pointee, timestamp: timestamp))
        slot.pointee = timestamp
    }

    func syscall(timestamp: UInt32, id: UInt32, arguments: (UInt32, UInt32, UInt32), result: UInt32) {
        let first = trace.syscalls.last.map { Int($0.firstMemoryEvent + $0.memoryEventCount) } ?? 0
        trace.syscalls.append(SyscallRecord(timestamp: timestamp, id: id, arguments: arguments, result: result,
                                            firstMemoryEvent: UInt32(first),
                                            memoryEventCount: UInt32(trace.syscallMemory.count - first)))
    }

    /// Writes the rows back into the trace.
    func finish(rows count: Int) {
        trace.rows = rows
        trace.capacity = capacity
        trace.count = count
    }
}
