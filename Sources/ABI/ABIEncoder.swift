import Primitives

/// Encodes values into one output buffer, heads first and tails appended after them; offsets
/// of dynamic components are patched in place, so nothing is encoded twice or copied.
struct ABIEncoder {
    var out: [UInt8] = []

    // MARK: Size (for reserveCapacity)

    /// The size of the encoding of `v` as `t` (head and tail), assuming it matches the type.
    /// Mismatched values get a best guess; the encoder reports them.
    static func encodedSize(_ v: ABIValue, _ t: ABIType) -> Int {
        switch (t, v) {
        case (.bytes, .bytes(let b)): return 32 + paddedLength(b.count)
        case (.string, .string(let s)): return 32 + paddedLength(s.utf8.count)
        case (.array(let e), .array(let xs)): return 32 + sequenceSize(xs, e)
        case (.fixedArray(let e, _), .array(let xs)) where e.isDynamic: return sequenceSize(xs, e)
        case (.tuple(let ts), .tuple(let xs)) where t.isDynamic: return tupleSize(xs, ts)
        default: return t.isDynamic ? 32 : t.headSize
        }
    }

    static func tupleSize(_ xs: [ABIValue], _ ts: [ABIType]) -> Int {
        var n = 0
        for (x, t) in zip(xs, ts) { n += t.isDynamic ? 32 + encodedSize(x, t) : t.headSize }
        return n
    }

    static func sequenceSize(_ xs: [ABIValue], _ e: ABIType) -> Int {
        if !e.isDynamic { return xs.count * e.headSize }
        var n = 32 * xs.count
        for x in xs { n += encodedSize(x, e) }
        return n
    }

    @inline(__always)
    static func paddedLength(_ n: Int) -> Int { (n + 31) & ~31 }

    // MARK: Primitive writes

    @inline(__always)
    mutating func appendWord(_ w: UInt256) {
        var be = (w.w3.bigEndian, w.w2.bigEndian, w.w1.bigEndian, w.w0.bigEndian)
        withUnsafeBytes(of: &be) { out.append(contentsOf: $0) }
    }

    @inline(__always)
    mutating func appendWord(_ n: Int) { appendWord(UInt256(UInt64(n))) }

    @inline(__always)
    mutating func appendZeros(_ n: Int) {
        if n > 0 { out.append(contentsOf: repeatElement(0, count: n)) }
    }

    /// Appends `bytes` and zero padding up to a multiple of 32.
    mutating func appendPadded<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        out.append(contentsOf: bytes)
        appendZeros(Self.paddedLength(bytes.count) - bytes.count)
    }

    mutating func patchWord(at position: Int, _ n: Int) {
        let w = UInt256(UInt64(n))
        out.withUnsafeMutableBytes { raw in
            w.writeBigEndian(into: UnsafeMutableRawBufferPointer(rebasing: raw[position..<position + 32]))
        }
    }

    // MARK: Values

    /// Encodes the components of a tuple (or the top-level list) starting at the current end.
    mutating func encodeTuple(_ xs: [ABIValue], _ ts: [ABIType]) throws(ABIError) {
        guard xs.count == ts.count else { throw .valueCountMismatch(path: "", expected: ts.count, got: xs.count) }
        let start = out.count
        // Heads: static components in place, placeholders for the offsets of dynamic ones.
        for i in xs.indices {
            let t = ts[i]
            if t.isDynamic {
                appendZeros(32)
            } else {
                do { try encode(xs[i], as: t) } catch { throw error.prefixingPath(i) }
            }
        }
        // Tails, in order, each offset measured from the start of this tuple.
        var head = start
        for i in xs.indices {
            let t = ts[i]
            if t.isDynamic {
                patchWord(at: head, out.count - start)
                do { try encode(xs[i], as: t) } catch { throw error.prefixingPath(i) }
                head += 32
            } else {
                head += t.headSize
            }
        }
    }

    /// Encodes array elements (without a length word) as a tuple of `xs.count` components of type `e`.
    mutating func encodeSequence(_ xs: [ABIValue], of e: ABIType) throws(ABIError) {
        guard e.isDynamic else {
            for i in xs.indices {
                do { try encode(xs[i], as: e) } catch { throw error.prefixingPath(i) }
            }
            return
        }
        let start = out.count
        appendZeros(32 * xs.count)
        for i in xs.indices {
            patchWord(at: start + 32 * i, out.count - start)
            do { try encode(xs[i], as: e) } catch { throw error.prefixingPath(i) }
        }
    }

    mutating func encode(_ v: ABIValue, as t: ABIType) throws(ABIError) {
        switch t {
        case .uint(let bits):
            guard case .uint(let x) = v else { throw mismatch(t, v) }
            guard bits == 256 || (x >> bits).isZero else { throw .uintTooLarge(path: "", bits: bits) }
            appendWord(x)
        case .int(let bits):
            guard case .int(let x) = v else { throw mismatch(t, v) }
            guard x.fits(bits: bits) else { throw .intOutOfRange(path: "", bits: bits) }
            appendWord(x.bitPattern)
        case .address:
            guard case .address(let a) = v else { throw mismatch(t, v) }
            appendWord(a.uint256)
        case .bool:
            guard case .bool(let b) = v else { throw mismatch(t, v) }
            appendWord(b ? UInt256.one : UInt256.zero)
        case .fixedBytes(let n):
            guard case .fixedBytes(let b) = v else { throw mismatch(t, v) }
            guard b.count == n else { throw .fixedBytesLength(path: "", expected: n, got: b.count) }
            appendPadded(b)
        case .bytes:
            guard case .bytes(let b) = v else { throw mismatch(t, v) }
            appendWord(b.count)
            appendPadded(b)
        case .string:
            guard case .string(let s) = v else { throw mismatch(t, v) }
            let utf8 = s.utf8
            appendWord(utf8.count)
            appendPadded(utf8)
        case .array(let e):
            guard case .array(let xs) = v else { throw mismatch(t, v) }
            appendWord(xs.count)
            try encodeSequence(xs, of: e)
        case .fixedArray(let e, let k):
            guard case .array(let xs) = v else { throw mismatch(t, v) }
            guard xs.count == k else { throw .fixedArrayLength(path: "", expected: k, got: xs.count) }
            try encodeSequence(xs, of: e)
        case .tuple(let ts):
            guard case .tuple(let xs) = v else { throw mismatch(t, v) }
            try encodeTuple(xs, ts)
        }
    }

    private func mismatch(_ t: ABIType, _ v: ABIValue) -> ABIError {
        .typeMismatch(path: "", expected: t.description, got: v.kind)
    }
}
