import STARK

/// The buses of the RV32IM machine (docs/zkvm.md). Ids are part of every fingerprint, so a
/// tuple on one bus never stands in for one on another.
public enum VMBus {
    /// (value): a 16-bit range check, answered by ``Range16Chip``.
    public static let range16 = Bus(100, "range16")
    /// (op, a, b, result): a byte operation (``ByteOp``), answered by ``ByteChip``.
    public static let byte = Bus(101, "byte")
    /// (opcode, a₀, a₁, b₀, b₁, c₀, c₁): a 32-bit ALU operation on 16-bit limbs (a ∘ b = c),
    /// answered by the ALU chips.
    public static let alu = Bus(102, "alu")
    /// (address, value₀, value₁, timestamp): offline memory checking. Each access receives the
    /// word as its previous access left it and sends it back as it leaves it;
    /// ``MemoryBoundaryChip`` (and, for the program image, the verifier) puts each word's
    /// initial value at timestamp 0 and takes its final one. Register r lives at address 4r + 1
    /// (never a word address).
    public static let memory = Bus(103, "memory")
    /// (pc, 1, rs1, rs2, rd, imm₀, imm₁, target, op, flags…): the decoded program, answered by
    /// ``ProgramChip`` from the ELF.
    public static let program = Bus(104, "program")
    /// (op, clk, a₀, a₁, imm₀, imm₁, s₀, s₁, c₀, c₁): a load or store, answered by ``LoadStoreChip``.
    public static let loadStore = Bus(105, "load-store")
    /// (clk, t0₀, t0₁, a0₀, a0₁, result₀, result₁, halt): an `ecall`, answered by ``SyscallChip``.
    public static let syscall = Bus(106, "syscall")
    /// (halted, next pc, next clk, exit₀, exit₁): the state a run (or segment) ends in, taken
    /// by the verifier.
    public static let finalState = Bus(107, "final-state")
    /// (clk, output?, start₀, start₁, length, stream position): a buffer a system call reads
    /// (WRITE to fd 3) or fills (HINT_READ), answered word by word by ``IOChip``.
    public static let ioJob = Bus(108, "io-job")
    /// (position, byte): the input items' bytes, concatenated, put there by the verifier.
    public static let input = Bus(109, "input")
    /// (position, byte): the public output's bytes, taken by the verifier.
    public static let output = Bus(110, "output")
    /// (item, position, length₀, length₁, next length₀, next length₁): an input item the guest
    /// read, put there by the verifier (length 0xFFFF_FFFF after the last item).
    public static let inputItem = Bus(111, "input-item")
    /// (clk, item, input position, item length₀, length₁, output length): the I/O cursor as a
    /// system call at clk − 1 left it, passed from call to call (``SyscallChip``); the verifier
    /// puts the starting cursor at 0 and takes the final one at the cycle count.
    public static let ioCursor = Bus(112, "io-cursor")
}

/// The address of register `r` on ``VMBus/memory``: 4r + 1, which no word address equals.
@inlinable
public func registerAddress(_ r: UInt32) -> UInt32 { 4 &* r &+ 1 }
