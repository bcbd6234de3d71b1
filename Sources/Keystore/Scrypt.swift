import COpenSSL

/// scrypt (RFC 7914) with its outer PBKDF2-HMAC-SHA256 steps from OpenSSL and ROMix written
/// here: OpenSSL refuses parameters outside RFC 7914's N < 2^(128·r/8) bound, which geth's own
/// keystore test vector (N = 2^18, r = 1) uses.
enum Scrypt {
    static func derive(password: [UInt8], salt: [UInt8], n: Int, r: Int, p: Int, length: Int) -> [UInt8]? {
        let blockWords = 32 * r  // 128·r bytes as 32-bit words
        var b = [UInt8](repeating: 0, count: 128 * r * p)
        guard pbkdf2(password, salt, &b) else { return nil }
        var x = [UInt32](repeating: 0, count: blockWords)
        var v = [UInt32](repeating: 0, count: blockWords * n)
        var y = [UInt32](repeating: 0, count: blockWords)
        for i in 0..<p {
            // Load block i as little-endian words.
            for w in 0..<blockWords {
                let o = i * 128 * r + w * 4
                x[w] = UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
            }
            x.withUnsafeMutableBufferPointer { xp in
                v.withUnsafeMutableBufferPointer { vp in
                    y.withUnsafeMutableBufferPointer { yp in
                        roMix(xp.baseAddress!, vp.baseAddress!, yp.baseAddress!, r: r, n: n)
                    }
                }
            }
            for w in 0..<blockWords {
                let o = i * 128 * r + w * 4
                b[o] = UInt8(truncatingIfNeeded: x[w])
                b[o + 1] = UInt8(truncatingIfNeeded: x[w] >> 8)
                b[o + 2] = UInt8(truncatingIfNeeded: x[w] >> 16)
                b[o + 3] = UInt8(truncatingIfNeeded: x[w] >> 24)
            }
        }
        var out = [UInt8](repeating: 0, count: length)
        guard pbkdf2(password, b, &out) else { return nil }
        return out
    }

    private static func pbkdf2(_ password: [UInt8], _ salt: [UInt8], _ out: inout [UInt8]) -> Bool {
        let count = Int32(out.count)
        return out.withUnsafeMutableBufferPointer { o in
            password.withUnsafeBufferPointer { pw in
                PKCS5_PBKDF2_HMAC(pw.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, Int32(pw.count),
                                  salt, Int32(salt.count), 1, EVP_sha256(), count, o.baseAddress) == 1
            }
        }
    }

    /// ROMix: V[i] = X; X = BlockMix(X) for i < N, then N rounds of X = BlockMix(X ⊕ V[Integerify(X) mod N]).
    private static func roMix(_ x: UnsafeMutablePointer<UInt32>, _ v: UnsafeMutablePointer<UInt32>, _ y: UnsafeMutablePointer<UInt32>,
                              r: Int, n: Int) {
        let words = 32 * r
        for i in 0..<n {
            (v + i * words).update(from: x, count: words)
            blockMix(x, y, r: r)
        }
        for _ in 0..<n {
            let j = Int(x[(2 * r - 1) * 16]) & (n - 1)
            let vj = v + j * words
            for k in 0..<words { x[k] ^= vj[k] }
            blockMix(x, y, r: r)
        }
    }

    /// BlockMix with Salsa20/8 over 2r 64-byte blocks, output in the shuffled order.
    private static func blockMix(_ b: UnsafeMutablePointer<UInt32>, _ y: UnsafeMutablePointer<UInt32>, r: Int) {
        var t = (UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0),
                 UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0))
        withUnsafeMutableBytes(of: &t) { raw in
            let x = raw.baseAddress!.assumingMemoryBound(to: UInt32.self)
            x.update(from: b + (2 * r - 1) * 16, count: 16)
            for i in 0..<(2 * r) {
                for k in 0..<16 { x[k] ^= b[i * 16 + k] }
                salsa20_8(x)
                // Even blocks go to the first half, odd ones to the second.
                let dst = y + ((i & 1) * r + i / 2) * 16
                dst.update(from: x, count: 16)
            }
        }
        b.update(from: y, count: 32 * r)
    }

    @inline(__always)
    private static func salsa20_8(_ b: UnsafeMutablePointer<UInt32>) {
        var x0 = b[0], x1 = b[1], x2 = b[2], x3 = b[3], x4 = b[4], x5 = b[5], x6 = b[6], x7 = b[7]
        var x8 = b[8], x9 = b[9], x10 = b[10], x11 = b[11], x12 = b[12], x13 = b[13], x14 = b[14], x15 = b[15]
        @inline(__always) func rotl(_ v: UInt32, _ c: UInt32) -> UInt32 { (v << c) | (v >> (32 - c)) }
        for _ in 0..<4 {
            // Column round.
            x4 ^= rotl(x0 &+ x12, 7); x8 ^= rotl(x4 &+ x0, 9); x12 ^= rotl(x8 &+ x4, 13); x0 ^= rotl(x12 &+ x8, 18)
            x9 ^= rotl(x5 &+ x1, 7); x13 ^= rotl(x9 &+ x5, 9); x1 ^= rotl(x13 &+ x9, 13); x5 ^= rotl(x1 &+ x13, 18)
            x14 ^= rotl(x10 &+ x6, 7); x2 ^= rotl(x14 &+ x10, 9); x6 ^= rotl(x2 &+ x14, 13); x10 ^= rotl(x6 &+ x2, 18)
            x3 ^= rotl(x15 &+ x11, 7); x7 ^= rotl(x3 &+ x15, 9); x11 ^= rotl(x7 &+ x3, 13); x15 ^= rotl(x11 &+ x7, 18)
            // Row round.
            x1 ^= rotl(x0 &+ x3, 7); x2 ^= rotl(x1 &+ x0, 9); x3 ^= rotl(x2 &+ x1, 13); x0 ^= rotl(x3 &+ x2, 18)
            x6 ^= rotl(x5 &+ x4, 7); x7 ^= rotl(x6 &+ x5, 9); x4 ^= rotl(x7 &+ x6, 13); x5 ^= rotl(x4 &+ x7, 18)
            x11 ^= rotl(x10 &+ x9, 7); x8 ^= rotl(x11 &+ x10, 9); x9 ^= rotl(x8 &+ x11, 13); x10 ^= rotl(x9 &+ x8, 18)
            x12 ^= rotl(x15 &+ x14, 7); x13 ^= rotl(x12 &+ x15, 9); x14 ^= rotl(x13 &+ x12, 13); x15 ^= rotl(x14 &+ x13, 18)
        }
        b[0] &+= x0; b[1] &+= x1; b[2] &+= x2; b[3] &+= x3; b[4] &+= x4; b[5] &+= x5; b[6] &+= x6; b[7] &+= x7
        b[8] &+= x8; b[9] &+= x9; b[10] &+= x10; b[11] &+= x11; b[12] &+= x12; b[13] &+= x13; b[14] &+= x14; b[15] &+= x15
    }
}
