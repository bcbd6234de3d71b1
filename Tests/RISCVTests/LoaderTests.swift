import Keccak
import Primitives
import Testing
@testable import RISCV
import TestSupport

/// The ELF loader's refusals (each with its message), program identity, and a fuzzed corpus.
@Suite struct LoaderTests {
    func refusal(_ bytes: [UInt8], imageLimit: Int = ZKVM.defaultImageLimit) -> ELFError? {
        do {
            _ = try Program(elf: bytes, imageLimit: imageLimit)
            return nil
        } catch {
            return error
        }
    }

    @Test func loadsAValidProgram() throws {
        let p = try Program(elf: ELFBuilder.program().build())
        #expect(p.entry == ZKVM.textStart)
        #expect(p.segments.count == 2)
        #expect(p.segments[0].isExecutable && !p.segments[1].isExecutable)
        #expect(p.segments[1].memorySize == 4 + 64)
        #expect(p.codeStart == ZKVM.textStart && p.codeEnd == ZKVM.textStart + 8)
        let r = try Executor(program: p).run()
        #expect(r.cycles == 2)
    }

    @Test func bssIsZeroFilled() throws {
        var b = ELFBuilder.program(code: Asm.li(s1, dataBase) + [Asm.lw(a0, 4, s1), Asm.lw(a1, 0, s1)] + Asm.halt,
                                   data: [9, 8, 7, 6], bss: 64)
        b.trailer = []
        let e = Executor(program: try Program(elf: b.build()))
        let r = try e.run()
        #expect(r.exitCode == 0)  // the word after the file bytes is .bss
        #expect(e.registers[Int(a1)] == 0x0607_0809)
    }

    @Test func refusesWhatIsNotELF() {
        #expect(refusal([]) == .notELF)
        #expect(refusal(Array("#!/bin/sh\n".utf8)) == .notELF)
        #expect(refusal([0x7f, 0x45, 0x4c]) == .notELF)
        #expect(ELFError.notELF.description.contains("not an ELF file"))
    }

    @Test func refusesTruncatedFiles() {
        let full = ELFBuilder.program().build()
        for n in [5, 16, 40, 51] {
            guard case .truncated(let what, _, let size)? = refusal(Array(full.prefix(n))) else {
                Issue.record("prefix \(n) not refused as truncated")
                continue
            }
            #expect(size == n)
            #expect(what.contains("ELF"))
        }
        // The program header table is cut off.
        guard case .truncated(let what, _, _)? = refusal(Array(full.prefix(70))) else {
            Issue.record("cut program headers not refused")
            return
        }
        #expect(what.contains("program header table"))
        // A segment's bytes run past the end of the file.
        var b = ELFBuilder.program()
        b.trailer = []
        let cut = Array(b.build().dropLast(2))
        let e = refusal(cut)
        guard case .truncated(let seg, let needed, let size)? = e else {
            Issue.record("cut segment not refused: \(String(describing: e))")
            return
        }
        #expect(seg.contains("segment at 0x00300000"))
        #expect(needed == UInt64(size + 2))
        #expect(e!.description.hasPrefix("truncated file"))
        // An offset far beyond the file.
        var far = ELFBuilder.program()
        far.segments[1].offsetOverride = 0xffff_fff0
        guard case .truncated? = refusal(far.build()) else {
            Issue.record("out-of-file offset not refused")
            return
        }
    }

    @Test func refuses64BitAndBigEndianAndBadClass() {
        var b = ELFBuilder.program()
        b.ident[4] = 2
        #expect(refusal(b.build()) == .sixtyFourBit)
        #expect(ELFError.sixtyFourBit.description.contains("64-bit"))
        b.ident[4] = 7
        #expect(refusal(b.build()) == .invalidClass(7))
        b = ELFBuilder.program()
        b.ident[5] = 2
        #expect(refusal(b.build()) == .notLittleEndian(2))
        #expect(ELFError.notLittleEndian(2).description.contains("big-endian"))
        b = ELFBuilder.program()
        b.ident[6] = 0
        #expect(refusal(b.build()) == .unsupportedVersion(0))
        b = ELFBuilder.program()
        b.version = 2
        #expect(refusal(b.build()) == .unsupportedVersion(2))
    }

