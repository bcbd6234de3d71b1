import KoalaBear
import STARK

/// AND, OR and XOR of 32-bit words, one operation per row, byte by byte through the byte
/// table. Columns: the bytes a₀…a₃, b₀…b₃, c₀…c₃ and the selectors and, or, xor (at most one).
/// Each byte triple goes to ``VMBus/byte`` as (op, a_k, b_k, c_k), which both range-checks the
/// bytes and fixes c_k = a_k op b_k; the ALU tuple is received with the 16-bit limbs the bytes
/// make (x₀ = b₀ + 256·b₁, x₁ = b₂ + 256·b₃).
public struct BitwiseChip: AIR {
    public init() {}
    public var name: String { "alu-bitwise" }
    public var mainWidth: Int { 15 }

    static let ops: [(ALUOp, ByteOp)] = [(.and, .and), (.or, .or), (.xor, .xor)]

    public func constraints(_ b: ConstraintBuilder) {
        func bytes(_ start: Int) -> [Expr] { (0..<4).map { b.main(start + $0) } }
        let a = bytes(0), bb = bytes(4), c = bytes(8)
        let sel = (0..<3).map { b.main(12 + $0) }
        for s in sel { b.assertBoolean(s) }
        b.assertBoolean(sel[0] + sel[1] + sel[2], label: "one operation")
        let active = sel[0] + sel[1] + sel[2]
        var byteOp = Expr(0)
        for (k, (_, op)) in BitwiseChip.ops.enumerated() { byteOp += sel[k] * KoalaBear(op.rawValue) }
        for k in 0..<4 { b.send(VMBus.byte, values: [byteOp, a[k], bb[k], c[k]], multiplicity: active) }
        let w = Expr(KoalaBear(256))
        func limbs(_ x: [Expr]) -> [Expr] { [x[0] + x[1] * w, x[2] + x[3] * w] }
        let tuple = limbs(a) + limbs(bb) + limbs(c)
        for (k, (op, _)) in BitwiseChip.ops.enumerated() {
            b.receive(VMBus.alu, values: [Expr(KoalaBear(op.rawValue))] + tuple, multiplicity: sel[k])
        }
    }

    /// The chip's trace for `rows` (AND, OR or XOR), recording its byte lookups.
    public static func trace(_ rows: [AddSubChip.Row], counts: inout LookupCounts) -> ColumnMatrix {
        var m = ColumnMatrix(width: 15, height: paddedHeight(rows.count))
        for (r, row) in rows.enumerated() {
            guard let k = ops.firstIndex(where: { $0.0 == row.op }) else { preconditionFailure("\(row.op) is not bitwise") }
            for j in 0..<4 {
                let x = (row.a >> (8 * j)) & 255, y = (row.b >> (8 * j)) & 255, z = (row.c >> (8 * j)) & 255
                m[r, j] = KoalaBear(x)
                m[r, 4 + j] = KoalaBear(y)
                m[r, 8 + j] = KoalaBear(z)
                counts.byteOp(ops[k].1, x, y)
            }
            m[r, 12 + k] = .one
        }
        return m
    }
}

/// SLT and SLTU: c = 1 when a < b (signed or unsigned), else 0, one per row. The comparison
/// is the borrow of a′ − b′ on 16-bit limbs, where x′ = x for SLTU and x ⊕ 2^31 for SLT (the
/// sign bit flipped turns signed order into unsigned order): a′₀ − b′₀ = d₀ − k₀·2^16,
/// a′₁ − b′₁ − k₀ = d₁ − k₁·2^16, with d₀, d₁ range-checked and k₀, k₁ boolean; c = k₁. For
/// SLT, each operand's high limb is split as x₁ = s·2^15 + r (s boolean, 2r range-checked so
/// r < 2^15) and x′₁ = r + (1 − s)·2^15.
/// Columns: a₀ a₁ b₀ b₁ d₀ d₁ k₀ k₁ s_a r_a s_b r_b slt sltu.
public struct LessThanChip: AIR {
    public init() {}
    public var name: String { "alu-less-than" }
    public var mainWidth: Int { 14 }

