/// An element of the quartic extension F_p[X]/(X^4 − 3) of KoalaBear: c0 + c1·X + c2·X² + c3·X³.
///
/// X^4 − 3 is irreducible because 3 is not a square mod p and p ≡ 1 (mod 4) (checked in the
/// tests), so this is the field with p^4 ≈ 2^124 elements: the challenges of the proof system
/// (out-of-domain point, FRI folding, LogUp) live here.
@frozen
public struct KoalaBearExt: Hashable, Sendable, CustomStringConvertible {
    /// Coefficient of 1.
    public var c0: KoalaBear
    /// Coefficient of X.
    public var c1: KoalaBear
    /// Coefficient of X².
    public var c2: KoalaBear
    /// Coefficient of X³.
    public var c3: KoalaBear

    /// The non-residue W in X^4 = W.
    public static var w: KoalaBear { KoalaBear(raw: 0x05ff_fffa) }  // 3 in Montgomery form

    @inlinable @inline(__always)
    public init(_ c0: KoalaBear, _ c1: KoalaBear, _ c2: KoalaBear, _ c3: KoalaBear) {
        self.c0 = c0
        self.c1 = c1
        self.c2 = c2
        self.c3 = c3
    }

    /// The base-field element `b` embedded in the extension.
    @inlinable @inline(__always)
    public init(_ b: KoalaBear) { self.init(b, .zero, .zero, .zero) }

    /// Coefficients c0…c3 from an array of four.
    @inlinable
    public init(coefficients c: [KoalaBear]) {
        precondition(c.count == 4, "an extension element has 4 coefficients")
        self.init(c[0], c[1], c[2], c[3])
    }

    @inlinable public static var zero: KoalaBearExt { KoalaBearExt(.zero, .zero, .zero, .zero) }
    @inlinable public static var one: KoalaBearExt { KoalaBearExt(.one, .zero, .zero, .zero) }
    /// The generator X of the extension, as a vector space basis element X^1.
    @inlinable public static var x: KoalaBearExt { KoalaBearExt(.zero, .one, .zero, .zero) }

    /// The basis element X^k (k in 0..<4).
    @inlinable
    public static func basis(_ k: Int) -> KoalaBearExt {
        var e = KoalaBearExt.zero
        switch k {
        case 0: e.c0 = .one
        case 1: e.c1 = .one
        case 2: e.c2 = .one
        default: e.c3 = .one
        }
        return e
    }

    /// Coefficients as an array [c0, c1, c2, c3].
    @inlinable public var coefficients: [KoalaBear] { [c0, c1, c2, c3] }

    /// Coefficient k (0..<4).
    @inlinable
    public subscript(k: Int) -> KoalaBear {
        get {
            switch k {
            case 0: return c0
            case 1: return c1
            case 2: return c2
            default: return c3
            }
        }
        set {
            switch k {
            case 0: c0 = newValue
            case 1: c1 = newValue
            case 2: c2 = newValue
            default: c3 = newValue
            }
        }
    }

    /// True if the element lies in the base field (c1 = c2 = c3 = 0).
    @inlinable public var isInBaseField: Bool { c1.isZero && c2.isZero && c3.isZero }
    @inlinable public var isZero: Bool { c0.isZero && isInBaseField }

    public var description: String { "[\(c0), \(c1), \(c2), \(c3)]" }

    // MARK: Arithmetic

    @inlinable @inline(__always)
    public static func + (a: KoalaBearExt, b: KoalaBearExt) -> KoalaBearExt {
        KoalaBearExt(a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2, a.c3 + b.c3)
    }

    @inlinable @inline(__always)
    public static func - (a: KoalaBearExt, b: KoalaBearExt) -> KoalaBearExt {
        KoalaBearExt(a.c0 - b.c0, a.c1 - b.c1, a.c2 - b.c2, a.c3 - b.c3)
    }

    @inlinable @inline(__always)
    public static prefix func - (a: KoalaBearExt) -> KoalaBearExt {
        KoalaBearExt(-a.c0, -a.c1, -a.c2, -a.c3)
    }

    @inlinable @inline(__always)
    public static func + (a: KoalaBearExt, b: KoalaBear) -> KoalaBearExt {
        KoalaBearExt(a.c0 + b, a.c1, a.c2, a.c3)
    }

