import Keccak
import Primitives

/// One loadable segment of a program image: `data` at `address`, zero-filled up to `memorySize`.
public struct Segment: Sendable, Equatable {
    /// The first guest address.
    public var address: UInt32
    /// Bytes of memory the segment occupies; those past `data.count` are zero (.bss).
    public var memorySize: UInt32
    /// Whether the segment holds code (`PF_X`): the executor runs instructions only from
    /// executable segments and refuses stores into them.
    public var isExecutable: Bool
    /// The initialized bytes (the ELF file's bytes for the segment).
    public var data: [UInt8]

    /// A segment; `data.count` must not exceed `memorySize` (``Program/init(entry:segments:imageLimit:)`` checks).
    public init(address: UInt32, memorySize: UInt32, isExecutable: Bool, data: [UInt8]) {
        self.address = address
        self.memorySize = memorySize
        self.isExecutable = isExecutable
        self.data = data
    }

    /// One past the last address, as a 64-bit number (so it cannot wrap).
    public var end: UInt64 { UInt64(address) + UInt64(memorySize) }
}

/// A loaded RISC-V program: its segments, entry point and identity.
///
/// ```swift
/// let program = try Program(elf: bytes)
/// let result = try Executor(program: program, inputs: [[1, 2, 3]]).run()
/// ```
public struct Program: Sendable {
    /// Where execution starts.
    public let entry: UInt32
    /// The loadable segments, sorted by address, non-overlapping.
    public let segments: [Segment]
    /// The canonical digest of the loaded image (see ``programId``).
    public let programId: Hash32

    /// The first address of code (the lowest executable segment).
    public let codeStart: UInt32
    /// One past the last address of code (the end of the highest executable segment, rounded up to 4).
    public let codeEnd: UInt32

    /// Loads an ELF32 little-endian RISC-V executable: its `PT_LOAD` segments (with .bss
    /// zero-fill) and entry point. Sections (symbols, debug information) are ignored.
    ///
    /// - Throws: ``ELFError`` naming the problem: not ELF, 64-bit, wrong machine, overlapping
    ///   segments, addresses at or above the field prime, an image over `imageLimit`, a truncated file…
    public init(elf: [UInt8], imageLimit: Int = ZKVM.defaultImageLimit) throws(ELFError) {
        let parsed = try ELFFile.parse(elf)
        try self.init(entry: parsed.entry, segments: parsed.segments, imageLimit: imageLimit)
    }

    /// A program from segments (for tests and hand-assembled programs), checked like an ELF's.
    public init(entry: UInt32, segments: [Segment], imageLimit: Int = ZKVM.defaultImageLimit) throws(ELFError) {
        let sorted = segments.filter { $0.memorySize > 0 }.sorted { $0.address < $1.address }
        guard !sorted.isEmpty else { throw .noLoadableSegments }
        var total: UInt64 = 0
        for s in sorted {
            if UInt64(s.data.count) > UInt64(s.memorySize) {
                throw .fileSizeExceedsMemorySize(address: s.address, fileSize: UInt32(truncatingIfNeeded: s.data.count),
                                                 memorySize: s.memorySize)
            }
            if s.end > UInt64(ZKVM.memorySize) { throw .addressAboveFieldPrime(address: s.address, end: s.end) }
            total += UInt64(s.memorySize)
        }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.end > UInt64(b.address) {
            throw .segmentOverlap(first: UInt64(a.address)...(a.end - 1), second: UInt64(b.address)...(b.end - 1))
        }
        if total > UInt64(imageLimit) { throw .imageTooLarge(size: total, limit: UInt64(imageLimit)) }

        let code = sorted.filter(\.isExecutable)
        for s in code where s.address % 4 != 0 { throw .misalignedCodeSegment(address: s.address) }
        guard let first = code.first, let last = code.last,
              entry % 4 == 0, code.contains(where: { UInt64(entry) >= UInt64($0.address) && UInt64(entry) < $0.end })
        else { throw .badEntryPoint(entry) }
        let start = first.address
        let end = (last.end + 3) & ~3
        for s in sorted where !s.isExecutable && s.end > UInt64(start) && UInt64(s.address) < end {
            throw .dataInsideCode(address: s.address)
        }
        if end - UInt64(start) > UInt64(ZKVM.codeLimit) {
            throw .codeTooLarge(size: end - UInt64(start), limit: UInt64(ZKVM.codeLimit))
        }
        self.entry = entry
        self.segments = sorted
        self.codeStart = start
        self.codeEnd = UInt32(end)
        self.programId = Program.identity(entry: entry, segments: sorted)
    }

    /// The domain-separation tag that starts every program-id preimage.
    public static let programIdTag = Array("ProverNet zkVM program".utf8)

