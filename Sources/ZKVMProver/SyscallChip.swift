import KoalaBear
import RISCV
import STARK

/// The system calls, one row per `ecall`. The id in t0 selects one call (an id no flag matches
/// has no row: the run that traps on it has no proof). The I/O cursor (input item, input
/// position, the item's length, output length) passes from call to call on ``VMBus/ioCursor``:
/// each call receives it as an earlier call (at a clk no later than its own) left it and sends it
/// on, stamped clk + 1; the verifier puts the cursor the run starts with there at 0 and takes the
/// one it ends with at the cycle count, so the calls form one chain in time order, across
/// segments too.
///
/// - HALT is flagged back to the CPU, which stops there and publishes a0 as the exit code.
/// - WRITE: fd a0 ∈ {1, 2, 3}, the buffer (a1, a2) within memory (a1 + a2 ≤ p); for fd 3 the
///   buffer goes to ``IOChip`` as a job at the output's current length, which then grows by a2.
/// - COMMIT: an index a0 < 8 (the digest words are not part of the claims; the output is).
/// - HINT_LEN: t0 ← the current input item's length (0xFFFF_FFFF after the last).
/// - HINT_READ: a1 must equal that length, the buffer (a0, a1) within memory; the item goes to
///   ``IOChip`` as a job, and the verifier's tuple for the item (on ``VMBus/inputItem``) moves
///   the cursor on: item k + 1, position + length, and the next item's length.
///
/// a1 and a2 are read from the register file (memory bus, slot 2 of the cycle) when used.
/// Columns: clk, t0, a0, result (limbs), the five call flags, a1, a2 (limbs) and their reads,
/// fd1 fd2 fd3, the bounds check (s₀, carry, e₀, e₁, borrow), the non-empty test (nz and its
/// helper), the cursor (item, position, length limbs, output length), the next length (limbs),
/// the received cursor's clk and the order's limbs.
public struct SyscallChip: AIR {
    public init() {}
    public var name: String { "syscall" }
    public var mainWidth: Int { Col.count }

    enum Col {
        static let clk = 0, t0 = 1, a0 = 3, result = 5
        static let halt = 7, write = 8, commit = 9, hintLength = 10, hintRead = 11
        static let a1 = 12, a2 = 14, a1Read = 16, a2Read = 19, fd = 22
        static let s0 = 25, carry = 26, e = 27, borrow = 29, nz = 30, nzInv = 31
        static let item = 32, position = 33, length = 34, output = 36, nextLength = 37, order = 39, linkClk = 41
        static let count = 42
    }

    /// The cursor tuple on ``VMBus/ioCursor``: (clk, item, position, length₀, length₁, output).
    public static func cursor(clk: UInt32, item: UInt32, position: UInt32, length: UInt32, output: UInt32) -> [KoalaBear] {
        [KoalaBear(clk), KoalaBear(item), KoalaBear(position), KoalaBear(length & 0xffff), KoalaBear(length >> 16),
         KoalaBear(output)]
    }

