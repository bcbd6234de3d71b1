import KoalaBear
import STARK

/// The 16-bit range table: the preprocessed column holds 0 … 2^16 − 1, the main column how
/// often each value was looked up on ``VMBus/range16``. A value v on that bus is then known to
/// satisfy 0 ≤ v < 2^16.
public struct Range16Chip: AIR {
    public static let logHeight = 16
    public init() {}
    public var name: String { "range16" }
    public var mainWidth: Int { 1 }
    public var preprocessedWidth: Int { 1 }

    public func preprocessedTrace(logHeight: Int) -> ColumnMatrix? {
        guard logHeight == Range16Chip.logHeight else { return nil }
        return ColumnMatrix(columns: [(0..<(1 << logHeight)).map { KoalaBear(UInt32($0)) }])
    }

    public func constraints(_ b: ConstraintBuilder) {
        b.receive(VMBus.range16, values: [b.preprocessed(0)], multiplicity: b.main(0))
    }

    /// The multiplicity column for `counts[v]` lookups of each v.
    public static func trace(counts: [UInt32]) -> ColumnMatrix {
        precondition(counts.count == 1 << logHeight)
        return ColumnMatrix(columns: [counts.map { KoalaBear($0) }])
    }
}

/// The byte operations the byte table answers.
public enum ByteOp: UInt32, CaseIterable, Sendable {
    case and = 0, or = 1, xor = 2
    /// 1 when a < b (unsigned), else 0.
    case lessThan = 3
    /// 0: the lookup only shows that a and b are bytes.
    case range = 4

    public func apply(_ a: UInt32, _ b: UInt32) -> UInt32 {
        switch self {
        case .and: return a & b
        case .or: return a | b
        case .xor: return a ^ b
        case .lessThan: return a < b ? 1 : 0
        case .range: return 0
        }
    }
}

/// The byte table: one preprocessed row per pair (a, b) of bytes with a, b and each
/// ``ByteOp``'s result; one multiplicity column per operation. A tuple (op, a, b, c) on
/// ``VMBus/byte`` then proves a and b are bytes and c = a op b.
public struct ByteChip: AIR {
    public static let logHeight = 16
    public init() {}
    public var name: String { "byte" }
    public var mainWidth: Int { ByteOp.allCases.count }
    public var preprocessedWidth: Int { 2 + ByteOp.allCases.count }

    public func preprocessedTrace(logHeight: Int) -> ColumnMatrix? {
        guard logHeight == ByteChip.logHeight else { return nil }
        let n = 1 << logHeight
        var m = ColumnMatrix(width: preprocessedWidth, height: n)
        for r in 0..<n {
            let a = UInt32(r >> 8), b = UInt32(r & 255)
            m[r, 0] = KoalaBear(a)
            m[r, 1] = KoalaBear(b)
            for op in ByteOp.allCases { m[r, 2 + Int(op.rawValue)] = KoalaBear(op.apply(a, b)) }
        }
        return m
    }

    public func constraints(_ b: ConstraintBuilder) {
        for op in ByteOp.allCases {
            let k = Int(op.rawValue)
            b.receive(VMBus.byte, values: [Expr(KoalaBear(op.rawValue)), b.preprocessed(0), b.preprocessed(1), b.preprocessed(2 + k)],
                      multiplicity: b.main(k))
        }
    }

    /// The multiplicity columns for `counts[op][a·256 + b]` lookups.
    public static func trace(counts: [[UInt32]]) -> ColumnMatrix {
        precondition(counts.count == ByteOp.allCases.count && counts.allSatisfy { $0.count == 1 << logHeight })
        return ColumnMatrix(columns: counts.map { $0.map { KoalaBear($0) } })
    }
}

/// Collects the lookups a trace makes into the tables' multiplicities.
public struct LookupCounts: Sendable {
    public var range16 = [UInt32](repeating: 0, count: 1 << Range16Chip.logHeight)
    public var byte = [[UInt32]](repeating: [UInt32](repeating: 0, count: 1 << ByteChip.logHeight), count: ByteOp.allCases.count)

    public init() {}

    public mutating func range(_ v: UInt32) {
        precondition(v < 1 << 16, "range16 lookup of \(v)")
        range16[Int(v)] += 1
    }

    public mutating func byteOp(_ op: ByteOp, _ a: UInt32, _ b: UInt32) {
        precondition(a < 256 && b < 256, "byte lookup of (\(a), \(b))")
        byte[Int(op.rawValue)][Int(a << 8 | b)] += 1
    }

    /// The tables that answered lookups, as machine tables (a table nobody used is left out).
    public var tables: [MachineTable] {
        var out: [MachineTable] = []
        if range16.contains(where: { $0 != 0 }) {
            out.append(MachineTable(air: Range16Chip(), trace: Range16Chip.trace(counts: range16)))
        }
        if byte.contains(where: { $0.contains { $0 != 0 } }) {
            out.append(MachineTable(air: ByteChip(), trace: ByteChip.trace(counts: byte)))
        }
        return out
    }
}
