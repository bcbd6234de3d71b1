import KoalaBear

/// A column-major matrix seen through a raw pointer (the caller keeps the storage alive).
struct MatrixView: @unchecked Sendable {
    var base: UnsafePointer<KoalaBear>?
    var height: Int

    static let empty = MatrixView(base: nil, height: 0)

    @inline(__always)
    func column(_ c: Int) -> UnsafePointer<KoalaBear> { base! + c * height }
}

/// The values expression leaves read besides trace cells.
struct EvalInputs: Sendable {
    var publicInputs: [KoalaBear]
    var challenges: [KoalaBearExt]
    var cumulativeSum: KoalaBearExt
}

/// A register program for evaluating a set of output nodes of a `ConstraintSystem` over
/// many points at once: each instruction loops over a chunk of points, so interpretation
/// overhead is paid once per chunk, and the loops are plain array kernels. Base and extension
/// values live in separate register files; registers are reused once their value is dead.
struct BatchProgram: Sendable {
    enum Instr: Sendable {
        case loadMain(d: Int, col: Int, next: Bool)
        case loadPre(d: Int, col: Int, next: Bool)
        case loadAux(d: Int, col: Int, next: Bool)
        case constB(d: Int, v: KoalaBear)
        case constE(d: Int, v: KoalaBearExt)
        case publicInput(d: Int, i: Int)
        case challenge(d: Int, i: Int)
        case cumulativeSum(d: Int)
        case addBB(d: Int, a: Int, b: Int)
        case subBB(d: Int, a: Int, b: Int)
        case mulBB(d: Int, a: Int, b: Int)
        case negB(d: Int, a: Int)
        case addEE(d: Int, a: Int, b: Int)
        case subEE(d: Int, a: Int, b: Int)
        case mulEE(d: Int, a: Int, b: Int)
        case negE(d: Int, a: Int)
        case addEB(d: Int, a: Int, b: Int)
        case subEB(d: Int, a: Int, b: Int)
        case subBE(d: Int, a: Int, b: Int)
        case mulEB(d: Int, a: Int, b: Int)
    }

    var instrs: [Instr] = []
    var baseRegisters = 0
    var extRegisters = 0
    /// Register of each output, and whether it is extension valued.
    var outputs: [(reg: Int, isExt: Bool)] = []

