/// A 256-bit unsigned integer in four 64-bit limbs, least significant first.
///
/// The EVM word: balances, values, fees. Fixed width, no heap; arithmetic follows Swift's
/// integer conventions: `+ - *` trap on overflow, `&+ &- &*` wrap, and the
/// `…ReportingOverflow` forms report.
@frozen
public struct UInt256: Sendable, Hashable {
    /// Limbs, least significant first.
    public var w0, w1, w2, w3: UInt64

    /// A value from its four limbs, least significant first.
    @inlinable
    public init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }

    /// A value from a 64-bit integer.
    @inlinable
    public init(_ value: UInt64) { self.init(w0: value, w1: 0, w2: 0, w3: 0) }

    /// A value from a non-negative `Int`; traps on a negative one.
    @inlinable
    public init(_ value: Int) {
        precondition(value >= 0, "negative value for UInt256")
        self.init(UInt64(value))
    }

    public static let zero = UInt256(w0: 0, w1: 0, w2: 0, w3: 0)
    public static let one = UInt256(w0: 1, w1: 0, w2: 0, w3: 0)
    public static let max = UInt256(w0: .max, w1: .max, w2: .max, w3: .max)

    @inlinable public var isZero: Bool { (w0 | w1 | w2 | w3) == 0 }

    /// Limb `i` (0 = least significant).
    @inlinable
    public subscript(limb i: Int) -> UInt64 {
        get {
            switch i {
            case 0: return w0
            case 1: return w1
            case 2: return w2
            default: return w3
            }
        }
        set {
            switch i {
            case 0: w0 = newValue
            case 1: w1 = newValue
            case 2: w2 = newValue
            default: w3 = newValue
            }
        }
    }

    /// The value if it fits in 64 bits.
    @inlinable
    public var uint64: UInt64? { (w1 | w2 | w3) == 0 ? w0 : nil }

    /// Number of leading zero bits (256 for zero).
    @inlinable
    public var leadingZeroBitCount: Int {
        if w3 != 0 { return w3.leadingZeroBitCount }
        if w2 != 0 { return 64 + w2.leadingZeroBitCount }
        if w1 != 0 { return 128 + w1.leadingZeroBitCount }
        return 192 + w0.leadingZeroBitCount
    }

    /// Bits needed to write the value (0 for zero).
    @inlinable public var bitLength: Int { 256 - leadingZeroBitCount }

    /// Bytes needed to write the value big-endian without leading zeros (0 for zero).
    @inlinable public var byteLength: Int { (bitLength + 7) / 8 }
}

// MARK: - Comparison

extension UInt256: Comparable {
    @inlinable
    public static func < (a: UInt256, b: UInt256) -> Bool {
        if a.w3 != b.w3 { return a.w3 < b.w3 }
        if a.w2 != b.w2 { return a.w2 < b.w2 }
        if a.w1 != b.w1 { return a.w1 < b.w1 }
        return a.w0 < b.w0
    }
}

extension UInt256: ExpressibleByIntegerLiteral {
    @inlinable
    public init(integerLiteral value: UInt64) { self.init(value) }
}

// MARK: - Addition and subtraction

extension UInt256 {
    /// `self + other` and whether it overflowed.
    @inlinable
    public func addingReportingOverflow(_ o: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (r0, c0) = w0.addingReportingOverflow(o.w0)
        let (t1, c1a) = w1.addingReportingOverflow(o.w1)
        let (r1, c1b) = t1.addingReportingOverflow(c0 ? 1 : 0)
        let (t2, c2a) = w2.addingReportingOverflow(o.w2)
        let (r2, c2b) = t2.addingReportingOverflow((c1a || c1b) ? 1 : 0)
        let (t3, c3a) = w3.addingReportingOverflow(o.w3)
        let (r3, c3b) = t3.addingReportingOverflow((c2a || c2b) ? 1 : 0)
        return (UInt256(w0: r0, w1: r1, w2: r2, w3: r3), c3a || c3b)
    }

