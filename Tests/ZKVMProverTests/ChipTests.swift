import KoalaBear
import STARK
import Testing
import TestSupport
@testable import ZKVMProver

/// Sends the operations it lists to the ALU bus (a stand-in for the CPU table).
struct ALURequests: AIR {
    var name: String { "alu-requests" }
    var mainWidth: Int { 8 }  // op, a₀ a₁ b₀ b₁ c₀ c₁, multiplicity
    func constraints(_ b: ConstraintBuilder) {
        b.send(VMBus.alu, values: (0..<7).map { b.main($0) }, multiplicity: b.main(7))
    }

    static func trace(_ rows: [AddSubChip.Row]) -> ColumnMatrix {
        var n = 2
        while n < rows.count { n *= 2 }
        var m = ColumnMatrix(width: 8, height: n)
        for (r, row) in rows.enumerated() {
            let v: [UInt32] = [row.op.rawValue, row.a & 0xffff, row.a >> 16, row.b & 0xffff, row.b >> 16, row.c & 0xffff, row.c >> 16, 1]
            for (c, x) in v.enumerated() { m[r, c] = KoalaBear(x) }
        }
        return m
    }
}

@Suite("ZKVM chips", .tags(.slow), .disabled(if: Quick.enabled, Quick.reason))
struct ChipTests {
    static let config = StarkConfig(fri: FRIConfig(logBlowup: 2, numQueries: 16, proofOfWorkBits: 2))

    static let cases: [(ALUOp, UInt32, UInt32)] = [
        (.add, 1, 2), (.add, 0xffff_ffff, 1), (.add, 0x8000_0000, 0x8000_0000), (.add, 0xffff, 0x1), (.add, 0x1234_5678, 0x9abc_def0),
        (.sub, 0, 1), (.sub, 5, 3), (.sub, 0x8000_0000, 1), (.sub, 0x1_0000, 1), (.sub, 0xffff_ffff, 0xffff_ffff),
    ]

    static func machine(_ rows: [AddSubChip.Row], chipRows: [AddSubChip.Row]? = nil) -> [MachineTable] {
        var counts = LookupCounts()
        let chip = AddSubChip.trace(chipRows ?? rows, counts: &counts)
        return [MachineTable(air: ALURequests(), trace: ALURequests.trace(rows)), MachineTable(air: AddSubChip(), trace: chip)]
            + counts.tables
    }

    static func proveAndVerify(_ tables: [MachineTable], check: Bool = true) throws {
        var c = config
        c.checkConstraints = check
        let proof = try Machine.prove(tables, config: c)
        try Machine.verify(tables.map(\.air), proof: proof, publicInputs: tables.map(\.publicInputs), config: config)
    }

    @Test func addAndSubMatchTheExecutorIncludingWraparound() throws {
        let rows = ChipTests.cases.map { AddSubChip.Row(op: $0.0, a: $0.1, b: $0.2, c: $0.0.apply($0.1, $0.2)) }
        try ChipTests.proveAndVerify(ChipTests.machine(rows))
    }

    /// A wrong result cannot be proven: the chip's constraints break, or, with a result that
    /// satisfies them mod p but is no 32-bit value, its range check does.
    @Test func wrongResultsFail() throws {
        var rows = ChipTests.cases.map { AddSubChip.Row(op: $0.0, a: $0.1, b: $0.2, c: $0.0.apply($0.1, $0.2)) }
        rows[1].c = 1  // 0xffffffff + 1 is 0, not 1
        let tables = ChipTests.machine(rows)
        #expect(throws: StarkError.self) { try ChipTests.proveAndVerify(tables) }
        #expect(throws: StarkError.self) { try ChipTests.proveAndVerify(tables, check: false) }
        // The requests and the chip disagree: the ALU bus does not balance.
        let honest = ChipTests.cases.map { AddSubChip.Row(op: $0.0, a: $0.1, b: $0.2, c: $0.0.apply($0.1, $0.2)) }
        var claimed = honest
        claimed[0].c = 4
        #expect(throws: StarkError.self) { try ChipTests.proveAndVerify(ChipTests.machine(claimed, chipRows: honest), check: false) }
    }
}

/// Sends byte operations (a stand-in for the bitwise chip).
struct ByteRequests: AIR {
    var name: String { "byte-requests" }
    var mainWidth: Int { 5 }  // op, a, b, c, multiplicity
    func constraints(_ b: ConstraintBuilder) {
        b.send(VMBus.byte, values: (0..<4).map { b.main($0) }, multiplicity: b.main(4))
    }
}

@Suite("ZKVM byte table", .tags(.slow), .disabled(if: Quick.enabled, Quick.reason))
struct ByteTableTests {
    @Test func byteOperationsAreLookedUp() throws {
        let ops: [(ByteOp, UInt32, UInt32)] = [(.and, 0xf0, 0x3c), (.or, 0x01, 0x80), (.xor, 0xff, 0x0f), (.lessThan, 3, 200),
                                               (.lessThan, 200, 3), (.xor, 0, 0), (.and, 255, 255), (.or, 0, 0)]
        func tables(_ results: [UInt32]) -> [MachineTable] {
            var counts = LookupCounts()
            var m = ColumnMatrix(width: 5, height: ops.count)
            for (r, (op, a, b)) in ops.enumerated() {
                for (c, v) in [op.rawValue, a, b, results[r], 1].enumerated() { m[r, c] = KoalaBear(v) }
                counts.byteOp(op, a, b)
            }
            return [MachineTable(air: ByteRequests(), trace: m)] + counts.tables
        }
        let honest = ops.map { $0.0.apply($0.1, $0.2) }
        let t = tables(honest)
        #expect(t.count == 2, "only the byte table answered")
        try ChipTests.proveAndVerify(t)
        var wrong = honest
        wrong[2] = 0xf1
        #expect(throws: StarkError.self) { try ChipTests.proveAndVerify(tables(wrong), check: false) }
    }
}

