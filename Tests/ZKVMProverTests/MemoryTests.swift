import KoalaBear
import RISCV
import STARK
import Testing
import TestSupport
@testable import ZKVMProver

/// Stores, loads, an overwrite and a load from the program's own code (its image), then HALT.
let memoryProgram: [UInt32] = [
    0x0020_00b7,  // lui   x1, 0x200          x1 = 0x200000
    0x02a0_0113,  // addi  x2, x0, 42
    0x0020_a023,  // sw    x2, 0(x1)
    0x0000_a183,  // lw    x3, 0(x1)
    0x0011_8193,  // addi  x3, x3, 1
    0x0030_a223,  // sw    x3, 4(x1)
    0x0040_a203,  // lw    x4, 4(x1)
    0x0040_a023,  // sw    x4, 0(x1)          overwrite
    0x0000_a303,  // lw    x6, 0(x1)
    0x0020_1437,  // lui   x8, 0x201
    0x8004_0413,  // addi  x8, x8, -2048      x8 = 0x200800, the first instruction
    0x0004_2383,  // lw    x7, 0(x8)          reads the image
    0x0000_0293,  // addi  t0, x0, 0          HALT
    0x0000_0073,  // ecall
]

@Suite("ZKVM memory checking", .tags(.slow), .disabled(if: Quick.enabled, Quick.reason))
struct MemoryTests {
    static func run() throws -> (Program, [MemoryAccessChip.Access]) {
        let bytes = memoryProgram.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
        let program = try Program(entry: ZKVM.textStart,
                                  segments: [Segment(address: ZKVM.textStart, memorySize: UInt32(bytes.count), isExecutable: true, data: bytes)])
        let result = try Executor(program: program, options: ExecutionOptions(recordTrace: true)).run()
        let trace = try #require(result.trace)
        return (program, MemoryAccessChip.accesses(of: trace))
    }

    static func tables(_ accesses: [MemoryAccessChip.Access], image: [UInt32: UInt32],
                       accessTrace: ColumnMatrix? = nil) -> [MachineTable] {
        var counts = LookupCounts()
        let access = MemoryAccessChip.trace(accesses, counts: &counts)
        let boundary = MemoryBoundaryChip.trace(accesses: accesses, image: image, counts: &counts)
        return [MachineTable(air: MemoryAccessChip(), trace: accessTrace ?? access),
                MachineTable(air: MemoryBoundaryChip(), trace: boundary)] + counts.tables
    }

    static func proveAndVerify(_ tables: [MachineTable], image: [UInt32: UInt32], check: Bool = true) throws {
        var c = ChipTests.config
        c.checkConstraints = check
        let publicImage = MemoryBoundaryChip.imageInteractions(image)
        let proof = try Machine.prove(tables, publicInteractions: publicImage, config: c)
        try Machine.verify(tables.map(\.air), proof: proof, publicInputs: tables.map(\.publicInputs),
                           publicInteractions: publicImage, config: ChipTests.config)
    }

    @Test func aRunsMemoryIsConsistent() throws {
        let (program, accesses) = try MemoryTests.run()
        #expect(accesses.count == 7, "three stores, three loads and the load from the image; HALT touches no memory")
        let image = MemoryBoundaryChip.image(of: program)
        #expect(accesses.contains { $0.address == ZKVM.textStart && $0.previousTimestamp == 0 && $0.value == memoryProgram[0] })
        try MemoryTests.proveAndVerify(MemoryTests.tables(accesses, image: image), image: image)
    }