    /// `self - other` and whether it borrowed (other > self).
    @inlinable
    public func subtractingReportingOverflow(_ o: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (r0, b0) = w0.subtractingReportingOverflow(o.w0)
        let (t1, b1a) = w1.subtractingReportingOverflow(o.w1)
        let (r1, b1b) = t1.subtractingReportingOverflow(b0 ? 1 : 0)
        let (t2, b2a) = w2.subtractingReportingOverflow(o.w2)
        let (r2, b2b) = t2.subtractingReportingOverflow((b1a || b1b) ? 1 : 0)
        let (t3, b3a) = w3.subtractingReportingOverflow(o.w3)
        let (r3, b3b) = t3.subtractingReportingOverflow((b2a || b2b) ? 1 : 0)
        return (UInt256(w0: r0, w1: r1, w2: r2, w3: r3), b3a || b3b)
    }

    @inlinable
    public static func &+ (a: UInt256, b: UInt256) -> UInt256 { a.addingReportingOverflow(b).partialValue }
    @inlinable
    public static func &- (a: UInt256, b: UInt256) -> UInt256 { a.subtractingReportingOverflow(b).partialValue }

    @inlinable
    public static func + (a: UInt256, b: UInt256) -> UInt256 {
        let (r, o) = a.addingReportingOverflow(b)
        precondition(!o, "UInt256 addition overflow")
        return r
    }

    @inlinable
    public static func - (a: UInt256, b: UInt256) -> UInt256 {
        let (r, o) = a.subtractingReportingOverflow(b)
        precondition(!o, "UInt256 subtraction underflow")
        return r
    }

    @inlinable public static func += (a: inout UInt256, b: UInt256) { a = a + b }
    @inlinable public static func -= (a: inout UInt256, b: UInt256) { a = a - b }

    /// `self + other`, or nil on overflow.
    @inlinable
    public func checkedAdd(_ o: UInt256) -> UInt256? {
        let (r, ov) = addingReportingOverflow(o)
        return ov ? nil : r
    }

    /// `self - other`, or nil when other > self.
    @inlinable
    public func checkedSub(_ o: UInt256) -> UInt256? {
        let (r, ov) = subtractingReportingOverflow(o)
        return ov ? nil : r
    }
}

// MARK: - Multiplication

extension UInt256 {
    /// The full 512-bit product as (high, low).
    @inlinable
    public func multipliedFullWidth(by o: UInt256) -> (high: UInt256, low: UInt256) {
        var r = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        withUnsafeMutableBytes(of: &r) { raw in
            let out = raw.bindMemory(to: UInt64.self)
            for i in 0..<4 {
                let a = self[limb: i]
                if a == 0 { continue }
                var carry: UInt64 = 0
                for j in 0..<4 {
                    let (hi, lo) = a.multipliedFullWidth(by: o[limb: j])
                    let (s1, c1) = lo.addingReportingOverflow(out[i + j])
                    let (s2, c2) = s1.addingReportingOverflow(carry)
                    out[i + j] = s2
                    carry = hi &+ (c1 ? 1 : 0) &+ (c2 ? 1 : 0)
                }
                out[i + 4] = carry
            }
        }
        return (UInt256(w0: r.4, w1: r.5, w2: r.6, w3: r.7), UInt256(w0: r.0, w1: r.1, w2: r.2, w3: r.3))
    }

    /// The low 256 bits of the product and whether the product overflowed.
    @inlinable
    public func multipliedReportingOverflow(by o: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (hi, lo) = multipliedFullWidth(by: o)
        return (lo, !hi.isZero)
    }

    @inlinable
    public static func &* (a: UInt256, b: UInt256) -> UInt256 { a.multipliedFullWidth(by: b).low }

    @inlinable
    public static func * (a: UInt256, b: UInt256) -> UInt256 {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        precondition(!o, "UInt256 multiplication overflow")
        return r
    }

    @inlinable public static func *= (a: inout UInt256, b: UInt256) { a = a * b }

    /// `self * other`, or nil on overflow.
    @inlinable
    public func checkedMul(_ o: UInt256) -> UInt256? {
        let (r, ov) = multipliedReportingOverflow(by: o)
        return ov ? nil : r
    }

    /// `floor(self * numerator / denominator)` with a 512-bit intermediate, or nil when the
    /// denominator is zero or the result needs more than 256 bits. The share and fee arithmetic's
    /// workhorse: exact, and rounding down never creates value.
    public func multipliedDivided(by numerator: UInt256, dividedBy denominator: UInt256) -> UInt256? {
        guard !denominator.isZero else { return nil }
        let (hi, lo) = multipliedFullWidth(by: numerator)
        if hi.isZero { return lo / denominator }
        guard hi < denominator else { return nil }
        let limbs = [lo.w0, lo.w1, lo.w2, lo.w3, hi.w0, hi.w1, hi.w2, hi.w3]
        let (q, _) = UInt256.divide(limbs, by: denominator)
        return UInt256(w0: q[0], w1: q[1], w2: q[2], w3: q[3])
    }
}

