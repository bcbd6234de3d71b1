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
}
