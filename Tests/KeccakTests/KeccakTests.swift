import Hashing
import Keccak
import Testing

private func hex(_ b: [UInt8]) -> String { b.map { String(format2($0)) }.joined() }
private func format2(_ b: UInt8) -> String { (b < 16 ? "0" : "") + String(b, radix: 16) }
private func pattern(_ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) } }

@Suite struct KeccakVectorTests {
    @Test func emptyInput() {
        #expect(hex(Keccak256.hash([UInt8]())) == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
    }

    @Test func abc() {
        #expect(hex(Keccak256.hash(Array("abc".utf8))) == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
    }

    /// 135, 136 and 137 bytes straddle the 136-byte rate: padding in the same block, a full
    /// block followed by a padding-only block, and one byte spilling over. Digests from
    /// pycryptodome's independent Keccak.
    @Test(arguments: [
        (135, "00ef96af9cf4b24c7f269d922294444a197d0a33638c2e56634c57e892103a8f"),
        (136, "742061bcad767ed4c4f5883b1dcb1aad11afdcc140dc469d953759b127b9f9ed"),
        (137, "e3371f61e770abf254c34239c3b0099ad90594507415bc81dd0a10b9692bbf2a"),
    ])
    func rateBoundaries(length: Int, digest: String) {
        #expect(hex(Keccak256.hash(pattern(length))) == digest)
    }

    @Test func oneMillionAs() {
        let input = [UInt8](repeating: 0x61, count: 1_000_000)
        #expect(hex(Keccak256.hash(input)) == "fadae6b49f129bbb812be8407b7b2894f34aecf6dbd1f9b0f0c7e9853098fc96")
    }

    /// The streaming hasher agrees with one-shot hashing for every way of splitting the input.
    @Test func incrementalMatchesOneShot() {
        let input = pattern(500)
        let expected = Keccak256.hash(input)
        for split in [0, 1, 64, 135, 136, 137, 271, 272, 499, 500] {
            var h = Keccak256()
            h.update(input[..<split])
            h.update(input[split...])
            #expect(h.finalize() == expected, "split at \(split)")
        }
        var bytewise = Keccak256()
        for b in input { bytewise.update([b]) }
        #expect(bytewise.finalize() == expected)
    }

    /// SHA3-256 through our sponge equals OpenSSL's for every length across several blocks, so
    /// the permutation and the block handling match an independent implementation.
    @Test func permutationMatchesOpenSSL() {
        let sha3 = OpenSSLSHA3_256()
        for n in 0...420 {
            let input = pattern(n)
            var ours = [UInt8](repeating: 0, count: 32), theirs = ours
            input.withUnsafeBytes { i in
                ours.withUnsafeMutableBytes { Keccak256.sha3_256(i, into: $0) }
                theirs.withUnsafeMutableBytes { sha3.hash(i, into: $0) }
            }
            #expect(ours == theirs, "length \(n)")
        }
    }

    @Test func sha256Vector() {
        #expect(hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