// MARK: - Division

extension UInt256 {
    /// Quotient and remainder; traps on division by zero.
    public func quotientAndRemainder(dividingBy d: UInt256) -> (quotient: UInt256, remainder: UInt256) {
        precondition(!d.isZero, "UInt256 division by zero")
        if self < d { return (.zero, self) }
        if let small = d.uint64, let mine = self.uint64 { return (UInt256(mine / small), UInt256(mine % small)) }
        let (q, r) = UInt256.divide([w0, w1, w2, w3], by: d)
        return (UInt256(w0: q[0], w1: q[1], w2: q[2], w3: q[3]), UInt256(w0: r[0], w1: r[1], w2: r[2], w3: r[3]))
    }

    @inlinable public static func / (a: UInt256, b: UInt256) -> UInt256 { a.quotientAndRemainder(dividingBy: b).quotient }
    @inlinable public static func % (a: UInt256, b: UInt256) -> UInt256 { a.quotientAndRemainder(dividingBy: b).remainder }

    /// Divides by a 64-bit value: (quotient, remainder). Traps when `d` is zero.
    @inlinable
    public func quotientAndRemainder(dividingBy d: UInt64) -> (quotient: UInt256, remainder: UInt64) {
        precondition(d != 0, "UInt256 division by zero")
        var r: UInt64 = 0
        var q = UInt256.zero
        for i in stride(from: 3, through: 0, by: -1) {
            let (qi, ri) = d.dividingFullWidth((r, self[limb: i]))
            q[limb: i] = qi
            r = ri
        }
        return (q, r)
    }

    /// Knuth's algorithm D (TAOCP 4.3.1) on 64-bit limbs: `u` (any length, least significant
    /// first) divided by a non-zero `v`; returns quotient limbs (u.count) and remainder limbs (4).
    @usableFromInline
    static func divide(_ u: [UInt64], by v: UInt256) -> (quotient: [UInt64], remainder: [UInt64]) {
        var vl = [v.w0, v.w1, v.w2, v.w3]
        while vl.last == 0 { vl.removeLast() }
        let n = vl.count
        var q = [UInt64](repeating: 0, count: u.count)
        if n == 1 {
            var r: UInt64 = 0
            for i in stride(from: u.count - 1, through: 0, by: -1) {
                (q[i], r) = vl[0].dividingFullWidth((r, u[i]))
            }
            return (q, [r, 0, 0, 0])
        }
        var ul = u
        while ul.count > n, ul.last == 0 { ul.removeLast() }
        let m = ul.count - n
        if m < 0 { return (q, (u + [0, 0, 0, 0]).prefix(4).map { $0 }) }
        // Normalise so the divisor's top limb has its high bit set.
        let s = vl[n - 1].leadingZeroBitCount
        var vn = [UInt64](repeating: 0, count: n)
        var un = [UInt64](repeating: 0, count: ul.count + 1)
        if s == 0 {
            vn = vl
            for i in 0..<ul.count { un[i] = ul[i] }
        } else {
            for i in stride(from: n - 1, to: 0, by: -1) { vn[i] = (vl[i] << s) | (vl[i - 1] >> (64 - s)) }
            vn[0] = vl[0] << s
            un[ul.count] = ul[ul.count - 1] >> (64 - s)
            for i in stride(from: ul.count - 1, to: 0, by: -1) { un[i] = (ul[i] << s) | (ul[i - 1] >> (64 - s)) }
            un[0] = ul[0] << s
        }
        let top = vn[n - 1], next = vn[n - 2]
        for j in stride(from: m, through: 0, by: -1) {
            // Estimate qhat from the top two limbs of the running remainder.
            var qhat: UInt64
            var rhat: UInt64
            var rhatOverflow = false
            if un[j + n] >= top {
                qhat = .max
                let (sum, o) = un[j + n - 1].addingReportingOverflow(top)
                rhat = sum
                rhatOverflow = o
            } else {
                (qhat, rhat) = top.dividingFullWidth((un[j + n], un[j + n - 1]))
            }
            while !rhatOverflow {
                let (ph, pl) = qhat.multipliedFullWidth(by: next)
                if ph > rhat || (ph == rhat && pl > un[j + n - 2]) {
                    qhat &-= 1
                    let (sum, o) = rhat.addingReportingOverflow(top)
                    rhat = sum
                    rhatOverflow = o
                } else {
                    break
                }
            }
            // Multiply and subtract qhat * vn from un[j ... j+n].
            var borrow: UInt64 = 0
            var carry: UInt64 = 0
            for i in 0..<n {
                let (ph, pl) = qhat.multipliedFullWidth(by: vn[i])
                let (plc, c) = pl.addingReportingOverflow(carry)
                carry = ph &+ (c ? 1 : 0)
                let (d1, b1) = un[i + j].subtractingReportingOverflow(plc)
                let (d2, b2) = d1.subtractingReportingOverflow(borrow)
                un[i + j] = d2
                borrow = (b1 ? 1 : 0) &+ (b2 ? 1 : 0)
            }
            let (d1, b1) = un[j + n].subtractingReportingOverflow(carry)
            let (d2, b2) = d1.subtractingReportingOverflow(borrow)
            un[j + n] = d2
            if b1 || b2 {
                // qhat was one too large: add the divisor back.
                qhat &-= 1
                var c: UInt64 = 0
                for i in 0..<n {
                    let (s1, c1) = un[i + j].addingReportingOverflow(vn[i])
                    let (s2, c2) = s1.addingReportingOverflow(c)
                    un[i + j] = s2
                    c = (c1 ? 1 : 0) &+ (c2 ? 1 : 0)
                }
                un[j + n] &+= c
            }
            q[j] = qhat
        }
        var r = [UInt64](repeating: 0, count: 4)
        for i in 0..<n {
            r[i] = s == 0 ? un[i] : (un[i] >> s) | (un[i + 1] << (64 - s))
        }
        return (q, r)
    }
}

