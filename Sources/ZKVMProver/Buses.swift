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
    /// initial value at timestamp 0 and takes its final one.
    public static let memory = Bus(103, "memory")
}
