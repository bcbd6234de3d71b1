import KoalaBear
import STARK
import Testing
import TestSupport
@testable import ZKVMProver

/// One changed cell per constraint family and bus of every chip, re-proven honestly from the
/// changed trace (the prover's own check off): verification fails each time.
@Suite("ZKVM chips: one changed cell", .tags(.slow), .disabled(if: Quick.enabled, Quick.reason))
struct ChangedCellTests {
    /// `tables` with cell (row, column) of table `table` replaced by `f` of it.
    static func changed(_ tables: [MachineTable], table: Int, row: Int, column: Int,
                        _ f: (KoalaBear) -> KoalaBear = { $0 + .one }) -> [MachineTable] {
        var out = tables
        var m = out[table].trace
        m[row, column] = f(m[row, column])
        out[table] = MachineTable(air: out[table].air, trace: m, publicInputs: out[table].publicInputs)
        return out
    }

    static func rejected(_ tables: [MachineTable], image: [UInt32: UInt32]? = nil, _ what: String) {
        #expect(throws: StarkError.self, "\(what)") {
            if let image {
                try MemoryTests.proveAndVerify(tables, image: image, check: false)
            } else {
                try ChipTests.proveAndVerify(tables, check: false)
            }
        }
    }

    @Test func addSub() throws {
        let rows = ChipTests.cases.map { AddSubChip.Row(op: $0.0, a: $0.1, b: $0.2, c: $0.0.apply($0.1, $0.2)) }
        let t = ChipTests.machine(rows)
        // Row 1 is 0xffffffff + 1 (both carries set); row 5 is 0 − 1.
        ChangedCellTests.rejected(ChangedCellTests.changed(t, table: 1, row: 1, column: AddSubChip.Col.carry0) { _ in .zero }, "add carry")
        ChangedCellTests.rejected(ChangedCellTests.changed(t, table: 1, row: 5, column: AddSubChip.Col.carry1) { _ in .zero }, "sub borrow")
        ChangedCellTests.rejected(ChangedCellTests.changed(t, table: 1, row: 0, column: AddSubChip.Col.isSub), "two operations")
        ChangedCellTests.rejected(ChangedCellTests.changed(t, table: 1, row: 0, column: AddSubChip.Col.c1), "result limb (with the requester's)")
    }

    @Test func bitwiseAndLessThan() throws {
        let rows = BitwiseAndCompareTests.rows([.xor, .slt])
        let t = BitwiseAndCompareTests.tables(rows)
        // Bitwise chip (table 1): a byte of the result, and the operation.
        ChangedCellTests.rejected(ChangedCellTests.changed(t, table: 1, row: 2, column: 8), "bitwise result byte")
        ChangedCellTests.rejected(ChangedCellTests.changed(t, table: 1, row: 2, column: 12) { _ in .one }, "bitwise selector")
        // Less-than chip (table 2), on an SLT row with a negative operand (0x80000000 at row 8).
        let slt = 8
        ChangedCellTests.rejected(ChangedCellTests.changed(t, table: 2, row: slt, column: 4), "difference limb")
        ChangedCellTests.rejected(ChangedCellTests.changed(t, table: 2, row: slt, column: 8) { $0 == .zero ? .one : .zero }, "sign bit")
        ChangedCellTests.rejected(ChangedCellTests.changed(t, table: 2, row: slt, column: 7) { $0 == .zero ? .one : .zero }, "borrow (the result)")
    }

    @Test func mul() throws {
        var rows: [AddSubChip.Row] = []
        for op in MulChip.ops {
            for a: UInt32 in [0xffff_fff0, 12_345] { rows.append(AddSubChip.Row(op: op, a: a, b: 0x8000_0001, c: op.apply(a, 0x8000_0001))) }
        }
        let t = MulChipTests.tables(rows)
        let mulh = 2  // a MULH row of a negative operand
        ChangedCellTests.rejected(ChangedCellTests.changed(t, table: 1, row: mulh, column: MulChip.Col.p + 5), "product byte")
        ChangedCellTests.rejected(ChangedCellTests.changed(t, table: 1, row: mulh, column: MulChip.Col.carry + 3), "column carry")
        ChangedCellTests.rejected(ChangedCellTests.changed(t, table: 1, row: mulh, column: MulChip.Col.ea) { _ in .zero }, "effective sign")
        ChangedCellTests.rejected(ChangedCellTests.changed(t, table: 1, row: mulh, column: MulChip.Col.ra), "top-byte rest")
    }

    @Test func memory() throws {
        let (program, accesses) = try MemoryTests.run()
        let image = MemoryBoundaryChip.image(of: program)
        let t = MemoryTests.tables(accesses, image: image)
        // Access chip (table 0): new value, previous timestamp, order decomposition.
        ChangedCellTests.rejected(ChangedCellTests.changed(t, table: 0, row: 1, column: 3), image: image, "written value")
        ChangedCellTests.rejected(ChangedCellTests.changed(t, table: 0, row: 1, column: 5), image: image, "previous timestamp")
        ChangedCellTests.rejected(ChangedCellTests.changed(t, table: 0, row: 1, column: 7), image: image, "order decomposition")
        // Boundary (table 1): a final value, the image flag, the address order.
        ChangedCellTests.rejected(ChangedCellTests.changed(t, table: 1, row: 0, column: 2), image: image, "final value")
        let imageRow = try #require((0..<t[1].trace.height).first { t[1].trace[$0, 5] == .one })
        ChangedCellTests.rejected(ChangedCellTests.changed(t, table: 1, row: imageRow, column: 5) { _ in .zero }, image: image,
                                  "image flag")
        ChangedCellTests.rejected(ChangedCellTests.changed(t, table: 1, row: 0, column: 8), image: image, "address order")
    }
}
