import Primitives
import Testing
import TestSupport

extension UInt256 {
    static func random(using g: inout SplitMix64) -> UInt256 {
        // Mix in sparse values so carries and short divisors get exercised.
        let shape = g.next() % 4
        var v = UInt256(w0: g.next(), w1: g.next(), w2: g.next(), w3: g.next())
        if shape == 1 { v = v >> Int(g.next() % 256) }
        if shape == 2 { v = UInt256(w0: g.next() % 3 == 0 ? .max : g.next(), w1: 0, w2: .max, w3: 0) }
        return v
    }
}

@Suite struct UInt256Tests {
    @Test func decimalAndHexText() {
        let max = UInt256.max
        #expect(max.description == "115792089237316195423570985008687907853269984665640564039457584007913129639935")
        #expect(UInt256(decimal: max.description) == max)
        #expect(UInt256(decimal: "115792089237316195423570985008687907853269984665640564039457584007913129639936") == nil)
        #expect(max.hexString == "0x" + String(repeating: "f", count: 64))
        #expect(UInt256.zero.hexString == "0x0")
        #expect(UInt256(0x1234).hexString == "0x1234")
        #expect(UInt256(hex: "0x0001") == UInt256(1))
        #expect(UInt256(hex: "0x") == nil)
        #expect(UInt256(hex: "0xg") == nil)
        #expect(UInt256(hex: "0x1" + String(repeating: "0", count: 64)) == nil)
        #expect(UInt256(decimal: "12a") == nil)
        #expect(UInt256("1000000000000000000") == UInt256(1_000_000_000_000_000_000))
    }

    @Test func checkedArithmetic() {
        #expect(UInt256.max.checkedAdd(.one) == nil)
        #expect(UInt256.zero.checkedSub(.one) == nil)
        #expect((UInt256.max &+ .one) == .zero)
        #expect((UInt256.zero &- .one) == .max)
        #expect(UInt256.max.checkedMul(UInt256(2)) == nil)
        #expect((UInt256(1) << 255).checkedMul(UInt256(2)) == nil)
        #expect((UInt256(1) << 128) * (UInt256(1) << 127) == UInt256(1) << 255)
        let (hi, lo) = UInt256.max.multipliedFullWidth(by: .max)
        #expect(hi == UInt256.max &- .one)
        #expect(lo == .one)
    }

    @Test func shifts() {
        let one = UInt256.one
        for n in 0..<256 {
            #expect((one << n) >> n == one)
            #expect((one << n).bit(n))
            #expect((one << n).leadingZeroBitCount == 255 - n)
        }
        #expect(one << 256 == .zero)
        #expect(UInt256.max >> 300 == .zero)
    }

    /// Division laws on random operands: a = q·b + r with r < b, and mul/div inverse.
    @Test func divisionProperties() {
        var g = SplitMix64(seed: 42)
        for _ in 0..<3000 {
            let a = UInt256.random(using: &g)
            var b = UInt256.random(using: &g) >> Int(g.next() % 256)
            if b.isZero { b = .one }
            let (q, r) = a.quotientAndRemainder(dividingBy: b)
            #expect(r < b)
            let (hi, lo) = q.multipliedFullWidth(by: b)
            #expect(hi.isZero)
            #expect(lo.checkedAdd(r) == a)
        }
    }

    /// Addition and multiplication against 128-bit arithmetic on small operands.
    @Test func agreesWithNativeArithmetic() {
        var g = SplitMix64(seed: 7)
        for _ in 0..<2000 {
            let x = g.next(), y = g.next()
            let (h, l) = x.multipliedFullWidth(by: y)
            #expect(UInt256(x) * UInt256(y) == UInt256(w0: l, w1: h, w2: 0, w3: 0))
            let (s, c) = x.addingReportingOverflow(y)
            #expect(UInt256(x) + UInt256(y) == UInt256(w0: s, w1: c ? 1 : 0, w2: 0, w3: 0))
            if y != 0 {
                let (q, r) = UInt256(x).quotientAndRemainder(dividingBy: UInt256(y))
                #expect(q == UInt256(x / y) && r == UInt256(x % y))
            }
        }
    }

    @Test func mulDiv() {
        let a = UInt256.max, b = UInt256(1) << 200, c = UInt256(1) << 201
        #expect(a.multipliedDivided(by: b, dividedBy: c) == a >> 1)
        #expect(a.multipliedDivided(by: a, dividedBy: .one) == nil)
        #expect(UInt256(10).multipliedDivided(by: 3, dividedBy: 4) == 7)
        #expect(UInt256(10).multipliedDivided(by: 3, dividedBy: .zero) == nil)
    }

    @Test func bytes() {
        let v = UInt256(hex: "0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20")!
        #expect(v.bigEndianBytes == Array(1...32))
        #expect(UInt256(bigEndian: Array(1...32) as [UInt8]) == v)
        #expect(UInt256(bigEndian: [UInt8](repeating: 1, count: 33)) == nil)
        #expect(UInt256(0x0100).minimalBigEndianBytes == [1, 0])
        #expect(UInt256.zero.minimalBigEndianBytes.isEmpty)
    }

    @Test func int256() {
        #expect(Int256(-1).bitPattern == .max)
        #expect(Int256("-5")! < Int256(3))
        #expect(Int256.min.description == "-57896044618658097711785492504343953926634992332820282019728792003956564819968")
        #expect(Int256(Int256.max.description) == .max)
        #expect(Int256("57896044618658097711785492504343953926634992332820282019728792003956564819968") == nil)
        #expect(Int256(-128).fits(bits: 8) && !Int256(-129).fits(bits: 8) && !Int256(128).fits(bits: 8))
    }
}
