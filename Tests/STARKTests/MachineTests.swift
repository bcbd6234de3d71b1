import KoalaBear
@testable import STARK
import STARKExamples
import Testing
import TestSupport

let rangeBus = Bus(10, "range-16")
let ioBus = Bus(11, "io")

/// Values x < 16 with their squares; each x is range-checked on `rangeBus`; rows with an io
/// multiplicity take (index, value) pairs off `ioBus`, which the verifier puts there itself.
struct ValuesAIR: AIR {
    var name: String { "values" }
    var mainWidth: Int { 5 }  // x, x², io index, io value, io multiplicity
    func constraints(_ b: ConstraintBuilder) {
        b.assertEqual(b.main(1), b.main(0) * b.main(0), label: "square")
        b.send(rangeBus, values: [b.main(0)])
        b.receive(ioBus, values: [b.main(2), b.main(3)], multiplicity: b.main(4))
    }

    static func trace(logHeight: Int, io: [UInt32]) -> ColumnMatrix {
        let n = 1 << logHeight
        var m = ColumnMatrix(width: 5, height: n)
        for r in 0..<n {
            let x = UInt32((r * 5 + 3) % 16)
            m[r, 0] = KoalaBear(x)
            m[r, 1] = KoalaBear(x * x)
            if r < io.count {
                m[r, 2] = KoalaBear(UInt32(r))
                m[r, 3] = KoalaBear(io[r])
                m[r, 4] = .one
            }
        }
        return m
    }
}

/// The table 0…15 (preprocessed) with how often each value was looked up.
struct RangeTableAIR: AIR {
    var name: String { "range-table-16" }
    var mainWidth: Int { 1 }
    var preprocessedWidth: Int { 1 }
    func preprocessedTrace(logHeight: Int) -> ColumnMatrix? {
        ColumnMatrix(columns: [(0..<(1 << logHeight)).map { KoalaBear(UInt32($0 & 15)) }])
    }
    func constraints(_ b: ConstraintBuilder) {
        b.receive(rangeBus, values: [b.preprocessed(0)], multiplicity: b.main(0))
    }

    /// Multiplicities of the values in column 0 of `values` (on the first copy of each).
    static func trace(counting values: ColumnMatrix, logHeight: Int) -> ColumnMatrix {
        var counts = [UInt32](repeating: 0, count: 16)
        for r in 0..<values.height { counts[Int(values[r, 0].value)] += 1 }
        var m = ColumnMatrix(width: 1, height: 1 << logHeight)
        for (v, c) in counts.enumerated() { m[v, 0] = KoalaBear(c) }
        return m
    }
}

@Suite("Machine (multi-table STARK)")
struct MachineTests {
    static let config = StarkConfig(fri: FRIConfig(logBlowup: 2, numQueries: 20, proofOfWorkBits: 4))
    static let io: [UInt32] = [7, 1, 2, 9]

    static func publicIO(_ values: [UInt32]) -> [PublicInteraction] {
        values.enumerated().map { PublicInteraction(bus: ioBus, values: [KoalaBear(UInt32($0.offset)), KoalaBear($0.element)], isSend: true) }
    }

    /// Three tables of three heights (2^6, 2^4, 2^8), two buses across tables, one within a
    /// table, and public data on a third.
    static func tables(valuesLog: Int = 6, rangeLog: Int = 4) -> [MachineTable] {
        let values = ValuesAIR.trace(logHeight: valuesLog, io: io)
        let ys = (0..<256).map { UInt32(($0 * 7) & 15) }
        let (xor, xorPublic) = XorChainAIR.trace(x0: 3, ys: ys, logHeight: 8)
        return [MachineTable(air: ValuesAIR(), trace: values),
                MachineTable(air: RangeTableAIR(), trace: RangeTableAIR.trace(counting: values, logHeight: rangeLog)),
                MachineTable(air: XorChainAIR(), trace: xor, publicInputs: xorPublic)]
    }

    static func prove(_ tables: [MachineTable], io: [UInt32] = MachineTests.io, check: Bool = true) throws -> MachineProof {
        var c = config
        c.checkConstraints = check
        return try Machine.prove(tables, publicInteractions: publicIO(io), config: c, backend: CPUBackend(threads: 2))
    }

    static func verify(_ proof: MachineProof, _ tables: [MachineTable], io: [UInt32] = MachineTests.io) throws {
        try Machine.verify(tables.map(\.air), proof: proof, publicInputs: tables.map(\.publicInputs),
                           publicInteractions: publicIO(io), config: config)
    }

    @Test func tablesOfDifferentHeightsProveAndVerify() throws {
        let tables = MachineTests.tables()
        let proof = try MachineTests.prove(tables)
        #expect(proof.tables.map(\.logTraceHeight) == [6, 4, 8])
        try MachineTests.verify(proof, tables)
        // The same with the heights in another order, and two tables of one height.
        let same = MachineTests.tables(valuesLog: 4, rangeLog: 4)
        try MachineTests.verify(try MachineTests.prove(same), same)
        let tall = MachineTests.tables(valuesLog: 9, rangeLog: 5)
        try MachineTests.verify(try MachineTests.prove(tall), tall)
    }