    /// A load that returns another value than the last store wrote, told consistently from
    /// then on, does not balance the memory bus.
    @Test func aForgedReadFails() throws {
        let (program, honest) = try MemoryTests.run()
        let image = MemoryBoundaryChip.image(of: program)
        var forged = honest
        let i = try #require(forged.firstIndex { $0.address == 0x20_0000 && $0.previous == 42 })
        forged[i].previous = 41
        forged[i].value = 41
        #expect(throws: StarkError.self) { try MemoryTests.proveAndVerify(MemoryTests.tables(forged, image: image), image: image) }
        #expect(throws: StarkError.self) {
            try MemoryTests.proveAndVerify(MemoryTests.tables(forged, image: image), image: image, check: false)
        }
        // The image is the verifier's: another first instruction word fails.
        var otherImage = image
        otherImage[ZKVM.textStart] = memoryProgram[0] ^ 1
        #expect(throws: StarkError.self) {
            try MemoryTests.proveAndVerify(MemoryTests.tables(honest, image: image), image: otherImage, check: false)
        }
    }

    /// Accesses chained backwards in time (each reading what a later one wrote) balance the bus
    /// but fail the timestamp order check.
    @Test func aForgedTimestampOrderFails() throws {
        let a: UInt32 = 0x30_0000
        let accesses = [
            MemoryAccessChip.Access(address: a, previous: 0, value: 7, previousTimestamp: 0, timestamp: 10),
            MemoryAccessChip.Access(address: a, previous: 7, value: 9, previousTimestamp: 1, timestamp: 2),
        ]
        // Honest order: the second access at timestamp 11 after the first.
        var fixed = accesses
        fixed[1].previousTimestamp = 10
        fixed[1].timestamp = 11
        try MemoryTests.proveAndVerify(MemoryTests.tables(fixed, image: [:]), image: [:])
        // Forged: the second access claims timestamp 5, before the one it read from (10); the
        // boundary takes the word off at timestamp 5, so the memory bus balances, and only the
        // range check of 5 − 10 − 1 (a field element near p, far above 2^27) can catch it.
        var counts = LookupCounts()
        var m = MemoryAccessChip.trace(fixed, counts: &counts)
        let p = KoalaBear.modulus
        let d = (5 + p - 10 - 1) % p
        m[1, 6] = KoalaBear(5)
        m[1, 7] = KoalaBear(d & 0xffff)
        m[1, 8] = KoalaBear(d >> 16)
        var bm = MemoryBoundaryChip.trace(accesses: fixed, image: [:], counts: &counts)
        bm[0, 4] = KoalaBear(5)
        let tables = [MachineTable(air: MemoryAccessChip(), trace: m), MachineTable(air: MemoryBoundaryChip(), trace: bm)]
            + counts.tables
        #expect(throws: StarkError.self) { try MemoryTests.proveAndVerify(tables, image: [:], check: false) }
    }

    /// X and X + p are the same field element: a boundary row for each would give the word two
    /// chains of accesses, so a read could take the second chain's zero instead of the last
    /// write. The boundary's addresses are held at most p − 1, so the second row cannot be made.
    @Test func aBoundaryRowAboveTheFieldIsRefused() throws {
        let x: UInt32 = 0x100, wrapped = x &+ KoalaBear.modulus
        // A write of 7 at timestamp 10, then a read at 20 that claims the word's opening value 0.
        let accesses = [MemoryAccessChip.Access(address: x, previous: 0, value: 7, previousTimestamp: 0, timestamp: 10),
                        MemoryAccessChip.Access(address: x, previous: 0, value: 0, previousTimestamp: 0, timestamp: 20)]
        var counts = LookupCounts()
        let m = MemoryAccessChip.trace(accesses, counts: &counts)
        var bm = ColumnMatrix(width: 12, height: 4)
        let rows: [[UInt32]] = [[x & 0xffff, x >> 16, 7, 0, 10, 0, 1, 1, 0, 0x7f00, 0, 0],
                                [wrapped & 0xffff, wrapped >> 16, 0, 0, 20, 0, 1, 0, 0, 0, 0, 0]]
        for (r, row) in rows.enumerated() { for (c, v) in row.enumerated() { bm[r, c] = KoalaBear(v) } }
        for v: UInt32 in [x & 0xffff, x >> 16, wrapped & 0xffff, wrapped >> 16, 0, 0x7f00, 0x7eff - (x >> 16)] { counts.range(v) }
        let tables = [MachineTable(air: MemoryAccessChip(), trace: m), MachineTable(air: MemoryBoundaryChip(), trace: bm)]
            + counts.tables
        #expect(throws: StarkError.self) { try MemoryTests.proveAndVerify(tables, image: [:], check: false) }
        #expect(throws: StarkError.self) { try MemoryTests.proveAndVerify(tables, image: [:], check: true) }
    }
}
