import Hashing
import KoalaBear

/// An AIR compiled into a deduplicated expression graph (nodes in topological order) with
/// typed nodes (base or extension valued), degrees, the constraint outputs with their row
/// scopes, the LogUp layout, and the quotient degree. Both prover and verifier build it from
/// the AIR; its digest is bound into the transcript.
public struct ConstraintSystem: Sendable {
    struct Node: Sendable {
        var kind: ExprKind
        var a: Int
        var b: Int
        var isExt: Bool
        var degree: Int
    }

    struct Output: Sendable {
        var node: Int
        var scope: RowScope
        var label: String
    }

    struct Interaction: Sendable {
        var bus: Int
        var values: [Int]
        var multiplicity: Int
        var isSend: Bool
    }

    /// The AIR's name.
    public let name: String
    /// Main trace columns.
    public let mainWidth: Int
    /// Preprocessed columns.
    public let preprocessedWidth: Int
    /// Public inputs.
    public let publicInputCount: Int
    let nodes: [Node]
    /// Constraint outputs: the AIR's own first, then the LogUp constraints.
    let outputs: [Output]
    /// How many of `outputs` the AIR declared (the rest are LogUp's).
    public let userConstraintCount: Int
    let interactions: [Interaction]
    /// Interaction indices per LogUp helper column.
    let groups: [[Int]]
    /// log2 of the number of quotient chunks (each of degree < trace height).
    public let logQuotientChunks: Int
    /// Columns referenced on the next row (these are also opened at ζ·ω).
    let mainNext: [Int]
    let preprocessedNext: [Int]
    let auxNext: [Int]
    /// Hash of the whole structure.
    public let digest: Digest

    /// Number of lookup interactions per row.
    public var interactionCount: Int { interactions.count }
    /// True if the AIR makes lookups (and so has an auxiliary LogUp trace).
    public var hasLookups: Bool { !interactions.isEmpty }
    /// Extension-valued auxiliary columns: one helper per interaction group, then the running sum.
    public var auxWidth: Int { hasLookups ? groups.count + 1 : 0 }
    /// Number of constraints in total.
    public var constraintCount: Int { outputs.count }
    /// The longest tuple an interaction puts on a bus (values, the bus id not counted).
    public var maxTupleLength: Int { interactions.map(\.values.count).max() ?? 0 }
    /// Number of quotient chunks.
    public var quotientChunks: Int { 1 << logQuotientChunks }
    /// The largest constraint degree (counting a first/last-row selector as degree 1).
    public let maxEffectiveDegree: Int

    /// Number of out-of-domain values in a proof.
    var oodCount: Int {
        mainWidth + preprocessedWidth + auxWidth + quotientChunks + mainNext.count + preprocessedNext.count + auxNext.count
    }

