import KoalaBear
import RISCV
import STARK

/// Loads and stores, one per row, with the executor's semantics: the address rs1 + imm (mod
/// 2^32), alignment (halfwords even, words a multiple of 4), addresses below the field prime
/// (the byte at 0x7f00_0000 is the last), no store into the code, bytes and halfwords picked
/// out of (or merged into) the aligned word, and sign extension for LB/LH.
///
/// Columns: the one-hot op flags (lb lh lw lbu lhu sb sh sw), clk, the base a₀ a₁, imm₀ imm₁,
/// the store data's bytes s₀…s₃, the load result c₀ c₁, the address adder's carries k₀ k₁, the
/// address as 4q + o₀ + 2·o₁ + 2^16·h (q, the offset bits o₀ o₁, the high limb h), `top` (the
/// address is 0x7f00_0000), the word's bytes before (p₀…p₃) and after (n₀…n₄) the access, the
/// previous timestamp and the order check's limbs, the sign-tested byte and its sign, and the
/// code check's side g (above the code, or below it), limbs e₀ e₁ and borrow.
///
/// The word access is at timestamp 4·clk + 6 (slot 2 of the cycle) on ``VMBus/memory``, at
/// address 4q + 2^16·h. Public inputs: the code's start − 1 and end, as 16-bit limbs.
public struct LoadStoreChip: AIR {
    public init() {}
    public var name: String { "load-store" }
    public var mainWidth: Int { Col.count }
    public var publicInputCount: Int { 4 }

    enum Col {
        static let flags = 0, clk = 8, a = 9, imm = 11, s = 13, c = 17, k = 19, q = 21, o0 = 22, o1 = 23, h = 24
        static let top = 25, p = 26, n = 30, prevTs = 34, d = 35, signByte = 37, sign = 38, g = 39, e = 40, eb = 42
        static let count = 43
    }

    /// The public inputs for `program`: (codeStart − 1) and codeEnd as limbs.
    public static func publicInputs(program: Program) -> [KoalaBear] {
        CodeCheck.publicInputs(program: program, step: 1)
    }