// MARK: - Bitwise operations and shifts

extension UInt256 {
    @inlinable public static func & (a: UInt256, b: UInt256) -> UInt256 {
        UInt256(w0: a.w0 & b.w0, w1: a.w1 & b.w1, w2: a.w2 & b.w2, w3: a.w3 & b.w3)
    }
    @inlinable public static func | (a: UInt256, b: UInt256) -> UInt256 {
        UInt256(w0: a.w0 | b.w0, w1: a.w1 | b.w1, w2: a.w2 | b.w2, w3: a.w3 | b.w3)
    }
    @inlinable public static func ^ (a: UInt256, b: UInt256) -> UInt256 {
        UInt256(w0: a.w0 ^ b.w0, w1: a.w1 ^ b.w1, w2: a.w2 ^ b.w2, w3: a.w3 ^ b.w3)
    }
    @inlinable public static prefix func ~ (a: UInt256) -> UInt256 {
        UInt256(w0: ~a.w0, w1: ~a.w1, w2: ~a.w2, w3: ~a.w3)
    }

    /// Logical left shift; shifts of 256 or more give zero, negative shifts go right.
    @inlinable
    public static func << (a: UInt256, n: Int) -> UInt256 {
        if n < 0 { return a >> -n }
        if n >= 256 { return .zero }
        let limbShift = n / 64, bitShift = n % 64
        var r = UInt256.zero
        for i in stride(from: 3, through: limbShift, by: -1) {
            var v = a[limb: i - limbShift] << bitShift
            if bitShift != 0, i - limbShift - 1 >= 0 { v |= a[limb: i - limbShift - 1] >> (64 - bitShift) }
            r[limb: i] = v
        }
        return r
    }

    /// Logical right shift; shifts of 256 or more give zero, negative shifts go left.
    @inlinable
    public static func >> (a: UInt256, n: Int) -> UInt256 {
        if n < 0 { return a << -n }
        if n >= 256 { return .zero }
        let limbShift = n / 64, bitShift = n % 64
        var r = UInt256.zero
        for i in 0..<(4 - limbShift) {
            var v = a[limb: i + limbShift] >> bitShift
            if bitShift != 0, i + limbShift + 1 <= 3 { v |= a[limb: i + limbShift + 1] << (64 - bitShift) }
            r[limb: i] = v
        }
        return r
    }

    @inlinable public static func <<= (a: inout UInt256, n: Int) { a = a << n }
    @inlinable public static func >>= (a: inout UInt256, n: Int) { a = a >> n }