    /// Compiles `air`.
    public init<A: AIR>(air: A) throws(StarkError) {
        guard air.mainWidth >= 1 else { throw .invalidAIR("an AIR needs at least one main column") }
        guard air.preprocessedWidth >= 0, air.publicInputCount >= 0 else { throw .invalidAIR("negative width") }
        let b = ConstraintBuilder(mainWidth: air.mainWidth, preprocessedWidth: air.preprocessedWidth,
                                  publicInputCount: air.publicInputCount)
        air.constraints(b)
        if let e = b.errors.first { throw .invalidAIR(e) }
        guard !b.constraints.isEmpty || !b.interactions.isEmpty else {
            throw .invalidAIR("the AIR declares no constraints and no lookups")
        }
        name = air.name
        mainWidth = air.mainWidth
        preprocessedWidth = air.preprocessedWidth
        publicInputCount = air.publicInputCount

        var g = Interner()
        var outs: [Output] = []
        for c in b.constraints {
            outs.append(Output(node: g.intern(c.expr.node), scope: c.scope, label: c.label))
        }
        userConstraintCount = outs.count
        func effective(_ o: Output, _ nodes: [Node]) -> Int {
            nodes[o.node].degree + (o.scope == .firstRow || o.scope == .lastRow ? 1 : 0)
        }
        let userMax = outs.map { effective($0, g.nodes) }.max() ?? 0

        // Lookups.
        var inters: [Interaction] = []
        for i in b.interactions {
            guard i.bus >= 0 && i.bus < (1 << 30) else { throw .invalidAIR("lookup bus id \(i.bus) out of range") }
            guard !i.values.isEmpty else { throw .invalidAIR("a lookup needs at least one value") }
            let vs = i.values.map { g.intern($0.node) }
            let m = g.intern(i.multiplicity.node)
            for n in vs + [m] where g.usesNextRow(n) {
                throw .invalidAIR("lookup expressions may only use the current row")
            }
            inters.append(Interaction(bus: i.bus, values: vs, multiplicity: m, isSend: i.isSend))
        }
        interactions = inters
        var grps: [[Int]] = []
        if !inters.isEmpty {
            // Group interactions so a helper constraint's degree stays within the AIR's own.
            let allowed = Swift.max(userMax, 2)
            func fpDegree(_ k: Int) -> Int { inters[k].values.map { g.nodes[$0].degree }.max() ?? 0 }
            func groupDegree(_ grp: [Int]) -> Int {
                let dens = grp.map(fpDegree)
                let total = dens.reduce(0, +)
                var d = total + 1
                for (j, k) in grp.enumerated() { d = Swift.max(d, g.nodes[inters[k].multiplicity].degree + total - dens[j]) }
                return d
            }
            var current: [Int] = []
            for k in inters.indices {
                if current.isEmpty || groupDegree(current + [k]) <= allowed {
                    current.append(k)
                } else {
                    grps.append(current)
                    current = [k]
                }
            }
            grps.append(current)

            // LogUp constraints over the extension.
            let alpha = Expr(ExprNode(.challenge(0))), beta = Expr(ExprNode(.challenge(1)))
            let maxLen = inters.map(\.values.count).max() ?? 1
            var betaPowers: [Expr] = [beta]
            while betaPowers.count < maxLen { betaPowers.append(betaPowers[betaPowers.count - 1] * beta) }
            func den(_ k: Int) -> Expr {
                let inter = b.interactions[k]
                var fp = Expr(KoalaBear(inter.bus))
                for (j, v) in inter.values.enumerated() { fp = fp + betaPowers[j] * v }
                return alpha - fp
            }
            let dens = inters.indices.map(den)
            let gCount = grps.count
            func aux(_ c: Int, next: Bool = false) -> Expr { Expr(ExprNode(.aux(column: c, next: next))) }
            for (gi, grp) in grps.enumerated() {
                var prod = aux(gi)
                for k in grp { prod = prod * dens[k] }
                var rhs: Expr?
                for k in grp {
                    var term = b.interactions[k].multiplicity
                    for j in grp where j != k { term = term * dens[j] }
                    if !b.interactions[k].isSend { term = -term }
                    rhs = rhs.map { $0 + term } ?? term
                }
                outs.append(Output(node: g.intern((prod - rhs!).node), scope: .everyRow, label: "LogUp helper \(gi)"))
            }
            let s = aux(gCount)
            let hSum = Expr.sum((0..<gCount).map { aux($0) })
            let hSumNext = Expr.sum((0..<gCount).map { aux($0, next: true) })
            outs.append(Output(node: g.intern((s - hSum).node), scope: .firstRow, label: "LogUp running sum start"))
            outs.append(Output(node: g.intern((aux(gCount, next: true) - s - hSumNext).node), scope: .transition,
                               label: "LogUp running sum step"))
            outs.append(Output(node: g.intern((s - Expr(ExprNode(.cumulativeSum))).node), scope: .lastRow,
                               label: "LogUp running sum total"))
        }
        groups = grps
        nodes = g.nodes
        outputs = outs

        let maxEff = outs.map { effective($0, g.nodes) }.max() ?? 1
        maxEffectiveDegree = maxEff
        let chunks = Swift.max(1, maxEff - 1)
        var logD = 0
        while (1 << logD) < chunks { logD += 1 }
        logQuotientChunks = logD

        var mn = Set<Int>(), pn = Set<Int>(), an = Set<Int>()
        for n in g.nodes {
            switch n.kind {
            case .main(let c, true): mn.insert(c)
            case .preprocessed(let c, true): pn.insert(c)
            case .aux(let c, true): an.insert(c)
            default: break
            }
        }
        mainNext = mn.sorted()
        preprocessedNext = pn.sorted()
        auxNext = an.sorted()
        digest = ConstraintSystem.computeDigest(name: air.name, mainWidth: air.mainWidth,
                                                preprocessedWidth: air.preprocessedWidth,
                                                publicInputCount: air.publicInputCount, nodes: g.nodes,
                                                outputs: outs, interactions: inters, groups: grps)
    }

