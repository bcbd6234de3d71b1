import KoalaBear
import RISCV
import STARK

/// Memory timestamps stay below 2^27, so that a difference of two of them never wraps around
/// the field (p ≈ 2^31) and a range check of the difference proves their order.
public let maxMemoryTimestamp: UInt32 = 1 << 27

/// Memory accesses, one per row: the word at `address` goes from (p₀, p₁), last accessed at
/// `previousTimestamp`, to (n₀, n₁) at `timestamp` (equal values for a read). Columns:
/// address, p₀ p₁ n₀ n₁, previous timestamp, timestamp, d_lo d_hi, active. On
/// ``VMBus/memory`` the row receives (address, p, previous timestamp) and sends (address, n,
/// timestamp); timestamp − previous − 1 = d_lo + 2^16·d_hi with d_lo and 32·d_hi range-checked
/// (so d < 2^27 and the previous access came strictly before); the new limbs are range-checked.
/// The CPU table will carry the same gadget for its register and data accesses.
public struct MemoryAccessChip: AIR {
    public init() {}
    public var name: String { "memory-access" }
    public var mainWidth: Int { 10 }

    public func constraints(_ b: ConstraintBuilder) {
        let addr = b.main(0), p0 = b.main(1), p1 = b.main(2), n0 = b.main(3), n1 = b.main(4)
        let prevTs = b.main(5), ts = b.main(6), dLo = b.main(7), dHi = b.main(8), active = b.main(9)
        b.assertBoolean(active)
        b.memoryAccess(address: addr, previous: (p0, p1), value: (n0, n1), previousTimestamp: prevTs, timestamp: ts,
                       order: (dLo, dHi), when: active)
        b.send(VMBus.range16, values: [n0], multiplicity: active)
        b.send(VMBus.range16, values: [n1], multiplicity: active)
    }

    /// One access.
    public struct Access: Sendable, Equatable {
        public var address: UInt32
        public var previous: UInt32
        public var value: UInt32
        public var previousTimestamp: UInt32
        public var timestamp: UInt32
        public init(address: UInt32, previous: UInt32, value: UInt32, previousTimestamp: UInt32, timestamp: UInt32) {
            self.address = address
            self.previous = previous
            self.value = value
            self.previousTimestamp = previousTimestamp
            self.timestamp = timestamp
        }
    }

    /// The data accesses of a recorded run: every load and store, and every word a system call
    /// read or wrote.
    public static func accesses(of trace: Trace) -> [Access] {
        var out: [Access] = []
        trace.withRows { rows in
            for (i, r) in rows.enumerated() where Decoded.isLoadOrStore(r.instruction) {
                out.append(Access(address: r.memoryAddress, previous: r.memoryPrevious, value: r.memoryValue,
                                  previousTimestamp: r.memoryPreviousTimestamp, timestamp: UInt32(i + 1)))
            }
        }
        for e in trace.syscallMemory {
            out.append(Access(address: e.address, previous: e.previous, value: e.value, previousTimestamp: e.previousTimestamp,
                              timestamp: e.timestamp))
        }
        return out
    }

    /// The chip's trace, recording its range checks.
    public static func trace(_ accesses: [Access], counts: inout LookupCounts) -> ColumnMatrix {
        var m = ColumnMatrix(width: 10, height: paddedHeight(accesses.count))
        for (r, a) in accesses.enumerated() {
            precondition(a.timestamp < maxMemoryTimestamp && a.previousTimestamp < a.timestamp, "access order at row \(r)")
            let d = counts.timestampOrder(previous: a.previousTimestamp, timestamp: a.timestamp)
            let values: [UInt32] = [a.address, a.previous & 0xffff, a.previous >> 16, a.value & 0xffff, a.value >> 16,
                                    a.previousTimestamp, a.timestamp, d.low, d.high, 1]
            for (c, v) in values.enumerated() { m[r, c] = KoalaBear(v) }
            counts.range(a.value & 0xffff)
            counts.range(a.value >> 16)
        }
        return m
    }
}

/// Each accessed word once, by strictly increasing address: its initial value goes on the
/// memory bus at timestamp 0 (zero, unless the word belongs to the program image, whose initial
/// values the verifier puts there itself from the ELF) and its final value and timestamp are
/// taken off. Columns: address limbs a₀ a₁, final f₀ f₁, final timestamp, image, active,
/// next-active, d₀ d₁ k₀ (the order check a′ − a − 1 = d₀ + 2^16·d₁ with borrow k₀ between
/// the limbs and no final borrow), top. Active rows come first. Every address is at most
/// 0x7f00_0000 = p − 1 (a₁ < 0x7f00, or top with a = 0x7f00_0000), so no two rows name the same
/// field element: a row for X + p beside one for X would give X two chains of accesses.
public struct MemoryBoundaryChip: AIR {
    public init() {}
    public var name: String { "memory-boundary" }
    public var mainWidth: Int { 12 }

