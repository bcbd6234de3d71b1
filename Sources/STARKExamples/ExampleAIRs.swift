import STARK
import KoalaBear

/// Fibonacci: columns (a, b); a₀, b₀ and the last b are public; each row steps
/// (a, b) → (b, a + b). The benchmark AIR.
public struct FibonacciAIR: AIR {
    public init() {}
    public var name: String { "fibonacci" }
    public var mainWidth: Int { 2 }
    public var publicInputCount: Int { 3 }

    public func constraints(_ b: ConstraintBuilder) {
        let a = b.main(0), bb = b.main(1)
        b.assertEqual(a, b.publicInput(0), on: .firstRow, label: "a₀")
        b.assertEqual(bb, b.publicInput(1), on: .firstRow, label: "b₀")
        b.assertEqual(b.mainNext(0), bb, on: .transition, label: "a' = b")
        b.assertEqual(b.mainNext(1), a + bb, on: .transition, label: "b' = a + b")
        b.assertEqual(bb, b.publicInput(2), on: .lastRow, label: "result")
    }

    /// The trace of 2^logHeight rows from (a₀, b₀), and its public inputs (a₀, b₀, last b).
    public static func trace(logHeight: Int, a0: KoalaBear = 0, b0: KoalaBear = 1) -> (ColumnMatrix, [KoalaBear]) {
        let n = 1 << logHeight
        var m = ColumnMatrix(width: 2, height: n)
        var a = a0, b = b0
        for r in 0..<n {
            m[r, 0] = a
            m[r, 1] = b
            (a, b) = (b, a + b)
        }
        return (m, [a0, b0, m[n - 1, 1]])
    }
}

/// A range check through LogUp: column 0 holds values that must lie in [0, 2^bits); the
/// preprocessed column holds the table 0, 1, …, 2^bits − 1 (repeated to fill the height) and
/// column 1 the multiplicity of each table row. Needs 2^logHeight ≥ 2^bits.
public struct RangeCheckAIR: AIR {
    /// The values and the table meet here.
    public static let bus = Bus(0, "range")
    public let bits: Int
    public init(bits: Int) { self.bits = bits }
    public var name: String { "range-check-\(bits)" }
    public var mainWidth: Int { 2 }
    public var preprocessedWidth: Int { 1 }

    public func preprocessedTrace(logHeight: Int) -> ColumnMatrix? {
        let n = 1 << logHeight, mask = (1 << bits) - 1
        return ColumnMatrix(columns: [(0..<n).map { KoalaBear(UInt32($0 & mask)) }])
    }

    public func constraints(_ b: ConstraintBuilder) {
        b.send(RangeCheckAIR.bus, values: [b.main(0)])
        b.receive(RangeCheckAIR.bus, values: [b.preprocessed(0)], multiplicity: b.main(1))
    }

    /// The trace for `values` (padded with zeros to 2^logHeight rows), multiplicities counted
    /// on the first copy of each table value. Values outside the range get no multiplicity.
    public func trace(values: [UInt32], logHeight: Int) -> ColumnMatrix {
        let n = 1 << logHeight
        precondition(values.count <= n && bits <= logHeight)
        var m = ColumnMatrix(width: 2, height: n)
        var counts = [UInt32](repeating: 0, count: 1 << bits)
        for r in 0..<n {
            let v = r < values.count ? values[r] : 0
            m[r, 0] = KoalaBear(v)
            if Int(v) < counts.count { counts[Int(v)] += 1 }
        }
        for (v, c) in counts.enumerated() { m[v, 1] = KoalaBear(c) }
        return m
    }
}

/// Two tables in one trace, (a, a²) and (b, b²) by rows, where the second is a permutation
/// of the first: each row satisfies the squaring constraint, and LogUp shows the multisets of
/// rows are equal.
public struct PermutationAIR: AIR {
    /// Table A's rows are sent here and table B's received.
    public static let bus = Bus(1, "permutation")
    public init() {}
    public var name: String { "permutation" }
    public var mainWidth: Int { 4 }

