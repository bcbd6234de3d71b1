/// An element of the KoalaBear prime field, p = 2^31 − 2^24 + 1 = 0x7f000001.
///
/// Stored in Montgomery form (`raw` = a·2^32 mod p, always fully reduced into [0, p)), so
/// multiplication is one 32×32→64-bit product plus a Montgomery reduction. Equality and
/// hashing compare the reduced representation, which is unique. `value` gives the canonical
/// integer; `init(_:)` takes one.
///
/// Facts (checked in the tests): the multiplicative group has generator 3; p − 1 = 2^24 · 127,
/// so the field has two-adic roots of unity of every order up to 2^24.
@frozen
public struct KoalaBear: Hashable, Sendable, CustomStringConvertible {
    /// Montgomery representation, a·2^32 mod p, in [0, p).
    public var raw: UInt32

    /// The modulus p = 2^31 − 2^24 + 1.
    public static var modulus: UInt32 { 0x7f00_0001 }
    /// Two-adicity of p − 1: the largest k with 2^k | p − 1.
    public static let twoAdicity = 24
    /// A generator of the multiplicative group.
    public static var multiplicativeGenerator: KoalaBear { KoalaBear(raw: 0x05ff_fffa) }

    // Montgomery constants (R = 2^32), checked in the tests.
    // Computed properties so they fold to immediates in every module.
    @inlinable @inline(__always) static var P: UInt32 { 0x7f00_0001 }
    /// −p^{-1} mod 2^32.
    @inlinable @inline(__always) static var NEG_P_INV: UInt32 { 0x7eff_ffff }
    /// R mod p (the Montgomery form of one).
    @inlinable @inline(__always) static var R_MOD_P: UInt32 { 0x01ff_fffe }
    /// R² mod p (multiplying by it converts into Montgomery form).
    @inlinable @inline(__always) static var R2_MOD_P: UInt32 { 0x17f7_efe4 }
    /// p·2^32, for reducing 64-bit sums before REDC.
    @inlinable @inline(__always) static var P_SHIFTED: UInt64 { 0x7f00_0001_0000_0000 }

    /// Wraps a Montgomery-form value that is already reduced (< p). No check in release builds.
    @inlinable @inline(__always)
    public init(raw: UInt32) { self.raw = raw }

    /// The element congruent to `v` (any 32-bit value; reduced mod p).
    @inlinable
    public init(_ v: UInt32) {
        let r = v >= KoalaBear.P ? v &- KoalaBear.P : v
        raw = KoalaBear.montMul(r, KoalaBear.R2_MOD_P)
    }

    /// The element congruent to `v` mod p (negative values wrap).
    @inlinable
    public init(_ v: Int) {
        let m = Int64(v % Int(KoalaBear.P))
        self.init(UInt32(m < 0 ? m + Int64(KoalaBear.P) : m))
    }

    /// The element congruent to `v` mod p.
    @inlinable
    public init(_ v: UInt64) {
        self.init(UInt32(v % UInt64(KoalaBear.P)))
    }

    /// The canonical value `v` if it is below p, nil otherwise (for strict decoding).
    @inlinable
    public init?(canonical v: UInt32) {
        guard v < KoalaBear.P else { return nil }
        raw = KoalaBear.montMul(v, KoalaBear.R2_MOD_P)
    }

    /// The canonical integer in [0, p).
    @inlinable
    public var value: UInt32 { KoalaBear.montReduce(UInt64(raw)) }

    /// 0.
    @inlinable public static var zero: KoalaBear { KoalaBear(raw: 0) }
    /// 1.
    @inlinable public static var one: KoalaBear { KoalaBear(raw: R_MOD_P) }
    /// 2.
    @inlinable public static var two: KoalaBear { KoalaBear(raw: 0x03ff_fffc) }
    /// −1.
    @inlinable public static var negOne: KoalaBear { KoalaBear(raw: P &- R_MOD_P) }

    public var description: String { String(value) }

    @inlinable public var isZero: Bool { raw == 0 }

    // MARK: Montgomery kernels (on raw values)

    /// REDC: t·2^-32 mod p for t < p·2^32, fully reduced.
    @inlinable @inline(__always)
    public static func montReduce(_ t: UInt64) -> UInt32 {
        let m = UInt32(truncatingIfNeeded: t) &* NEG_P_INV
        let u = UInt32(truncatingIfNeeded: (t &+ UInt64(m) &* UInt64(P)) >> 32)
        return u >= P ? u &- P : u
    }

    /// REDC of any t < 2·p·2^32 (for example a sum of up to four products of reduced values).
    @inlinable @inline(__always)
    public static func montReduceWide(_ t: UInt64) -> UInt32 {
        montReduce(t >= P_SHIFTED ? t &- P_SHIFTED : t)
    }

    /// Montgomery product of two reduced raw values.
    @inlinable @inline(__always)
    public static func montMul(_ a: UInt32, _ b: UInt32) -> UInt32 {
        montReduce(UInt64(a) &* UInt64(b))
    }

    /// (a + b) mod p on reduced raw values.
    @inlinable @inline(__always)
    public static func addRaw(_ a: UInt32, _ b: UInt32) -> UInt32 {
        let s = a &+ b
        return Swift.min(s, s &- P)
    }

    /// (a − b) mod p on reduced raw values.
    @inlinable @inline(__always)
    public static func subRaw(_ a: UInt32, _ b: UInt32) -> UInt32 {
        let d = a &- b
        return Swift.min(d, d &+ P)
    }

    // MARK: Arithmetic