    public func constraints(_ b: ConstraintBuilder) {
        let a0 = b.main(0), a1 = b.main(1), f0 = b.main(2), f1 = b.main(3), fTs = b.main(4)
        let image = b.main(5), active = b.main(6), nextActive = b.main(7), d0 = b.main(8), d1 = b.main(9), k0 = b.main(10)
        let top = b.main(11)
        let base = Expr(KoalaBear(UInt32(1 << 16)))
        b.assertBoolean(top)
        b.assertAddressInField(low: a0, high: a1, top: top, when: active)
        b.assertBoolean(active)
        b.assertBoolean(image)
        b.assertBoolean(k0)
        b.assertZero(image * (Expr(1) - active), label: "image rows are active")
        b.assertEqual(nextActive, b.mainNext(6), on: .transition, label: "next-active")
        b.assertZero(nextActive, on: .lastRow, label: "no row after the last")
        b.assertZero(nextActive * (Expr(1) - active), label: "active rows first")
        // Strictly increasing addresses: a′ − a − 1 = d₀ + 2^16·d₁ with d₀, d₁ < 2^16.
        b.assertZero(nextActive * (b.mainNext(0) - a0 - 1 - d0 + k0 * base), on: .transition, label: "order, low limb")
        b.assertZero(nextActive * (b.mainNext(1) - a1 - k0 - d1), on: .transition, label: "order, high limb")
        b.send(VMBus.range16, values: [d0], multiplicity: nextActive)
        b.send(VMBus.range16, values: [d1], multiplicity: nextActive)
        b.send(VMBus.range16, values: [a0], multiplicity: active)
        b.send(VMBus.range16, values: [a1], multiplicity: active)
        let address = a0 + a1 * base
        b.send(VMBus.memory, values: [address, Expr(0), Expr(0), Expr(0)], multiplicity: active - image)
        b.receive(VMBus.memory, values: [address, f0, f1, fTs], multiplicity: active)
    }

    /// The boundary of `accesses` over `image` (word address → initial word): every word
    /// accessed or in the image, its final value and timestamp; records its range checks.
    public static func trace(accesses: [MemoryAccessChip.Access], image: [UInt32: UInt32],
                             counts: inout LookupCounts) -> ColumnMatrix {
        var final: [UInt32: (value: UInt32, timestamp: UInt32)] = [:]
        for (a, v) in image { final[a] = (v, 0) }
        for a in accesses where a.timestamp >= final[a.address]?.timestamp ?? 0 { final[a.address] = (a.value, a.timestamp) }
        return trace(final: final, image: image, counts: &counts)
    }

    /// The boundary of a run whose every touched word (and every image word) ends as `final`
    /// says; records its range checks.
    public static func trace(final: [UInt32: (value: UInt32, timestamp: UInt32)], image: [UInt32: UInt32],
                             counts: inout LookupCounts) -> ColumnMatrix {
        let addresses = final.keys.sorted()
        var m = ColumnMatrix(width: 12, height: paddedHeight(addresses.count))
        for (r, addr) in addresses.enumerated() {
            let f = final[addr]!
            precondition(addr <= 0x7f00_0000, "a memory address above p − 1")
            counts.range(addr & 0xffff)
            counts.range(addr >> 16)
            let top = counts.addressInField(addr)
            var row: [UInt32] = [addr & 0xffff, addr >> 16, f.value & 0xffff, f.value >> 16, f.timestamp,
                                 image[addr] != nil ? 1 : 0, 1, r + 1 < addresses.count ? 1 : 0, 0, 0, 0, top]
            if r + 1 < addresses.count {
                let next = addresses[r + 1]
                let lo = Int64(next & 0xffff) - Int64(addr & 0xffff) - 1
                let k0: Int64 = lo < 0 ? 1 : 0
                let d0 = UInt32(lo + (k0 << 16)), d1 = (next >> 16) - (addr >> 16) - UInt32(k0)
                row[8] = d0
                row[9] = d1
                row[10] = UInt32(k0)
                counts.range(d0)
                counts.range(d1)
            }
            for (c, v) in row.enumerated() { m[r, c] = KoalaBear(v) }
        }
        return m
    }

    /// What the verifier puts on the memory bus for the program image: each word's initial
    /// value at timestamp 0.
    public static func imageInteractions(_ image: [UInt32: UInt32]) -> [PublicInteraction] {
        image.keys.sorted().map { a in
            let v = image[a]!
            return PublicInteraction(bus: VMBus.memory, values: [KoalaBear(a), KoalaBear(v & 0xffff), KoalaBear(v >> 16), .zero],
                                     isSend: true)
        }
    }

    /// The image of `program` as words: address (a multiple of 4) → initial little-endian word.
    public static func image(of program: Program) -> [UInt32: UInt32] {
        var out: [UInt32: UInt32] = [:]
        for s in program.segments {
            var a = s.address & ~3
            while UInt64(a) < s.end {
                var w: UInt32 = 0
                for k in 0..<4 {
                    let byte = Int64(a) + Int64(k) - Int64(s.address)
                    if byte >= 0, byte < Int64(s.data.count) { w |= UInt32(s.data[Int(byte)]) << (8 * k) }
                }
                out[a] = w
                a &+= 4
            }
        }
        return out
    }
}

/// Which instructions access data memory.
enum Decoded {
    static func isLoadOrStore(_ word: UInt32) -> Bool {
        let opcode = word & 0x7f
        return opcode == 0x03 || opcode == 0x23
    }
}