    public func constraints(_ b: ConstraintBuilder) {
        b.assertEqual(b.main(1), b.main(0) * b.main(0), label: "a² column")
        b.send(PermutationAIR.bus, values: [b.main(0), b.main(1)])
        b.receive(PermutationAIR.bus, values: [b.main(2), b.main(3)])
    }

    /// Table A holds x_r = r·7 + 3 and its squares; table B is A's rows rotated by `rotation`
    /// and with adjacent pairs swapped.
    public static func trace(logHeight: Int, rotation: Int = 5) -> ColumnMatrix {
        let n = 1 << logHeight
        var m = ColumnMatrix(width: 4, height: n)
        for r in 0..<n {
            let x = KoalaBear(UInt32(r &* 7 &+ 3))
            m[r, 0] = x
            m[r, 1] = x * x
        }
        for r in 0..<n {
            let src = ((r ^ 1) + rotation) % n
            m[r, 2] = m[src, 0]
            m[r, 3] = m[src, 1]
        }
        return m
    }
}

/// A lookup into a fixed (preprocessed) table: the XOR table of 4-bit values, rows
/// (x, y, x ⊕ y) for all 256 pairs. The main trace chains XORs: z = x ⊕ y is looked up, and
/// the next row's x is this row's z. Public inputs: the first x and the last z.
/// Needs at least 2^8 rows.
public struct XorChainAIR: AIR {
    /// The chain's XORs and the XOR table meet here.
    public static let bus = Bus(2, "xor")
    public init() {}
    public var name: String { "xor-chain" }
    public var mainWidth: Int { 4 }  // x, y, z, multiplicity
    public var preprocessedWidth: Int { 3 }
    public var publicInputCount: Int { 2 }

    public func preprocessedTrace(logHeight: Int) -> ColumnMatrix? {
        let n = 1 << logHeight
        var m = ColumnMatrix(width: 3, height: n)
        for r in 0..<n {
            let i = r & 255
            let x = UInt32(i >> 4), y = UInt32(i & 15)
            m[r, 0] = KoalaBear(x)
            m[r, 1] = KoalaBear(y)
            m[r, 2] = KoalaBear(x ^ y)
        }
        return m
    }

    public func constraints(_ b: ConstraintBuilder) {
        b.assertEqual(b.main(0), b.publicInput(0), on: .firstRow, label: "x₀")
        b.assertEqual(b.mainNext(0), b.main(2), on: .transition, label: "x' = z")
        b.assertEqual(b.main(2), b.publicInput(1), on: .lastRow, label: "result")
        b.send(XorChainAIR.bus, values: [b.main(0), b.main(1), b.main(2)])
        b.receive(XorChainAIR.bus, values: [b.preprocessed(0), b.preprocessed(1), b.preprocessed(2)], multiplicity: b.main(3))
    }

    /// The chain from x₀ through the nibbles `ys` (2^logHeight of them), with public inputs.
    public static func trace(x0: UInt32, ys: [UInt32], logHeight: Int) -> (ColumnMatrix, [KoalaBear]) {
        let n = 1 << logHeight
        precondition(ys.count == n && logHeight >= 8)
        var m = ColumnMatrix(width: 4, height: n)
        var counts = [UInt32](repeating: 0, count: 256)
        var x = x0
        for r in 0..<n {
            let y = ys[r] & 15, z = x ^ y
            m[r, 0] = KoalaBear(x)
            m[r, 1] = KoalaBear(y)
            m[r, 2] = KoalaBear(z)
            counts[Int((x << 4) | y) & 255] += 1
            x = z
        }
        for (i, c) in counts.enumerated() { m[i, 3] = KoalaBear(c) }
        return (m, [KoalaBear(x0), m[n - 1, 2]])
    }
}
