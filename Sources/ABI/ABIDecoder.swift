import Primitives

/// A strict decoder over a byte buffer. Every read is bounds-checked before it happens and
/// every length is checked against the remaining data before anything is allocated, so
/// hostile input fails with an ``ABIError`` instead of trapping or exhausting memory.
///
/// Rules (those of eth-abi, the strictest common decoder):
/// - offsets must point past the head region they belong to and leave room for the target's head;
/// - lengths must fit the remaining data (`length × element head size` for arrays);
/// - `bool` is 0 or 1, `address` and `uintN` have no high bits, `intN` is sign-extended,
///   `bytesN` and the tails of `bytes`/`string` are zero-padded to 32 bytes (padding present);
/// - `string` contents are valid UTF-8;
/// - reading is limited to a multiple of the input size, which stops aliased offsets from
///   expanding a small input into a huge result.
struct ABIDecoder {
    let raw: UnsafeRawBufferPointer
    let end: Int
    /// 32-byte words that may still be read.
    var budget: Int

    /// Words that may be read per word of input; canonical encodings read each word once.
    static let expansionFactor = 4
    /// Words that may be read on top of that, so tiny inputs are not held to a tiny limit.
    static let expansionAllowance = 1024

    init(raw: UnsafeRawBufferPointer, origin: Int) {
        self.raw = raw
        self.end = raw.count
        let words = max(0, raw.count - origin) / 32
        self.budget = words * Self.expansionFactor + Self.expansionAllowance
    }

