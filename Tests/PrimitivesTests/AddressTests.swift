import Primitives
import Testing

@Suite struct AddressTests {
    /// The checksummed addresses listed in EIP-55.
    @Test(arguments: [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        "0xde709f2102306220921060314715629080e2fb77",
        "0x27b1fdb04752bbc536007a920d24acb045561c26",
    ])
    func eip55(_ text: String) throws {
        let a = try Address(hex: text)
        #expect(a.checksummed == text)
        #expect(try Address(hex: text.lowercased()) == a)
    }

    @Test func rejectsBadInput() {
        #expect(throws: AddressError.badChecksum) { try Address(hex: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD") }
        #expect(throws: AddressError.wrongLength(19)) { try Address(hex: "0x" + String(repeating: "ab", count: 19)) }
        #expect(throws: AddressError.invalidHex(.oddLength)) { try Address(hex: "0xabc") }
        #expect(throws: AddressError.invalidHex(.invalidCharacter(offset: 2))) { try Address(hex: "0xzz" + String(repeating: "ab", count: 19)) }
    }

    @Test func systemContractAddresses() {
        #expect(Address(low: 0x1000).lowercaseHex == "0x0000000000000000000000000000000000001000")
        #expect(Address(low: 0x1000).uint256 == UInt256(0x1000))
        let a = try! Address(hex: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
        #expect(Address(a.uint256.bigEndianBytes.suffix(20)) == a)
    }

    @Test func hexCodec() throws {
        #expect(Hex.encode([0x00, 0xff, 0x10]) == "0x00ff10")
        #expect(try Hex.decode("0x00FF10") == [0x00, 0xff, 0x10])
        #expect(try Hex.decode("") == [])
        #expect(throws: HexError.oddLength) { try Hex.decode("0x123") }
        #expect(throws: HexError.missingPrefix) { try Hex.decode("12", requirePrefix: true) }
    }

    @Test func hash32() {
        let h = Hash32.keccak256([UInt8]())
        #expect(h.description == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        #expect(Hash32(hex: h.description) == h)
        #expect(Hash32(h.uint256) == h)
        #expect(Hash32([UInt8](repeating: 0, count: 31)) == nil)
    }
}