    private static func computeDigest(name: String, mainWidth: Int, preprocessedWidth: Int, publicInputCount: Int,
                                      nodes: [Node], outputs: [Output], interactions: [Interaction],
                                      groups: [[Int]]) -> Digest {
        var w = ByteWriter()
        w.bytes(Array("ProverNet AIR v1".utf8))
        w.u32(UInt32(name.utf8.count))
        w.bytes(Array(name.utf8))
        w.u32(UInt32(mainWidth))
        w.u32(UInt32(preprocessedWidth))
        w.u32(UInt32(publicInputCount))
        w.u32(UInt32(nodes.count))
        for n in nodes {
            switch n.kind {
            case .constant(let c): w.u8(0); w.u32(c.value)
            case .main(let c, let nx): w.u8(1); w.u32(UInt32(c)); w.u8(nx ? 1 : 0)
            case .preprocessed(let c, let nx): w.u8(2); w.u32(UInt32(c)); w.u8(nx ? 1 : 0)
            case .publicInput(let i): w.u8(3); w.u32(UInt32(i))
            case .aux(let c, let nx): w.u8(4); w.u32(UInt32(c)); w.u8(nx ? 1 : 0)
            case .challenge(let i): w.u8(5); w.u32(UInt32(i))
            case .cumulativeSum: w.u8(6)
            case .add: w.u8(7); w.u32(UInt32(n.a)); w.u32(UInt32(n.b))
            case .sub: w.u8(8); w.u32(UInt32(n.a)); w.u32(UInt32(n.b))
            case .mul: w.u8(9); w.u32(UInt32(n.a)); w.u32(UInt32(n.b))
            case .neg: w.u8(10); w.u32(UInt32(n.a))
            }
        }
        w.u32(UInt32(outputs.count))
        for o in outputs {
            w.u32(UInt32(o.node))
            w.u8(o.scope.rawValue)
        }
        w.u32(UInt32(interactions.count))
        for i in interactions {
            w.u32(UInt32(i.bus))
            w.u8(i.isSend ? 1 : 0)
            w.u32(UInt32(i.multiplicity))
            w.u32(UInt32(i.values.count))
            for v in i.values { w.u32(UInt32(v)) }
        }
        w.u32(UInt32(groups.count))
        for grp in groups {
            w.u32(UInt32(grp.count))
            for k in grp { w.u32(UInt32(k)) }
        }
        return Digest(bytes: SHA256.hash(w.data))
    }

    // MARK: Evaluation at one point (the verifier's side)

    /// Values the expression leaves take at one point.
    struct PointValues {
        var main: [KoalaBearExt]
        var mainNext: [KoalaBearExt]  // indexed by column (only next-used columns are meaningful)
        var preprocessed: [KoalaBearExt]
        var preprocessedNext: [KoalaBearExt]
        var aux: [KoalaBearExt]
        var auxNext: [KoalaBearExt]
        var publicInputs: [KoalaBear]
        var challenges: [KoalaBearExt]
        var cumulativeSum: KoalaBearExt
    }

    /// Evaluates every constraint at one point and combines them with powers of λ per scope:
    /// returns Σ_{k in scope} λ^k·C_k for each of the four scopes.
    func combinedAtPoint(_ v: PointValues, lambda: KoalaBearExt) -> [KoalaBearExt] {
        var vals = [KoalaBearExt](repeating: .zero, count: nodes.count)
        for (i, n) in nodes.enumerated() {
            let r: KoalaBearExt
            switch n.kind {
            case .constant(let c): r = KoalaBearExt(c)
            case .main(let c, let nx): r = nx ? v.mainNext[c] : v.main[c]
            case .preprocessed(let c, let nx): r = nx ? v.preprocessedNext[c] : v.preprocessed[c]
            case .publicInput(let k): r = KoalaBearExt(v.publicInputs[k])
            case .aux(let c, let nx): r = nx ? v.auxNext[c] : v.aux[c]
            case .challenge(let k): r = v.challenges[k]
            case .cumulativeSum: r = v.cumulativeSum
            case .add: r = vals[n.a] + vals[n.b]
            case .sub: r = vals[n.a] - vals[n.b]
            case .mul: r = vals[n.a] * vals[n.b]
            case .neg: r = -vals[n.a]
            }
            vals[i] = r
        }
        var acc = [KoalaBearExt](repeating: .zero, count: 4)
        var lp = KoalaBearExt.one
        for o in outputs {
            acc[Int(o.scope.rawValue)] += lp * vals[o.node]
            lp *= lambda
        }
        return acc
    }
}

/// Hash-consing of expression trees into a DAG in topological order.
struct Interner {
    struct Key: Hashable {
        var kind: ExprKind
        var a: Int
        var b: Int
    }

    var nodes: [ConstraintSystem.Node] = []
    var table: [Key: Int] = [:]
    var memo: [ObjectIdentifier: Int] = [:]
    var keepAlive: [ExprNode] = []

