import KoalaBear
import STARK

/// DIV, DIVU, REM and REMU with RISC-V's semantics (x / 0 = −1 and x % 0 = x; −2^31 / −1 =
/// −2^31 with remainder 0), one per row. Signed operations work on magnitudes: A = |a|,
/// B = |b| (a conditional negation mod 2^32 each), then A = Q·B + R with R < B, checked as
/// MUL(Q, B) = L, MULHU(Q, B) = 0 (no overflow), L + R = A without carry, and SLTU(R, B) = 1;
/// the quotient's sign is sign(a) ⊕ sign(b), the remainder's sign(a). The overflow case needs
/// nothing special: |−2^31| = 2^31, so Q = 2^31 and the positive quotient reads as −2^31.
/// A zero divisor (b₀ + b₁ = 0, tested with an inverse) switches the magnitude checks off and
/// fixes the result.
///
/// Columns: a₀ a₁ b₀ b₁ c₀ c₁; the selectors div, divu, rem, remu; bz and its inverse helper;
/// the signs s_a, s_b with the rests of the high limbs, the effective signs e_a, e_b (signed
/// operations only); A and its negation carries, B and its carries; Q; R; L; the adder's carry;
/// the quotient's sign; T (Q or R, the magnitude of the result), its sign and the result's
/// negation carries.
public struct DivChip: AIR {
    public init() {}
    public var name: String { "alu-div" }
    public var mainWidth: Int { Col.count }

    enum Col {
        static let a = 0, b = 2, c = 4, div = 6, divu = 7, rem = 8, remu = 9, bz = 10, bzInv = 11
        static let sa = 12, ra = 13, sb = 14, rb = 15, ea = 16, eb = 17
        static let absA = 18, kA = 20, absB = 22, kB = 24, q = 26, r = 28, l = 30, m = 32, sq = 33
        static let t = 34, st = 36, kC = 37
        static let count = 39
    }

    public func constraints(_ b: ConstraintBuilder) {
        func col(_ i: Int) -> Expr { b.main(i) }
        func pair(_ i: Int) -> (Expr, Expr) { (col(i), col(i + 1)) }
        let a = pair(Col.a), bb = pair(Col.b), c = pair(Col.c)
        let div = col(Col.div), divu = col(Col.divu), rem = col(Col.rem), remu = col(Col.remu)
        let bz = col(Col.bz), bzInv = col(Col.bzInv), sa = col(Col.sa), ra = col(Col.ra), sb = col(Col.sb), rb = col(Col.rb)
        let ea = col(Col.ea), eb = col(Col.eb), absA = pair(Col.absA), kA = pair(Col.kA), absB = pair(Col.absB), kB = pair(Col.kB)
        let q = pair(Col.q), r = pair(Col.r), l = pair(Col.l), m = col(Col.m), sq = col(Col.sq)
        let t = pair(Col.t), st = col(Col.st), kC = pair(Col.kC)
        let base = Expr(KoalaBear(UInt32(1 << 16))), half = Expr(KoalaBear(UInt32(1 << 15)))
        let active = div + divu + rem + remu, signed = div + rem, quotient = div + divu
        for x in [div, divu, rem, remu, bz, sa, sb, m, kA.0, kA.1, kB.0, kB.1, kC.0, kC.1] { b.assertBoolean(x) }
        b.assertBoolean(active, label: "one operation")

        // b = 0?
        b.assertZero(bz * (bb.0 + bb.1), label: "bz: b is zero")
        b.assertZero(active * ((bb.0 + bb.1) * bzInv - 1 + bz), label: "bz: b is not zero")

        // Signs (the top bits) and the effective signs of signed operations.
        b.assertZero(active * (a.1 - sa * half - ra), label: "sign of a")
        b.assertZero(active * (bb.1 - sb * half - rb), label: "sign of b")
        b.send(VMBus.range16, values: [ra * 2], multiplicity: active)
        b.send(VMBus.range16, values: [rb * 2], multiplicity: active)
        b.assertEqual(ea, sa * signed, label: "effective sign of a")
        b.assertEqual(eb, sb * signed, label: "effective sign of b")
        b.assertEqual(sq, ea + eb - ea * eb * KoalaBear(2), label: "sign of the quotient")

        /// y = s ? −x : x (mod 2^32) with carries k: x + y = k₀·2^16 on the low limb, and with k₀ carried in on the high.
        func negation(_ x: (Expr, Expr), _ y: (Expr, Expr), sign s: Expr, carries k: (Expr, Expr), when gate: Expr, _ label: String) {
            b.assertZero(gate * (y.0 - x.0 + s * (x.0 * 2 - k.0 * base)), label: "\(label), low limb")
            b.assertZero(gate * (y.1 - x.1 + s * (x.1 * 2 + k.0 - k.1 * base)), label: "\(label), high limb")
        }
        negation(a, absA, sign: ea, carries: kA, when: active, "|a|")
        negation(bb, absB, sign: eb, carries: kB, when: active, "|b|")
        b.send(VMBus.range16, values: [absA.0], multiplicity: active)
        b.send(VMBus.range16, values: [absA.1], multiplicity: active)

        // |a| = Q·|b| + R, R < |b| (b ≠ 0).
        let core = active - bz
        func op(_ o: ALUOp) -> Expr { Expr(KoalaBear(o.rawValue)) }
        b.send(VMBus.alu, values: [op(.mul), q.0, q.1, absB.0, absB.1, l.0, l.1], multiplicity: core)
        b.send(VMBus.alu, values: [op(.mulhu), q.0, q.1, absB.0, absB.1, Expr(0), Expr(0)], multiplicity: core)
        b.send(VMBus.alu, values: [op(.sltu), r.0, r.1, absB.0, absB.1, Expr(1), Expr(0)], multiplicity: core)
        b.assertZero(core * (l.0 + r.0 - absA.0 - m * base), label: "L + R = |a|, low limb")
        b.assertZero(core * (l.1 + r.1 + m - absA.1), label: "L + R = |a|, high limb")
        b.send(VMBus.range16, values: [r.0], multiplicity: active)
        b.send(VMBus.range16, values: [r.1], multiplicity: active)

        // The result: ±Q or ±R, or the fixed values for b = 0.
        b.assertEqual(t.0, quotient * q.0 + (rem + remu) * r.0, label: "T, low limb")
        b.assertEqual(t.1, quotient * q.1 + (rem + remu) * r.1, label: "T, high limb")
        b.assertEqual(st, div * sq + rem * ea, label: "sign of the result")
        negation(t, c, sign: st, carries: kC, when: core, "result")
        let ones = Expr(KoalaBear(0xffff))
        b.assertZero(bz * (c.0 - quotient * ones - (rem + remu) * a.0), label: "division by zero, low limb")
        b.assertZero(bz * (c.1 - quotient * ones - (rem + remu) * a.1), label: "division by zero, high limb")
        b.send(VMBus.range16, values: [c.0], multiplicity: active)
        b.send(VMBus.range16, values: [c.1], multiplicity: active)

        let code = div * KoalaBear(ALUOp.div.rawValue) + divu * KoalaBear(ALUOp.divu.rawValue)
            + rem * KoalaBear(ALUOp.rem.rawValue) + remu * KoalaBear(ALUOp.remu.rawValue)
        b.receive(VMBus.alu, values: [code, a.0, a.1, bb.0, bb.1, c.0, c.1], multiplicity: active)
    }

