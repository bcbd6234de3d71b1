import KoalaBear
import STARK

/// SLL, SRL and SRA by b mod 32, one per row, reduced to the multiplier and the divider:
/// a << s = a·2^s mod 2^32 (MUL), a >> s = ⌊a / 2^s⌋ (DIVU), and a >>ₐ s = ¬(¬a >> s) for a
/// negative a (¬ flips every bit: for a < 0, ⌊a / 2^s⌋ = −1 − ⌊(−1 − a) / 2^s⌋), plain SRL
/// otherwise. s is b₀'s low five bits (b₀ = Σ 2^i·s_i + 32·r, r < 2^11), 2^s = (1 − s₄)·pow
/// + s₄·pow·2^16 on limbs with pow = 2^(s mod 16) = (1 + s₀)(1 + 3s₁)(1 + 15s₂)(1 + 255s₃).
/// Columns: a₀ a₁ b₀ b₁ c₀ c₁, s₀…s₄, r, u = (1 + s₀)(1 + 3s₁), pow, a's sign and the rest of
/// its high limb, the SRA quotient y₀ y₁, and the selectors sll, srl, sra.
public struct ShiftChip: AIR {
    public init() {}
    public var name: String { "alu-shift" }
    public var mainWidth: Int { 21 }

    enum Col {
        static let a = 0, b = 2, c = 4, s = 6, r = 11, u = 12, pow = 13, sign = 14, rest = 15, y = 16
        static let sll = 18, srl = 19, sra = 20
    }

    public func constraints(_ b: ConstraintBuilder) {
        func col(_ i: Int) -> Expr { b.main(i) }
        let a0 = col(Col.a), a1 = col(Col.a + 1), b0 = col(Col.b), b1 = col(Col.b + 1), c0 = col(Col.c), c1 = col(Col.c + 1)
        let s = (0..<5).map { col(Col.s + $0) }, r = col(Col.r), u = col(Col.u), pow = col(Col.pow)
        let sign = col(Col.sign), rest = col(Col.rest), y0 = col(Col.y), y1 = col(Col.y + 1)
        let sll = col(Col.sll), srl = col(Col.srl), sra = col(Col.sra)
        let active = sll + srl + sra
        for x in s + [sll, srl, sra, sign] { b.assertBoolean(x) }
        b.assertBoolean(active, label: "one operation")
        var low = r * KoalaBear(32)
        for (i, x) in s.enumerated() { low += x * KoalaBear(UInt32(1 << i)) }
        b.assertZero(active * (b0 - low), label: "shift amount")
        b.send(VMBus.range16, values: [r * KoalaBear(32)], multiplicity: active)
        b.assertEqual(u, (Expr(1) + s[0]) * (Expr(1) + s[1] * KoalaBear(3)), label: "2^(s mod 4)")
        b.assertEqual(pow, u * (Expr(1) + s[2] * KoalaBear(15)) * (Expr(1) + s[3] * KoalaBear(255)), label: "2^(s mod 16)")
        let p0 = (Expr(1) - s[4]) * pow, p1 = s[4] * pow
        // SRA: a's sign, ¬a, ¬y.
        b.assertZero(sra * (a1 - sign * KoalaBear(UInt32(1 << 15)) - rest), label: "sign of a")
        b.send(VMBus.range16, values: [rest * 2], multiplicity: sra)
        let ones = Expr(KoalaBear(0xffff))
        let x0 = a0 + sign * (ones - a0 * 2), x1 = a1 + sign * (ones - a1 * 2)
        b.assertZero(sra * (c0 - y0 - sign * (ones - y0 * 2)), label: "SRA result, low limb")
        b.assertZero(sra * (c1 - y1 - sign * (ones - y1 * 2)), label: "SRA result, high limb")
        func op(_ o: ALUOp) -> Expr { Expr(KoalaBear(o.rawValue)) }
        b.send(VMBus.alu, values: [op(.mul), a0, a1, p0, p1, c0, c1], multiplicity: sll)
        b.send(VMBus.alu, values: [op(.divu), a0, a1, p0, p1, c0, c1], multiplicity: srl)
        b.send(VMBus.alu, values: [op(.divu), x0, x1, p0, p1, y0, y1], multiplicity: sra)
        let code = sll * KoalaBear(ALUOp.sll.rawValue) + srl * KoalaBear(ALUOp.srl.rawValue) + sra * KoalaBear(ALUOp.sra.rawValue)
        b.receive(VMBus.alu, values: [code, a0, a1, b0, b1, c0, c1], multiplicity: active)
    }

    /// The chip's trace; returns the multiplications and divisions it asks for.
    public static func trace(_ rows: [AddSubChip.Row], counts: inout LookupCounts) -> (ColumnMatrix, [AddSubChip.Row]) {
        var m = ColumnMatrix(width: 21, height: paddedHeight(rows.count))
        var requests: [AddSubChip.Row] = []
        for (i, row) in rows.enumerated() {
            var v = [UInt32](repeating: 0, count: 21)
            let amount = row.b & 31
            v[Col.a] = row.a & 0xffff
            v[Col.a + 1] = row.a >> 16
            v[Col.b] = row.b & 0xffff
            v[Col.b + 1] = row.b >> 16
            v[Col.c] = row.c & 0xffff
            v[Col.c + 1] = row.c >> 16
            for k in 0..<5 { v[Col.s + k] = (amount >> k) & 1 }
            let r = (row.b & 0xffff) >> 5
            v[Col.r] = r
            counts.range(r * 32)
            v[Col.u] = 1 << (amount & 3)
            v[Col.pow] = 1 << (amount & 15)
            let power: UInt32 = 1 << amount
            switch row.op {
            case .sll:
                v[Col.sll] = 1
                requests.append(AddSubChip.Row(op: .mul, a: row.a, b: power, c: row.c))
            case .srl:
                v[Col.srl] = 1
                requests.append(AddSubChip.Row(op: .divu, a: row.a, b: power, c: row.c))
            case .sra:
                v[Col.sra] = 1
                let sign = row.a >> 31
                v[Col.sign] = sign
                v[Col.rest] = (row.a >> 16) & 0x7fff
                counts.range(((row.a >> 16) & 0x7fff) * 2)
                let mask: UInt32 = sign == 1 ? 0xffff_ffff : 0
                let y = (row.a ^ mask) >> amount
                v[Col.y] = y & 0xffff
                v[Col.y + 1] = y >> 16
                requests.append(AddSubChip.Row(op: .divu, a: row.a ^ mask, b: power, c: y))
            default: preconditionFailure("\(row.op) is not a shift")
            }
            for (c, x) in v.enumerated() { m[i, c] = KoalaBear(x) }
        }
        for i in rows.count..<m.height {  // padding: s = 0, so u = pow = 1
            m[i, Col.u] = .one
            m[i, Col.pow] = .one
        }
        return (m, requests)
    }
}
