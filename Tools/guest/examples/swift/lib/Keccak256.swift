/// Keccak-256 as Ethereum uses it (padding byte 0x01), in plain Swift for guests.
enum Keccak256 {
    static let roundConstants: [UInt64] = [
        0x0000000000000001, 0x0000000000008082, 0x800000000000808a, 0x8000000080008000,
        0x000000000000808b, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
        0x000000000000008a, 0x0000000000000088, 0x0000000080008009, 0x000000008000000a,
        0x000000008000808b, 0x800000000000008b, 0x8000000000008089, 0x8000000000008003,
        0x8000000000008002, 0x8000000000000080, 0x000000000000800a, 0x800000008000000a,
        0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
    ]
    /// Rotation offsets along the lane cycle that starts at lane 1, and that cycle's lanes.
    static let rho: [UInt64] = [1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14,
                                27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44]
    static let pi: [Int] = [10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4,
                            15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1]

    static func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 { (x << n) | (x >> (64 - n)) }

    static func permute(_ a: inout [UInt64]) {
        var c = [UInt64](repeating: 0, count: 5)
        for round in 0..<24 {
            for x in 0..<5 { c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] }
            for x in 0..<5 {
                let d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1)
                for y in stride(from: 0, to: 25, by: 5) { a[y + x] ^= d }
            }
            var carry = a[1]
            for i in 0..<24 {
                let next = a[pi[i]]
                a[pi[i]] = rotl(carry, rho[i])
                carry = next
            }
            for y in stride(from: 0, to: 25, by: 5) {
                let row0 = a[y], row1 = a[y + 1], row2 = a[y + 2], row3 = a[y + 3], row4 = a[y + 4]
                a[y] = row0 ^ (~row1 & row2)
                a[y + 1] = row1 ^ (~row2 & row3)
                a[y + 2] = row2 ^ (~row3 & row4)
                a[y + 3] = row3 ^ (~row4 & row0)
                a[y + 4] = row4 ^ (~row0 & row1)
            }
            a[0] ^= roundConstants[round]
        }
    }

    /// The 32-byte digest of `message`.
    static func hash(_ message: [UInt8]) -> [UInt8] {
        var state = [UInt64](repeating: 0, count: 25)
        var padded = message
        padded.append(0x01)
        while padded.count % 136 != 0 { padded.append(0) }
        padded[padded.count - 1] ^= 0x80
        var offset = 0
        while offset < padded.count {
            for i in 0..<17 {
                var lane: UInt64 = 0
                for j in 0..<8 { lane |= UInt64(padded[offset + 8 * i + j]) << (8 * UInt64(j)) }
                state[i] ^= lane
            }
            permute(&state)
            offset += 136
        }
        var digest: [UInt8] = []
        for i in 0..<32 { digest.append(UInt8(truncatingIfNeeded: state[i / 8] >> (8 * UInt64(i % 8)))) }
        return digest
    }
}
