import KoalaBear

/// Appends little-endian fixed-width fields.
struct ByteWriter {
    var data: [UInt8] = []

    mutating func u8(_ v: UInt8) { data.append(v) }
    mutating func u16(_ v: UInt16) { littleEndian(v) }
    mutating func u32(_ v: UInt32) { littleEndian(v) }
    mutating func u64(_ v: UInt64) { littleEndian(v) }
    mutating func littleEndian<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
    mutating func bytes(_ b: [UInt8]) { data.append(contentsOf: b) }
    mutating func digest(_ d: Digest) { withUnsafeBytes(of: d) { data.append(contentsOf: $0) } }
    mutating func field(_ f: KoalaBear) { u32(f.value) }
    mutating func ext(_ e: KoalaBearExt) {
        field(e.c0)
        field(e.c1)
        field(e.c2)
        field(e.c3)
    }

    /// rows, width, the values row by row, then the Merkle siblings.
    mutating func opening(_ o: BatchOpening) {
        u32(UInt32(o.rowCount))
        u32(UInt32(o.width))
        for v in o.values { field(v) }
        u32(UInt32(o.siblings.count))
        for s in o.siblings { digest(s) }
    }
}

/// Reads little-endian fixed-width fields, failing (never trapping) on missing bytes and
/// non-canonical field elements.
struct ByteReader {
    let data: [UInt8]
    var position = 0

    init(_ data: [UInt8]) { self.data = data }

    var remaining: Int { data.count - position }

    mutating func need(_ n: Int, _ what: String) throws(StarkError) {
        guard n >= 0, n <= remaining else {
            throw .malformedProof("truncated: \(what) needs \(n) bytes, \(remaining) left")
        }
    }

    mutating func u8(_ what: String) throws(StarkError) -> UInt8 {
        try need(1, what)
        defer { position += 1 }
        return data[position]
    }

    mutating func u16(_ what: String) throws(StarkError) -> UInt16 { try littleEndian(what) }
    mutating func u32(_ what: String) throws(StarkError) -> UInt32 { try littleEndian(what) }
    mutating func u64(_ what: String) throws(StarkError) -> UInt64 { try littleEndian(what) }

    /// A little-endian integer of `T`'s width.
    mutating func littleEndian<T: FixedWidthInteger>(_ what: String) throws(StarkError) -> T {
        let n = T.bitWidth / 8
        try need(n, what)
        var v: T = 0
        for k in 0..<n { v |= T(data[position + k]) << (8 * k) }
        position += n
        return v
    }

    mutating func digest(_ what: String) throws(StarkError) -> Digest {
        try need(32, what)
        let d = Digest(bytes: Array(data[position..<(position + 32)]))
        position += 32
        return d
    }

    mutating func field(_ what: String) throws(StarkError) -> KoalaBear {
        let v = try u32(what)
        guard let f = KoalaBear(canonical: v) else {
            throw .malformedProof("\(what): \(v) is not a canonical field element")
        }
        return f
    }

    mutating func ext(_ what: String) throws(StarkError) -> KoalaBearExt {
        KoalaBearExt(try field(what), try field(what), try field(what), try field(what))
    }

    /// A batch opening as ``ByteWriter/opening(_:)`` writes it.
    mutating func opening() throws(StarkError) -> BatchOpening {
        let rows = try count32("opened rows", itemSize: 0)
        let width = try count32("row width", itemSize: 0)
        guard rows > 0, width > 0 else { throw .malformedProof("empty opening") }
        let (cells, overflow) = rows.multipliedReportingOverflow(by: width)
        guard !overflow, cells <= remaining / 4 else {
            throw .malformedProof("\(rows) rows of \(width) values do not fit in the proof")
        }
        var values: [KoalaBear] = []
        values.reserveCapacity(cells)
        for _ in 0..<cells { values.append(try field("opened value")) }
        let sibCount = try count32("siblings", itemSize: 32)
        var sibs: [Digest] = []
        sibs.reserveCapacity(sibCount)
        for _ in 0..<sibCount { sibs.append(try digest("sibling")) }
        return BatchOpening(width: width, values: values, siblings: sibs)
    }

    /// A count whose items take `itemSize` bytes each; rejects counts the remaining bytes
    /// cannot hold before anything is allocated.
    mutating func count32(_ what: String, itemSize: Int) throws(StarkError) -> Int {
        let c = Int(try u32(what))
        let (total, overflow) = c.multipliedReportingOverflow(by: itemSize)
        guard !overflow, total <= remaining else {
            throw .malformedProof("\(what): \(c) items do not fit in the \(remaining) bytes left")
        }
        return c
    }
}