    /// Compiles the evaluation of `outputNodes` (node indices of `system`).
    init(system: ConstraintSystem, outputNodes: [Int]) {
        let nodes = system.nodes
        // Needed nodes and their last use.
        var needed = [Bool](repeating: false, count: nodes.count)
        var stack = outputNodes
        while let i = stack.popLast() {
            if needed[i] { continue }
            needed[i] = true
            if nodes[i].a >= 0 { stack.append(nodes[i].a) }
            if nodes[i].b >= 0 { stack.append(nodes[i].b) }
        }
        var lastUse = [Int](repeating: -1, count: nodes.count)
        for i in nodes.indices where needed[i] {
            if nodes[i].a >= 0 { lastUse[nodes[i].a] = i }
            if nodes[i].b >= 0 { lastUse[nodes[i].b] = i }
        }
        var pinned = [Bool](repeating: false, count: nodes.count)
        for o in outputNodes { pinned[o] = true }
        var freeB: [Int] = [], freeE: [Int] = []
        var reg = [Int](repeating: -1, count: nodes.count)
        var nB = 0, nE = 0
        for i in nodes.indices where needed[i] {
            let n = nodes[i]
            let d: Int
            if n.isExt {
                d = freeE.popLast() ?? { nE += 1; return nE - 1 }()
            } else {
                d = freeB.popLast() ?? { nB += 1; return nB - 1 }()
            }
            reg[i] = d
            let ra = n.a >= 0 ? reg[n.a] : -1, rb = n.b >= 0 ? reg[n.b] : -1
            let ea = n.a >= 0 && nodes[n.a].isExt, eb = n.b >= 0 && nodes[n.b].isExt
            switch n.kind {
            case .constant(let c): instrs.append(.constB(d: d, v: c))
            case .main(let c, let nx): instrs.append(.loadMain(d: d, col: c, next: nx))
            case .preprocessed(let c, let nx): instrs.append(.loadPre(d: d, col: c, next: nx))
            case .publicInput(let k): instrs.append(.publicInput(d: d, i: k))
            case .aux(let c, let nx): instrs.append(.loadAux(d: d, col: c, next: nx))
            case .challenge(let k): instrs.append(.challenge(d: d, i: k))
            case .cumulativeSum: instrs.append(.cumulativeSum(d: d))
            case .add:
                switch (ea, eb) {
                case (false, false): instrs.append(.addBB(d: d, a: ra, b: rb))
                case (true, true): instrs.append(.addEE(d: d, a: ra, b: rb))
                case (true, false): instrs.append(.addEB(d: d, a: ra, b: rb))
                case (false, true): instrs.append(.addEB(d: d, a: rb, b: ra))
                }
            case .sub:
                switch (ea, eb) {
                case (false, false): instrs.append(.subBB(d: d, a: ra, b: rb))
                case (true, true): instrs.append(.subEE(d: d, a: ra, b: rb))
                case (true, false): instrs.append(.subEB(d: d, a: ra, b: rb))
                case (false, true): instrs.append(.subBE(d: d, a: ra, b: rb))
                }
            case .mul:
                switch (ea, eb) {
                case (false, false): instrs.append(.mulBB(d: d, a: ra, b: rb))
                case (true, true): instrs.append(.mulEE(d: d, a: ra, b: rb))
                case (true, false): instrs.append(.mulEB(d: d, a: ra, b: rb))
                case (false, true): instrs.append(.mulEB(d: d, a: rb, b: ra))
                }
            case .neg:
                instrs.append(ea ? .negE(d: d, a: ra) : .negB(d: d, a: ra))
            }
            // Free operands whose last use is this node (after allocating d, so an operand's
            // register is never the destination: kernels may then read and write freely).
            for c in [n.a, n.b] where c >= 0 && lastUse[c] == i && !pinned[c] {
                if nodes[c].isExt { if !freeE.contains(reg[c]) { freeE.append(reg[c]) } } else if !freeB.contains(reg[c]) {
                    freeB.append(reg[c])
                }
            }
            if lastUse[i] < 0 && !pinned[i] {
                if n.isExt { freeE.append(d) } else { freeB.append(d) }
            }
        }
        baseRegisters = nB
        extRegisters = nE
        outputs = outputNodes.map { (reg[$0], nodes[$0].isExt) }
    }

    /// Scratch registers for one thread and chunk size.
    struct Registers {
        let chunk: Int
        let base: UnsafeMutablePointer<KoalaBear>
        let ext: UnsafeMutablePointer<KoalaBearExt>

        init(program: BatchProgram, chunk: Int) {
            self.chunk = chunk
            base = .allocate(capacity: Swift.max(1, program.baseRegisters * chunk))
            ext = .allocate(capacity: Swift.max(1, program.extRegisters * chunk))
            base.initialize(repeating: .zero, count: Swift.max(1, program.baseRegisters * chunk))
            ext.initialize(repeating: .zero, count: Swift.max(1, program.extRegisters * chunk))
        }

        func free() {
            base.deallocate()
            ext.deallocate()
        }

        @inline(__always) func b(_ r: Int) -> UnsafeMutablePointer<KoalaBear> { base + r * chunk }
        @inline(__always) func e(_ r: Int) -> UnsafeMutablePointer<KoalaBearExt> { ext + r * chunk }
    }

