import KoalaBear
import RISCV
import STARK

/// The words of the buffers system calls move: one row per word of each job (a WRITE to fd 3
/// reads its buffer into the public output; a HINT_READ fills its buffer from the input). A
/// job's rows are consecutive, at consecutive word addresses from the buffer's first word; the
/// first row takes the job from ``VMBus/ioJob`` and the rows count its length down. In each
/// row the job's bytes are a contiguous run: bytes j ≥ lo (lo > 0 only in the first row) and
/// j < hi (hi < 4 only in the last), as st_j = [j ≥ lo] and en_j = [j < hi], monotone bits;
/// byte j has stream position base + j, base rising by 4 a row. Output bytes go to the verifier
/// on ``VMBus/output`` and leave memory unchanged; input bytes come from it on ``VMBus/input``
/// and are written (never into the code: the word is outside [codeStart, codeEnd)). Each word
/// is accessed on the memory bus at slot 2 of the call's cycle.
///
/// Columns: clk, in, out, first, last, q and h (the word address 4q + 2^16·h), the bytes before
/// (p) and after (n), st, en, base, rem (job bytes from this row on), the previous timestamp
/// and order limbs, and the code check's g, e₀, e₁ and borrow.
public struct IOChip: AIR {
    public init() {}
    public var name: String { "io" }
    public var mainWidth: Int { Col.count }
    /// codeStart − 4 and codeEnd as limbs.
    public var publicInputCount: Int { 4 }

    enum Col {
        static let clk = 0, isIn = 1, isOut = 2, first = 3, last = 4, q = 5, h = 6, p = 7, n = 11, st = 15, en = 19
        static let base = 23, rem = 24, prevTs = 25, d = 26, g = 28, e = 29, eb = 31
        static let count = 32
    }

    public static func publicInputs(program: Program) -> [KoalaBear] {
        CodeCheck.publicInputs(program: program, step: 4)
    }

    public func constraints(_ b: ConstraintBuilder) {
        func col(_ i: Int) -> Expr { b.main(i) }
        func next(_ i: Int) -> Expr { b.mainNext(i) }
        let clk = col(Col.clk), isIn = col(Col.isIn), isOut = col(Col.isOut), first = col(Col.first), last = col(Col.last)
        let q = col(Col.q), h = col(Col.h)
        let p = (0..<4).map { col(Col.p + $0) }, n = (0..<4).map { col(Col.n + $0) }
        let st = (0..<4).map { col(Col.st + $0) }, en = (0..<4).map { col(Col.en + $0) }
        let base = col(Col.base), rem = col(Col.rem), prevTs = col(Col.prevTs), dLo = col(Col.d), dHi = col(Col.d + 1)
        let g = col(Col.g), e0 = col(Col.e), e1 = col(Col.e + 1), eb = col(Col.eb)
        let one = Expr(1), base16 = Expr(KoalaBear(UInt32(1 << 16))), w256 = Expr(KoalaBear(256))
        let active = isIn + isOut
        for x in [isIn, isOut, first, last, g, eb] + st + en { b.assertBoolean(x) }
        b.assertBoolean(active, label: "one kind")
        b.assertZero((first + last) * (one - active), label: "padding rows are neither first nor last")

        // Rows and jobs.
        b.assertZero(b.mainNext(Col.isIn) * (one - active) + next(Col.isOut) * (one - active), on: .transition, label: "active rows first")
        b.assertEqual(first, active, on: .firstRow, label: "the first row starts a job")
        b.assertEqual(last, active, on: .lastRow, label: "the last row ends its job")
        b.assertZero(last * (next(Col.first) - next(Col.isIn) - next(Col.isOut)), on: .transition, label: "a job starts after one ends")
        let more = active - last  // the job continues on the next row
        b.assertZero(more * next(Col.first), on: .transition, label: "a job's rows")
        b.assertZero(more * (next(Col.clk) - clk), on: .transition, label: "a job's clk")
        b.assertZero(more * (next(Col.isIn) - isIn), on: .transition, label: "a job's kind")
        b.assertZero(more * (next(Col.q) * KoalaBear(4) + next(Col.h) * base16 - q * KoalaBear(4) - h * base16 - 4),
                     on: .transition, label: "consecutive words")
        b.assertZero(more * (next(Col.base) - base - 4), on: .transition, label: "stream positions")
        let m = (0..<4).map { st[$0] * en[$0] }
        let count = Expr.sum(m)
        b.assertZero(more * (next(Col.rem) - rem + count), on: .transition, label: "bytes left")
        b.assertZero(last * (rem - count), label: "the job ends with its bytes")
        // The run of bytes: st rises, en falls, st₃ = en₀ = 1; full words inside the job.
        for j in 0..<3 {
            b.assertZero(st[j] * (one - st[j + 1]), label: "st rises")
            b.assertZero(en[j + 1] * (one - en[j]), label: "en falls")
        }
        b.assertZero(active * (one - st[3]), label: "a row holds byte 3 unless it is the last")
        b.assertZero(active * (one - en[0]), label: "a row holds byte 0 unless it is the first")
        b.assertZero((active - first) * (one - st[0]), label: "only the first row starts late")
        b.assertZero(more * (one - en[3]), label: "only the last row ends early")
        // The job: its start is the first row's word plus lo = 4 − Σ st.
        let lo = Expr(4) - Expr.sum(st)
        b.receive(VMBus.ioJob, values: [clk, isOut, q * KoalaBear(4) + lo, h, rem, base + lo], multiplicity: first)

        // The word access at slot 2.
        b.send(VMBus.range16, values: [q * KoalaBear(4)], multiplicity: active)
        b.send(VMBus.range16, values: [h], multiplicity: active)
        let address = q * KoalaBear(4) + h * base16
        let ts = clk * KoalaBear(4) + 6
        b.memoryAccess(address: address, previous: (p[0] + p[1] * w256, p[2] + p[3] * w256),
                       value: (n[0] + n[1] * w256, n[2] + n[3] * w256), previousTimestamp: prevTs, timestamp: ts,
                       order: (dLo, dHi), when: active)
        let byteRange = Expr(KoalaBear(ByteOp.range.rawValue))
        b.send(VMBus.byte, values: [byteRange, p[0], p[1], Expr(0)], multiplicity: active)
        b.send(VMBus.byte, values: [byteRange, p[2], p[3], Expr(0)], multiplicity: active)

        // The bytes.
        for j in 0..<4 {
            let position = base + KoalaBear(UInt32(j))
            b.assertZero((one - m[j] * isIn) * (n[j] - p[j]), label: "byte \(j) kept")
            b.receive(VMBus.input, values: [position, n[j]], multiplicity: m[j] * isIn)
            b.send(VMBus.output, values: [position, p[j]], multiplicity: m[j] * isOut)
        }

        // Input never lands in the code: the word ≥ codeEnd (g = 1) or ≤ codeStart − 4 (g = 0).
        CodeCheck.constraints(b, x: (q * KoalaBear(4), h), side: g, difference: (e0, e1), borrow: eb, when: isIn)
    }

