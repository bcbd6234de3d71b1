/// Why the loader refused an ELF file. Each case's ``description`` names the exact problem.
public enum ELFError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file does not start with the ELF magic `7f 45 4c 46`.
    case notELF
    /// The file ends before a structure it declares (`what`) ends.
    case truncated(what: String, needed: UInt64, fileSize: Int)
    /// A 64-bit ELF (ELFCLASS64); the zkVM runs 32-bit programs.
    case sixtyFourBit
    /// `EI_CLASS` is neither 32- nor 64-bit.
    case invalidClass(UInt8)
    /// A big-endian ELF (or an invalid `EI_DATA`).
    case notLittleEndian(UInt8)
    /// `EI_VERSION` or `e_version` is not 1.
    case unsupportedVersion(UInt32)
    /// `e_type` is not `ET_EXEC` (a relocatable object or a shared library).
    case notExecutable(type: UInt16)
    /// `e_machine` is not RISC-V (243).
    case wrongMachine(UInt16)
    /// `e_flags` says the code uses compressed instructions (RVC); the zkVM runs RV32IM only.
    case compressedInstructions
    /// `e_flags` names a hardware floating-point ABI.
    case floatABI(UInt32)
    /// `e_flags` says RV32E (16 registers).
    case embeddedABI
    /// `e_phentsize` is not 32 (or the header size is wrong).
    case badHeaderSize(field: String, value: UInt16)
    /// `e_phnum` is `PN_XNUM` (0xffff): the real count lives in a section header.
    case extendedProgramHeaderCount
    /// A `PT_INTERP` or `PT_DYNAMIC` segment: the program needs a dynamic loader.
    case dynamicLinking
    /// No `PT_LOAD` segment with a non-zero memory size.
    case noLoadableSegments
    /// A segment's file size exceeds its memory size.
    case fileSizeExceedsMemorySize(address: UInt32, fileSize: UInt32, memorySize: UInt32)
    /// Two loadable segments overlap in memory.
    case segmentOverlap(first: ClosedRange<UInt64>, second: ClosedRange<UInt64>)
    /// A segment reaches an address at or above the field prime 0x7f000001.
    case addressAboveFieldPrime(address: UInt32, end: UInt64)
    /// The loaded image (sum of segment memory sizes) exceeds the limit.
    case imageTooLarge(size: UInt64, limit: UInt64)
    /// The executable segments exceed ``ZKVM/codeLimit``.
    case codeTooLarge(size: UInt64, limit: UInt64)
    /// An executable segment starts at an address that is not a multiple of 4.
    case misalignedCodeSegment(address: UInt32)
    /// A non-executable segment lies between executable ones.
    case dataInsideCode(address: UInt32)
    /// The entry point is not a 4-byte aligned address inside an executable segment.
    case badEntryPoint(UInt32)

    public var description: String {
        switch self {
        case .notELF:
            return "not an ELF file: the first bytes are not 7f 45 4c 46"
        case .truncated(let what, let needed, let size):
            return "truncated file: the \(what) needs \(needed) bytes but the file has \(size)"
        case .sixtyFourBit:
            return "64-bit ELF (ELFCLASS64): the zkVM runs 32-bit RISC-V (rv32im) programs"
        case .invalidClass(let c):
            return "invalid ELF class \(c) (expected 1, ELFCLASS32)"
        case .notLittleEndian(let d):
            return d == 2 ? "big-endian ELF: RISC-V programs are little-endian"
                : "invalid ELF data encoding \(d) (expected 1, little-endian)"
        case .unsupportedVersion(let v):
            return "unsupported ELF version \(v) (expected 1)"
        case .notExecutable(let t):
            let kind = [0: "no file type", 1: "a relocatable object (ET_REL)", 3: "a shared object (ET_DYN)",
                        4: "a core file (ET_CORE)"][Int(t)] ?? "type \(t)"
            return "not an executable: the ELF is \(kind); link it into an ET_EXEC program"
        case .wrongMachine(let m):
            let name = [3: "x86", 40: "ARM", 62: "x86-64", 183: "AArch64"][Int(m)].map { " (\($0))" } ?? ""
            return "wrong machine: e_machine is \(m)\(name), expected 243 (RISC-V)"
        case .compressedInstructions:
            return "the program uses compressed instructions (RVC flag in e_flags): build with -march=rv32im"
        case .floatABI(let flags):
            return "hardware floating-point ABI in e_flags (\(hex(flags))): build with -mabi=ilp32"
        case .embeddedABI:
            return "RV32E program (16 registers): the zkVM runs RV32IM"
        case .badHeaderSize(let field, let value):
            return "unexpected \(field) \(value)"
        case .extendedProgramHeaderCount:
            return "too many program headers (e_phnum is PN_XNUM)"
        case .dynamicLinking:
            return "dynamically linked program (PT_INTERP or PT_DYNAMIC): link it statically"
        case .noLoadableSegments:
            return "no loadable segments (no PT_LOAD with a non-zero memory size)"
        case .fileSizeExceedsMemorySize(let a, let f, let m):
            return "segment at \(hex32(a)) has a file size (\(f)) larger than its memory size (\(m))"
        case .segmentOverlap(let a, let b):
            return "segments overlap: \(hex(a.lowerBound))...\(hex(a.upperBound)) and "
                + "\(hex(b.lowerBound))...\(hex(b.upperBound))"
        case .addressAboveFieldPrime(let a, let end):
            return "segment at \(hex32(a)) ends at \(hex(end)), beyond the last address below the field prime 0x7f000001"
        case .imageTooLarge(let size, let limit):
            return "image too large: the segments need \(size) bytes of memory, the limit is \(limit)"
        case .codeTooLarge(let size, let limit):
            return "code too large: the executable segments span \(size) bytes, the limit is \(limit)"
        case .misalignedCodeSegment(let a):
            return "executable segment at \(hex32(a)) is not 4-byte aligned"
        case .dataInsideCode(let a):
            return "non-executable segment at \(hex32(a)) lies between executable segments"
        case .badEntryPoint(let e):
            return "entry point \(hex32(e)) is not a 4-byte aligned address inside an executable segment"
        }
    }
}