    /// Bit `i` (0 = least significant).
    @inlinable
    public func bit(_ i: Int) -> Bool { i >= 0 && i < 256 && (self[limb: i / 64] >> UInt64(i % 64)) & 1 == 1 }
}

// MARK: - Bytes

extension UInt256 {
    /// The value of up to 32 big-endian bytes; nil when longer.
    @inlinable
    public init?<Bytes: Collection>(bigEndian bytes: Bytes) where Bytes.Element == UInt8 {
        guard bytes.count <= 32 else { return nil }
        var r = UInt256.zero
        var shift = 0
        for b in bytes.reversed() {
            r[limb: shift / 64] |= UInt64(b) << UInt64(shift % 64)
            shift += 8
        }
        self = r
    }

    /// The 32-byte big-endian encoding (an EVM word).
    @inlinable
    public var bigEndianBytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { buf, count in
            writeBigEndian(into: UnsafeMutableRawBufferPointer(buf))
            count = 32
        }
    }

    /// Writes the 32-byte big-endian encoding to `out` (at least 32 bytes).
    @inlinable
    public func writeBigEndian(into out: UnsafeMutableRawBufferPointer) {
        out.storeBytes(of: w3.bigEndian, toByteOffset: 0, as: UInt64.self)
        out.storeBytes(of: w2.bigEndian, toByteOffset: 8, as: UInt64.self)
        out.storeBytes(of: w1.bigEndian, toByteOffset: 16, as: UInt64.self)
        out.storeBytes(of: w0.bigEndian, toByteOffset: 24, as: UInt64.self)
    }

    /// Big-endian bytes without leading zeros (empty for zero), as RLP encodes integers.
    @inlinable
    public var minimalBigEndianBytes: [UInt8] {
        let n = byteLength
        return Array(bigEndianBytes[(32 - n)...])
    }
}

// MARK: - Text

extension UInt256: CustomStringConvertible, LosslessStringConvertible {
    /// Decimal digits.
    public var description: String {
        if isZero { return "0" }
        var chunks: [UInt64] = []
        var v = self
        let base: UInt64 = 10_000_000_000_000_000_000  // 10^19
        while !v.isZero {
            let (q, r) = v.quotientAndRemainder(dividingBy: base)
            chunks.append(r)
            v = q
        }
        var s = String(chunks.removeLast())
        for c in chunks.reversed() {
            let digits = String(c)
            s += String(repeating: "0", count: 19 - digits.count) + digits
        }
        return s
    }

    /// Parses decimal text (`"123"`) or `0x`-prefixed hex; nil on anything else or overflow.
    public init?(_ text: String) {
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            self.init(hex: text)
        } else {
            self.init(decimal: text)
        }
    }

    /// Parses decimal digits; nil on an empty string, another character, or overflow.
    public init?(decimal text: some StringProtocol) {
        guard !text.isEmpty else { return nil }
        var r = UInt256.zero
        for c in text.utf8 {
            guard c >= 0x30, c <= 0x39 else { return nil }
            let (m, o1) = r.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt256(UInt64(c - 0x30)))
            if o1 || o2 { return nil }
            r = a
        }
        self = r
    }

    /// Parses hex digits with an optional `0x` prefix (leading zeros allowed); nil on bad
    /// characters, no digits, or more than 256 bits.
    public init?(hex text: some StringProtocol) {
        var utf8 = Substring(text).utf8[...]
        if utf8.count >= 2, utf8.first == 0x30, let x = utf8.dropFirst().first, x == 0x78 || x == 0x58 {
            utf8 = utf8.dropFirst(2)
        }
        guard !utf8.isEmpty else { return nil }
        let significant = utf8.drop { $0 == 0x30 }
        guard significant.count <= 64 else { return nil }
        var r = UInt256.zero
        var shift = 0
        for c in significant.reversed() {
            guard let v = Hex.nibble(c) else { return nil }
            r[limb: shift / 64] |= UInt64(v) << UInt64(shift % 64)
            shift += 4
        }
        self = r
    }

    /// `0x`-prefixed hex without leading zeros (`0x0` for zero): a JSON-RPC quantity.
    public var hexString: String {
        if isZero { return "0x0" }
        let bytes = minimalBigEndianBytes
        var s = Hex.encode(bytes, prefix: false)
        if s.hasPrefix("0") { s.removeFirst() }
        return "0x" + s
    }
}