    public func constraints(_ b: ConstraintBuilder) {
        func col(_ i: Int) -> Expr { b.main(i) }
        let flag = (0..<8).map { col(Col.flags + $0) }
        let (lb, lh, lw, lbu, lhu) = (flag[0], flag[1], flag[2], flag[3], flag[4])
        let (sb, sh, sw) = (flag[5], flag[6], flag[7])
        let active = Expr.sum(flag), load = lb + lh + lw + lbu + lhu, store = sb + sh + sw
        let clk = col(Col.clk), a0 = col(Col.a), a1 = col(Col.a + 1), imm0 = col(Col.imm), imm1 = col(Col.imm + 1)
        let s = (0..<4).map { col(Col.s + $0) }, c0 = col(Col.c), c1 = col(Col.c + 1)
        let k0 = col(Col.k), k1 = col(Col.k + 1), q = col(Col.q), o0 = col(Col.o0), o1 = col(Col.o1), h = col(Col.h)
        let top = col(Col.top), p = (0..<4).map { col(Col.p + $0) }, n = (0..<4).map { col(Col.n + $0) }
        let prevTs = col(Col.prevTs), dLo = col(Col.d), dHi = col(Col.d + 1)
        let signByte = col(Col.signByte), sign = col(Col.sign), g = col(Col.g), e0 = col(Col.e), e1 = col(Col.e + 1)
        let eb = col(Col.eb)
        let base = Expr(KoalaBear(UInt32(1 << 16))), w256 = Expr(KoalaBear(256))

        for x in flag + [k0, k1, o0, o1, top, g, eb] { b.assertBoolean(x) }
        b.assertBoolean(active, label: "one operation")

        // The address rs1 + imm = 4q + o₀ + 2o₁ + 2^16·h (mod 2^32), h < 0x7f00 or exactly 0x7f00_0000.
        let low = q * KoalaBear(4) + o0 + o1 * KoalaBear(2)
        b.assertZero(a0 + imm0 - low - k0 * base, label: "address, low limb")
        b.assertZero(a1 + imm1 + k0 - h - k1 * base, label: "address, high limb")
        b.send(VMBus.range16, values: [q * KoalaBear(4)], multiplicity: active)
        b.send(VMBus.range16, values: [h], multiplicity: active)
        b.assertAddressInField(low: low, high: h, top: top, when: active)
        b.assertZero(top * (lh + lhu + lw + sh + sw), label: "top: bytes only")
        // Alignment.
        b.assertZero((lh + lhu + sh) * o0, label: "halfword alignment")
        b.assertZero((lw + sw) * (o0 + o1), label: "word alignment")

        // The word access.
        let address = q * KoalaBear(4) + h * base
        let ts = clk * KoalaBear(4) + 6
        let before = (p[0] + p[1] * w256, p[2] + p[3] * w256), after = (n[0] + n[1] * w256, n[2] + n[3] * w256)
        b.memoryAccess(address: address, previous: before, value: after, previousTimestamp: prevTs, timestamp: ts,
                       order: (dLo, dHi), when: active)
        let byteRange = Expr(KoalaBear(ByteOp.range.rawValue))
        b.send(VMBus.byte, values: [byteRange, p[0], p[1], Expr(0)], multiplicity: active)
        b.send(VMBus.byte, values: [byteRange, p[2], p[3], Expr(0)], multiplicity: active)
        b.send(VMBus.byte, values: [byteRange, s[0], s[1], Expr(0)], multiplicity: store)
        b.send(VMBus.byte, values: [byteRange, s[2], s[3], Expr(0)], multiplicity: store)

        // Loads: the word is unchanged; the byte or halfword at the offset, extended.
        let one = Expr(1)
        let sel = [(one - o0) * (one - o1), o0 * (one - o1), (one - o0) * o1, o0 * o1]
        let byte = sel[0] * p[0] + sel[1] * p[1] + sel[2] * p[2] + sel[3] * p[3]
        let half = (one - o1) * before.0 + o1 * before.1
        let halfHigh = (one - o1) * p[1] + o1 * p[3]
        for j in 0..<4 { b.assertZero(load * (n[j] - p[j]), label: "a load leaves byte \(j)") }
        b.assertZero(signByte - lb * byte - lh * halfHigh, label: "sign-tested byte")
        b.send(VMBus.byte, values: [Expr(KoalaBear(ByteOp.lessThan.rawValue)), Expr(KoalaBear(127)), signByte, sign],
               multiplicity: lb + lh)
        b.assertZero(c0 - (lb + lbu) * byte - (lh + lhu) * half - lw * before.0 - lb * sign * KoalaBear(0xff00),
                     label: "load result, low limb")
        b.assertZero(c1 - (lb + lh) * sign * KoalaBear(0xffff) - lw * before.1, label: "load result, high limb")

        // Stores: the new bytes.
        let halfSel = [one - o1, one - o1, o1, o1]
        for j in 0..<4 {
            let v = j % 2 == 0 ? s[0] : s[1]
            b.assertZero(n[j] - p[j] - sb * sel[j] * (s[0] - p[j]) - sh * halfSel[j] * (v - p[j]) - sw * (s[j] - p[j]),
                         label: "a store writes byte \(j)")
        }
        // Stores stay out of the code: the byte address ≥ end or ≤ start − 1.
        CodeCheck.constraints(b, x: (low, h), side: g, difference: (e0, e1), borrow: eb, when: store)

        var op = Expr(0)
        for (k, f) in flag.enumerated() { op += f * KoalaBear(UInt32(k)) }
        b.receive(VMBus.loadStore, values: [op, clk, a0, a1, imm0, imm1, s[0] + s[1] * w256, s[2] + s[3] * w256, c0, c1],
                  multiplicity: active)
    }