    @inlinable @inline(__always)
    public static func + (a: KoalaBear, b: KoalaBear) -> KoalaBear { KoalaBear(raw: addRaw(a.raw, b.raw)) }
    @inlinable @inline(__always)
    public static func - (a: KoalaBear, b: KoalaBear) -> KoalaBear { KoalaBear(raw: subRaw(a.raw, b.raw)) }
    @inlinable @inline(__always)
    public static func * (a: KoalaBear, b: KoalaBear) -> KoalaBear { KoalaBear(raw: montMul(a.raw, b.raw)) }
    @inlinable @inline(__always)
    public static prefix func - (a: KoalaBear) -> KoalaBear { KoalaBear(raw: subRaw(0, a.raw)) }
    @inlinable @inline(__always)
    public static func += (a: inout KoalaBear, b: KoalaBear) { a = a + b }
    @inlinable @inline(__always)
    public static func -= (a: inout KoalaBear, b: KoalaBear) { a = a - b }
    @inlinable @inline(__always)
    public static func *= (a: inout KoalaBear, b: KoalaBear) { a = a * b }

    /// 2·self.
    @inlinable @inline(__always)
    public var doubled: KoalaBear { self + self }

    /// self / 2 (halving is linear, so it works on the Montgomery form directly).
    @inlinable @inline(__always)
    public var halved: KoalaBear {
        let r = raw
        return KoalaBear(raw: (r & 1 == 0) ? r >> 1 : (r &+ KoalaBear.P) >> 1)
    }

    /// self².
    @inlinable @inline(__always)
    public var squared: KoalaBear { self * self }

    /// The multiplicative inverse; nil for zero.
    @inlinable
    public var inverse: KoalaBear? {
        isZero ? nil : pow(UInt64(KoalaBear.P) - 2)
    }

    /// The multiplicative inverse; zero maps to zero (use where the input is known non-zero).
    @inlinable
    public var inverseOrZero: KoalaBear { pow(UInt64(KoalaBear.P) - 2) }

    // MARK: Roots of unity

    /// A primitive 2^logN-th root of unity, 3^((p−1)/2^logN); logN ≤ 24.
    @inlinable
    public static func twoAdicGenerator(logN: Int) -> KoalaBear {
        precondition(logN >= 0 && logN <= twoAdicity, "two-adic root of order 2^\(logN) does not exist")
        return multiplicativeGenerator.pow(UInt64(P - 1) >> UInt64(logN))
    }
}

extension KoalaBear: ExpressibleByIntegerLiteral {
    @inlinable
    public init(integerLiteral v: Int) { self.init(v) }
}

/// What the generic field algorithms (exponentiation, batch inversion) need: zero, one,
/// multiplication and an inversion. KoalaBear and its quartic extension conform.
public protocol FieldElement {
    static var zero: Self { get }
    static var one: Self { get }
    static func * (a: Self, b: Self) -> Self
    var inverse: Self? { get }
}

extension FieldElement {
    /// self^e by square-and-multiply.
    @inlinable
    public func pow(_ e: UInt64) -> Self {
        var result = Self.one
        var base = self
        var e = e
        while e != 0 {
            if e & 1 == 1 { result = result * base }
            base = base * base
            e >>= 1
        }
        return result
    }
}

/// Montgomery's trick: replaces every element of `values` by its inverse with one field
/// inversion in total. Returns false, leaving `values` unchanged, if any element is zero.
@inlinable @discardableResult
public func batchInvert<F: FieldElement>(_ values: UnsafeMutableBufferPointer<F>, scratch: UnsafeMutableBufferPointer<F>) -> Bool {
    let n = values.count
    precondition(scratch.count >= n, "batchInvert scratch too small")
    if n == 0 { return true }
    var acc = F.one
    for i in 0..<n {
        scratch[i] = acc
        acc = acc * values[i]
    }
    guard var inv = acc.inverse else { return false }
    var i = n - 1
    while i >= 0 {
        let v = values[i]
        values[i] = inv * scratch[i]
        inv = inv * v
        i -= 1
    }
    return true
}

/// The inverses of `values` (one inversion in total); nil if any element is zero.
@inlinable
public func batchInverted<F: FieldElement>(_ values: [F]) -> [F]? {
    var out = values
    var scratch = [F](repeating: .zero, count: values.count)
    let ok = out.withUnsafeMutableBufferPointer { o in
        scratch.withUnsafeMutableBufferPointer { s in batchInvert(o, scratch: s) }
    }
    return ok ? out : nil
}

extension KoalaBear: FieldElement {
    /// Replaces every element of `values` by its inverse with one field inversion in total
    /// (Montgomery's trick). Returns false, leaving `values` unchanged, if any element is zero.
    @inlinable @discardableResult
    public static func batchInvert(_ values: UnsafeMutableBufferPointer<KoalaBear>,
                                   scratch: UnsafeMutableBufferPointer<KoalaBear>) -> Bool {
        KoalaBear_batchInvert(values, scratch)
    }

    /// The inverses of `values` (one inversion in total); nil if any element is zero.
    public static func batchInverted(_ values: [KoalaBear]) -> [KoalaBear]? { KoalaBear_batchInverted(values) }
}

// Module-level forwarders: inside the types, the static methods shadow the generic functions.
@inlinable @discardableResult
func KoalaBear_batchInvert<F: FieldElement>(_ v: UnsafeMutableBufferPointer<F>, _ s: UnsafeMutableBufferPointer<F>) -> Bool {
    batchInvert(v, scratch: s)
}

@inlinable
func KoalaBear_batchInverted<F: FieldElement>(_ v: [F]) -> [F]? { batchInverted(v) }