    /// One word of a job.
    public struct Row: Sendable, Equatable {
        public var clk: UInt32
        public var isInput: Bool
        public var first: Bool
        public var last: Bool
        public var address: UInt32
        public var previous: UInt32
        public var value: UInt32
        /// Bytes lo ..< hi of the word belong to the job.
        public var lo: UInt32
        public var hi: UInt32
        /// The stream position of byte 0 (negative when a first row starts late at position 0).
        public var base: Int64
        public var remaining: UInt32
        public var previousTimestamp: UInt32
    }

    public static func trace(_ rows: [Row], program: Program, counts: inout LookupCounts) -> ColumnMatrix {
        var m = ColumnMatrix(width: Col.count, height: paddedHeight(rows.count))
        for (i, row) in rows.enumerated() {
            var v = [UInt32](repeating: 0, count: Col.count)
            v[Col.clk] = row.clk
            v[row.isInput ? Col.isIn : Col.isOut] = 1
            v[Col.first] = row.first ? 1 : 0
            v[Col.last] = row.last ? 1 : 0
            v[Col.q] = (row.address & 0xffff) >> 2
            v[Col.h] = row.address >> 16
            counts.range(row.address & 0xfffc)
            counts.range(row.address >> 16)
            for j in 0..<4 {
                v[Col.p + j] = (row.previous >> (8 * j)) & 0xff
                v[Col.n + j] = (row.value >> (8 * j)) & 0xff
                v[Col.st + j] = UInt32(j) >= row.lo ? 1 : 0
                v[Col.en + j] = UInt32(j) < row.hi ? 1 : 0
            }
            counts.byteOp(.range, v[Col.p], v[Col.p + 1])
            counts.byteOp(.range, v[Col.p + 2], v[Col.p + 3])
            v[Col.rem] = row.remaining
            let d = counts.timestampOrder(previous: row.previousTimestamp, timestamp: 4 * row.clk + 6)
            v[Col.prevTs] = row.previousTimestamp
            v[Col.d] = d.low
            v[Col.d + 1] = d.high
            if row.isInput {
                let check = CodeCheck.witness(row.address, program: program, step: 4, counts: &counts)
                (v[Col.g], v[Col.eb], v[Col.e], v[Col.e + 1]) = (check.side, check.borrow, check.low, check.high)
            }
            for (c, x) in v.enumerated() { m[i, c] = KoalaBear(x) }
            m[i, Col.base] = row.base >= 0 ? KoalaBear(UInt32(row.base)) : -KoalaBear(UInt32(-row.base))
        }
        return m
    }
}