    /// The program's identity: Keccak-256 over, in order (numbers as 4-byte little-endian):
    ///
    /// - ``programIdTag`` (ASCII), ``ZKVM/version``, the entry point, the number of segments;
    /// - for each segment, by ascending address: its address, memory size, one byte (1 if
    ///   executable, else 0), the length `n` of its bytes after dropping trailing zeros, and
    ///   those `n` bytes.
    ///
    /// So it depends on the loaded memory image and nothing else: the same ELF gives the same
    /// id, any changed byte of a loaded segment another, and sections outside the segments
    /// (symbols, debug information) or zeros stored in the file instead of .bss do not matter.
    /// The market stores it as a `bytes32`.
    static func identity(entry: UInt32, segments: [Segment]) -> Hash32 {
        var h = Keccak256()
        func word(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { h.update($0) } }
        h.update(programIdTag)
        word(ZKVM.version)
        word(entry)
        word(UInt32(segments.count))
        for s in segments {
            word(s.address)
            word(s.memorySize)
            h.update([s.isExecutable ? 1 : 0] as [UInt8])
            var n = s.data.count
            while n > 0 && s.data[n - 1] == 0 { n -= 1 }
            word(UInt32(n))
            s.data.withUnsafeBytes { h.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        let digest = h.finalize()
        return digest.withUnsafeBytes { Hash32(rawBytes: $0) }
    }
}

/// The strict ELF32 reader behind ``Program/init(elf:imageLimit:)``.
enum ELFFile {
    static let headerSize = 52
    static let programHeaderSize = 32
    static let machineRISCV: UInt16 = 243
    static let typeExecutable: UInt16 = 2
    static let ptLoad: UInt32 = 1, ptDynamic: UInt32 = 2, ptInterp: UInt32 = 3
    static let flagExecutable: UInt32 = 1

    static func parse(_ bytes: [UInt8]) throws(ELFError) -> (entry: UInt32, segments: [Segment]) {
        guard bytes.count >= 4, bytes[0] == 0x7f, bytes[1] == 0x45, bytes[2] == 0x4c, bytes[3] == 0x46 else {
            throw .notELF
        }
        guard bytes.count >= 16 else { throw .truncated(what: "ELF identification", needed: 16, fileSize: bytes.count) }
        switch bytes[4] {
        case 1: break
        case 2: throw .sixtyFourBit
        default: throw .invalidClass(bytes[4])
        }
        guard bytes[5] == 1 else { throw .notLittleEndian(bytes[5]) }
        guard bytes[6] == 1 else { throw .unsupportedVersion(UInt32(bytes[6])) }
        guard bytes.count >= headerSize else {
            throw .truncated(what: "ELF header", needed: UInt64(headerSize), fileSize: bytes.count)
        }
        func u16(_ o: Int) -> UInt16 { UInt16(bytes[o]) | UInt16(bytes[o + 1]) << 8 }
        func u32(_ o: Int) -> UInt32 {
            UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
        }
        let type = u16(16), machine = u16(18), version = u32(20), entry = u32(24)
        let phoff = u32(28), flags = u32(36), ehsize = u16(40), phentsize = u16(42), phnum = u16(44)
        guard type == typeExecutable else { throw .notExecutable(type: type) }
        guard machine == machineRISCV else { throw .wrongMachine(machine) }
        guard version == 1 else { throw .unsupportedVersion(version) }
        if flags & 0x1 != 0 { throw .compressedInstructions }
        if flags & 0x6 != 0 { throw .floatABI(flags) }
        if flags & 0x8 != 0 { throw .embeddedABI }
        guard ehsize == UInt16(headerSize) else { throw .badHeaderSize(field: "ELF header size (e_ehsize)", value: ehsize) }
        guard phnum != 0xffff else { throw .extendedProgramHeaderCount }
        guard phnum > 0 else { throw .noLoadableSegments }
        guard phentsize == UInt16(programHeaderSize) else {
            throw .badHeaderSize(field: "program header size (e_phentsize)", value: phentsize)
        }
        let tableEnd = UInt64(phoff) + UInt64(phnum) * UInt64(programHeaderSize)
        guard tableEnd <= UInt64(bytes.count) else {
            throw .truncated(what: "program header table (\(phnum) entries at offset \(phoff))", needed: tableEnd,
                             fileSize: bytes.count)
        }
        var segments: [Segment] = []
        for i in 0..<Int(phnum) {
            let o = Int(phoff) + i * programHeaderSize
            let ptype = u32(o), offset = u32(o + 4), vaddr = u32(o + 8)
            let filesz = u32(o + 16), memsz = u32(o + 20), pflags = u32(o + 24)
            if ptype == ptInterp || ptype == ptDynamic { throw .dynamicLinking }
            guard ptype == ptLoad, memsz > 0 else { continue }
            guard filesz <= memsz else {
                throw .fileSizeExceedsMemorySize(address: vaddr, fileSize: filesz, memorySize: memsz)
            }
            let end = UInt64(offset) + UInt64(filesz)
            guard end <= UInt64(bytes.count) else {
                throw .truncated(what: "segment at \(hex32(vaddr)) (file offset \(offset), \(filesz) bytes)",
                                 needed: end, fileSize: bytes.count)
            }
            if UInt64(vaddr) + UInt64(memsz) > UInt64(ZKVM.memorySize) {
                throw .addressAboveFieldPrime(address: vaddr, end: UInt64(vaddr) + UInt64(memsz))
            }
            segments.append(Segment(address: vaddr, memorySize: memsz, isExecutable: pflags & flagExecutable != 0,
                                    data: Array(bytes[Int(offset)..<Int(end)])))
        }
        return (entry, segments)
    }
}