    /// Runs the program on `len` points: the current row of point k is row `cur[k]` of the
    /// source matrices, its next row `next[k]`.
    func run(len: Int, cur: UnsafePointer<Int>, next: UnsafePointer<Int>, main: MatrixView, pre: MatrixView,
             aux: MatrixView, inputs: EvalInputs, regs: Registers) {
        for ins in instrs {
            switch ins {
            case .loadMain(let d, let c, let nx):
                let src = main.column(c), dst = regs.b(d), idx = nx ? next : cur
                for k in 0..<len { dst[k] = src[idx[k]] }
            case .loadPre(let d, let c, let nx):
                let src = pre.column(c), dst = regs.b(d), idx = nx ? next : cur
                for k in 0..<len { dst[k] = src[idx[k]] }
            case .loadAux(let d, let c, let nx):
                let s0 = aux.column(4 * c), s1 = aux.column(4 * c + 1), s2 = aux.column(4 * c + 2)
                let s3 = aux.column(4 * c + 3)
                let dst = regs.e(d), idx = nx ? next : cur
                for k in 0..<len {
                    let r = idx[k]
                    dst[k] = KoalaBearExt(s0[r], s1[r], s2[r], s3[r])
                }
            case .constB(let d, let v):
                let dst = regs.b(d)
                for k in 0..<len { dst[k] = v }
            case .constE(let d, let v):
                let dst = regs.e(d)
                for k in 0..<len { dst[k] = v }
            case .publicInput(let d, let i):
                let dst = regs.b(d), v = inputs.publicInputs[i]
                for k in 0..<len { dst[k] = v }
            case .challenge(let d, let i):
                let dst = regs.e(d), v = inputs.challenges[i]
                for k in 0..<len { dst[k] = v }
            case .cumulativeSum(let d):
                let dst = regs.e(d), v = inputs.cumulativeSum
                for k in 0..<len { dst[k] = v }
            case .addBB(let d, let a, let b):
                let x = regs.b(a), y = regs.b(b), z = regs.b(d)
                for k in 0..<len { z[k] = x[k] + y[k] }
            case .subBB(let d, let a, let b):
                let x = regs.b(a), y = regs.b(b), z = regs.b(d)
                for k in 0..<len { z[k] = x[k] - y[k] }
            case .mulBB(let d, let a, let b):
                let x = regs.b(a), y = regs.b(b), z = regs.b(d)
                for k in 0..<len { z[k] = x[k] * y[k] }
            case .negB(let d, let a):
                let x = regs.b(a), z = regs.b(d)
                for k in 0..<len { z[k] = -x[k] }
            case .addEE(let d, let a, let b):
                let x = regs.e(a), y = regs.e(b), z = regs.e(d)
                for k in 0..<len { z[k] = x[k] + y[k] }
            case .subEE(let d, let a, let b):
                let x = regs.e(a), y = regs.e(b), z = regs.e(d)
                for k in 0..<len { z[k] = x[k] - y[k] }
            case .mulEE(let d, let a, let b):
                let x = regs.e(a), y = regs.e(b), z = regs.e(d)
                for k in 0..<len { z[k] = x[k] * y[k] }
            case .negE(let d, let a):
                let x = regs.e(a), z = regs.e(d)
                for k in 0..<len { z[k] = -x[k] }
            case .addEB(let d, let a, let b):
                let x = regs.e(a), y = regs.b(b), z = regs.e(d)
                for k in 0..<len { z[k] = x[k] + y[k] }
            case .subEB(let d, let a, let b):
                let x = regs.e(a), y = regs.b(b), z = regs.e(d)
                for k in 0..<len { z[k] = x[k] - y[k] }
            case .subBE(let d, let a, let b):
                let x = regs.b(a), y = regs.e(b), z = regs.e(d)
                for k in 0..<len { z[k] = x[k] - y[k] }
            case .mulEB(let d, let a, let b):
                let x = regs.e(a), y = regs.b(b), z = regs.e(d)
                for k in 0..<len { z[k] = x[k] * y[k] }
            }
        }
    }
}