    @Test func theFoldingScheduleStopsAtEveryHeight() {
        let fri = FRIConfig(logBlowup: 2, numQueries: 20, proofOfWorkBits: 4, logFoldingArity: 3, logFinalPolynomialLength: 2)
        let (arities, logFinal) = fri.schedule(logDegrees: [8, 6, 4])
        #expect(logFinal == 2 && arities.reduce(0, +) == 6)
        var d = 8, reached: Set<Int> = [8]
        for k in arities { d -= k; reached.insert(d) }
        #expect(reached.isSuperset(of: [6, 4, 2]))
        #expect(fri.schedule(logDegrees: [9]).arities == fri.schedule(logDegree: 9).arities)
    }

    /// The public data is bound: other values, one missing or one extra fail.
    @Test func publicInteractionsAreBound() throws {
        let tables = MachineTests.tables()
        let proof = try MachineTests.prove(tables)
        #expect(throws: StarkError.self) { try MachineTests.verify(proof, tables, io: [7, 1, 2, 8]) }
        #expect(throws: StarkError.self) { try MachineTests.verify(proof, tables, io: [7, 1, 2]) }
        #expect(throws: StarkError.self) { try MachineTests.verify(proof, tables, io: [7, 1, 2, 9, 0]) }
        // The prover refuses to prove what the tables do not consume.
        #expect(throws: StarkError.lookupNotBalanced(bus: ioBus.id)) { try MachineTests.prove(tables, io: [7, 1, 2, 8]) }
    }

    /// A bus that balances only across tables: a wrong count in the table fails, proven
    /// honestly from the bad trace without the prover's own check.
    @Test func busesBalanceAcrossTables() throws {
        var tables = MachineTests.tables()
        var counts = tables[1].trace
        counts[3, 0] = counts[3, 0] + .one
        tables[1] = MachineTable(air: RangeTableAIR(), trace: counts)
        #expect(throws: StarkError.lookupNotBalanced(bus: rangeBus.id)) { try MachineTests.prove(tables) }
        let proof = try MachineTests.prove(tables, check: false)
        #expect(throws: StarkError.self) { try MachineTests.verify(proof, tables) }
    }

    /// One wrong cell in the small table breaks its constraint; re-proven honestly, it fails.
    @Test func aWrongCellInAnyTableFails() throws {
        for (table, row, column) in [(0, 5, 1), (1, 2, 0), (2, 17, 2)] {
            var tables = MachineTests.tables()
            var m = tables[table].trace
            m[row, column] = m[row, column] + .one
            tables[table] = MachineTable(air: tables[table].air, trace: m, publicInputs: tables[table].publicInputs)
            let proof = try MachineTests.prove(tables, check: false)
            #expect(throws: StarkError.self, "table \(table) cell (\(row), \(column))") { try MachineTests.verify(proof, tables) }
        }
    }

    @Test func alteredProofsFail() throws {
        let tables = MachineTests.tables()
        let proof = try MachineTests.prove(tables)
        func fails(_ label: String, _ edit: (inout MachineProof) -> Void) {
            var p = proof
            edit(&p)
            #expect(throws: StarkError.self, "\(label)") { try MachineTests.verify(p, tables) }
        }
        fails("tables swapped") { $0.tables.swapAt(0, 1) }
        fails("a table dropped") { $0.tables.removeLast() }
        fails("another height") { $0.tables[1].logTraceHeight = 5 }
        fails("an out-of-domain value") { $0.tables[0].oodValues[2] = $0.tables[0].oodValues[2] + .one }
        fails("a LogUp sum") { $0.tables[1].cumulativeSum = $0.tables[1].cumulativeSum.map { $0 + .one } }
        fails("LogUp sums moved between tables") {
            let d = KoalaBearExt(KoalaBear(5))
            $0.tables[0].cumulativeSum = $0.tables[0].cumulativeSum.map { $0 + d }
            $0.tables[1].cumulativeSum = $0.tables[1].cumulativeSum.map { $0 - d }
        }
        fails("an opened value of the small table") {
            var o = $0.tables[1].openings[0]
            o.values[0] = o.values[0] + .one
            $0.tables[1].openings[0] = o
        }
        fails("a FRI opening") {
            var o = $0.friOpenings[1]
            o.values[3] = o.values[3] + .one
            $0.friOpenings[1] = o
        }
        fails("the final polynomial") { $0.finalPolynomial[0] = $0.finalPolynomial[0] + .one }
        fails("the nonce") { $0.powNonce &+= 1 }
        // Public inputs of a table are bound too.
        #expect(throws: StarkError.self) {
            var inputs = tables.map(\.publicInputs)
            inputs[2][1] = inputs[2][1] + .one
            try Machine.verify(tables.map(\.air), proof: proof, publicInputs: inputs,
                               publicInteractions: MachineTests.publicIO(MachineTests.io), config: MachineTests.config)
        }
    }
}