    @inlinable @inline(__always)
    public static func - (a: KoalaBearExt, b: KoalaBear) -> KoalaBearExt {
        KoalaBearExt(a.c0 - b, a.c1, a.c2, a.c3)
    }

    @inlinable @inline(__always)
    public static func - (a: KoalaBear, b: KoalaBearExt) -> KoalaBearExt {
        KoalaBearExt(a - b.c0, -b.c1, -b.c2, -b.c3)
    }

    @inlinable @inline(__always)
    public static func * (a: KoalaBearExt, b: KoalaBear) -> KoalaBearExt {
        KoalaBearExt(a.c0 * b, a.c1 * b, a.c2 * b, a.c3 * b)
    }

    @inlinable @inline(__always)
    public static func * (a: KoalaBear, b: KoalaBearExt) -> KoalaBearExt { b * a }

    /// Schoolbook product with the X^4 = 3 reduction folded in: 16 products, 4 reductions.
    @inlinable @inline(__always)
    public static func * (a: KoalaBearExt, b: KoalaBearExt) -> KoalaBearExt {
        let a0 = UInt64(a.c0.raw), a1 = UInt64(a.c1.raw), a2 = UInt64(a.c2.raw), a3 = UInt64(a.c3.raw)
        let b0r = b.c0.raw, b1r = b.c1.raw, b2r = b.c2.raw, b3r = b.c3.raw
        let b0 = UInt64(b0r), b1 = UInt64(b1r), b2 = UInt64(b2r), b3 = UInt64(b3r)
        // 3·b_i, reduced.
        let w1 = UInt64(KoalaBear.addRaw(KoalaBear.addRaw(b1r, b1r), b1r))
        let w2 = UInt64(KoalaBear.addRaw(KoalaBear.addRaw(b2r, b2r), b2r))
        let w3 = UInt64(KoalaBear.addRaw(KoalaBear.addRaw(b3r, b3r), b3r))
        let s0 = a0 &* b0 &+ a1 &* w3 &+ a2 &* w2 &+ a3 &* w1
        let s1 = a0 &* b1 &+ a1 &* b0 &+ a2 &* w3 &+ a3 &* w2
        let s2 = a0 &* b2 &+ a1 &* b1 &+ a2 &* b0 &+ a3 &* w3
        let s3 = a0 &* b3 &+ a1 &* b2 &+ a2 &* b1 &+ a3 &* b0
        return KoalaBearExt(KoalaBear(raw: KoalaBear.montReduceWide(s0)), KoalaBear(raw: KoalaBear.montReduceWide(s1)),
                            KoalaBear(raw: KoalaBear.montReduceWide(s2)), KoalaBear(raw: KoalaBear.montReduceWide(s3)))
    }

    @inlinable @inline(__always)
    public static func += (a: inout KoalaBearExt, b: KoalaBearExt) { a = a + b }
    @inlinable @inline(__always)
    public static func -= (a: inout KoalaBearExt, b: KoalaBearExt) { a = a - b }
    @inlinable @inline(__always)
    public static func *= (a: inout KoalaBearExt, b: KoalaBearExt) { a = a * b }
    @inlinable @inline(__always)
    public static func *= (a: inout KoalaBearExt, b: KoalaBear) { a = a * b }

    /// self².
    @inlinable @inline(__always)
    public var squared: KoalaBearExt { self * self }

    /// self · X (multiplication by the generator: a shift with the X^4 = 3 wrap).
    @inlinable @inline(__always)
    public var timesX: KoalaBearExt {
        KoalaBearExt(c3 * KoalaBearExt.w, c0, c1, c2)
    }

    /// The multiplicative inverse, nil for zero. Uses the norm down to F_p:
    /// a·a(−X) lies in F_p[X²], and multiplying by its conjugate leaves a base-field norm.
    @inlinable
    public var inverse: KoalaBearExt? {
        if isZero { return nil }
        let a0 = c0, a1 = c1, a2 = c2, a3 = c3
        let w = KoalaBearExt.w
        // b = a·a(−X) = b0 + b2·X²
        let b0 = a0.squared + w * a2.squared - (w * (a1 * a3)).doubled
        let b2 = (a0 * a2).doubled - a1.squared - w * a3.squared
        // N = b0² − W·b2² ∈ F_p, non-zero for a ≠ 0 since X^4 − W is irreducible.
        let norm = b0.squared - w * b2.squared
        guard let ninv = norm.inverse else { return nil }
        // a(−X)·(b0 − b2·X²) / N
        let r0 = a0 * b0 - w * (a2 * b2)
        let r1 = w * (a3 * b2) - a1 * b0
        let r2 = a2 * b0 - a0 * b2
        let r3 = a1 * b2 - a3 * b0
        return KoalaBearExt(r0 * ninv, r1 * ninv, r2 * ninv, r3 * ninv)
    }

