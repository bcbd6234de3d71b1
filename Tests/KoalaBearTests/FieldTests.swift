import KoalaBear
import Testing
import TestSupport

@Suite struct FieldConstantTests {
    @Test func modulusAndMontgomeryConstants() {
        #expect(KoalaBear.modulus == (1 << 31) - (1 << 24) + 1)
        // −p^{-1}·p ≡ −1 (mod 2^32): check through a Montgomery round trip instead of internals.
        for v: UInt32 in [0, 1, 2, 3, 12345, KoalaBear.modulus - 1] {
            #expect(KoalaBear(v).value == v)
            #expect(KoalaBear(canonical: v)?.value == v)
        }
        #expect(KoalaBear(canonical: KoalaBear.modulus) == nil)
        #expect(KoalaBear(canonical: UInt32.max) == nil)
        #expect(KoalaBear.one.value == 1)
        #expect(KoalaBear.two.value == 2)
        #expect(KoalaBear.negOne.value == KoalaBear.modulus - 1)
        #expect(KoalaBear(-1) == KoalaBear.negOne)
        #expect(KoalaBearExt.w.value == 3)
    }

    @Test func generatorIsThreeAndPrimitive() {
        let g = KoalaBear.multiplicativeGenerator
        #expect(g.value == 3)
        #expect(g.pow(P - 1) == .one)
        // p − 1 = 2^24 · 127: g is primitive iff g^((p−1)/q) ≠ 1 for q ∈ {2, 127}.
        #expect((P - 1) == (1 << 24) * 127)
        #expect(g.pow((P - 1) / 2) != .one)
        #expect(g.pow((P - 1) / 127) != .one)
    }

    @Test func twoAdicityIs24() {
        #expect(KoalaBear.twoAdicity == 24)
        #expect((P - 1) % (1 << 24) == 0 && ((P - 1) >> 24) % 2 == 1)
        for logN in 0...24 {
            let w = KoalaBear.twoAdicGenerator(logN: logN)
            #expect(w.pow(UInt64(1) << UInt64(logN)) == .one)
            if logN > 0 { #expect(w.pow(UInt64(1) << UInt64(logN - 1)) == .negOne) }
        }
    }
}

@Suite struct FieldLawTests {
    @Test func arithmeticMatchesReference() {
        var rng = TestRNG(seed: 1)
        for _ in 0..<2000 {
            let a = rng.next() % P, b = rng.next() % P
            let fa = KoalaBear(a), fb = KoalaBear(b)
            #expect(UInt64((fa + fb).value) == (a + b) % P)
            #expect(UInt64((fa - fb).value) == (a + P - b) % P)
            #expect(UInt64((fa * fb).value) == mulmod(a, b))
            #expect(UInt64((-fa).value) == (P - a) % P)
            #expect((fa.halved + fa.halved) == fa)
        }
        // Edge values.
        let edges: [UInt64] = [0, 1, 2, P - 1, P - 2, P / 2, P / 2 + 1, 1 << 24, (1 << 31) - 1]
        for a in edges {
            for b in edges {
                #expect(UInt64((KoalaBear(a) * KoalaBear(b)).value) == mulmod(a % P, b % P))
                #expect(UInt64((KoalaBear(a) + KoalaBear(b)).value) == (a % P + b % P) % P)
            }
        }
    }

    @Test func ringLaws() {
        var rng = TestRNG(seed: 2)
        for _ in 0..<1000 {
            let a = rng.field(), b = rng.field(), c = rng.field()
            #expect(a + b == b + a)
            #expect(a * b == b * a)
            #expect((a + b) + c == a + (b + c))
            #expect((a * b) * c == a * (b * c))
            #expect(a * (b + c) == a * b + a * c)
            #expect(a + .zero == a && a * .one == a && a * .zero == .zero)
            #expect(a - a == .zero && a + (-a) == .zero)
        }
    }

    @Test func inversesAndPowers() throws {
        var rng = TestRNG(seed: 3)
        #expect(KoalaBear.zero.inverse == nil)
        for _ in 0..<300 {
            let a = rng.field()
            if a.isZero { continue }
            let inv = try #require(a.inverse)
            #expect(a * inv == .one)
            #expect(UInt64(a.pow(12345).value) == powmod(UInt64(a.value), 12345))
        }
        // Fermat.
        #expect(KoalaBear(7).pow(P - 1) == .one)
    }

