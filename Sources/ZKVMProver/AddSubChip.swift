import KoalaBear
import STARK

/// The ALU operations on ``VMBus/alu``.
public enum ALUOp: UInt32, CaseIterable, Sendable {
    case add = 0, sub = 1, and = 2, or = 3, xor = 4, slt = 5, sltu = 6
    case mul = 7, mulh = 8, mulhsu = 9, mulhu = 10
    case sll = 11, srl = 12, sra = 13
    case div = 14, divu = 15, rem = 16, remu = 17

    /// What the executor computes (RV32IM's register-register operations).
    public func apply(_ a: UInt32, _ b: UInt32) -> UInt32 {
        switch self {
        case .add: return a &+ b
        case .sub: return a &- b
        case .and: return a & b
        case .or: return a | b
        case .xor: return a ^ b
        case .slt: return Int32(bitPattern: a) < Int32(bitPattern: b) ? 1 : 0
        case .sltu: return a < b ? 1 : 0
        case .mul: return a &* b
        case .mulh: return UInt32(truncatingIfNeeded: (Int64(Int32(bitPattern: a)) * Int64(Int32(bitPattern: b))) >> 32)
        case .mulhsu: return UInt32(truncatingIfNeeded: (Int64(Int32(bitPattern: a)) * Int64(b)) >> 32)
        case .mulhu: return UInt32(truncatingIfNeeded: (UInt64(a) * UInt64(b)) >> 32)
        case .sll: return a &<< (b & 31)
        case .srl: return a &>> (b & 31)
        case .sra: return UInt32(bitPattern: Int32(bitPattern: a) &>> Int32(b & 31))
        case .div:
            let x = Int32(bitPattern: a), y = Int32(bitPattern: b)
            return y == 0 ? UInt32.max : (y == -1 ? UInt32(bitPattern: 0 &- x) : UInt32(bitPattern: x / y))
        case .divu: return b == 0 ? UInt32.max : a / b
        case .rem:
            let x = Int32(bitPattern: a), y = Int32(bitPattern: b)
            return y == 0 ? a : (y == -1 ? 0 : UInt32(bitPattern: x % y))
        case .remu: return b == 0 ? a : a % b
        }
    }
}

/// The limbs an ALU tuple carries: (opcode, a₀, a₁, b₀, b₁, c₀, c₁).
func aluTuple(_ op: ALUOp, _ a: UInt32, _ b: UInt32, _ c: UInt32) -> [UInt32] {
    [op.rawValue, a & 0xffff, a >> 16, b & 0xffff, b >> 16, c & 0xffff, c >> 16]
}

/// The smallest power of two ≥ max(count, 2).
func paddedHeight(_ count: Int) -> Int {
    var n = 2
    while n < count { n *= 2 }
    return n
}

/// 32-bit addition and subtraction modulo 2^32 on 16-bit limbs (x = x₀ + 2^16·x₁), one
/// operation per row. Columns: a₀ a₁ b₀ b₁ c₀ c₁, the two carries, and the selectors add and
/// sub (at most one set; none on padding rows). For add, a + b = c + carry₁·2^32 limb by limb:
/// a₀ + b₀ = c₀ + carry₀·2^16 and a₁ + b₁ + carry₀ = c₁ + carry₁·2^16; sub is the same sum read
/// as b + c = a + borrow·2^32. The result limbs are range-checked on ``VMBus/range16``; with
/// boolean carries that pins c to the one value in [0, 2^32). The operands' limbs are the
/// sender's to range-check (they are register values, checked when written).
public struct AddSubChip: AIR {
    public init() {}
    public var name: String { "alu-add-sub" }
    public var mainWidth: Int { 10 }

    enum Col {
        static let a0 = 0, a1 = 1, b0 = 2, b1 = 3, c0 = 4, c1 = 5, carry0 = 6, carry1 = 7, isAdd = 8, isSub = 9
    }

    public func constraints(_ b: ConstraintBuilder) {
        let a0 = b.main(Col.a0), a1 = b.main(Col.a1), b0 = b.main(Col.b0), b1 = b.main(Col.b1)
        let c0 = b.main(Col.c0), c1 = b.main(Col.c1), k0 = b.main(Col.carry0), k1 = b.main(Col.carry1)
        let isAdd = b.main(Col.isAdd), isSub = b.main(Col.isSub)
        let base = Expr(KoalaBear(UInt32(1 << 16)))
        b.assertBoolean(isAdd, label: "add selector")
        b.assertBoolean(isSub, label: "sub selector")
        b.assertBoolean(isAdd + isSub, label: "one operation")
        b.assertBoolean(k0, label: "carry₀")
        b.assertBoolean(k1, label: "carry₁")
        b.assertZero(isAdd * (a0 + b0 - c0 - k0 * base), label: "add low limb")
        b.assertZero(isAdd * (a1 + b1 + k0 - c1 - k1 * base), label: "add high limb")
        b.assertZero(isSub * (b0 + c0 - a0 - k0 * base), label: "sub low limb")
        b.assertZero(isSub * (b1 + c1 + k0 - a1 - k1 * base), label: "sub high limb")
        let limbs = [a0, a1, b0, b1, c0, c1]
        b.receive(VMBus.alu, values: [Expr(KoalaBear(ALUOp.add.rawValue))] + limbs, multiplicity: isAdd)
        b.receive(VMBus.alu, values: [Expr(KoalaBear(ALUOp.sub.rawValue))] + limbs, multiplicity: isSub)
        b.send(VMBus.range16, values: [c0], multiplicity: isAdd + isSub)
        b.send(VMBus.range16, values: [c1], multiplicity: isAdd + isSub)
    }

    /// One operation.
    public struct Row: Sendable, Equatable {
        public var op: ALUOp
        public var a: UInt32
        public var b: UInt32
        public var c: UInt32
        public init(op: ALUOp, a: UInt32, b: UInt32, c: UInt32) {
            self.op = op
            self.a = a
            self.b = b
            self.c = c
        }
    }

    /// The chip's trace for `rows` (padded to a power of two ≥ 2), recording its range checks.
    public static func trace(_ rows: [Row], counts: inout LookupCounts) -> ColumnMatrix {
        var m = ColumnMatrix(width: 10, height: paddedHeight(rows.count))
        for (r, row) in rows.enumerated() {
            let (x, y) = row.op == .add ? (row.a, row.b) : (row.b, row.c)  // x + y = z + carry·2^32
            let lo = (x & 0xffff) + (y & 0xffff)
            let k0 = lo >> 16
            let hi = (x >> 16) + (y >> 16) + k0
            let k1 = hi >> 16
            let values: [UInt32] = [row.a & 0xffff, row.a >> 16, row.b & 0xffff, row.b >> 16, row.c & 0xffff, row.c >> 16, k0, k1,
                                    row.op == .add ? 1 : 0, row.op == .sub ? 1 : 0]
            for (c, v) in values.enumerated() { m[r, c] = KoalaBear(v) }
            counts.range(row.c & 0xffff)
            counts.range(row.c >> 16)
        }
        return m
    }
}
