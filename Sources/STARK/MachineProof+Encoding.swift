import KoalaBear

extension MachineProof {
    /// The format version this code writes and reads.
    public static let currentVersion: UInt8 = 2
    /// The most tables a machine proof may hold.
    public static let maxTables = 64
    /// The default size limit of a decoded proof (bytes).
    public static let defaultMaxSize = 8 << 20

    /// The binary encoding: a version byte, the two grinding nonces (before α, β and before ζ),
    /// then each table (height, flags, roots, LogUp sum,
    /// out-of-domain values, openings), then FRI (roots, final polynomial, nonce, openings);
    /// fixed-width little-endian fields, canonical field elements, explicit counts.
    public func serialized() -> [UInt8] {
        var w = ByteWriter()
        w.u8(MachineProof.currentVersion)
        w.u64(lookupNonce)
        w.u64(deepNonce)
        w.u8(UInt8(tables.count))
        for t in tables {
            w.u8(UInt8(t.logTraceHeight))
            w.u8(t.auxRoot != nil ? 1 : 0)
            w.digest(t.mainRoot)
            if let a = t.auxRoot, let s = t.cumulativeSum {
                w.digest(a)
                w.ext(s)
            }
            w.digest(t.quotientRoot)
            w.u32(UInt32(t.oodValues.count))
            for v in t.oodValues { w.ext(v) }
            w.u8(UInt8(t.openings.count))
            for o in t.openings { w.opening(o) }
        }
        w.u8(UInt8(friRoots.count))
        for r in friRoots { w.digest(r) }
        w.u32(UInt32(finalPolynomial.count))
        for c in finalPolynomial { w.ext(c) }
        w.u64(powNonce)
        w.u8(UInt8(friOpenings.count))
        for o in friOpenings { w.opening(o) }
        return w.data
    }

    /// Strictly decodes a proof of at most `maxSize` bytes: a wrong version, a missing or
    /// trailing byte, a non-canonical element or an impossible count is a ``StarkError``.
    public init(bytes: [UInt8], maxSize: Int = MachineProof.defaultMaxSize) throws(StarkError) {
        guard bytes.count <= maxSize else { throw .malformedProof("\(bytes.count) bytes exceed the limit of \(maxSize)") }
        var r = ByteReader(bytes)
        let version = try r.u8("version")
        guard version == MachineProof.currentVersion else {
            throw .malformedProof("unsupported machine proof version \(version) (this code reads \(MachineProof.currentVersion))")
        }
        let lookupNonce = try r.u64("LogUp grinding nonce")
        let deepNonce = try r.u64("out-of-domain grinding nonce")
        let count = Int(try r.u8("table count"))
        guard count >= 1, count <= MachineProof.maxTables else { throw .malformedProof("\(count) tables") }
        var tables: [TableProof] = []
        for i in 0..<count {
            let logH = try r.u8("table \(i) height")
            guard logH >= 1, logH <= UInt8(KoalaBear.twoAdicity) else { throw .malformedProof("table \(i): height 2^\(logH)") }
            let flags = try r.u8("table \(i) flags")
            guard flags <= 1 else { throw .malformedProof("table \(i): unknown flags \(flags)") }
            let main = try r.digest("main root")
            var aux: Digest?, sum: KoalaBearExt?
            if flags == 1 {
                aux = try r.digest("LogUp root")
                sum = try r.ext("LogUp sum")
            }
            let quotient = try r.digest("quotient root")
            let oodCount = try r.count32("out-of-domain values", itemSize: 16)
            var ood: [KoalaBearExt] = []
            ood.reserveCapacity(oodCount)
            for _ in 0..<oodCount { ood.append(try r.ext("out-of-domain value")) }
            let openingCount = Int(try r.u8("table openings"))
            guard openingCount <= 4 else { throw .malformedProof("table \(i): \(openingCount) openings") }
            var openings: [BatchOpening] = []
            for _ in 0..<openingCount { openings.append(try r.opening()) }
            tables.append(TableProof(logTraceHeight: Int(logH), mainRoot: main, auxRoot: aux, cumulativeSum: sum,
                                     quotientRoot: quotient, oodValues: ood, openings: openings))
        }
        let rootCount = Int(try r.u8("FRI layer count"))
        try r.need(rootCount * 32, "FRI roots")
        var roots: [Digest] = []
        for _ in 0..<rootCount { roots.append(try r.digest("FRI root")) }
        let finalCount = try r.count32("final polynomial", itemSize: 16)
        var fin: [KoalaBearExt] = []
        fin.reserveCapacity(finalCount)
        for _ in 0..<finalCount { fin.append(try r.ext("final polynomial coefficient")) }
        let nonce = try r.u64("grinding nonce")
        let friCount = Int(try r.u8("FRI openings"))
        var fri: [BatchOpening] = []
        for _ in 0..<friCount { fri.append(try r.opening()) }
        guard r.remaining == 0 else { throw .malformedProof("\(r.remaining) trailing bytes") }
        self.init(tables: tables, lookupNonce: lookupNonce, deepNonce: deepNonce, friRoots: roots, finalPolynomial: fin, powNonce: nonce, friOpenings: fri)
    }

    /// Size of the binary encoding in bytes.
    public var byteCount: Int { serialized().count }
}

extension Machine {
    /// Decodes (strictly, within `maxSize`) and verifies a serialized machine proof.
    public static func verify(_ airs: [any AIR], proofBytes: [UInt8], publicInputs: [[KoalaBear]],
                              publicInteractions: [PublicInteraction] = [], config: StarkConfig = .standard,
                              maxSize: Int = MachineProof.defaultMaxSize) throws(StarkError) {
        let proof = try MachineProof(bytes: proofBytes, maxSize: maxSize)
        try verify(airs, proof: proof, publicInputs: publicInputs, publicInteractions: publicInteractions, config: config)
    }
}
