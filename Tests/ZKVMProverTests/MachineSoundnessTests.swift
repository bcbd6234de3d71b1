import KoalaBear
import RISCV
import STARK
import Testing
import TestSupport
@testable import ZKVMProver

/// One cell changed in each table of a real run's witness, re-proven honestly from the changed
/// trace (the prover's own checks off): every such proof must fail verification.
@Suite("RV32IM machine: one changed cell per table", .tags(.slow), .disabled(if: Quick.enabled, Quick.reason))
struct MachineSoundnessTests {
    static let code: [UInt32] = Asm.li(1, 0x8000_0005) + [
        Asm.addi(9, 0, 3),
        Asm.op("sra", 13, 1, 9), Asm.op("div", 14, 1, 9), Asm.op("sll", 15, 9, 9),
        Asm.sw(13, 0, 2), Asm.lw(16, 0, 2),
    ] + SyscallMachineTests.code

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let table: String
        let column: Int
        /// Picks the row to change.
        let row: @Sendable (ColumnMatrix) -> Int?
        var testDescription: String { name }
    }

    /// The first row whose `column` is nonzero.
    static func firstSet(_ column: Int) -> @Sendable (ColumnMatrix) -> Int? {
        { m in (0..<m.height).first { m[$0, column] != .zero } }
    }

    static let cases: [Case] = {
        typealias C = CPUChip.Col
        let alu = CPUChip.flag(.usesALU), writes = CPUChip.flag(.writesC)
        return [
            Case(name: "cpu: a wrong ALU result", table: "cpu", column: C.c, row: firstSet(alu)),
            Case(name: "cpu: a wrong register write", table: "cpu", column: C.w, row: firstSet(writes)),
            Case(name: "cpu: a wrong rs1 value", table: "cpu", column: C.a, row: firstSet(alu)),
            Case(name: "cpu: a skipped instruction (next pc)", table: "cpu", column: C.npc, row: { _ in 3 }),
            Case(name: "cpu: a forged register timestamp", table: "cpu", column: C.rs1Access, row: { _ in 5 }),
            Case(name: "cpu: a forged clk", table: "cpu", column: C.clk, row: { _ in 4 }),
            Case(name: "program: another execution count", table: "program", column: 0, row: firstSet(0)),
            Case(name: "load-store: a wrong loaded value", table: "load-store", column: LoadStoreChip.Col.c,
                 row: { m in (0..<m.height).first { m[$0, LoadStoreChip.Col.flags + 2] == .one } }),
            Case(name: "load-store: a wrong stored byte", table: "load-store", column: LoadStoreChip.Col.n,
                 row: firstSet(LoadStoreChip.Col.flags + 7)),
            Case(name: "load-store: a forged memory timestamp", table: "load-store", column: LoadStoreChip.Col.prevTs, row: { _ in 0 }),
            Case(name: "load-store: the code check's side", table: "load-store", column: LoadStoreChip.Col.g,
                 row: firstSet(LoadStoreChip.Col.flags + 7)),
            Case(name: "io: the code check's difference", table: "io", column: IOChip.Col.e + 1, row: firstSet(IOChip.Col.isIn)),
            Case(name: "alu-shift: a wrong result", table: "alu-shift", column: ShiftChip.Col.c, row: { _ in 0 }),
            Case(name: "alu-div: a wrong result", table: "alu-div", column: DivChip.Col.c, row: { _ in 0 }),
            Case(name: "alu-mul: a wrong product byte", table: "alu-mul", column: MulChip.Col.p, row: { _ in 0 }),
            Case(name: "alu-add-sub: a wrong sum", table: "alu-add-sub", column: 4, row: { _ in 0 }),
            Case(name: "syscall: a wrong HINT_LEN result", table: "syscall", column: SyscallChip.Col.result,
                 row: firstSet(SyscallChip.Col.hintLength)),
            Case(name: "syscall: a wrong output length", table: "syscall", column: SyscallChip.Col.output, row: { _ in 6 }),
            Case(name: "io: a wrong input byte", table: "io", column: IOChip.Col.n + 2, row: firstSet(IOChip.Col.isIn)),
            Case(name: "io: a wrong output byte", table: "io", column: IOChip.Col.p + 3, row: firstSet(IOChip.Col.isOut)),
            Case(name: "memory-boundary: a wrong final value", table: "memory-boundary", column: 2, row: { _ in 3 }),
            Case(name: "range16: a wrong multiplicity", table: "range16", column: 0, row: firstSet(0)),
            Case(name: "byte: a wrong multiplicity", table: "byte", column: Int(ByteOp.range.rawValue), row: firstSet(Int(ByteOp.range.rawValue))),
        ]
    }()

    @Test(arguments: cases)
    func aChangedCellFails(_ c: Case) throws {
        let program = try RV32.program(MachineSoundnessTests.code)
        let inputs = SyscallMachineTests.inputs
        let result = try RV32.execute(program, inputs: inputs)
        let chip = ProgramChip(program: program)
        var (tables, statement) = try RV32Machine.tables(program: program, chip: chip, inputs: inputs, trace: #require(result.trace),
                                                         output: result.publicOutput, exitCode: result.exitCode)
        // The honest witness verifies.
        var config = RV32.config
        let honest = try Machine.prove(tables, publicInteractions: RV32Machine.publicInteractions(statement), config: config)
        try RV32.verify(honest, statement)

        let t = try #require(tables.firstIndex { $0.air.name == c.table }, "no table \(c.table)")
        var m = tables[t].trace
        guard let r = c.row(m) else {
            Issue.record("no row to change in \(c.table)")
            return
        }
        m[r, c.column] += .one
        tables[t] = MachineTable(air: tables[t].air, trace: m, publicInputs: tables[t].publicInputs)
        config.checkConstraints = false
        #expect(throws: StarkError.self) {
            let proof = try Machine.prove(tables, publicInteractions: RV32Machine.publicInteractions(statement), config: config)
            try RV32.verify(proof, statement)
        }
    }
}