    @Test func batchInversion() throws {
        var rng = TestRNG(seed: 4)
        let xs = (0..<257).map { _ in rng.field() + .one }
        let inv = try #require(KoalaBear.batchInverted(xs))
        for (x, i) in zip(xs, inv) { #expect(x * i == .one) }
        #expect(KoalaBear.batchInverted([KoalaBear(5), .zero]) == nil)
        #expect(KoalaBear.batchInverted([])! == [])
    }
}

@Suite struct ExtensionTests {
    /// X^4 − 3 is irreducible over F_p: 3 is a non-residue (Euler's criterion) and p ≡ 1 mod 4,
    /// so 3 ∉ F^2 and 3 ∉ −4·F^4 (−4 is a square), which is the criterion for X^4 − a.
    @Test func irreducibility() {
        #expect(P % 4 == 1)
        #expect(powmod(3, (P - 1) / 2) == P - 1)
        #expect(powmod(P - 4, (P - 1) / 2) == 1)  // −4 is a square
        // No root of X^4 − 3: 3 would be a fourth power, hence a square.
        // The multiplicative group of the extension has order p^4 − 1: check on samples that
        // a^(p^4 − 1) = 1 via Frobenius-free exponentiation in two steps.
        var rng = TestRNG(seed: 5)
        for _ in 0..<5 {
            let a = rng.ext()
            // (p^4 − 1) = (p − 1)(p + 1)(p² + 1)
            let e1 = a.pow(P - 1).pow(P + 1)
            let r = e1.pow(P * P + 1)
            #expect(r == .one)
        }
    }

    /// Reference product: schoolbook polynomial product reduced by X^4 = 3, on canonical integers.
    func referenceMul(_ a: KoalaBearExt, _ b: KoalaBearExt) -> [UInt64] {
        let x = a.coefficients.map { UInt64($0.value) }, y = b.coefficients.map { UInt64($0.value) }
        var prod = [UInt64](repeating: 0, count: 7)
        for i in 0..<4 { for j in 0..<4 { prod[i + j] = (prod[i + j] + mulmod(x[i], y[j])) % P } }
        for k in 4..<7 { prod[k - 4] = (prod[k - 4] + mulmod(3, prod[k])) % P }
        return Array(prod[0..<4])
    }

    @Test func multiplicationMatchesReference() {
        var rng = TestRNG(seed: 6)
        for _ in 0..<500 {
            let a = rng.ext(), b = rng.ext()
            #expect((a * b).coefficients.map { UInt64($0.value) } == referenceMul(a, b))
        }
        let m = KoalaBearExt(.negOne, .negOne, .negOne, .negOne)
        #expect((m * m).coefficients.map { UInt64($0.value) } == referenceMul(m, m))
    }

    @Test func fieldLaws() throws {
        var rng = TestRNG(seed: 7)
        for _ in 0..<500 {
            let a = rng.ext(), b = rng.ext(), c = rng.ext(), s = rng.field()
            #expect(a * b == b * a)
            #expect((a * b) * c == a * (b * c))
            #expect(a * (b + c) == a * b + a * c)
            #expect(a - a == .zero && a + (-a) == .zero)
            #expect(a * KoalaBearExt(s) == a * s)
            #expect(a.timesX == a * KoalaBearExt.x)
            if !a.isZero {
                let inv = try #require(a.inverse)
                #expect(a * inv == .one)
            }
        }
        #expect(KoalaBearExt.zero.inverse == nil)
        #expect(KoalaBearExt.x.pow(4) == KoalaBearExt(KoalaBear(3)))
        // Base-field elements invert like base-field elements.
        #expect(KoalaBearExt(KoalaBear(9)).inverse == KoalaBearExt(KoalaBear(9).inverse!))
    }

    /// 1/(x − z) = q(x)/m(x) with m the characteristic polynomial of z.
    @Test func inverseDistance() throws {
        var rng = TestRNG(seed: 9)
        for _ in 0..<50 {
            let z = rng.ext()
            let d = try #require(InverseDistance(z))
            for _ in 0..<10 {
                let x = rng.field(), x2 = x * x
                let viaM = d.cofactor(x, x2, x2 * x) * d.minimal(x).inverse!
                #expect(viaM == (KoalaBearExt(x) - z).inverse!)
            }
        }
        // A base-field z: m(X) = (X − z)^4 and m(z) = 0.
        let b = rng.field()
        let d = try #require(InverseDistance(KoalaBearExt(b)))
        #expect(d.minimal(b) == .zero)
    }

    @Test func batchInversion() throws {
        var rng = TestRNG(seed: 8)
        let xs = (0..<100).map { _ in rng.ext() }
        let inv = try #require(KoalaBearExt.batchInverted(xs))
        for (x, i) in zip(xs, inv) { #expect(x * i == .one) }
        #expect(KoalaBearExt.batchInverted([rng.ext(), .zero]) == nil)
    }
}