    public func constraints(_ b: ConstraintBuilder) {
        func col(_ i: Int) -> Expr { b.main(i) }
        func pair(_ i: Int) -> (Expr, Expr) { (col(i), col(i + 1)) }
        let one = Expr(1), base = Expr(KoalaBear(UInt32(1 << 16)))
        let clk = col(Col.clk), t0 = pair(Col.t0), a0 = pair(Col.a0), res = pair(Col.result)
        let halt = col(Col.halt), write = col(Col.write), commit = col(Col.commit)
        let hintLength = col(Col.hintLength), hintRead = col(Col.hintRead)
        let a1 = pair(Col.a1), a2 = pair(Col.a2)
        let fd1 = col(Col.fd), fd2 = col(Col.fd + 1), fd3 = col(Col.fd + 2)
        let s0 = col(Col.s0), carry = col(Col.carry), e0 = col(Col.e), e1 = col(Col.e + 1), borrow = col(Col.borrow)
        let nz = col(Col.nz), nzInv = col(Col.nzInv)
        let item = col(Col.item), position = col(Col.position), length = pair(Col.length), output = col(Col.output)
        let nextLength = pair(Col.nextLength), order = pair(Col.order)
        let kinds = [halt, write, commit, hintLength, hintRead]
        for k in kinds + [fd1, fd2, fd3, carry, borrow, nz] { b.assertBoolean(k) }
        let active = Expr.sum(kinds)
        b.assertBoolean(active, label: "one call")

        // Which call.
        let id = write * KoalaBear(Syscall.write.rawValue) + commit * KoalaBear(Syscall.commit.rawValue)
            + hintLength * KoalaBear(Syscall.hintLength.rawValue) + hintRead * KoalaBear(Syscall.hintRead.rawValue)
        b.assertEqual(t0.0, id, label: "call id")
        b.assertZero(t0.1, label: "call id (high)")
        b.assertZero((active - hintLength) * (res.0 - t0.0), label: "result is the id")
        b.assertZero((active - hintLength) * (res.1 - t0.1), label: "result is the id (high)")
        b.assertZero(hintLength * (res.0 - length.0), label: "HINT_LEN result")
        b.assertZero(hintLength * (res.1 - length.1), label: "HINT_LEN result (high)")

        // COMMIT: a0 < 8.
        b.assertZero(commit * a0.1, label: "commit index (high)")
        b.send(VMBus.range16, values: [a0.0 * KoalaBear(UInt32(1 << 13))], multiplicity: commit)

        // WRITE: the file descriptor.
        b.assertEqual(fd1 + fd2 + fd3, write, label: "one file descriptor")
        b.assertZero(write * (a0.0 - fd1 - fd2 * KoalaBear(2) - fd3 * KoalaBear(3)), label: "file descriptor")
        b.assertZero(write * a0.1, label: "file descriptor (high)")

        // a1 and a2 from the register file.
        let ts = clk * KoalaBear(4) + 6
        func read(_ register: UInt32, _ value: (Expr, Expr), columns k: Int, when m: Expr) {
            b.memoryAccess(address: Expr(KoalaBear(registerAddress(register))), previous: value, value: value,
                           previousTimestamp: col(k), timestamp: ts, order: (col(k + 1), col(k + 2)), when: m,
                           label: "register timestamp order")
        }
        let buffered = write + hintRead
        read(11, a1, columns: Col.a1Read, when: buffered)
        read(12, a2, columns: Col.a2Read, when: write)

        // The buffer: (a1, a2) for WRITE, (a0, a1) for HINT_READ; start + length ≤ p.
        let start = (write * a1.0 + hintRead * a0.0, write * a1.1 + hintRead * a0.1)
        let size = (write * a2.0 + hintRead * a1.0, write * a2.1 + hintRead * a1.1)
        b.assertZero(buffered * (start.0 + size.0 - s0 - carry * base), label: "buffer end, low limb")
        b.send(VMBus.range16, values: [s0], multiplicity: buffered)
        let s1 = start.1 + size.1 + carry
        let p = ZKVM.fieldPrime
        b.assertZero(buffered * (Expr(KoalaBear(p & 0xffff)) - s0 - e0 + borrow * base), label: "buffer within memory, low limb")
        b.assertZero(buffered * (Expr(KoalaBear(p >> 16)) - s1 - borrow - e1), label: "buffer within memory, high limb")
        b.send(VMBus.range16, values: [e0], multiplicity: buffered)
        b.send(VMBus.range16, values: [e1], multiplicity: buffered)
        // Non-empty buffers of fd 3 and HINT_READ are jobs for the I/O table.
        let sizeSum = size.0 + size.1
        b.assertZero(buffered * (sizeSum * nzInv - nz), label: "nz: non-empty")
        b.assertZero((one - nz) * sizeSum, label: "nz: empty")
        b.assertZero(nz * (one - buffered), label: "nz only for buffers")
        let streamPosition = hintRead * position + fd3 * output
        b.send(VMBus.ioJob, values: [clk, fd3, start.0, start.1, size.0 + size.1 * base, streamPosition],
               multiplicity: nz * (hintRead + fd3))

        // HINT_READ: the whole current item.
        b.assertZero(hintRead * (a1.0 - length.0), label: "HINT_READ length")
        b.assertZero(hintRead * (a1.1 - length.1), label: "HINT_READ length (high)")
        b.receive(VMBus.inputItem, values: [item, position, length.0, length.1, nextLength.0, nextLength.1], multiplicity: hintRead)

        // The cursor: received as an earlier call left it (linkClk ≤ clk), sent on as this call
        // leaves it.
        let linkClk = col(Col.linkClk)
        b.assertZero(active * (clk - linkClk - order.0 - order.1 * base), label: "cursor from an earlier call")
        b.send(VMBus.range16, values: [order.0], multiplicity: active)
        b.send(VMBus.range16, values: [order.1 * KoalaBear(32)], multiplicity: active)
        b.receive(VMBus.ioCursor, values: [linkClk, item, position, length.0, length.1, output], multiplicity: active)
        b.send(VMBus.ioCursor, values: [clk + 1, item + hintRead, position + hintRead * (length.0 + length.1 * base),
                                        length.0 + hintRead * (nextLength.0 - length.0),
                                        length.1 + hintRead * (nextLength.1 - length.1), output + fd3 * (a2.0 + a2.1 * base)],
               multiplicity: active)

        b.receive(VMBus.syscall, values: [clk, t0.0, t0.1, a0.0, a0.1, res.0, res.1, halt], multiplicity: active)
    }