    @Test func refusesOtherMachinesAndFileTypes() {
        var b = ELFBuilder.program()
        b.machine = 62
        #expect(refusal(b.build()) == .wrongMachine(62))
        #expect(ELFError.wrongMachine(62).description == "wrong machine: e_machine is 62 (x86-64), expected 243 (RISC-V)")
        b.machine = 40
        #expect(refusal(b.build())?.description.contains("ARM") == true)
        b = ELFBuilder.program()
        b.type = 1
        #expect(refusal(b.build()) == .notExecutable(type: 1))
        #expect(ELFError.notExecutable(type: 1).description.contains("relocatable object"))
        b.type = 3
        #expect(refusal(b.build()) == .notExecutable(type: 3))
        #expect(ELFError.notExecutable(type: 3).description.contains("shared object"))
    }

    @Test func refusesCompressedFloatAndEmbeddedABIs() {
        var b = ELFBuilder.program()
        b.flags = 0x1
        #expect(refusal(b.build()) == .compressedInstructions)
        #expect(ELFError.compressedInstructions.description.contains("-march=rv32im"))
        b.flags = 0x4
        #expect(refusal(b.build()) == .floatABI(4))
        #expect(ELFError.floatABI(4).description.contains("floating-point"))
        b.flags = 0x8
        #expect(refusal(b.build()) == .embeddedABI)
        b.flags = 0x10  // TSO: harmless on one hart
        #expect(refusal(b.build()) == nil)
    }

    @Test func refusesBadHeaderSizes() {
        var b = ELFBuilder.program()
        b.phentsize = 56
        #expect(refusal(b.build()) == .badHeaderSize(field: "program header size (e_phentsize)", value: 56))
        b = ELFBuilder.program()
        b.ehsize = 64
        #expect(refusal(b.build())?.description.contains("e_ehsize") == true)
        b = ELFBuilder.program()
        b.phnumOverride = 0xffff
        #expect(refusal(b.build()) == .extendedProgramHeaderCount)
    }

    @Test func refusesDynamicPrograms() {
        var b = ELFBuilder.program()
        b.segments.append(.init(type: 3, vaddr: 0, fileBytes: Array("/lib/ld.so\0".utf8), memorySize: 11, flags: 4))
        #expect(refusal(b.build()) == .dynamicLinking)
        #expect(ELFError.dynamicLinking.description.contains("statically"))
    }

    @Test func refusesProgramsWithoutSegments() {
        var b = ELFBuilder.program()
        b.segments = []
        #expect(refusal(b.build()) == .noLoadableSegments)
        b = ELFBuilder.program()
        b.segments = [.init(type: 4, vaddr: 0, fileBytes: [1, 2], memorySize: 2, flags: 4)]  // PT_NOTE only
        #expect(refusal(b.build()) == .noLoadableSegments)
    }

    @Test func refusesAFileSizeAboveTheMemorySize() {
        var b = ELFBuilder.program()
        b.segments[1].memorySize = 2
        #expect(refusal(b.build()) == .fileSizeExceedsMemorySize(address: dataBase, fileSize: 4, memorySize: 2))
        #expect(refusal(b.build())!.description.contains("file size (4) larger than its memory size (2)"))
    }

