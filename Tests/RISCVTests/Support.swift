import Foundation
import Testing
@testable import RISCV

// MARK: - Registers

let zero: UInt32 = 0, ra: UInt32 = 1, sp: UInt32 = 2, gp: UInt32 = 3, tp: UInt32 = 4
let t0: UInt32 = 5, t1: UInt32 = 6, t2: UInt32 = 7, s0: UInt32 = 8, s1: UInt32 = 9
let a0: UInt32 = 10, a1: UInt32 = 11, a2: UInt32 = 12, a3: UInt32 = 13

// MARK: - A tiny RV32IM assembler (encodings from the ISA manual's base formats)

enum Asm {
    static func r(_ opcode: UInt32, _ f3: UInt32, _ f7: UInt32, _ rd: UInt32, _ rs1: UInt32, _ rs2: UInt32) -> UInt32 {
        f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opcode
    }
    static func i(_ opcode: UInt32, _ f3: UInt32, _ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 {
        precondition(imm >= -2048 && imm <= 2047, "I-immediate out of range")
        return UInt32(bitPattern: imm) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opcode
    }
    static func s(_ f3: UInt32, _ rs2: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 {
        precondition(imm >= -2048 && imm <= 2047, "S-immediate out of range")
        let v = UInt32(bitPattern: imm)
        return (v >> 5 & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (v & 31) << 7 | 0x23
    }
    static func b(_ f3: UInt32, _ rs1: UInt32, _ rs2: UInt32, _ offset: Int32) -> UInt32 {
        precondition(offset % 2 == 0 && offset >= -4096 && offset < 4096, "B-offset out of range")
        let v = UInt32(bitPattern: offset)
        return (v >> 12 & 1) << 31 | (v >> 5 & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12
            | (v >> 1 & 0xf) << 8 | (v >> 11 & 1) << 7 | 0x63
    }
    static func u(_ opcode: UInt32, _ rd: UInt32, _ imm20: UInt32) -> UInt32 { (imm20 & 0xfffff) << 12 | rd << 7 | opcode }
    static func j(_ rd: UInt32, _ offset: Int32) -> UInt32 {
        precondition(offset % 2 == 0 && offset >= -(1 << 20) && offset < (1 << 20), "J-offset out of range")
        let v = UInt32(bitPattern: offset)
        return (v >> 20 & 1) << 31 | (v >> 1 & 0x3ff) << 21 | (v >> 11 & 1) << 20 | (v >> 12 & 0xff) << 12 | rd << 7 | 0x6f
    }

    static func lui(_ rd: UInt32, _ imm20: UInt32) -> UInt32 { u(0x37, rd, imm20) }
    static func auipc(_ rd: UInt32, _ imm20: UInt32) -> UInt32 { u(0x17, rd, imm20) }
    static func jal(_ rd: UInt32, _ offset: Int32) -> UInt32 { j(rd, offset) }
    static func jalr(_ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { i(0x67, 0, rd, rs1, imm) }

    static let branchF3: [String: UInt32] = ["beq": 0, "bne": 1, "blt": 4, "bge": 5, "bltu": 6, "bgeu": 7]
    static func branch(_ name: String, _ rs1: UInt32, _ rs2: UInt32, _ offset: Int32) -> UInt32 {
        b(branchF3[name]!, rs1, rs2, offset)
    }

    static let loadF3: [String: UInt32] = ["lb": 0, "lh": 1, "lw": 2, "lbu": 4, "lhu": 5]
    static func load(_ name: String, _ rd: UInt32, _ offset: Int32, _ rs1: UInt32) -> UInt32 {
        i(0x03, loadF3[name]!, rd, rs1, offset)
    }
    static let storeF3: [String: UInt32] = ["sb": 0, "sh": 1, "sw": 2]
    static func store(_ name: String, _ rs2: UInt32, _ offset: Int32, _ rs1: UInt32) -> UInt32 {
        s(storeF3[name]!, rs2, rs1, offset)
    }
    static func lw(_ rd: UInt32, _ offset: Int32, _ rs1: UInt32) -> UInt32 { load("lw", rd, offset, rs1) }
    static func sw(_ rs2: UInt32, _ offset: Int32, _ rs1: UInt32) -> UInt32 { store("sw", rs2, offset, rs1) }

    /// f3 and f7 of every R-type operation.
    static let rOps: [String: (f3: UInt32, f7: UInt32)] = [
        "add": (0, 0), "sub": (0, 0x20), "sll": (1, 0), "slt": (2, 0), "sltu": (3, 0), "xor": (4, 0),
        "srl": (5, 0), "sra": (5, 0x20), "or": (6, 0), "and": (7, 0),
        "mul": (0, 1), "mulh": (1, 1), "mulhsu": (2, 1), "mulhu": (3, 1), "div": (4, 1), "divu": (5, 1),
        "rem": (6, 1), "remu": (7, 1),
    ]
    static func op(_ name: String, _ rd: UInt32, _ rs1: UInt32, _ rs2: UInt32) -> UInt32 {
        let (f3, f7) = rOps[name]!
        return r(0x33, f3, f7, rd, rs1, rs2)
    }
    static func add(_ rd: UInt32, _ rs1: UInt32, _ rs2: UInt32) -> UInt32 { op("add", rd, rs1, rs2) }

    /// f3 of every I-type ALU operation (shifts put f7 in the immediate's top bits).
    static let iOps: [String: UInt32] = ["addi": 0, "slti": 2, "sltiu": 3, "xori": 4, "ori": 6, "andi": 7,
                                         "slli": 1, "srli": 5, "srai": 5]
    static func opImm(_ name: String, _ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 {
        let value = name == "srai" ? imm | 0x400 : imm
        return i(0x13, iOps[name]!, rd, rs1, value)
    }
    static func addi(_ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { i(0x13, 0, rd, rs1, imm) }

    static let ecall: UInt32 = 0x0000_0073
    static let ebreak: UInt32 = 0x0010_0073
    static let fence: UInt32 = 0x0ff0_000f
    static let unimp: UInt32 = 0xc000_1073
    static let nop: UInt32 = 0x0000_0013

    /// rd = value (lui + addi, with the carry from the sign-extended low 12 bits).
    static func li(_ rd: UInt32, _ value: UInt32) -> [UInt32] {
        let low = Int32(bitPattern: value << 20) >> 20
        let high = (value &- UInt32(bitPattern: low)) >> 12
        return [lui(rd, high), addi(rd, rd, low)]
    }

    /// HALT with exit code a0.
    static let halt: [UInt32] = [addi(t0, zero, 0), ecall]
    /// A system call: t0 = id, then ecall.
    static func syscall(_ id: UInt32) -> [UInt32] { li(t0, id) + [ecall] }
}

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

// MARK: - The example guests (Tools/guest/build.sh → .build-guests)

enum Guests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The directory with the built guests; builds them with Tools/guest/build.sh if missing.
    static let directory: Result<URL, GuestBuildError> = {
        let env = ProcessInfo.processInfo.environment["PROVERNET_GUESTS"]
        let dir = env.map { URL(fileURLWithPath: $0) } ?? root.appendingPathComponent(".build-guests")
        let marker = dir.appendingPathComponent("swift/merkle.elf").path
        if FileManager.default.fileExists(atPath: marker) { return .success(dir) }
        let script = root.appendingPathComponent("Tools/guest/build.sh")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [script.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        do { try p.run() } catch { return .failure(GuestBuildError(message: "cannot start \(script.path): \(error)")) }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0, FileManager.default.fileExists(atPath: marker) else {
            return .failure(GuestBuildError(message: "Tools/guest/build.sh failed (status \(p.terminationStatus)):\n\(output)"))
        }
        return .success(dir)
    }()

    /// The bytes of a built guest, e.g. `c/sha256.elf`.
    static func elf(_ path: String) throws -> [UInt8] {
        let dir = try directory.get()
        let file = dir.appendingPathComponent(path)
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw GuestBuildError(message: "\(file.path) is missing: run Tools/guest/build.sh")
        }
        return [UInt8](data)
    }

    static func program(_ path: String) throws -> Program { try Program(elf: elf(path)) }
}

struct GuestBuildError: Error, CustomStringConvertible {
    let message: String
    var description: String { "example guests unavailable: \(message)" }
}
