import KoalaBear

/// An algebraic intermediate representation: a trace of `mainWidth` columns (plus optional
/// preprocessed columns fixed by the AIR itself), the polynomial constraints its rows satisfy,
/// and the lookups it makes.
///
/// Implement `constraints(_:)` with a `ConstraintBuilder`: it is run once to build a symbolic
/// constraint system that the prover evaluates over the LDE domain and the verifier at the
/// out-of-domain point, so one definition serves both.
public protocol AIR: Sendable {
    /// A name, bound into the transcript (with the constraint system's structure).
    var name: String { get }
    /// Number of main trace columns.
    var mainWidth: Int { get }
    /// Number of preprocessed columns (default 0).
    var preprocessedWidth: Int { get }
    /// Number of public inputs (default 0).
    var publicInputCount: Int { get }
    /// The preprocessed columns for a trace of 2^logHeight rows (default: none). They are
    /// committed once, at setup; the commitment is part of the verifying key.
    func preprocessedTrace(logHeight: Int) -> ColumnMatrix?
    /// Declares the constraints and lookups.
    func constraints(_ builder: ConstraintBuilder)
}

extension AIR {
    public var preprocessedWidth: Int { 0 }
    public var publicInputCount: Int { 0 }
    public func preprocessedTrace(logHeight: Int) -> ColumnMatrix? { nil }
}

/// The rows a constraint applies to.
public enum RowScope: UInt8, Sendable, Hashable {
    /// Every row (a next-row reference wraps from the last row to the first).
    case everyRow = 0
    /// Every row but the last (for constraints between a row and the next).
    case transition = 1
    /// The first row only.
    case firstRow = 2
    /// The last row only.
    case lastRow = 3
}

/// A symbolic polynomial expression over trace cells, public inputs and constants.
/// Build with `ConstraintBuilder`'s accessors, integer literals and `+`, `-`, `*`.
public struct Expr: Sendable, ExpressibleByIntegerLiteral {
    let node: ExprNode

    init(_ node: ExprNode) { self.node = node }

    /// A constant.
    public init(_ c: KoalaBear) { node = ExprNode(.constant(c)) }

    /// A constant.
    public init(integerLiteral v: Int) { self.init(KoalaBear(v)) }

    public static func + (a: Expr, b: Expr) -> Expr { Expr(ExprNode(.add, a.node, b.node)) }
    public static func - (a: Expr, b: Expr) -> Expr { Expr(ExprNode(.sub, a.node, b.node)) }
    public static func * (a: Expr, b: Expr) -> Expr { Expr(ExprNode(.mul, a.node, b.node)) }
    public static prefix func - (a: Expr) -> Expr { Expr(ExprNode(.neg, a.node, nil)) }
    public static func + (a: Expr, b: KoalaBear) -> Expr { a + Expr(b) }
    public static func - (a: Expr, b: KoalaBear) -> Expr { a - Expr(b) }
    public static func * (a: Expr, b: KoalaBear) -> Expr { a * Expr(b) }
    public static func += (a: inout Expr, b: Expr) { a = a + b }
    public static func -= (a: inout Expr, b: Expr) { a = a - b }
    public static func *= (a: inout Expr, b: Expr) { a = a * b }

    /// Σ of the expressions (0 for none).
    public static func sum(_ xs: [Expr]) -> Expr {
        guard var acc = xs.first else { return 0 }
        for x in xs.dropFirst() { acc = acc + x }
        return acc
    }
}

/// Leaf and operator kinds of the expression graph.
enum ExprKind: Hashable, Sendable {
    case constant(KoalaBear)
    case main(column: Int, next: Bool)
    case preprocessed(column: Int, next: Bool)
    case publicInput(Int)
    /// Internal (LogUp): an extension-valued auxiliary column.
    case aux(column: Int, next: Bool)
    /// Internal (LogUp): a verifier challenge (0: α, 1: β).
    case challenge(Int)
    /// Internal (LogUp): the claimed total of the running sum.
    case cumulativeSum
    case add, sub, mul, neg
}

/// An immutable node of an expression tree (shared subtrees are shared objects).
final class ExprNode: Sendable {
    let kind: ExprKind
    let lhs: ExprNode?
    let rhs: ExprNode?

