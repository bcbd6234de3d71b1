import KoalaBear

/// Rows opened from one Merkle tree at a sorted set of distinct leaf indices, with the
/// sibling digests that authenticate all of them together (shared path nodes appear once).
public struct BatchOpening: Sendable, Equatable {
    /// Values per row.
    public var width: Int
    /// Row-major values: `rowCount × width`.
    public var values: [KoalaBear]
    /// Sibling digests, in the order `MerkleTree.openBatch` emits them.
    public var siblings: [Digest]

    public init(width: Int, values: [KoalaBear], siblings: [Digest]) {
        self.width = width
        self.values = values
        self.siblings = siblings
    }

    /// Number of rows.
    public var rowCount: Int { width == 0 ? 0 : values.count / width }

    /// Row k.
    public func row(_ k: Int) -> ArraySlice<KoalaBear> { values[(k * width)..<((k + 1) * width)] }
}

/// A STARK proof. Its binary form (`serialized()` / `init(bytes:)`) starts with a version
/// byte, uses fixed-width little-endian fields, canonical field elements and explicit counts,
/// and decoding is strict: a missing or trailing byte, a non-canonical element or an
/// impossible count is an error.
public struct Proof: Sendable, Equatable {
    /// The format version this code writes and reads.
    public static let currentVersion: UInt8 = 1

    /// log2 of the trace height.
    public var logTraceHeight: Int
    /// Commitment to the main trace LDE.
    public var mainRoot: Digest
    /// Commitment to the LogUp trace LDE (AIRs with lookups only).
    public var auxRoot: Digest?
    /// The LogUp running sum's total (AIRs with lookups only; the verifier requires zero).
    public var cumulativeSum: KoalaBearExt?
    /// Commitment to the quotient chunks' LDE.
    public var quotientRoot: Digest
    /// Out-of-domain openings: main, preprocessed, LogUp and quotient columns at ζ, then the
    /// columns used on the next row at ζ·ω.
    public var oodValues: [KoalaBearExt]
    /// Commitments to the FRI layers.
    public var friRoots: [Digest]
    /// Coefficients of the final FRI polynomial.
    public var finalPolynomial: [KoalaBearExt]
    /// The grinding nonce.
    public var powNonce: UInt64
    /// Openings of main, [preprocessed,] [LogUp,] quotient trees at the query positions.
    public var traceOpenings: [BatchOpening]
    /// Openings of each FRI layer.
    public var friOpenings: [BatchOpening]

    /// The binary encoding.
    public func serialized() -> [UInt8] {
        var w = ByteWriter()
        w.u8(Proof.currentVersion)
        w.u8(UInt8(logTraceHeight))
        let hasAux = auxRoot != nil
        w.u8(hasAux ? 1 : 0)
        w.digest(mainRoot)
        if let a = auxRoot, let s = cumulativeSum {
            w.digest(a)
            w.ext(s)
        }
        w.digest(quotientRoot)
        w.u32(UInt32(oodValues.count))
        for v in oodValues { w.ext(v) }
        w.u8(UInt8(friRoots.count))
        for r in friRoots { w.digest(r) }
        w.u32(UInt32(finalPolynomial.count))
        for c in finalPolynomial { w.ext(c) }
        w.u64(powNonce)
        for group in [traceOpenings, friOpenings] {
            w.u8(UInt8(group.count))
            for o in group { w.opening(o) }
        }
        return w.data
    }

    /// Size of the binary encoding in bytes.
    public var byteCount: Int { serialized().count }

    /// Strictly decodes a proof.
    public init(bytes: [UInt8]) throws(StarkError) {
        var r = ByteReader(bytes)
        let version = try r.u8("version")
        guard version == Proof.currentVersion else {
            throw .malformedProof("unsupported proof version \(version) (this code reads \(Proof.currentVersion))")
        }
        let logH = try r.u8("trace height")
        guard logH <= UInt8(KoalaBear.twoAdicity) else { throw .malformedProof("trace height 2^\(logH) is too large") }
        logTraceHeight = Int(logH)
        let flags = try r.u8("flags")
        guard flags <= 1 else { throw .malformedProof("unknown flags \(flags)") }
        mainRoot = try r.digest("main root")
        if flags == 1 {
            auxRoot = try r.digest("LogUp root")
            cumulativeSum = try r.ext("LogUp sum")
        } else {
            auxRoot = nil
            cumulativeSum = nil
        }
        quotientRoot = try r.digest("quotient root")
        let oodCount = try r.count32("out-of-domain values", itemSize: 16)
        var ood: [KoalaBearExt] = []
        ood.reserveCapacity(oodCount)
        for _ in 0..<oodCount { ood.append(try r.ext("out-of-domain value")) }
        oodValues = ood
        let rootCount = Int(try r.u8("FRI layer count"))
        try r.need(rootCount * 32, "FRI roots")
        var roots: [Digest] = []
        for _ in 0..<rootCount { roots.append(try r.digest("FRI root")) }
        friRoots = roots
        let finalCount = try r.count32("final polynomial", itemSize: 16)
        var fin: [KoalaBearExt] = []
        fin.reserveCapacity(finalCount)
        for _ in 0..<finalCount { fin.append(try r.ext("final polynomial coefficient")) }
        finalPolynomial = fin
        powNonce = try r.u64("grinding nonce")
        var groups: [[BatchOpening]] = []
        for name in ["trace openings", "FRI openings"] {
            let count = Int(try r.u8(name))
            var g: [BatchOpening] = []
            for _ in 0..<count { g.append(try r.opening()) }
            groups.append(g)
        }
        traceOpenings = groups[0]
        friOpenings = groups[1]
        guard r.remaining == 0 else { throw .malformedProof("\(r.remaining) trailing bytes") }
    }

    init(logTraceHeight: Int, mainRoot: Digest, auxRoot: Digest?, cumulativeSum: KoalaBearExt?, quotientRoot: Digest,
         oodValues: [KoalaBearExt], friRoots: [Digest], finalPolynomial: [KoalaBearExt], powNonce: UInt64,
         traceOpenings: [BatchOpening], friOpenings: [BatchOpening]) {
        self.logTraceHeight = logTraceHeight
        self.mainRoot = mainRoot
        self.auxRoot = auxRoot
        self.cumulativeSum = cumulativeSum
        self.quotientRoot = quotientRoot
        self.oodValues = oodValues
        self.friRoots = friRoots
        self.finalPolynomial = finalPolynomial
        self.powNonce = powNonce
        self.traceOpenings = traceOpenings
        self.friOpenings = friOpenings
    }
}
