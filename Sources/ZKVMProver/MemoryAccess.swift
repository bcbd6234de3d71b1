import KoalaBear
import STARK

extension ConstraintBuilder {
    /// One access of offline memory checking, with multiplicity `m`: receives (address,
    /// previous value, previous timestamp) and sends (address, new value, timestamp) on
    /// ``VMBus/memory``; timestamp − previous − 1 = d_lo + 2^16·d_hi with d_lo and 32·d_hi
    /// range-checked (so d < 2^27 and the previous access came strictly before).
    func memoryAccess(address: Expr, previous: (Expr, Expr), value: (Expr, Expr), previousTimestamp: Expr, timestamp: Expr,
                      order: (low: Expr, high: Expr), when m: Expr, label: String = "timestamp order") {
        assertZero(m * (timestamp - previousTimestamp - 1 - order.low - order.high * KoalaBear(UInt32(1 << 16))), label: label)
        send(VMBus.range16, values: [order.low], multiplicity: m)
        send(VMBus.range16, values: [order.high * KoalaBear(32)], multiplicity: m)
        receive(VMBus.memory, values: [address, previous.0, previous.1, previousTimestamp], multiplicity: m)
        send(VMBus.memory, values: [address, value.0, value.1, timestamp], multiplicity: m)
    }

    /// The address `low + 2^16·high` (`high` range-checked to 16 bits by the caller, `top`
    /// boolean) is at most 0x7f00_0000 = p − 1, so it names one field element: `high` ≤ 0x7eff,
    /// or `top` and the address is exactly 0x7f00_0000. A wrapped address X + p would otherwise
    /// be a second name for X.
    func assertAddressInField(low: Expr, high: Expr, top: Expr, when m: Expr) {
        assertZero(top * (high - KoalaBear(0x7f00)), label: "top: high limb")
        assertZero(top * low, label: "top: low limb")
        send(VMBus.range16, values: [Expr(KoalaBear(0x7eff)) - high + top * KoalaBear(0x100)], multiplicity: m)
    }
}

extension LookupCounts {
    /// Records the range checks of ``ConstraintBuilder/memoryAccess`` for an access at
    /// `timestamp` after one at `previous`; returns the difference's limbs (d_lo, d_hi).
    mutating func timestampOrder(previous: UInt32, timestamp: UInt32) -> (low: UInt32, high: UInt32) {
        let d = timestamp - previous - 1
        range(d & 0xffff)
        range((d >> 16) * 32)
        return (d & 0xffff, d >> 16)
    }

    /// Records the range check of ``ConstraintBuilder/assertAddressInField`` for `address`;
    /// returns its `top` (1 for 0x7f00_0000).
    mutating func addressInField(_ address: UInt32) -> UInt32 {
        let top: UInt32 = address == 0x7f00_0000 ? 1 : 0
        range(0x7eff &- (address >> 16) &+ top * 0x100)
        return top
    }
}
