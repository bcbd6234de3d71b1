/// Why execution stopped without a `HALT`.
public enum ExecutionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The guest did something the zkVM forbids; see ``Trap``.
    case trap(Trap)
    /// The guest ran `limit` instructions without halting; `pc` is the next instruction's address.
    case cycleLimit(limit: UInt64, pc: UInt32)
    /// ``Executor/run()`` was called a second time; an executor runs once.
    case alreadyRun
    /// The host could not grow the trace beyond `rows` rows; `pc` is the next instruction's
    /// address. Lower ``ExecutionOptions/maxCycles`` when recording long runs.
    case traceAllocationFailed(rows: Int, pc: UInt32)

    public var description: String {
        switch self {
        case .trap(let t): return t.description
        case .cycleLimit(let limit, let pc):
            return "cycle limit reached: \(limit) cycles executed without halting (next pc \(hex32(pc)))"
        case .alreadyRun: return "this executor has already run; create a new one"
        case .traceAllocationFailed(let rows, let pc):
            return "out of memory for the trace after \(rows) rows (next pc \(hex32(pc))): lower the cycle limit"
        }
    }
}

/// A trap: the instruction at `pc` (the word `instruction`) could not execute. `cycle` counts
/// the instructions that completed before it.
public struct Trap: Sendable, Equatable, CustomStringConvertible {
    /// The trapping instruction's address.
    public var pc: UInt32
    /// The trapping instruction's word (0 when `pc` holds no instruction).
    public var instruction: UInt32
    /// Instructions completed before the trap.
    public var cycle: UInt64
    /// What went wrong.
    public var kind: TrapKind

    /// A trap record.
    public init(pc: UInt32, instruction: UInt32, cycle: UInt64, kind: TrapKind) {
        self.pc = pc
        self.instruction = instruction
        self.cycle = cycle
        self.kind = kind
    }

    /// "trap at pc 0x00200810 (instruction 0x00100073, ebreak) after 4 cycles: breakpoint (ebreak)".
    public var description: String {
        var what = kind.description
        if kind == .illegalInstruction && instruction == 0xc000_1073 {
            what = "the guest stopped itself with unimp "
                + "(a failed runtime check such as Swift's bounds or overflow checks, or __builtin_trap)"
        }
        return "trap at pc \(hex32(pc)) (instruction \(hex32(instruction)), \(Decoder.mnemonic(instruction))) "
            + "after \(cycle) cycles: \(what)"
    }
}

/// The kinds of trap.
public enum TrapKind: Sendable, Equatable, CustomStringConvertible {
    /// The word is not an RV32IM instruction (including `unimp`, which compilers emit for traps).
    case illegalInstruction
    /// `ebreak`.
    case breakpoint
    /// A load whose address is not a multiple of its width.
    case misalignedLoad(address: UInt32, width: Int)
    /// A store whose address is not a multiple of its width.
    case misalignedStore(address: UInt32, width: Int)
    /// A load reaching at or above the field prime.
    case loadOutOfBounds(address: UInt32, width: Int)
    /// A store reaching at or above the field prime.
    case storeOutOfBounds(address: UInt32, width: Int)
    /// A store (or `HINT_READ`) into an executable segment: code is immutable.
    case storeToCode(address: UInt32)
    /// A jump or taken branch to an address that is not a multiple of 4.
    case misalignedJump(target: UInt32)
    /// A jump, taken branch or fall-through to an address outside the executable segments.
    case jumpOutsideCode(target: UInt32)
    /// `ecall` with an id in t0 that is not a ``Syscall``.
    case unknownSyscall(UInt32)
    /// `WRITE` to a file descriptor other than 1, 2 or 3.
    case badFileDescriptor(UInt32)
    /// A system call's buffer reaches at or above the field prime.
    case syscallBufferOutOfBounds(syscall: String, address: UInt32, length: UInt32)
    /// `HINT_READ` when every input item has been read.
    case noInputLeft
    /// `HINT_READ` with a length other than the next item's.
    case hintLengthMismatch(requested: UInt32, available: Int)
    /// `COMMIT` with a word index above 7.
    case commitIndexOutOfRange(UInt32)
    /// The guest wrote more than ``ExecutionOptions/outputLimit`` bytes in all.
    case outputLimitExceeded(limit: Int)

    public var description: String {
        switch self {
        case .illegalInstruction: return "illegal instruction (not RV32IM)"
        case .breakpoint: return "breakpoint (ebreak)"
        case .misalignedLoad(let a, let w): return "misaligned \(w)-byte load from \(hex32(a))"
        case .misalignedStore(let a, let w): return "misaligned \(w)-byte store to \(hex32(a))"
        case .loadOutOfBounds(let a, let w):
            return "\(w)-byte load from \(hex32(a)) reaches beyond guest memory (addresses below 0x7f000001)"
        case .storeOutOfBounds(let a, let w):
            return "\(w)-byte store to \(hex32(a)) reaches beyond guest memory (addresses below 0x7f000001)"
        case .storeToCode(let a): return "store to \(hex32(a)), inside the program's code (code is read-only)"
        case .misalignedJump(let t): return "jump to \(hex32(t)), which is not a multiple of 4"
        case .jumpOutsideCode(let t): return "jump to \(hex32(t)), outside the program's code"
        case .unknownSyscall(let id): return "unknown system call \(hex32(id)) in t0"
        case .badFileDescriptor(let fd): return "WRITE to file descriptor \(fd) (1 stdout, 2 stderr, 3 public output)"
        case .syscallBufferOutOfBounds(let name, let a, let n):
            return "\(name) buffer at \(hex32(a)) of \(n) bytes reaches beyond guest memory"
        case .noInputLeft: return "HINT_READ with no input item left"
        case .hintLengthMismatch(let requested, let available):
            return "HINT_READ of \(requested) bytes, but the next input item has \(available)"
        case .commitIndexOutOfRange(let i): return "COMMIT of digest word \(i) (0...7)"
        case .outputLimitExceeded(let limit): return "the guest wrote more than \(limit) bytes of output"
        }
    }
}

extension TrapKind {
    /// Why a `width`-byte load at `address` faults, once the fast path has seen that it does:
    /// misaligned, or else out of bounds.
    static func loadFault(address a: UInt32, width: Int) -> TrapKind {
        a & UInt32(width - 1) != 0 ? .misalignedLoad(address: a, width: width) : .loadOutOfBounds(address: a, width: width)
    }

    /// Why a `width`-byte store at `address` faults: misaligned, or else past the end of
    /// memory, or else into the code.
    static func storeFault(address a: UInt32, width: Int, memorySize: UInt32) -> TrapKind {
        if a & UInt32(width - 1) != 0 { return .misalignedStore(address: a, width: width) }
        return a > memorySize &- UInt32(width) ? .storeOutOfBounds(address: a, width: width) : .storeToCode(address: a)
    }

    /// Why a jump to `target` faults: misaligned, or else outside the code.
    static func jumpFault(target: UInt32) -> TrapKind {
        target & 3 != 0 ? .misalignedJump(target: target) : .jumpOutsideCode(target: target)
    }
}