    /// Decodes `types` as a tuple starting at `origin`; trailing bytes after it are ignored.
    static func decode(_ types: [ABIType], from bytes: [UInt8], origin: Int) throws(ABIError) -> [ABIValue] {
        try ABIType.validate(list: types)
        let result: Result<[ABIValue], ABIError> = bytes.withUnsafeBytes { raw in
            var d = ABIDecoder(raw: raw, origin: origin)
            do throws(ABIError) { return .success(try d.decodeTuple(types, base: origin)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    // MARK: Reads

    @inline(__always)
    private func need(_ n: Int, at p: Int) throws(ABIError) {
        guard p >= 0, p <= end, end - p >= n else {
            throw .truncated(offset: p, needed: n, available: max(0, end - max(p, 0)))
        }
    }

    @inline(__always)
    private mutating func charge(_ words: Int, at p: Int) throws(ABIError) {
        budget -= words
        if budget < 0 { throw .expansionLimitExceeded(offset: p) }
    }

    /// The 32-byte word at `p`.
    private mutating func word(at p: Int) throws(ABIError) -> UInt256 {
        try need(32, at: p)
        try charge(1, at: p)
        return UInt256(
            w0: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: p + 24, as: UInt64.self)),
            w1: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: p + 16, as: UInt64.self)),
            w2: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: p + 8, as: UInt64.self)),
            w3: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: p, as: UInt64.self)))
    }

    /// The offset of the first non-zero byte in `range`, if any.
    private func firstNonZero(_ range: Range<Int>) -> Int? {
        var i = range.lowerBound
        while i < range.upperBound {
            if raw[i] != 0 { return i }
            i += 1
        }
        return nil
    }

    /// Follows the offset word at `slot` of a head region that starts at `base` and is
    /// `headLength` bytes long; returns the absolute position of a `type` encoding.
    private mutating func follow(slot: Int, base: Int, headLength: Int, to type: ABIType) throws(ABIError) -> Int {
        let w = try word(at: slot)
        // base <= end holds for every caller (the head region was checked to fit).
        guard w.w1 | w.w2 | w.w3 == 0, w.w0 <= UInt64(end - base) else {
            throw .offsetOutOfBounds(offset: slot, pointer: w)
        }
        let offset = Int(w.w0)
        guard offset >= headLength else { throw .offsetIntoHead(offset: slot, pointer: w) }
        let target = base + offset
        guard end - target >= type.ownHeadSize else { throw .offsetOutOfBounds(offset: slot, pointer: w) }
        return target
    }

    // MARK: Composite

    /// Decodes a tuple whose encoding starts at `base`.
    mutating func decodeTuple(_ ts: [ABIType], base: Int) throws(ABIError) -> [ABIValue] {
        var headLength = 0
        for t in ts { headLength += t.headSize }  // validated: no overflow
        try need(headLength, at: base)
        var values: [ABIValue] = []
        values.reserveCapacity(ts.count)
        var head = base
        for t in ts {
            if t.isDynamic {
                let target = try follow(slot: head, base: base, headLength: headLength, to: t)
                values.append(try decode(t, at: target))
                head += 32
            } else {
                values.append(try decode(t, at: head))
                head += t.headSize
            }
        }
        return values
    }

    /// Decodes `count` elements of type `e` laid out as a tuple starting at `base`.
    /// The caller has checked that `count × e.headSize` bytes are available at `base`.
    private mutating func decodeSequence(of e: ABIType, count: Int, base: Int) throws(ABIError) -> [ABIValue] {
        var values: [ABIValue] = []
        values.reserveCapacity(count)
        if e.isDynamic {
            let headLength = 32 * count
            for i in 0..<count {
                let target = try follow(slot: base + 32 * i, base: base, headLength: headLength, to: e)
                values.append(try decode(e, at: target))
            }
        } else {
            let size = e.headSize
            for i in 0..<count { values.append(try decode(e, at: base + size * i)) }
        }
        return values
    }

    /// Reads a length word at `p` and checks that `length × unit` bytes follow it.
    private mutating func length(at p: Int, unit: Int) throws(ABIError) -> Int {
        let w = try word(at: p)
        let available = end - (p + 32)
        guard w.w1 | w.w2 | w.w3 == 0, w.w0 <= UInt64(available), Int(w.w0) <= available / unit else {
            throw .lengthOutOfBounds(offset: p, length: w)
        }
        return Int(w.w0)
    }

    /// The contents of a `bytes`/`string` at `p` (length word, data, zero padding), and where they start.
    private mutating func byteString(at p: Int) throws(ABIError) -> (Range<Int>, Int) {
        let n = try length(at: p, unit: 1)
        let start = p + 32
        let padded = ABIEncoder.paddedLength(n)
        try need(padded, at: start)
        try charge(padded / 32, at: start)
        if let bad = firstNonZero(start + n ..< start + padded) { throw .nonZeroPadding(offset: bad) }
        return (start ..< start + n, start)
    }

    // MARK: Values

    /// Decodes one value of type `t` whose encoding starts at `p`.
    mutating func decode(_ t: ABIType, at p: Int) throws(ABIError) -> ABIValue {
        switch t {
        case .uint(let bits):
            let w = try word(at: p)
            guard bits == 256 || (w >> bits).isZero else { throw .invalidUint(offset: p, bits: bits) }
            return .uint(w)
        case .int(let bits):
            let v = Int256(bitPattern: try word(at: p))
            guard v.fits(bits: bits) else { throw .invalidInt(offset: p, bits: bits) }
            return .int(v)
        case .address:
            let w = try word(at: p)
            guard w.w3 == 0, w.w2 >> 32 == 0 else { throw .invalidAddress(offset: p) }
            return .address(Address(rawBytes: UnsafeRawBufferPointer(rebasing: raw[p + 12 ..< p + 32])))
        case .bool:
            let w = try word(at: p)
            guard w.w1 | w.w2 | w.w3 == 0, w.w0 <= 1 else { throw .invalidBool(offset: p) }
            return .bool(w.w0 == 1)
        case .fixedBytes(let n):
            try need(32, at: p)
            try charge(1, at: p)
            if let bad = firstNonZero(p + n ..< p + 32) { throw .nonZeroPadding(offset: bad) }
            return .fixedBytes(Array(raw[p ..< p + n]))
        case .bytes:
            let (range, _) = try byteString(at: p)
            return .bytes(Array(raw[range]))
        case .string:
            let (range, start) = try byteString(at: p)
            let contents = UnsafeRawBufferPointer(rebasing: raw[range])
            if let bad = Self.firstInvalidUTF8(contents) { throw .invalidUTF8(offset: start + bad) }
            return .string(String(decoding: contents, as: UTF8.self))
        case .array(let e):
            let n = try length(at: p, unit: e.headSize)
            return .array(try decodeSequence(of: e, count: n, base: p + 32))
        case .fixedArray(let e, let k):
            try need(t.ownHeadSize, at: p)
            return .array(try decodeSequence(of: e, count: k, base: p))
        case .tuple(let ts):
            return .tuple(try decodeTuple(ts, base: p))
        }
    }

    /// The index of the first byte that does not begin or continue a well-formed UTF-8 scalar
    /// (overlong forms, surrogates and values above U+10FFFF are ill-formed), or nil.
    static func firstInvalidUTF8(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var position = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): position += encoded.count
            case .emptyInput: return nil
            case .error: return position
            }
        }
    }
}