    public func constraints(_ b: ConstraintBuilder) {
        let a0 = b.main(0), a1 = b.main(1), b0 = b.main(2), b1 = b.main(3), d0 = b.main(4), d1 = b.main(5)
        let k0 = b.main(6), k1 = b.main(7), sa = b.main(8), ra = b.main(9), sb = b.main(10), rb = b.main(11)
        let slt = b.main(12), sltu = b.main(13)
        let half = Expr(KoalaBear(UInt32(1 << 15))), base = Expr(KoalaBear(UInt32(1 << 16)))
        for x in [k0, k1, sa, sb, slt, sltu] { b.assertBoolean(x) }
        b.assertBoolean(slt + sltu, label: "one operation")
        let active = slt + sltu
        // The sign split of the high limbs (checked for SLT rows; unused by SLTU rows).
        b.assertZero(slt * (a1 - sa * half - ra), label: "a sign split")
        b.assertZero(slt * (b1 - sb * half - rb), label: "b sign split")
        b.send(VMBus.range16, values: [ra * 2], multiplicity: slt)
        b.send(VMBus.range16, values: [rb * 2], multiplicity: slt)
        // The compared high limbs.
        let a1p = sltu * a1 + slt * (ra + (Expr(1) - sa) * half)
        let b1p = sltu * b1 + slt * (rb + (Expr(1) - sb) * half)
        b.assertZero(active * (a0 - b0 - d0 + k0 * base), label: "low limb borrow")
        b.assertZero(a1p - b1p - k0 * active - d1 * active + k1 * base * active, label: "high limb borrow")
        b.send(VMBus.range16, values: [d0], multiplicity: active)
        b.send(VMBus.range16, values: [d1], multiplicity: active)
        let tuple = [a0, a1, b0, b1, k1, Expr(0)]
        b.receive(VMBus.alu, values: [Expr(KoalaBear(ALUOp.slt.rawValue))] + tuple, multiplicity: slt)
        b.receive(VMBus.alu, values: [Expr(KoalaBear(ALUOp.sltu.rawValue))] + tuple, multiplicity: sltu)
    }

    /// The chip's trace for `rows` (SLT or SLTU), recording its range checks.
    public static func trace(_ rows: [AddSubChip.Row], counts: inout LookupCounts) -> ColumnMatrix {
        var m = ColumnMatrix(width: 14, height: paddedHeight(rows.count))
        for (r, row) in rows.enumerated() {
            precondition(row.op == .slt || row.op == .sltu, "\(row.op) is not a comparison")
            let signed = row.op == .slt
            let (a, b) = signed ? (row.a ^ 0x8000_0000, row.b ^ 0x8000_0000) : (row.a, row.b)
            let lo = Int64(a & 0xffff) - Int64(b & 0xffff)
            let k0: Int64 = lo < 0 ? 1 : 0
            let d0 = lo + k0 << 16
            let hi = Int64(a >> 16) - Int64(b >> 16) - k0
            let k1: Int64 = hi < 0 ? 1 : 0
            let d1 = hi + k1 << 16
            let values: [UInt32] = [row.a & 0xffff, row.a >> 16, row.b & 0xffff, row.b >> 16, UInt32(d0), UInt32(d1),
                                    UInt32(k0), UInt32(k1), row.a >> 31, (row.a >> 16) & 0x7fff, row.b >> 31, (row.b >> 16) & 0x7fff,
                                    signed ? 1 : 0, signed ? 0 : 1]
            for (c, v) in values.enumerated() { m[r, c] = KoalaBear(v) }
            if signed {
                counts.range(((row.a >> 16) & 0x7fff) * 2)
                counts.range(((row.b >> 16) & 0x7fff) * 2)
            }
            counts.range(UInt32(d0))
            counts.range(UInt32(d1))
        }
        return m
    }
}