    init(_ kind: ExprKind, _ lhs: ExprNode? = nil, _ rhs: ExprNode? = nil) {
        self.kind = kind
        self.lhs = lhs
        self.rhs = rhs
    }
}

/// One side of a lookup: `values` (a tuple) enters bus `bus` with `multiplicity` copies,
/// positively for `send`, negatively for `receive`. A bus balances when every tuple is sent
/// as often as it is received, summed over all rows.
public struct LookupInteraction: Sendable {
    /// The bus (lookup argument) this interaction belongs to.
    public var bus: Int
    /// The tuple.
    public var values: [Expr]
    /// How many copies (a field element per row).
    public var multiplicity: Expr
    /// True for `send` (adds), false for `receive` (subtracts).
    public var isSend: Bool
}

/// Collects an AIR's constraints and lookups. Row accessors give symbolic cells.
public final class ConstraintBuilder {
    struct Constraint {
        var expr: Expr
        var scope: RowScope
        var label: String
    }

    let mainWidth: Int
    let preprocessedWidth: Int
    let publicInputCount: Int
    var constraints: [Constraint] = []
    var interactions: [LookupInteraction] = []
    var errors: [String] = []

    init(mainWidth: Int, preprocessedWidth: Int, publicInputCount: Int) {
        self.mainWidth = mainWidth
        self.preprocessedWidth = preprocessedWidth
        self.publicInputCount = publicInputCount
    }

    /// Main column `c` on the current row.
    public func main(_ c: Int) -> Expr {
        if c < 0 || c >= mainWidth { errors.append("main column \(c) out of range 0..<\(mainWidth)") }
        return Expr(ExprNode(.main(column: c, next: false)))
    }

    /// Main column `c` on the next row.
    public func mainNext(_ c: Int) -> Expr {
        if c < 0 || c >= mainWidth { errors.append("main column \(c) out of range 0..<\(mainWidth)") }
        return Expr(ExprNode(.main(column: c, next: true)))
    }

    /// Preprocessed column `c` on the current row.
    public func preprocessed(_ c: Int) -> Expr {
        if c < 0 || c >= preprocessedWidth {
            errors.append("preprocessed column \(c) out of range 0..<\(preprocessedWidth)")
        }
        return Expr(ExprNode(.preprocessed(column: c, next: false)))
    }

    /// Preprocessed column `c` on the next row.
    public func preprocessedNext(_ c: Int) -> Expr {
        if c < 0 || c >= preprocessedWidth {
            errors.append("preprocessed column \(c) out of range 0..<\(preprocessedWidth)")
        }
        return Expr(ExprNode(.preprocessed(column: c, next: true)))
    }

    /// Public input `i`.
    public func publicInput(_ i: Int) -> Expr {
        if i < 0 || i >= publicInputCount { errors.append("public input \(i) out of range 0..<\(publicInputCount)") }
        return Expr(ExprNode(.publicInput(i)))
    }

    /// Requires `e` = 0 on the rows of `scope`.
    public func assertZero(_ e: Expr, on scope: RowScope = .everyRow, label: String? = nil) {
        constraints.append(Constraint(expr: e, scope: scope, label: label ?? "#\(constraints.count)"))
    }

    /// Requires `a` = `b` on the rows of `scope`.
    public func assertEqual(_ a: Expr, _ b: Expr, on scope: RowScope = .everyRow, label: String? = nil) {
        assertZero(a - b, on: scope, label: label)
    }

    /// Requires `e` ∈ {0, 1} on the rows of `scope`.
    public func assertBoolean(_ e: Expr, on scope: RowScope = .everyRow, label: String? = nil) {
        assertZero(e * (e - 1), on: scope, label: label)
    }

    /// Puts `multiplicity` copies of the tuple `values` on `bus` (current-row expressions).
    public func send(_ bus: Bus, values: [Expr], multiplicity: Expr = 1) {
        interactions.append(LookupInteraction(bus: bus.id, values: values, multiplicity: multiplicity, isSend: true))
    }

    /// Takes `multiplicity` copies of the tuple `values` off `bus` (current-row expressions).
    public func receive(_ bus: Bus, values: [Expr], multiplicity: Expr = 1) {
        interactions.append(LookupInteraction(bus: bus.id, values: values, multiplicity: multiplicity, isSend: false))
    }
}
