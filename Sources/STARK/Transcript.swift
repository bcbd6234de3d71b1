import Locking
import Hashing
import KoalaBear

/// The Fiat–Shamir transcript: a SHA-256 hash chain. Absorbed bytes are buffered; the first
/// squeeze after an absorption sets `state = SHA256(state ‖ buffered bytes)`, and outputs are
/// the blocks SHA256(state ‖ counter) for counter = 0, 1, …. Every sample is unbiased: field
/// elements by rejection sampling of 31-bit words, indices below a power of two by masking.
/// Prover and verifier drive identical transcripts, so every challenge depends on everything
/// absorbed before it.
public struct Transcript: Sendable {
    private var state: [UInt8]
    private var pending: [UInt8] = []
    private var output: [UInt8] = []
    private var outputPosition = 0
    private var counter: UInt64 = 0

    /// A transcript for a protocol named `label`.
    public init(label: String) {
        state = SHA256.hash(Array("ProverNet transcript".utf8) + Array(label.utf8))
    }

    // MARK: Absorbing

    /// Absorbs raw bytes.
    public mutating func absorb(bytes: [UInt8]) {
        if !output.isEmpty {
            output.removeAll(keepingCapacity: true)
            outputPosition = 0
        }
        pending.append(contentsOf: bytes)
    }

    /// Absorbs a 64-bit integer (little-endian).
    public mutating func absorb(_ v: UInt64) {
        absorb(bytes: withUnsafeBytes(of: v.littleEndian) { Array($0) })
    }

    /// Absorbs a digest.
    public mutating func absorb(_ d: Digest) { absorb(bytes: d.bytes) }

    /// Absorbs a base-field element (canonical, little-endian 32-bit).
    public mutating func absorb(_ f: KoalaBear) {
        absorb(bytes: withUnsafeBytes(of: f.value.littleEndian) { Array($0) })
    }

    /// Absorbs an extension element (its four canonical coefficients).
    public mutating func absorb(_ e: KoalaBearExt) {
        absorb(e.c0)
        absorb(e.c1)
        absorb(e.c2)
        absorb(e.c3)
    }

    /// Absorbs a list of base-field elements, length first.
    public mutating func absorb(_ fs: [KoalaBear]) {
        absorb(UInt64(fs.count))
        for f in fs { absorb(f) }
    }

    // MARK: Squeezing

    private mutating func nextBlock() {
        if !pending.isEmpty {
            state = SHA256.hash(state + pending)
            pending.removeAll(keepingCapacity: true)
            counter = 0
        }
        var input = state
        withUnsafeBytes(of: counter.littleEndian) { input.append(contentsOf: $0) }
        counter += 1
        output = SHA256.hash(input)
        outputPosition = 0
    }

    /// The next 4 output bytes as a little-endian word.
    private mutating func squeezeWord() -> UInt32 {
        if !pending.isEmpty || outputPosition + 4 > output.count { nextBlock() }
        var w: UInt32 = 0
        for k in 0..<4 { w |= UInt32(output[outputPosition + k]) << (8 * UInt32(k)) }
        outputPosition += 4
        return w
    }

    /// 32 fresh output bytes.
    public mutating func squeezeDigest() -> Digest {
        nextBlock()
        let d = Digest(bytes: output)
        outputPosition = output.count
        return d
    }

    /// A uniformly random base-field element (rejection sampling on 31-bit words).
    public mutating func sampleBase() -> KoalaBear {
        while true {
            let w = squeezeWord() & 0x7fff_ffff
            if let f = KoalaBear(canonical: w) { return f }
        }
    }

    /// A uniformly random extension element.
    public mutating func sampleExt() -> KoalaBearExt {
        let a = sampleBase(), b = sampleBase(), c = sampleBase(), d = sampleBase()
        return KoalaBearExt(a, b, c, d)
    }

    /// A uniformly random integer in [0, 2^bits), bits ≤ 32.
    public mutating func sampleIndex(bits: Int) -> Int {
        precondition(bits >= 0 && bits <= 32)
        if bits == 0 { return 0 }
        let w = squeezeWord()
        return Int(bits == 32 ? w : w & ((1 << UInt32(bits)) - 1))
    }

    // MARK: Proof of work

    /// True if SHA256(seed ‖ nonce) starts with `bits` zero bits.
    public static func powIsValid(seed: Digest, nonce: UInt64, bits: Int) -> Bool {
        if bits <= 0 { return true }
        var buf = (seed, nonce.littleEndian)
        var out = Digest.zero
        withUnsafeBytes(of: &buf) { inp in
            withUnsafeMutableBytes(of: &out) { o in
                SHA256.hash(UnsafeRawBufferPointer(rebasing: inp[0..<40]), into: o)
            }
        }
        // Leading zero bits of the digest read as a big-endian number.
        var remaining = bits
        for byte in out.bytes {
            if remaining <= 0 { return true }
            if remaining >= 8 {
                if byte != 0 { return false }
                remaining -= 8
            } else {
                return byte >> UInt8(8 - remaining) == 0
            }
        }
        return remaining <= 0
    }

    /// Prover side of grinding: squeezes a seed, finds the smallest nonce whose hash with the
    /// seed has `bits` leading zero bits (searching on `threads` threads, deterministically),
    /// absorbs it and returns it.
    public mutating func grind(bits: Int, threads: Int) -> UInt64 {
        let seed = squeezeDigest()
        var nonce: UInt64 = 0
        if bits > 0 {
            let batch: UInt64 = 4096
            var start: UInt64 = 0
            let t = Swift.max(1, threads)
            let found = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: t)
            defer { found.deallocate() }
            let box = UnsafeTransfer(found)
            search: while true {
                let base = start
                Parallel.forEach(t, threads: t) { k in
                    var best = UInt64.max
                    let lo = base + UInt64(k) * batch
                    for n in lo..<(lo + batch) where Transcript.powIsValid(seed: seed, nonce: n, bits: bits) {
                        best = n
                        break
                    }
                    box.value[k] = best
                }
                let m = found.min() ?? .max
                if m != .max {
                    nonce = m
                    break search
                }
                start += batch * UInt64(t)
            }
        }
        absorb(nonce)
        return nonce
    }

    /// Verifier side of grinding: squeezes the same seed, checks the nonce, absorbs it.
    public mutating func checkGrinding(bits: Int, nonce: UInt64) -> Bool {
        let seed = squeezeDigest()
        let ok = Transcript.powIsValid(seed: seed, nonce: nonce, bits: bits)
        absorb(nonce)
        return ok
    }
}