    /// The chip's trace; returns the multiplications and comparisons it asks for.
    public static func trace(_ rows: [AddSubChip.Row], counts: inout LookupCounts) -> (ColumnMatrix, [AddSubChip.Row]) {
        var m = ColumnMatrix(width: Col.count, height: paddedHeight(rows.count))
        var requests: [AddSubChip.Row] = []
        for (i, row) in rows.enumerated() {
            var v = [UInt32](repeating: 0, count: Col.count)
            var inv = KoalaBear.zero
            func put(_ c: Int, _ x: UInt32) {
                v[c] = x & 0xffff
                v[c + 1] = x >> 16
            }
            /// Carries of y = −x (mod 2^32) when negating.
            func carries(_ c: Int, _ x: UInt32, _ negate: Bool) {
                guard negate else { return }
                let k0: UInt32 = x & 0xffff != 0 ? 1 : 0
                v[c] = k0
                v[c + 1] = (x >> 16) + (((0 &- x) >> 16)) + k0 >= 1 << 16 ? 1 : 0
            }
            put(Col.a, row.a)
            put(Col.b, row.b)
            put(Col.c, row.c)
            let signed = row.op == .div || row.op == .rem
            switch row.op {
            case .div: v[Col.div] = 1
            case .divu: v[Col.divu] = 1
            case .rem: v[Col.rem] = 1
            case .remu: v[Col.remu] = 1
            default: preconditionFailure("\(row.op) is not a division")
            }
            let bz = row.b == 0
            v[Col.bz] = bz ? 1 : 0
            if !bz { inv = (KoalaBear(row.b & 0xffff) + KoalaBear(row.b >> 16)).inverse! }
            let sa = row.a >> 31, sb = row.b >> 31
            v[Col.sa] = sa
            v[Col.ra] = (row.a >> 16) & 0x7fff
            v[Col.sb] = sb
            v[Col.rb] = (row.b >> 16) & 0x7fff
            counts.range(((row.a >> 16) & 0x7fff) * 2)
            counts.range(((row.b >> 16) & 0x7fff) * 2)
            let ea = signed && sa == 1, eb = signed && sb == 1
            v[Col.ea] = ea ? 1 : 0
            v[Col.eb] = eb ? 1 : 0
            let absA = ea ? 0 &- row.a : row.a, absB = eb ? 0 &- row.b : row.b
            put(Col.absA, absA)
            carries(Col.kA, row.a, ea)
            put(Col.absB, absB)
            carries(Col.kB, row.b, eb)
            counts.range(absA & 0xffff)
            counts.range(absA >> 16)
            let sq = ea != eb
            v[Col.sq] = sq ? 1 : 0
            let st = row.op == .div ? sq : (row.op == .rem ? ea : false)
            v[Col.st] = st ? 1 : 0
            if !bz {
                let q = absA / absB, r = absA % absB, l = q &* absB
                put(Col.q, q)
                put(Col.r, r)
                put(Col.l, l)
                v[Col.m] = (l & 0xffff) + (r & 0xffff) >= 1 << 16 ? 1 : 0
                counts.range(r & 0xffff)
                counts.range(r >> 16)
                requests.append(AddSubChip.Row(op: .mul, a: q, b: absB, c: l))
                requests.append(AddSubChip.Row(op: .mulhu, a: q, b: absB, c: 0))
                requests.append(AddSubChip.Row(op: .sltu, a: r, b: absB, c: 1))
                let isQuotient = row.op == .div || row.op == .divu
                let t = isQuotient ? q : r
                put(Col.t, t)
                carries(Col.kC, t, st)
            } else {
                counts.range(0)
                counts.range(0)
            }
            counts.range(row.c & 0xffff)
            counts.range(row.c >> 16)
            for (c, x) in v.enumerated() { m[i, c] = KoalaBear(x) }
            m[i, Col.bzInv] = inv
        }
        return (m, requests)
    }
}
