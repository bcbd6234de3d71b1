import KoalaBear
@testable import STARK
import Testing

/// Segmented machine proofs: tables split over segments that share the LogUp challenges, with
/// a bus that balances only over all segments together.
@Suite("Machine: segments")
struct SegmentedMachineTests {
    static let config = MachineTests.config
    static let io: [UInt32] = [7, 1, 2, 9, 4, 4]

    /// Segment k takes the public pairs `io[2k]`, `io[2k + 1]` off the io bus and range-checks
    /// its own values in its own range table.
    static func segment(_ k: Int, io: [UInt32] = SegmentedMachineTests.io) -> [MachineTable] {
        var values = ValuesAIR.trace(logHeight: 4 + k, io: [])
        for j in 0..<2 where 2 * k + j < io.count {
            values[j, 2] = KoalaBear(UInt32(2 * k + j))
            values[j, 3] = KoalaBear(io[2 * k + j])
            values[j, 4] = .one
        }
        return [MachineTable(air: ValuesAIR(), trace: values),
                MachineTable(air: RangeTableAIR(), trace: RangeTableAIR.trace(counting: values, logHeight: 4))]
    }

    static func prove(_ count: Int = 3, check: Bool = true) throws -> [MachineProof] {
        var c = config
        c.checkConstraints = check
        return try Machine.proveSegments(count: count, publicInteractions: MachineTests.publicIO(io), config: c,
                                         backend: CPUBackend(threads: 2)) { k throws(StarkError) in segment(k) }
    }

    static func verify(_ proofs: [MachineProof], order: [Int]? = nil) throws {
        let order = order ?? Array(proofs.indices)
        let segments = order.map { k in
            MachineSegment(airs: [ValuesAIR(), RangeTableAIR()], proof: proofs[k], publicInputs: [[], []])
        }
        try Machine.verifySegments(segments, publicInteractions: MachineTests.publicIO(io), config: config)
    }

    @Test func segmentsProveAndVerifyTogether() throws {
        var calls: [Int] = []
        let proofs = try Machine.proveSegments(count: 3, publicInteractions: MachineTests.publicIO(SegmentedMachineTests.io),
                                               config: SegmentedMachineTests.config) { k throws(StarkError) in
            calls.append(k)
            return SegmentedMachineTests.segment(k)
        }
        // Each segment is built to commit, then all but the last again to prove, from the end.
        #expect(calls == [0, 1, 2, 1, 0])
        #expect(proofs.map { $0.tables[0].logTraceHeight } == [4, 5, 6])
        try SegmentedMachineTests.verify(proofs)
    }

    @Test func reorderedDroppedOrDuplicatedSegmentsFail() throws {
        let proofs = try SegmentedMachineTests.prove()
        for order in [[1, 0, 2], [0, 2, 1], [2, 1, 0], [0, 1], [1, 2], [0, 1, 2, 2], [0, 0, 1, 2], [0, 1, 1]] {
            #expect(throws: StarkError.self, "order \(order)") { try SegmentedMachineTests.verify(proofs, order: order) }
        }
    }

    @Test func noSegmentBalancesAlone() throws {
        // One segment's share of the io bus is not the whole public io: a segment proven alone
        // under the same public data fails.
        #expect(throws: StarkError.lookupNotBalanced(bus: ioBus.id)) {
            try Machine.prove(SegmentedMachineTests.segment(0), publicInteractions: MachineTests.publicIO(SegmentedMachineTests.io),
                              config: SegmentedMachineTests.config)
        }
        let proofs = try SegmentedMachineTests.prove(check: false)
        try SegmentedMachineTests.verify(proofs)
        // A segment whose io pair is wrong, proven without the prover's check, is refused.
        var c = SegmentedMachineTests.config
        c.checkConstraints = false
        var io = SegmentedMachineTests.io
        io[3] = 5
        let forged = try Machine.proveSegments(count: 3, publicInteractions: MachineTests.publicIO(SegmentedMachineTests.io),
                                               config: c) { k throws(StarkError) in SegmentedMachineTests.segment(k, io: io) }
        #expect(throws: StarkError.self) { try SegmentedMachineTests.verify(forged) }
        // The prover's own check names the bus.
        #expect(throws: StarkError.lookupNotBalanced(bus: ioBus.id)) {
            try Machine.proveSegments(count: 3, publicInteractions: MachineTests.publicIO(SegmentedMachineTests.io),
                                      config: SegmentedMachineTests.config) { k throws(StarkError) in SegmentedMachineTests.segment(k, io: io) }
        }
    }

    @Test func tablesThatChangeBetweenPassesAreRefused() throws {
        var pass = 0
        #expect(throws: StarkError.self) {
            try Machine.proveSegments(count: 2, publicInteractions: MachineTests.publicIO(SegmentedMachineTests.io),
                                      config: SegmentedMachineTests.config) { k throws(StarkError) in
                pass += 1
                var io = SegmentedMachineTests.io
                if pass > 2 { io[0] = 8 }
                return SegmentedMachineTests.segment(k, io: io)
            }
        }
    }

    @Test func aSegmentOfAnotherProofDoesNotFit() throws {
        var io = SegmentedMachineTests.io
        io[5] = 3
        let other = try Machine.proveSegments(count: 3, publicInteractions: MachineTests.publicIO(io),
                                              config: SegmentedMachineTests.config) { k throws(StarkError) in
            SegmentedMachineTests.segment(k, io: io)
        }
        var proofs = try SegmentedMachineTests.prove()
        // Segment 0 is identical in both runs' tables but drawn under other challenges.
        proofs[0] = other[0]
        #expect(throws: StarkError.self) { try SegmentedMachineTests.verify(proofs) }
    }
}