    /// One access, as the witness records it.
    public struct Row: Sendable, Equatable {
        public var op: MemoryOp
        public var clk: UInt32
        public var base: UInt32
        public var imm: UInt32
        public var data: UInt32
        public var result: UInt32
        public var previous: UInt32
        public var value: UInt32
        public var previousTimestamp: UInt32
    }

    /// The loaded value (extended) and the word after the access, as the executor computes them.
    static func apply(_ op: MemoryOp, address: UInt32, word: UInt32, data: UInt32) -> (result: UInt32, word: UInt32) {
        let shift = 8 * (address & 3)
        switch op {
        case .lb: return (UInt32(bitPattern: Int32(Int8(truncatingIfNeeded: word >> shift))), word)
        case .lbu: return ((word >> shift) & 0xff, word)
        case .lh: return (UInt32(bitPattern: Int32(Int16(truncatingIfNeeded: word >> shift))), word)
        case .lhu: return ((word >> shift) & 0xffff, word)
        case .lw: return (word, word)
        case .sb: return (0, word & ~(0xff << shift) | (data & 0xff) << shift)
        case .sh: return (0, word & ~(0xffff << shift) | (data & 0xffff) << shift)
        case .sw: return (0, data)
        }
    }

    public static func trace(_ rows: [Row], program: Program, counts: inout LookupCounts) -> ColumnMatrix {
        var m = ColumnMatrix(width: Col.count, height: paddedHeight(rows.count))
        for (r, row) in rows.enumerated() {
            var v = [UInt32](repeating: 0, count: Col.count)
            v[Col.flags + Int(row.op.rawValue)] = 1
            v[Col.clk] = row.clk
            v[Col.a] = row.base & 0xffff
            v[Col.a + 1] = row.base >> 16
            v[Col.imm] = row.imm & 0xffff
            v[Col.imm + 1] = row.imm >> 16
            for j in 0..<4 {
                v[Col.s + j] = (row.data >> (8 * j)) & 0xff
                v[Col.p + j] = (row.previous >> (8 * j)) & 0xff
                v[Col.n + j] = (row.value >> (8 * j)) & 0xff
            }
            v[Col.c] = row.result & 0xffff
            v[Col.c + 1] = row.result >> 16
            let lo = (row.base & 0xffff) + (row.imm & 0xffff)
            let k0 = lo >> 16
            let hi = (row.base >> 16) + (row.imm >> 16) + k0
            v[Col.k] = k0
            v[Col.k + 1] = hi >> 16
            let address = row.base &+ row.imm
            v[Col.q] = (address & 0xffff) >> 2
            v[Col.o0] = address & 1
            v[Col.o1] = (address >> 1) & 1
            v[Col.h] = address >> 16
            counts.range(address & 0xfffc)
            counts.range(address >> 16)
            v[Col.top] = counts.addressInField(address)
            let d = counts.timestampOrder(previous: row.previousTimestamp, timestamp: 4 * row.clk + 6)
            v[Col.prevTs] = row.previousTimestamp
            v[Col.d] = d.low
            v[Col.d + 1] = d.high
            counts.byteOp(.range, v[Col.p], v[Col.p + 1])
            counts.byteOp(.range, v[Col.p + 2], v[Col.p + 3])
            if row.op == .lb || row.op == .lh {
                let o1 = (address >> 1) & 1
                let byte = row.op == .lb ? (row.previous >> (8 * (address & 3))) & 0xff : (row.previous >> (16 * o1 + 8)) & 0xff
                v[Col.signByte] = byte
                v[Col.sign] = byte >> 7
                counts.byteOp(.lessThan, 127, byte)
            }
            if row.op.isStore {
                counts.byteOp(.range, v[Col.s], v[Col.s + 1])
                counts.byteOp(.range, v[Col.s + 2], v[Col.s + 3])
                let check = CodeCheck.witness(address, program: program, step: 1, counts: &counts)
                (v[Col.g], v[Col.eb], v[Col.e], v[Col.e + 1]) = (check.side, check.borrow, check.low, check.high)
            }
            for (c, x) in v.enumerated() { m[r, c] = KoalaBear(x) }
        }
        return m
    }
}
