/// The values shift·root^{bitreverse_bits(i)} for i in [0, 2^bits): the points of a two-adic
/// coset in bit-reversed order (root = ω_N, bits = log N), or the twiddles FRI folding needs.
/// Consecutive indices are produced without a table of size 2^bits: i = hi·2^c + k gives
/// shift·root^{rev(hi·2^c)} · (root^{2^(bits−c)})^{rev_c(k)}, so one small table of 2^c
/// entries (c ≤ 10, cache resident) and one power per block suffice.
public struct BitReversedPowers: Sendable {
    /// The root whose bit-reversed powers are produced.
    public let root: KoalaBear
    /// Number of index bits (values exist for indices below 2^bits).
    public let bits: Int
    /// The factor every value is multiplied by.
    public let shift: KoalaBear
    /// log2 of the block size.
    public let logBlock: Int
    let table: [KoalaBear]

    /// Precomputes the block table for `root`, `bits` and `shift`.
    public init(root: KoalaBear, bits: Int, shift: KoalaBear = .one) {
        self.root = root
        self.bits = bits
        self.shift = shift
        logBlock = Swift.min(bits, 10)
        let c = logBlock
        let blockRoot = root.pow(UInt64(1) << UInt64(bits - c))
        var t = [KoalaBear](repeating: .zero, count: 1 << c)
        var acc = KoalaBear.one
        var natural = [KoalaBear](repeating: .zero, count: 1 << c)
        for k in 0..<(1 << c) {
            natural[k] = acc
            acc *= blockRoot
        }
        for k in 0..<(1 << c) { t[k] = natural[NTT.reverseBits(k, bits: c)] }
        table = t
    }

    /// The value at index i.
    public func value(_ i: Int) -> KoalaBear {
        shift * root.pow(UInt64(NTT.reverseBits(i, bits: bits)))
    }

    /// Writes the values for indices lo ..< lo + count.
    public func fill(from lo: Int, count: Int, into out: UnsafeMutablePointer<KoalaBear>) {
        let mask = (1 << logBlock) - 1
        var i = lo
        let end = lo + count
        while i < end {
            let blockStart = i & ~mask
            let blockEnd = Swift.min(end, blockStart + mask + 1)
            let base = shift * root.pow(UInt64(NTT.reverseBits(blockStart, bits: bits)))
            table.withUnsafeBufferPointer { t in
                for j in i..<blockEnd { out[j - lo] = base * t[j & mask] }
            }
            i = blockEnd
        }
    }
}