@Suite("ZKVM bitwise and comparison chips", .tags(.slow), .disabled(if: Quick.enabled, Quick.reason))
struct BitwiseAndCompareTests {
    static let words: [UInt32] = [0, 1, 2, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0x1234_5678, 0xdead_beef, 0xffff_0000, 0x0000_ffff]

    static func rows(_ ops: [ALUOp]) -> [AddSubChip.Row] {
        var out: [AddSubChip.Row] = []
        for op in ops {
            for (i, a) in words.enumerated() {
                let b = words[(i * 3 + 1) % words.count]
                out.append(AddSubChip.Row(op: op, a: a, b: b, c: op.apply(a, b)))
                out.append(AddSubChip.Row(op: op, a: a, b: a, c: op.apply(a, a)))
            }
        }
        return out
    }

    static func tables(_ requests: [AddSubChip.Row], chip: [AddSubChip.Row]? = nil) -> [MachineTable] {
        let chipRows = chip ?? requests
        var counts = LookupCounts()
        let bitwise = BitwiseChip.trace(chipRows.filter { [.and, .or, .xor].contains($0.op) }, counts: &counts)
        let lt = LessThanChip.trace(chipRows.filter { [.slt, .sltu].contains($0.op) }, counts: &counts)
        return [MachineTable(air: ALURequests(), trace: ALURequests.trace(requests)),
                MachineTable(air: BitwiseChip(), trace: bitwise), MachineTable(air: LessThanChip(), trace: lt)] + counts.tables
    }

    @Test func theyComputeWhatTheExecutorComputes() throws {
        let rows = BitwiseAndCompareTests.rows([.and, .or, .xor, .slt, .sltu])
        // The edge cases that matter for signed comparison.
        #expect(ALUOp.slt.apply(0x8000_0000, 0x7fff_ffff) == 1 && ALUOp.sltu.apply(0x8000_0000, 0x7fff_ffff) == 0)
        try ChipTests.proveAndVerify(BitwiseAndCompareTests.tables(rows))
    }

    @Test func wrongResultsFail() throws {
        // (Each case proves a machine with two 2^16-row tables: kept few for the debug-built suite.)
        let honest = BitwiseAndCompareTests.rows([.xor, .slt])
        // A wrong XOR: the chip built from the false claim breaks its byte lookups.
        var claimed = honest
        claimed[3].c ^= 1
        #expect(throws: StarkError.self) { try ChipTests.proveAndVerify(BitwiseAndCompareTests.tables(claimed), check: false) }
        // A wrong SLT: an honest chip does not answer it, so the ALU bus does not balance.
        claimed = honest
        claimed[25].c ^= 1
        #expect(throws: StarkError.self) {
            try ChipTests.proveAndVerify(BitwiseAndCompareTests.tables(claimed, chip: honest), check: false)
        }
    }
}

@Suite("ZKVM multiplication chip", .tags(.slow), .disabled(if: Quick.enabled, Quick.reason))
struct MulChipTests {
    static func tables(_ requests: [AddSubChip.Row], chip: [AddSubChip.Row]? = nil) -> [MachineTable] {
        var counts = LookupCounts()
        let mul = MulChip.trace(chip ?? requests, counts: &counts)
        return [MachineTable(air: ALURequests(), trace: ALURequests.trace(requests)), MachineTable(air: MulChip(), trace: mul)]
            + counts.tables
    }

    @Test func theFourMultiplicationsMatchTheExecutor() throws {
        // The RISC-V spec's examples: MULH of two negatives, MULHSU with a negative signed operand.
        #expect(ALUOp.mulh.apply(0xffff_ffff, 0xffff_ffff) == 0 && ALUOp.mulhu.apply(0xffff_ffff, 0xffff_ffff) == 0xffff_fffe)
        #expect(ALUOp.mulhsu.apply(0xffff_ffff, 0xffff_ffff) == 0xffff_ffff && ALUOp.mul.apply(0xffff_ffff, 0xffff_ffff) == 1)
        var rows: [AddSubChip.Row] = []
        for op in MulChip.ops {
            for (i, a) in BitwiseAndCompareTests.words.enumerated() {
                let b = BitwiseAndCompareTests.words[(i * 7 + 3) % BitwiseAndCompareTests.words.count]
                rows.append(AddSubChip.Row(op: op, a: a, b: b, c: op.apply(a, b)))
            }
        }
        try ChipTests.proveAndVerify(MulChipTests.tables(rows))
        // A wrong high word, answered by an honest chip: the ALU bus does not balance.
        var claimed = rows
        claimed[14].c ^= 0x100
        #expect(throws: StarkError.self) { try ChipTests.proveAndVerify(MulChipTests.tables(claimed, chip: rows), check: false) }
    }
}