@Suite("Machine proof encoding")
struct MachineProofEncodingTests {
    @Test func roundTripsAndRefusesEveryCorruption() throws {
        let tables = MachineTests.tables()
        let proof = try MachineTests.prove(tables)
        let bytes = proof.serialized()
        #expect(try MachineProof(bytes: bytes) == proof)
        try Machine.verify(tables.map(\.air), proofBytes: bytes, publicInputs: tables.map(\.publicInputs),
                           publicInteractions: MachineTests.publicIO(MachineTests.io), config: MachineTests.config)
        #expect(throws: StarkError.self) { try MachineProof(bytes: bytes, maxSize: bytes.count - 1) }
        #expect(throws: StarkError.self) { try MachineProof(bytes: bytes + [0]) }
        var wrongVersion = bytes
        wrongVersion[0] = MachineProof.currentVersion &+ 1
        #expect(throws: StarkError.self) { try MachineProof(bytes: wrongVersion) }
        // Random byte flips and truncations: a typed error from decoding or verification,
        // never a crash, never an accepted proof.
        var rng = TestRNG(seed: 0x5eed)
        for trial in 0..<300 {
            var b = bytes
            if trial % 3 == 0 {
                b.removeLast(Int(rng.next() % UInt64(b.count)) + 1)
            } else {
                let i = Int(rng.next() % UInt64(b.count))
                b[i] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            }
            #expect(throws: StarkError.self, "trial \(trial)") {
                try Machine.verify(tables.map(\.air), proofBytes: b, publicInputs: tables.map(\.publicInputs),
                                   publicInteractions: MachineTests.publicIO(MachineTests.io), config: MachineTests.config)
            }
        }
    }

    /// The grinding before the LogUp challenges and before ζ is done by the prover and checked by
    /// the verifier: a nonce that was not ground, or a verifier that asks for more bits, fails.
    @Test func grindingBeforeTheLookupChallengesAndZetaIsChecked() throws {
        let tables = MachineTests.tables()
        var config = MachineTests.config
        config.lookupGrindingBits = 10
        config.deepGrindingBits = 6
        let io = MachineTests.publicIO(MachineTests.io)
        let proof = try Machine.prove(tables, publicInteractions: io, config: config, backend: CPUBackend(threads: 2))
        let airs = tables.map(\.air), inputs = tables.map(\.publicInputs)
        try Machine.verify(airs, proof: proof, publicInputs: inputs, publicInteractions: io, config: config)
        #expect(try MachineProof(bytes: proof.serialized()) == proof)
        for (what, alter) in [("the LogUp nonce", { (p: inout MachineProof) in p.lookupNonce &+= 1 }),
                              ("the out-of-domain nonce", { (p: inout MachineProof) in p.deepNonce &+= 1 })] {
            var bad = proof
            alter(&bad)
            #expect(throws: StarkError.self, "\(what)") {
                try Machine.verify(airs, proof: bad, publicInputs: inputs, publicInteractions: io, config: config)
            }
        }
        // The bits are bound in the transcript: a verifier with other settings refuses the proof.
        for (lookup, deep) in [(12, 6), (10, 7), (0, 6), (10, 0)] {
            var other = config
            other.lookupGrindingBits = lookup
            other.deepGrindingBits = deep
            #expect(throws: StarkError.self, "lookup \(lookup), deep \(deep)") {
                try Machine.verify(airs, proof: proof, publicInputs: inputs, publicInteractions: io, config: other)
            }
        }
        #expect(throws: StarkError.self) {
            var bad = config
            bad.lookupGrindingBits = 40
            try bad.validate()
        }
        // A security floor above what the shape gives: the verifier refuses, the prover declines.
        let estimate = try Machine.soundness([MachineSegment(airs: airs, proof: proof, publicInputs: inputs)],
                                             publicInteractions: io.count, config: config)
        #expect(estimate.friBits == Double(config.fri.conjecturedSecurityBits) && estimate.bits <= estimate.friBits)
        var floor = config
        floor.minimumSecurityBits = Int(estimate.bits.rounded(.down))
        try Machine.verify(airs, proof: proof, publicInputs: inputs, publicInteractions: io, config: floor)
        floor.minimumSecurityBits += 1
        #expect(throws: StarkError.self) {
            try Machine.verify(airs, proof: proof, publicInputs: inputs, publicInteractions: io, config: floor)
        }
        #expect(throws: StarkError.self) {
            try Machine.prove(tables, publicInteractions: io, config: floor, backend: CPUBackend(threads: 2))
        }
    }
}
