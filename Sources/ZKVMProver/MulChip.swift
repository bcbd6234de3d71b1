import KoalaBear
import STARK

/// MUL, MULH, MULHSU and MULHU: the 64-bit product of the operands, sign-extended as each
/// instruction reads them, byte by byte. Bytes keep every column sum far below p: with the
/// operands extended to eight bytes (the upper four 255·s for a signed negative operand),
/// column k of the product satisfies Σ_{i+j=k} a_i·b_j + carry_{k−1} = p_k + 256·carry_k, at
/// most 8·255² + carry < 2^20. MUL returns p₀…p₃, the others p₄…p₇ (the product mod 2^64).
/// Columns: a₀…a₃, b₀…b₃, p₀…p₇, carry₀…carry₇, the operands' sign bits s_a, s_b and the rest
/// of their top bytes r_a, r_b (a₃ = 128·s_a + r_a), the effective signs e_a, e_b, and the
/// selectors mul, mulh, mulhsu, mulhu. Bytes and carries are range-checked on
/// ``VMBus/range16`` (a byte as 256·x < 2^16, a top-byte rest as 512·r).
public struct MulChip: AIR {
    public init() {}
    public var name: String { "alu-mul" }
    public var mainWidth: Int { 34 }

    enum Col {
        static let a = 0, b = 4, p = 8, carry = 16, sa = 24, ra = 25, sb = 26, rb = 27, ea = 28, eb = 29
        static let mul = 30, mulh = 31, mulhsu = 32, mulhu = 33
    }

    static let ops: [ALUOp] = [.mul, .mulh, .mulhsu, .mulhu]

    public func constraints(_ b: ConstraintBuilder) {
        func cols(_ start: Int, _ n: Int) -> [Expr] { (0..<n).map { b.main(start + $0) } }
        let a = cols(Col.a, 4), bb = cols(Col.b, 4), p = cols(Col.p, 8), carry = cols(Col.carry, 8)
        let sa = b.main(Col.sa), ra = b.main(Col.ra), sb = b.main(Col.sb), rb = b.main(Col.rb)
        let ea = b.main(Col.ea), eb = b.main(Col.eb)
        let sel = cols(Col.mul, 4)
        let active = sel[0] + sel[1] + sel[2] + sel[3]
        for s in sel + [sa, sb] { b.assertBoolean(s) }
        b.assertBoolean(active, label: "one operation")
        b.assertEqual(a[3], sa * KoalaBear(128) + ra, label: "a's sign bit")
        b.assertEqual(bb[3], sb * KoalaBear(128) + rb, label: "b's sign bit")
        b.assertEqual(ea, sa * (sel[1] + sel[2]), label: "a read as signed by MULH, MULHSU")
        b.assertEqual(eb, sb * sel[1], label: "b read as signed by MULH")
        let ff = KoalaBear(255)
        let ax = a + Array(repeating: ea * ff, count: 4), bx = bb + Array(repeating: eb * ff, count: 4)
        for k in 0..<8 {
            var sum = k > 0 ? carry[k - 1] : Expr(0)
            for i in 0...k { sum += ax[i] * bx[k - i] }
            b.assertZero(active * (sum - p[k] - carry[k] * KoalaBear(256)), label: "product column \(k)")
        }
        for x in a + bb + p { b.send(VMBus.range16, values: [x * KoalaBear(256)], multiplicity: active) }
        for x in carry { b.send(VMBus.range16, values: [x], multiplicity: active) }
        b.send(VMBus.range16, values: [ra * KoalaBear(512)], multiplicity: active)
        b.send(VMBus.range16, values: [rb * KoalaBear(512)], multiplicity: active)
        let w = Expr(KoalaBear(256))
        func limbs(_ x: [Expr]) -> [Expr] { [x[0] + x[1] * w, x[2] + x[3] * w] }
        for (k, op) in MulChip.ops.enumerated() {
            let result = k == 0 ? Array(p[0..<4]) : Array(p[4..<8])
            b.receive(VMBus.alu, values: [Expr(KoalaBear(op.rawValue))] + limbs(a) + limbs(bb) + limbs(result), multiplicity: sel[k])
        }
    }

    /// The chip's trace for `rows` (MUL, MULH, MULHSU or MULHU), recording its range checks.
    public static func trace(_ rows: [AddSubChip.Row], counts: inout LookupCounts) -> ColumnMatrix {
        var m = ColumnMatrix(width: 34, height: paddedHeight(rows.count))
        for (r, row) in rows.enumerated() {
            guard let k = ops.firstIndex(of: row.op) else { preconditionFailure("\(row.op) is not a multiplication") }
            let sa = row.a >> 31, sb = row.b >> 31
            let ea = (k == 1 || k == 2) ? sa : 0, eb = k == 1 ? sb : 0
            let ax = (0..<4).map { (row.a >> (8 * $0)) & 255 } + Array(repeating: ea * 255, count: 4)
            let bx = (0..<4).map { (row.b >> (8 * $0)) & 255 } + Array(repeating: eb * 255, count: 4)
            var carry: UInt64 = 0
            var product: [UInt32] = [], carries: [UInt32] = []
            for c in 0..<8 {
                var sum = carry
                for i in 0...c { sum += UInt64(ax[i]) * UInt64(bx[c - i]) }
                product.append(UInt32(sum & 255))
                carry = sum >> 8
                carries.append(UInt32(carry))
            }
            var values = [UInt32](repeating: 0, count: 34)
            for i in 0..<4 {
                values[Col.a + i] = ax[i]
                values[Col.b + i] = bx[i]
            }
            for i in 0..<8 {
                values[Col.p + i] = product[i]
                values[Col.carry + i] = carries[i]
            }
            values[Col.sa] = sa
            values[Col.ra] = ax[3] & 127
            values[Col.sb] = sb
            values[Col.rb] = bx[3] & 127
            values[Col.ea] = ea
            values[Col.eb] = eb
            values[Col.mul + k] = 1
            for (c, v) in values.enumerated() { m[r, c] = KoalaBear(v) }
            for x in ax[0..<4] + bx[0..<4] + product { counts.range(x * 256) }
            for x in carries { counts.range(x) }
            counts.range((ax[3] & 127) * 512)
            counts.range((bx[3] & 127) * 512)
        }
        return m
    }
}
