/// Constants of the ProverNet zkVM: its version, memory layout and system-call ABI.
///
/// Guests see a flat, byte-addressed, little-endian memory over every address below the
/// KoalaBear prime `p = 0x7f000001` (so each address is a field element). The executor sets
/// `sp` to ``stackTop`` before the first instruction; every other register starts at zero.
/// The guest SDK's linker script (`Tools/guest/link.ld`) places code at ``textStart``.
public enum ZKVM {
    /// The version of the execution semantics, bound into every ``Program/programId``: any
    /// change to what a program computes must bump it.
    public static let version: UInt32 = 1

    /// The KoalaBear prime 2^31 − 2^24 + 1; every guest address lies below it.
    public static let fieldPrime: UInt32 = 0x7f00_0001

    /// Guest memory spans the addresses `0 ..< memorySize` (every field element).
    public static let memorySize: UInt32 = fieldPrime

    /// The initial stack pointer; the stack grows down from here.
    public static let stackTop: UInt32 = 0x0020_0400

    /// Where the guest SDK's linker script puts code.
    public static let textStart: UInt32 = 0x0020_0800

    /// The largest loaded image (sum of the segments' memory sizes) the loader accepts by default.
    public static let defaultImageLimit = 256 << 20

    /// The most code (bytes of executable segments) the loader accepts.
    public static let codeLimit = 64 << 20
}

/// The system calls (Pico/SP1 ABI): the id in `t0` (x5), arguments in `a0`–`a2` (x10–x12),
/// the result in `t0`.
public enum Syscall: UInt32, Sendable, CaseIterable {
    /// Stop; `a0` is the exit code.
    case halt = 0x00
    /// Write `a2` bytes at address `a1` to file descriptor `a0` (see ``FileDescriptor``).
    case write = 0x02
    /// Set word `a0` (0–7) of the committed public-output digest to `a1` (SP1's COMMIT).
    case commit = 0x10
    /// `t0` ← the length of the next input item, or `0xFFFFFFFF` when none is left.
    case hintLength = 0xF0
    /// Copy the next input item to address `a0`; `a1` must equal its length.
    case hintRead = 0xF1

    /// The call's name as the ABI spells it.
    public var name: String {
        switch self {
        case .halt: return "HALT"
        case .write: return "WRITE"
        case .commit: return "COMMIT"
        case .hintLength: return "HINT_LEN"
        case .hintRead: return "HINT_READ"
        }
    }
}

/// The file descriptors `WRITE` accepts.
public enum FileDescriptor: UInt32, Sendable {
    /// The guest's standard output.
    case stdout = 1
    /// The guest's standard error.
    case stderr = 2
    /// The public output, which the proof binds.
    case publicOutput = 3
}

/// `0x`-prefixed, zero-padded hex of a 32-bit value, as traps and errors print addresses.
@usableFromInline
func hex32(_ v: UInt32) -> String {
    let digits = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}

/// `0x`-prefixed hex of a number of any size.
func hex(_ v: some BinaryInteger) -> String { "0x" + String(v, radix: 16) }