    /// The inverse; zero maps to zero.
    @inlinable
    public var inverseOrZero: KoalaBearExt { inverse ?? .zero }

    /// The first `count` powers 1, self, self², ….
    public func powers(_ count: Int) -> [KoalaBearExt] {
        var out = [KoalaBearExt]()
        out.reserveCapacity(count)
        var acc = KoalaBearExt.one
        for _ in 0..<count {
            out.append(acc)
            acc *= self
        }
        return out
    }

    /// Replaces every element by its inverse with one inversion in total (Montgomery's trick).
    /// Returns false, leaving `values` unchanged, if any element is zero.
    @inlinable @discardableResult
    public static func batchInvert(_ values: UnsafeMutableBufferPointer<KoalaBearExt>,
                                   scratch: UnsafeMutableBufferPointer<KoalaBearExt>) -> Bool {
        KoalaBear_batchInvert(values, scratch)
    }

    /// The inverses of `values` (one inversion in total); nil if any element is zero.
    public static func batchInverted(_ values: [KoalaBearExt]) -> [KoalaBearExt]? { KoalaBear_batchInverted(values) }
}

extension KoalaBearExt: ExpressibleByIntegerLiteral {
    @inlinable
    public init(integerLiteral v: Int) { self.init(KoalaBear(v)) }
}

/// 1/(x − z) for base-field x and a fixed extension point z, without extension inversions:
/// with m(X) = Π_k (X − σ^k(z)) the characteristic polynomial of z over F_p (σ the Frobenius;
/// base coefficients) and q(X) = m(X)/(X − z), a monic cubic over the extension,
/// 1/(x − z) = q(x)/m(x). m(x) vanishes only if z = x, so a batch of base-field inversions of
/// m(x) replaces the extension inversions of x − z.
public struct InverseDistance: Sendable {
    /// m(X) = X^4 + m3·X³ + m2·X² + m1·X + m0.
    public let m0, m1, m2, m3: KoalaBear
    /// q(X) = X³ + q2·X² + q1·X + q0.
    public let q0, q1, q2: KoalaBearExt

    /// The polynomials for z (nil only if an internal consistency check fails).
    public init?(_ z: KoalaBearExt) {
        let p = UInt64(KoalaBear.modulus)
        let z1 = z.pow(p), z2 = z1.pow(p), z3 = z2.pow(p)
        var poly: [KoalaBearExt] = [.one]
        for c in [z, z1, z2, z3] {
            var next = [KoalaBearExt](repeating: .zero, count: poly.count + 1)
            for (i, a) in poly.enumerated() {
                next[i + 1] += a
                next[i] -= a * c
            }
            poly = next
        }
        guard poly.allSatisfy(\.isInBaseField), poly[4] == .one else { return nil }
        m0 = poly[0].c0
        m1 = poly[1].c0
        m2 = poly[2].c0
        m3 = poly[3].c0
        let c2 = poly[3] + z
        let c1 = poly[2] + z * c2
        let c0 = poly[1] + z * c1
        guard (poly[0] + z * c0).isZero else { return nil }
        q0 = c0
        q1 = c1
        q2 = c2
    }

    /// m(x).
    @inlinable @inline(__always)
    public func minimal(_ x: KoalaBear) -> KoalaBear {
        (((x + m3) * x + m2) * x + m1) * x + m0
    }

    /// q(x), given x, x², x³.
    @inlinable @inline(__always)
    public func cofactor(_ x: KoalaBear, _ x2: KoalaBear, _ x3: KoalaBear) -> KoalaBearExt {
        q0 + q1 * x + q2 * x2 + x3
    }
}

extension KoalaBearExt: FieldElement {}
