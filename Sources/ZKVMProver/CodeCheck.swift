import KoalaBear
import RISCV
import STARK

/// "This address is not in the code", for the tables that write memory (stores, HINT_READ's
/// buffers): x ≥ codeEnd (side g = 1) or below − x ≥ 0 (g = 0), where `below` is the highest
/// address under the code x can take (codeStart − 1 for byte addresses, codeStart − 4 for
/// word addresses). The difference is split in range-checked 16-bit limbs with a borrow between
/// them, so it is a non-negative 32-bit integer. The table's public inputs 0 … 3 are below and
/// codeEnd as limbs.
enum CodeCheck {
    /// The public inputs for `program` with addresses in steps of `step` bytes.
    static func publicInputs(program: Program, step: UInt32) -> [KoalaBear] {
        let below = program.codeStart &- step, end = program.codeEnd
        return [below & 0xffff, below >> 16, end & 0xffff, end >> 16].map { KoalaBear($0) }
    }

    /// The check on `x` (limbs) with multiplicity `m`.
    static func constraints(_ b: ConstraintBuilder, x: (Expr, Expr), side g: Expr, difference e: (Expr, Expr), borrow: Expr,
                            when m: Expr) {
        let one = Expr(1), base = Expr(KoalaBear(UInt32(1 << 16)))
        let below = (b.publicInput(0), b.publicInput(1)), end = (b.publicInput(2), b.publicInput(3))
        let d0 = g * (x.0 - end.0) + (one - g) * (below.0 - x.0)
        let d1 = g * (x.1 - end.1) + (one - g) * (below.1 - x.1)
        b.assertZero(m * (d0 - e.0 + borrow * base), label: "code check, low limb")
        b.assertZero(m * (d1 - borrow - e.1), label: "code check, high limb")
        b.send(VMBus.range16, values: [e.0], multiplicity: m)
        b.send(VMBus.range16, values: [e.1], multiplicity: m)
    }

    /// The check's cells for `x` (side, borrow, difference limbs); records the range checks.
    static func witness(_ x: UInt32, program: Program, step: UInt32, counts: inout LookupCounts)
        -> (side: UInt32, borrow: UInt32, low: UInt32, high: UInt32) {
        let below = program.codeStart &- step, end = program.codeEnd
        let above = x >= end
        let (hi, lo) = above ? (x, end) : (below, x)
        let diff = hi &- lo
        counts.range(diff & 0xffff)
        counts.range(diff >> 16)
        return (above ? 1 : 0, (hi & 0xffff) < (lo & 0xffff) ? 1 : 0, diff & 0xffff, diff >> 16)
    }
}