    mutating func intern(_ e: ExprNode) -> Int {
        if let id = memo[ObjectIdentifier(e)] { return id }
        // Iterative post-order so deep expressions cannot overflow the stack.
        var stack: [(ExprNode, Bool)] = [(e, false)]
        var result = -1
        while let (n, expanded) = stack.popLast() {
            if memo[ObjectIdentifier(n)] != nil { continue }
            if !expanded {
                stack.append((n, true))
                if let r = n.rhs, memo[ObjectIdentifier(r)] == nil { stack.append((r, false)) }
                if let l = n.lhs, memo[ObjectIdentifier(l)] == nil { stack.append((l, false)) }
                continue
            }
            let a = n.lhs.map { memo[ObjectIdentifier($0)]! } ?? -1
            let b = n.rhs.map { memo[ObjectIdentifier($0)]! } ?? -1
            let key = Key(kind: n.kind, a: a, b: b)
            let id: Int
            if let existing = table[key] {
                id = existing
            } else {
                id = nodes.count
                var isExt = false, degree = 0
                switch n.kind {
                case .constant, .publicInput: break
                case .main, .preprocessed: degree = 1
                case .aux: isExt = true; degree = 1
                case .challenge, .cumulativeSum: isExt = true
                case .add, .sub:
                    isExt = nodes[a].isExt || nodes[b].isExt
                    degree = Swift.max(nodes[a].degree, nodes[b].degree)
                case .mul:
                    isExt = nodes[a].isExt || nodes[b].isExt
                    degree = nodes[a].degree + nodes[b].degree
                case .neg:
                    isExt = nodes[a].isExt
                    degree = nodes[a].degree
                }
                nodes.append(ConstraintSystem.Node(kind: n.kind, a: a, b: b, isExt: isExt, degree: degree))
                table[key] = id
            }
            memo[ObjectIdentifier(n)] = id
            keepAlive.append(n)  // object identities must stay unique while memoized
            result = id
        }
        return memo[ObjectIdentifier(e)] ?? result
    }

    func usesNextRow(_ id: Int) -> Bool {
        var seen = Set<Int>()
        var stack = [id]
        while let i = stack.popLast() {
            if !seen.insert(i).inserted { continue }
            let n = nodes[i]
            switch n.kind {
            case .main(_, true), .preprocessed(_, true), .aux(_, true): return true
            default: break
            }
            if n.a >= 0 { stack.append(n.a) }
            if n.b >= 0 { stack.append(n.b) }
        }
        return false
    }
}

// MARK: A public view for backends

/// One node of the compiled constraint graph, as a backend (for example a GPU kernel
/// generator) sees it. Operands are indices of earlier nodes.
public enum ConstraintNode: Sendable, Equatable {
    case constant(KoalaBear)
    case main(column: Int, nextRow: Bool)
    case preprocessed(column: Int, nextRow: Bool)
    case publicInput(Int)
    /// LogUp column (extension valued: base columns 4c … 4c+3 of the LogUp matrix).
    case logUp(column: Int, nextRow: Bool)
    /// LogUp challenge: 0 is α, 1 is β.
    case challenge(Int)
    case cumulativeSum
    case add(Int, Int)
    case sub(Int, Int)
    case mul(Int, Int)
    case neg(Int)
}

extension ConstraintSystem {
    /// The graph in topological order, with whether each node is extension valued.
    public var graph: [(node: ConstraintNode, isExtension: Bool)] {
        nodes.map { n in
            let v: ConstraintNode
            switch n.kind {
            case .constant(let c): v = .constant(c)
            case .main(let c, let nx): v = .main(column: c, nextRow: nx)
            case .preprocessed(let c, let nx): v = .preprocessed(column: c, nextRow: nx)
            case .publicInput(let i): v = .publicInput(i)
            case .aux(let c, let nx): v = .logUp(column: c, nextRow: nx)
            case .challenge(let i): v = .challenge(i)
            case .cumulativeSum: v = .cumulativeSum
            case .add: v = .add(n.a, n.b)
            case .sub: v = .sub(n.a, n.b)
            case .mul: v = .mul(n.a, n.b)
            case .neg: v = .neg(n.a)
            }
            return (v, n.isExt)
        }
    }

    /// The constraints: graph node and row scope, in the order their λ powers follow
    /// (the quotient is Σ_k λ^k·C_k·selector_k / Z_H).
    public var constraints: [(node: Int, scope: RowScope, label: String)] {
        outputs.map { ($0.node, $0.scope, $0.label) }
    }
}
