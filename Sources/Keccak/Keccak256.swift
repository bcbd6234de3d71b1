/// Keccak-256 as Ethereum uses it: the Keccak sponge with capacity 512 and the original
/// multi-rate padding (domain byte `0x01`), not the FIPS 202 SHA3-256 padding (`0x06`).
///
/// One-shot hashing never allocates; ``Keccak256`` also works incrementally:
/// ```swift
/// var h = Keccak256()
/// h.update(header)
/// h.update(body)
/// let digest = h.finalize()
/// ```
public struct Keccak256: Sendable {
    /// Bytes absorbed per permutation (1600 - 2 * 256 bits).
    public static let rate = 136
    /// Digest length in bytes.
    public static let digestLength = 32

    @usableFromInline var state: InlineArray<25, UInt64>
    @usableFromInline var buffer: InlineArray<136, UInt8>
    @usableFromInline var buffered: Int

    /// A fresh hasher.
    @inlinable
    public init() {
        state = .init(repeating: 0)
        buffer = .init(repeating: 0)
        buffered = 0
    }

    /// Absorbs `bytes`.
    @inlinable
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var input = bytes
        if buffered > 0 {
            let take = min(Self.rate - buffered, input.count)
            for i in 0..<take { buffer[buffered + i] = input[i] }
            buffered += take
            input = UnsafeRawBufferPointer(rebasing: input[take...])
            if buffered < Self.rate { return }
            absorbBuffer()
        }
        while input.count >= Self.rate {
            withUnsafeMutableBytes(of: &state) { raw in
                let s = raw.baseAddress!.assumingMemoryBound(to: UInt64.self)
                Keccak256.xorBlock(s, input.baseAddress!)
                keccakF1600(s)
            }
            input = UnsafeRawBufferPointer(rebasing: input[Self.rate...])
        }
        for i in 0..<input.count { buffer[i] = input[i] }
        buffered = input.count
    }

    /// Absorbs the bytes of any contiguous collection.
    @inlinable
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if let done: Void = bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) {
            return done
        }
        let copy = Array(bytes)
        copy.withUnsafeBytes { update($0) }
    }

    @usableFromInline
    mutating func absorbBuffer() {
        let block = buffer
        withUnsafeBytes(of: block) { b in
            withUnsafeMutableBytes(of: &state) { raw in
                let s = raw.baseAddress!.assumingMemoryBound(to: UInt64.self)
                Keccak256.xorBlock(s, b.baseAddress!)
                keccakF1600(s)
            }
        }
        buffered = 0
    }

    /// Pads, squeezes and writes the 32-byte digest to `out`, which must hold 32 bytes.
    @inlinable
    public consuming func finalize(into out: UnsafeMutableRawBufferPointer) {
        precondition(out.count >= Self.digestLength, "Keccak256 output buffer too small")
        for i in buffered..<Self.rate { buffer[i] = 0 }
        buffer[buffered] ^= 0x01
        buffer[Self.rate - 1] ^= 0x80
        absorbBuffer()
        for lane in 0..<4 {
            var word = state[lane].littleEndian
            withUnsafeBytes(of: &word) { w in
                for i in 0..<8 { out[lane * 8 + i] = w[i] }
            }
        }
    }

    /// Pads, squeezes and returns the 32-byte digest.
    @inlinable
    public consuming func finalize() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: Self.digestLength) { out, count in
            finalize(into: UnsafeMutableRawBufferPointer(out))
            count = Self.digestLength
        }
    }

    /// Keccak-256 of `input` written to `out` (32 bytes); no allocation.
    @inlinable
    public static func hash(_ input: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        sponge(input, into: out, domain: 0x01)
    }

    /// FIPS 202 SHA3-256 (domain bits `0x06`) of `input`: the same sponge and permutation
    /// with the standard's padding. Used to check the permutation against OpenSSL.
    @inlinable
    public static func sha3_256(_ input: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        sponge(input, into: out, domain: 0x06)
    }

    @inlinable
    static func sponge(_ input: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer, domain: UInt8) {
        precondition(out.count >= digestLength, "Keccak256 output buffer too small")
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 25) { s in
            let st = s.baseAddress!
            st.initialize(repeating: 0, count: 25)
            var input = input
            while input.count >= rate {
                xorBlock(st, input.baseAddress!)
                keccakF1600(st)
                input = UnsafeRawBufferPointer(rebasing: input[rate...])
            }
            // Final block: remaining bytes, then 0x01 ... 0x80.
            for i in 0..<input.count { xorByte(st, i, input[i]) }
            xorByte(st, input.count, domain)
            xorByte(st, rate - 1, 0x80)
            keccakF1600(st)
            for lane in 0..<4 {
                out.storeBytes(of: st[lane].littleEndian, toByteOffset: lane * 8, as: UInt64.self)
            }
        }
    }

    /// Keccak-256 of the bytes of `input`.
    @inlinable
    public static func hash<Bytes: Sequence>(_ input: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        [UInt8](unsafeUninitializedCapacity: digestLength) { out, count in
            let raw = UnsafeMutableRawBufferPointer(out)
            if input.withContiguousStorageIfAvailable({ hash(UnsafeRawBufferPointer($0), into: raw) }) == nil {
                Array(input).withUnsafeBytes { hash($0, into: raw) }
            }
            count = digestLength
        }
    }

    @inlinable @inline(__always)
    static func xorBlock(_ state: UnsafeMutablePointer<UInt64>, _ block: UnsafeRawPointer) {
        for i in 0..<17 {
            state[i] ^= UInt64(littleEndian: block.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
        }
    }

    @inlinable @inline(__always)
    static func xorByte(_ state: UnsafeMutablePointer<UInt64>, _ offset: Int, _ byte: UInt8) {
        // Lanes are little-endian: byte `offset` lives in lane offset/8 at bit 8*(offset%8).
        state[offset >> 3] ^= UInt64(byte) &<< UInt64((offset & 7) * 8)
    }
}
