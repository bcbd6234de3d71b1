import KoalaBear
import RISCV
import STARK

/// The system calls, one row per `ecall`: which call the id in t0 names (one flag each; an id
/// no flag matches has no row, so the run that traps on it has no proof), its result (t0 after
/// the call) and its checks. HALT is flagged back to the CPU (which stops there and publishes
/// a0 as the exit code); COMMIT takes an index a0 < 8 (its digest words are not part of the
/// claims, the public output is). Columns: clk, t0₀ t0₁, a0₀ a0₁, result₀ result₁, halt, write,
/// commit, hintLen, hintRead.
public struct SyscallChip: AIR {
    public init() {}
    public var name: String { "syscall" }
    public var mainWidth: Int { Col.count }

    enum Col {
        static let clk = 0, t0 = 1, a0 = 3, result = 5
        static let halt = 7, write = 8, commit = 9, hintLength = 10, hintRead = 11
        static let count = 12
    }

    public func constraints(_ b: ConstraintBuilder) {
        let clk = b.main(Col.clk), t00 = b.main(Col.t0), t01 = b.main(Col.t0 + 1)
        let a00 = b.main(Col.a0), a01 = b.main(Col.a0 + 1), res0 = b.main(Col.result), res1 = b.main(Col.result + 1)
        let halt = b.main(Col.halt), write = b.main(Col.write), commit = b.main(Col.commit)
        let hintLength = b.main(Col.hintLength), hintRead = b.main(Col.hintRead)
        let kinds = [halt, write, commit, hintLength, hintRead]
        for k in kinds { b.assertBoolean(k) }
        let active = Expr.sum(kinds)
        b.assertBoolean(active, label: "one call")
        let id = write * KoalaBear(Syscall.write.rawValue) + commit * KoalaBear(Syscall.commit.rawValue)
            + hintLength * KoalaBear(Syscall.hintLength.rawValue) + hintRead * KoalaBear(Syscall.hintRead.rawValue)
        b.assertEqual(t00, id, label: "call id")
        b.assertZero(t01, label: "call id (high)")
        // Every call but HINT_LEN leaves t0 as it was.
        b.assertZero((active - hintLength) * (res0 - t00), label: "result is the id")
        b.assertZero((active - hintLength) * (res1 - t01), label: "result is the id (high)")
        // COMMIT: a0 < 8.
        b.assertZero(commit * a01, label: "commit index (high)")
        b.send(VMBus.range16, values: [a00 * KoalaBear(UInt32(1 << 13))], multiplicity: commit)
        // Not yet proven: WRITE, HINT_LEN and HINT_READ have no rows until their memory side is built.
        b.assertZero(write + hintLength + hintRead, label: "calls not yet provable")
        b.receive(VMBus.syscall, values: [clk, t00, t01, a00, a01, res0, res1, halt], multiplicity: active)
    }

    /// One call.
    public struct Row: Sendable, Equatable {
        public var clk: UInt32
        public var id: UInt32
        public var a0: UInt32
        public var result: UInt32
    }

    public static func trace(_ rows: [Row], counts: inout LookupCounts) -> ColumnMatrix {
        var m = ColumnMatrix(width: Col.count, height: paddedHeight(rows.count))
        for (r, row) in rows.enumerated() {
            let kind: Int
            switch Syscall(rawValue: row.id) {
            case .halt?: kind = Col.halt
            case .write?: kind = Col.write
            case .commit?:
                kind = Col.commit
                counts.range(row.a0 << 13)
            case .hintLength?: kind = Col.hintLength
            case .hintRead?: kind = Col.hintRead
            case nil: preconditionFailure("unknown system call \(row.id)")
            }
            let values: [UInt32] = [row.clk, row.id & 0xffff, row.id >> 16, row.a0 & 0xffff, row.a0 >> 16,
                                    row.result & 0xffff, row.result >> 16]
            for (c, v) in values.enumerated() { m[r, c] = KoalaBear(v) }
            m[r, kind] = .one
        }
        return m
    }
}
