import Foundation
import Testing
@testable import RISCV
@_exported import TestSupport

// MARK: - Registers

let zero: UInt32 = 0, ra: UInt32 = 1, sp: UInt32 = 2, gp: UInt32 = 3, tp: UInt32 = 4
let t0: UInt32 = 5, t1: UInt32 = 6, t2: UInt32 = 7, s0: UInt32 = 8, s1: UInt32 = 9
let a0: UInt32 = 10, a1: UInt32 = 11, a2: UInt32 = 12, a3: UInt32 = 13

// MARK: - Running hand-assembled programs

/// Test programs put code at ZKVM.textStart and a 4 KiB data segment here.
let dataBase: UInt32 = 0x0030_0000
let dataSize = 4096

/// A program from instruction words (at ZKVM.textStart) and optional initial data (at dataBase).
func makeProgram(_ code: [UInt32], data: [UInt8] = []) throws -> Program {
    let bytes = code.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
    return try Program(entry: ZKVM.textStart, segments: [
        Segment(address: ZKVM.textStart, memorySize: UInt32(bytes.count), isExecutable: true, data: bytes),
        Segment(address: dataBase, memorySize: UInt32(dataSize), isExecutable: false, data: data),
    ])
}

/// Runs `code` followed by HALT; returns the executor (for registers and memory) and the result.
func run(_ code: [UInt32], data: [UInt8] = [], inputs: [[UInt8]] = [], maxCycles: UInt64 = 100_000,
         trace: Bool = false) throws -> (executor: Executor, result: ExecutionResult) {
    let program = try makeProgram(code + Asm.halt, data: data)
    let e = Executor(program: program, inputs: inputs, options: ExecutionOptions(maxCycles: maxCycles, recordTrace: trace))
    let r = try e.run()
    return (e, r)
}

/// Runs `code` (nothing appended) and returns the trap it must end with.
func trapOf(_ code: [UInt32], data: [UInt8] = [], inputs: [[UInt8]] = [],
            options: ExecutionOptions = ExecutionOptions(maxCycles: 10_000)) throws -> Trap? {
    let e = Executor(program: try makeProgram(code, data: data), inputs: inputs, options: options)
    do {
        _ = try e.run()
        return nil
    } catch {
        if case .trap(let t) = error { return t }
        return nil
    }
}

func pcOf(_ index: Int) -> UInt32 { ZKVM.textStart + UInt32(4 * index) }

func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

// MARK: - ELF files built by hand

/// Writes an ELF32 file: header, program headers, segment bytes, then `trailer` (standing in
/// for sections no segment covers). Every field can be overridden to build a bad file.
struct ELFBuilder {
    struct Header {
        var type: UInt32 = 1
        var vaddr: UInt32
        var fileBytes: [UInt8]
        var memorySize: UInt32
        var flags: UInt32
        var offsetOverride: UInt32?
        var fileSizeOverride: UInt32?
    }

    var ident: [UInt8] = [0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    var type: UInt16 = 2
    var machine: UInt16 = 243
    var version: UInt32 = 1
    var entry: UInt32 = ZKVM.textStart
    var flags: UInt32 = 0
    var ehsize: UInt16 = 52
    var phentsize: UInt16 = 32
    var phnumOverride: UInt16?
    var segments: [Header] = []
    var trailer: [UInt8] = []

    /// A valid program: `code` at ZKVM.textStart (r-x) and `data` with `bss` extra zero bytes at dataBase (rw-).
    static func program(code: [UInt32] = Asm.halt, data: [UInt8] = [1, 2, 3, 4], bss: UInt32 = 64) -> ELFBuilder {
        var b = ELFBuilder()
        let codeBytes = code.flatMap(le32)
        b.segments = [
            Header(vaddr: ZKVM.textStart, fileBytes: codeBytes, memorySize: UInt32(codeBytes.count), flags: 5),
            Header(vaddr: dataBase, fileBytes: data, memorySize: UInt32(data.count) + bss, flags: 6),
        ]
        b.trailer = Array("symbols and debug information".utf8)
        return b
    }

    func build() -> [UInt8] {
        var out = ident
        func u16(_ v: UInt16) { out += [UInt8(v & 0xff), UInt8(v >> 8)] }
        func u32(_ v: UInt32) { out += le32(v) }
        u16(type); u16(machine); u32(version); u32(entry)
        u32(52)  // e_phoff
        u32(0)  // e_shoff
        u32(flags); u16(ehsize); u16(phentsize); u16(phnumOverride ?? UInt16(segments.count))
        u16(40); u16(0); u16(0)  // e_shentsize, e_shnum, e_shstrndx
        var offset = UInt32(52 + 32 * segments.count)
        for s in segments {
            u32(s.type); u32(s.offsetOverride ?? offset); u32(s.vaddr); u32(s.vaddr)
            u32(s.fileSizeOverride ?? UInt32(s.fileBytes.count)); u32(s.memorySize); u32(s.flags); u32(4)
            offset += UInt32(s.fileBytes.count)
        }
        for s in segments { out += s.fileBytes }
        return out + trailer
    }
}

extension Guests {
    static func program(_ path: String) throws -> Program { try Program(elf: elf(path)) }
}