    /// One call with the state it finds.
    public struct Row: Sendable, Equatable {
        public var clk: UInt32
        public var id: UInt32
        public var a0: UInt32
        public var a1: UInt32 = 0
        public var a2: UInt32 = 0
        public var result: UInt32
        public var a1PreviousTimestamp: UInt32 = 0
        public var a2PreviousTimestamp: UInt32 = 0
        public var item: UInt32 = 0
        public var position: UInt32 = 0
        public var length: UInt32 = 0
        public var output: UInt32 = 0
        public var nextLength: UInt32 = 0
        /// The clk the cursor was left at (the previous call's + 1, or 0).
        public var linkClk: UInt32 = 0
    }

    public static func trace(_ rows: [Row], counts: inout LookupCounts) -> ColumnMatrix {
        var m = ColumnMatrix(width: Col.count, height: paddedHeight(rows.count))
        for (r, row) in rows.enumerated() {
            var v = [UInt32](repeating: 0, count: Col.count)
            var inv = KoalaBear.zero
            func put(_ c: Int, _ x: UInt32) {
                v[c] = x & 0xffff
                v[c + 1] = x >> 16
            }
            v[Col.clk] = row.clk
            put(Col.t0, row.id)
            put(Col.a0, row.a0)
            put(Col.result, row.result)
            put(Col.a1, row.a1)
            put(Col.a2, row.a2)
            put(Col.length, row.length)
            put(Col.nextLength, row.nextLength)
            v[Col.item] = row.item
            v[Col.position] = row.position
            v[Col.output] = row.output
            let ts = 4 * row.clk + 6
            func read(_ k: Int, _ previous: UInt32) {
                let d = counts.timestampOrder(previous: previous, timestamp: ts)
                v[k] = previous
                v[k + 1] = d.low
                v[k + 2] = d.high
            }
            var buffer: (start: UInt32, size: UInt32)?
            switch Syscall(rawValue: row.id) {
            case .halt?: v[Col.halt] = 1
            case .write?:
                v[Col.write] = 1
                v[Col.fd + Int(row.a0) - 1] = 1
                read(Col.a1Read, row.a1PreviousTimestamp)
                read(Col.a2Read, row.a2PreviousTimestamp)
                buffer = (row.a1, row.a2)
            case .commit?:
                v[Col.commit] = 1
                counts.range(row.a0 << 13)
            case .hintLength?: v[Col.hintLength] = 1
            case .hintRead?:
                v[Col.hintRead] = 1
                read(Col.a1Read, row.a1PreviousTimestamp)
                buffer = (row.a0, row.a1)
            case nil: preconditionFailure("unknown system call \(row.id)")
            }
            if let (start, size) = buffer {
                let lo = (start & 0xffff) + (size & 0xffff)
                v[Col.s0] = lo & 0xffff
                v[Col.carry] = lo >> 16
                counts.range(lo & 0xffff)
                let end = UInt64(start) + UInt64(size)
                let room = UInt64(ZKVM.fieldPrime) - end
                v[Col.e] = UInt32(room & 0xffff)
                v[Col.e + 1] = UInt32(room >> 16)
                v[Col.borrow] = (ZKVM.fieldPrime & 0xffff) < (lo & 0xffff) ? 1 : 0
                counts.range(UInt32(room & 0xffff))
                counts.range(UInt32(room >> 16))
                let sum = KoalaBear(size & 0xffff) + KoalaBear(size >> 16)
                if sum != .zero {
                    v[Col.nz] = 1
                    inv = sum.inverse!
                }
            }
            let d = counts.timestampOrder(previous: row.linkClk, timestamp: row.clk + 1)  // clk − linkClk, 16 + 11 bits
            v[Col.linkClk] = row.linkClk
            v[Col.order] = d.low
            v[Col.order + 1] = d.high
            for (c, x) in v.enumerated() { m[r, c] = KoalaBear(x) }
            m[r, Col.nzInv] = inv
        }
        return m
    }
}