    @Test func refusesOverlappingSegments() {
        var b = ELFBuilder.program()
        b.segments[1].vaddr = ZKVM.textStart + 4
        let e = refusal(b.build())
        #expect(e == .segmentOverlap(first: UInt64(ZKVM.textStart)...UInt64(ZKVM.textStart + 7),
                                     second: UInt64(ZKVM.textStart + 4)...UInt64(ZKVM.textStart + 4 + 67)))
        #expect(e?.description.contains("segments overlap: 0x200800...0x200807 and 0x200804") == true)
        // Identical addresses overlap too, whatever the order of the headers.
        b.segments[1].vaddr = ZKVM.textStart
        b.segments.swapAt(0, 1)
        guard case .segmentOverlap? = refusal(b.build()) else {
            Issue.record("identical segments not refused")
            return
        }
    }

    @Test func refusesAddressesAtOrAboveTheFieldPrime() {
        var b = ELFBuilder.program()
        b.segments[1].vaddr = 0x7f00_0000
        b.segments[1].memorySize = 2  // ends at 0x7f000002 > p
        b.segments[1].fileBytes = [1]
        #expect(refusal(b.build()) == .addressAboveFieldPrime(address: 0x7f00_0000, end: 0x7f00_0002))
        #expect(refusal(b.build())!.description.contains("field prime 0x7f000001"))
        b.segments[1].vaddr = 0xffff_fff0
        b.segments[1].memorySize = 0x20  // wraps past 2^32
        guard case .addressAboveFieldPrime? = refusal(b.build()) else {
            Issue.record("wrapping segment not refused")
            return
        }
        // The very last byte below the prime is fine.
        b.segments[1].vaddr = 0x7f00_0000
        b.segments[1].memorySize = 1
        #expect(refusal(b.build()) == nil)
    }

    @Test func refusesImagesThatAreTooLarge() {
        var b = ELFBuilder.program()
        b.segments[1].memorySize = 300 << 20  // .bss
        #expect(refusal(b.build()) == .imageTooLarge(size: UInt64(300 << 20) + 8, limit: UInt64(ZKVM.defaultImageLimit)))
        #expect(refusal(b.build())!.description.hasPrefix("image too large"))
        #expect(refusal(ELFBuilder.program().build(), imageLimit: 16) == .imageTooLarge(size: 8 + 68, limit: 16))
        // Code beyond the code limit.
        b = ELFBuilder.program()
        b.segments.removeLast()
        b.segments[0].memorySize = UInt32(ZKVM.codeLimit) + 4
        guard case .codeTooLarge? = refusal(b.build()) else {
            Issue.record("huge code segment not refused")
            return
        }
    }

    @Test func refusesBadEntryPointsAndCodeLayouts() {
        var b = ELFBuilder.program()
        b.entry = dataBase
        #expect(refusal(b.build()) == .badEntryPoint(dataBase))
        #expect(ELFError.badEntryPoint(dataBase).description.contains("0x00300000"))
        b.entry = ZKVM.textStart + 2
        #expect(refusal(b.build()) == .badEntryPoint(ZKVM.textStart + 2))
        b.entry = ZKVM.textStart + 8  // one past the code
        #expect(refusal(b.build()) == .badEntryPoint(ZKVM.textStart + 8))
        b = ELFBuilder.program()
        b.segments[0].flags = 4  // no executable segment at all
        #expect(refusal(b.build()) == .badEntryPoint(ZKVM.textStart))
        b = ELFBuilder.program()
        b.segments[0].vaddr = ZKVM.textStart + 2
        b.entry = ZKVM.textStart + 4
        #expect(refusal(b.build()) == .misalignedCodeSegment(address: ZKVM.textStart + 2))
        // Data between two code segments.
        b = ELFBuilder.program()
        b.segments.append(.init(vaddr: dataBase + 0x1000, fileBytes: Asm.halt.flatMap(le32), memorySize: 8, flags: 5))
        #expect(refusal(b.build()) == .dataInsideCode(address: dataBase))
    }

    // MARK: Program identity

    /// The documented preimage, assembled by hand.
    func expectedId(entry: UInt32, segments: [(UInt32, UInt32, Bool, [UInt8])]) -> Hash32 {
        var pre = Array("ProverNet zkVM program".utf8) + le32(ZKVM.version) + le32(entry) + le32(UInt32(segments.count))
        for (address, size, exec, data) in segments {
            var trimmed = data
            while trimmed.last == 0 { trimmed.removeLast() }
            pre += le32(address) + le32(size) + [exec ? 1 : 0] + le32(UInt32(trimmed.count)) + trimmed
        }
        return Hash32(Keccak256.hash(pre))!
    }

    @Test func programIdFollowsTheDocumentedPreimage() throws {
        let b = ELFBuilder.program(data: [5, 6, 0, 0], bss: 12)
        let p = try Program(elf: b.build())
        #expect(p.programId == expectedId(entry: ZKVM.textStart, segments: [
            (ZKVM.textStart, 8, true, Asm.halt.flatMap(le32)), (dataBase, 16, false, [5, 6]),
        ]))
    }

    @Test func programIdIsStableAndBindsEveryLoadedByte() throws {
        let base = ELFBuilder.program(data: [1, 2, 3, 4, 5, 6, 7, 8])
        let id = try Program(elf: base.build()).programId
        #expect(try Program(elf: base.build()).programId == id)
        var ids: Set<Hash32> = [id]
        for seg in 0..<2 {
            for i in 0..<base.segments[seg].fileBytes.count {
                var b = base
                b.segments[seg].fileBytes[i] ^= 0x01
                ids.insert(try Program(elf: b.build()).programId)
            }
        }
        #expect(ids.count == 1 + 8 + 8)
        var moved = base
        moved.segments[1].vaddr += 16
        #expect(try Program(elf: moved.build()).programId != id)
        var bigger = base
        bigger.segments[1].memorySize += 4
        #expect(try Program(elf: bigger.build()).programId != id)
        var entry = ELFBuilder.program(code: [Asm.nop] + Asm.halt, data: [1, 2, 3, 4, 5, 6, 7, 8])
        let e1 = try Program(elf: entry.build()).programId
        entry.entry += 4
        #expect(try Program(elf: entry.build()).programId != e1)
        var flags = base
        flags.segments[1].flags = 7  // the data segment becomes code too
        #expect(try Program(elf: flags.build()).programId != id)
    }

    @Test func programIdIgnoresWhatIsNotLoaded() throws {
        var a = ELFBuilder.program()
        var b = a
        a.trailer = Array("symbol table A".utf8)
        b.trailer = Array("a different debug section, longer".utf8)
        #expect(try Program(elf: a.build()).programId == Program(elf: b.build()).programId)
        // Zeros stored in the file instead of .bss: the same loaded image.
        var c = ELFBuilder.program(data: [1, 2, 3, 4], bss: 64)
        var d = ELFBuilder.program(data: [1, 2, 3, 4] + [UInt8](repeating: 0, count: 32), bss: 32)
        c.trailer = []
        d.trailer = []
        #expect(try Program(elf: c.build()).programId == Program(elf: d.build()).programId)
        // Non-loadable program headers do not count.
        var e = ELFBuilder.program()
        e.segments.append(.init(type: 0x7000_0003, vaddr: 0, fileBytes: [0x41, 0x29], memorySize: 0, flags: 4))
        #expect(try Program(elf: e.build()).programId == Program(elf: ELFBuilder.program().build()).programId)
    }

    @Test(arguments: ["c/fibonacci", "c/sha256", "swift/fibonacci", "swift/merkle"])
    func strippedGuestsKeepTheirId(_ name: String) throws {
        let full = try Guests.elf(name + ".elf")
        let stripped = try Guests.elf(name + ".stripped.elf")
        #expect(full.count > stripped.count)  // symbols and debug information
        #expect(try Program(elf: full).programId == Program(elf: stripped).programId)
    }

    // MARK: Fuzzing

    /// Mutated ELF files are refused with an ELFError or load and run (or trap) without
    /// crashing the process.
    @Test func fuzzedELFCorpusNeverCrashes() throws {
        var seeds: [[UInt8]] = [ELFBuilder.program().build(), ELFBuilder.program(code: Asm.li(a0, 7) + Asm.halt, bss: 4096).build()]
        if let guest = try? Guests.elf("c/fibonacci.stripped.elf") { seeds.append(guest) }
        var rng = SplitMix64(seed: 0xf022)
        let interesting: [UInt32] = [0, 1, 2, 3, 4, 0x7f, 0x80, 0xff, 0xffff, 0x7f00_0000, 0x7f00_0001, 0x7eff_ffff,
                                     0x8000_0000, 0xffff_ffff, 0xffff_fffc, ZKVM.textStart, dataBase]
        var loaded = 0, refused = 0, ran = 0
        for round in 0..<1500 {
            var bytes = seeds[round % seeds.count]
            switch Int.random(in: 0..<4, using: &rng) {
            case 0:  // flip bytes, mostly in the headers
                for _ in 0..<Int.random(in: 1...8, using: &rng) {
                    let limit = Bool.random(using: &rng) ? min(bytes.count, 52 + 32 * 4) : bytes.count
                    bytes[Int.random(in: 0..<limit, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
            case 1:  // overwrite a header word with an interesting value
                let offset = Int.random(in: 0..<(min(bytes.count, 52 + 32 * 4) / 4), using: &rng) * 4
                let v = interesting.randomElement(using: &rng)!
                for i in 0..<4 where offset + i < bytes.count { bytes[offset + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) }
            case 2:  // truncate
                bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &rng)))
            default:  // random bytes behind a valid magic
                bytes = [0x7f, 0x45, 0x4c, 0x46] + (0..<Int.random(in: 0..<300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            }
            let program: Program
            do {
                program = try Program(elf: bytes)
                loaded += 1
            } catch {
                #expect(!error.description.isEmpty)
                refused += 1
                continue
            }
            // Keep the test fast: run only programs whose code decodes quickly.
            guard program.codeEnd - program.codeStart <= 1 << 20 else { continue }
            let e = Executor(program: program, inputs: [le32(10)], options: ExecutionOptions(maxCycles: 2_000, recordTrace: round % 2 == 0))
            do { _ = try e.run() } catch { #expect(!error.description.isEmpty) }
            ran += 1
        }
        #expect(refused > 0 && loaded > 0 && ran > 0)
    }
}
