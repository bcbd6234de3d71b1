import ABI
import Primitives
import Testing

/// The "Examples" section of the Solidity ABI specification, and well-known selectors.
@Suite struct SpecVectorTests {
    /// Checks call data against the published bytes, then decodes it back and checks that every
    /// strict prefix of the arguments is rejected.
    func check(_ signature: String, _ values: [ABIValue], _ expected: String) throws {
        let data = try ABI.encodeCall(signature: signature, values)
        #expect(Hex.encode(data) == Hex.encode(hex(expected)))
        #expect(try ABI.decodeCall(signature: signature, data: data) == values)
        let f = try ABIFunction(signature: signature)
        let args = Array(data.dropFirst(4))
        #expect(try ABI.decode(f.inputs, from: args) == values)
        for n in 0..<args.count {
            #expect(throws: ABIError.self) { try ABI.decode(f.inputs, from: args[0..<n]) }
        }
    }

    @Test func baz() throws {
        #expect(ABI.selector("baz(uint32,bool)") == hex("cdcd77c0"))
        try check("baz(uint32,bool)", [.uint(69), .bool(true)], """
            0xcdcd77c0
            0x0000000000000000000000000000000000000000000000000000000000000045
            0x0000000000000000000000000000000000000000000000000000000000000001
            """)
    }

    @Test func bar() throws {
        try check("bar(bytes3[2])", [.array([.fixedBytes(Array("abc".utf8)), .fixedBytes(Array("def".utf8))])], """
            0xfce353f6
            0x6162630000000000000000000000000000000000000000000000000000000000
            0x6465660000000000000000000000000000000000000000000000000000000000
            """)
    }

    @Test func sam() throws {
        try check("sam(bytes,bool,uint256[])", [.bytes(Array("dave".utf8)), .bool(true), .array([.uint(1), .uint(2), .uint(3)])], """
            0xa5643bf2
            0x0000000000000000000000000000000000000000000000000000000000000060
            0x0000000000000000000000000000000000000000000000000000000000000001
            0x00000000000000000000000000000000000000000000000000000000000000a0
            0x0000000000000000000000000000000000000000000000000000000000000004
            0x6461766500000000000000000000000000000000000000000000000000000000
            0x0000000000000000000000000000000000000000000000000000000000000003
            0x0000000000000000000000000000000000000000000000000000000000000001
            0x0000000000000000000000000000000000000000000000000000000000000002
            0x0000000000000000000000000000000000000000000000000000000000000003
            """)
    }

    @Test func f() throws {
        try check("f(uint256,uint32[],bytes10,bytes)", [
            .uint(0x123), .array([.uint(0x456), .uint(0x789)]),
            .fixedBytes(Array("1234567890".utf8)), .bytes(Array("Hello, world!".utf8)),
        ], """
            0x8be65246
            0x0000000000000000000000000000000000000000000000000000000000000123
            0x0000000000000000000000000000000000000000000000000000000000000080
            0x3132333435363738393000000000000000000000000000000000000000000000
            0x00000000000000000000000000000000000000000000000000000000000000e0
            0x0000000000000000000000000000000000000000000000000000000000000002
            0x0000000000000000000000000000000000000000000000000000000000000456
            0x0000000000000000000000000000000000000000000000000000000000000789
            0x000000000000000000000000000000000000000000000000000000000000000d
            0x48656c6c6f2c20776f726c642100000000000000000000000000000000000000
            """)
    }

    @Test func g() throws {
        try check("g(uint256[][],string[])", [
            .array([.array([.uint(1), .uint(2)]), .array([.uint(3)])]),
            .array([.string("one"), .string("two"), .string("three")]),
        ], """
            0x2289b18c
            0x0000000000000000000000000000000000000000000000000000000000000040
            0x0000000000000000000000000000000000000000000000000000000000000140
            0x0000000000000000000000000000000000000000000000000000000000000002
            0x0000000000000000000000000000000000000000000000000000000000000040
            0x00000000000000000000000000000000000000000000000000000000000000a0
            0x0000000000000000000000000000000000000000000000000000000000000002
            0x0000000000000000000000000000000000000000000000000000000000000001
            0x0000000000000000000000000000000000000000000000000000000000000002
            0x0000000000000000000000000000000000000000000000000000000000000001
            0x0000000000000000000000000000000000000000000000000000000000000003
            0x0000000000000000000000000000000000000000000000000000000000000003
            0x0000000000000000000000000000000000000000000000000000000000000060
            0x00000000000000000000000000000000000000000000000000000000000000a0
            0x00000000000000000000000000000000000000000000000000000000000000e0
            0x0000000000000000000000000000000000000000000000000000000000000003
            0x6f6e650000000000000000000000000000000000000000000000000000000000
            0x0000000000000000000000000000000000000000000000000000000000000003
            0x74776f0000000000000000000000000000000000000000000000000000000000
            0x0000000000000000000000000000000000000000000000000000000000000005
            0x7468726565000000000000000000000000000000000000000000000000000000
            """)
    }

    @Test func wellKnownSelectorsAndTopics() throws {
        #expect(ABI.selector("transfer(address,uint256)") == hex("a9059cbb"))
        #expect(ABI.selector("Error(string)") == hex("08c379a0"))
        #expect(ABI.selector("Panic(uint256)") == hex("4e487b71"))
        #expect(ABI.errorSelector == hex("08c379a0"))
        #expect(ABI.eventTopic("Transfer(address,address,uint256)").description
                == "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")
        // ABIFunction canonicalises aliases and spaces before hashing.
        let transfer = try ABIFunction(signature: "transfer(address, uint)")
        #expect(transfer.signature == "transfer(address,uint256)")
        #expect(transfer.selector == hex("a9059cbb"))
    }

    @Test func transferCallData() throws {
        let to = try Address(hex: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        let data = try ABI.encodeCall(signature: "transfer(address,uint256)", [.address(to), .uint(1_000_000)])
        #expect(data == hex("a9059cbb") + [UInt8](repeating: 0, count: 12) + to.bytes + word(1_000_000))
        let back = try ABI.decodeCall(signature: "transfer(address,uint256)", data: data)
        #expect(back[0].addressValue == to)
        #expect(back[1].uintValue == UInt256(1_000_000))
    }

    /// The revert payload from the Solidity documentation ("Error handling").
    @Test func revertReason() throws {
        let known = hex("""
            0x08c379a0
            0x0000000000000000000000000000000000000000000000000000000000000020
            0x000000000000000000000000000000000000000000000000000000000000001a
            0x4e6f7420656e6f7567682045746865722070726f76696465642e000000000000
            """)
        #expect(ABI.revertData(reason: "Not enough Ether provided.") == known)
        #expect(ABI.decodeRevertReason(known) == "Not enough Ether provided.")
        #expect(try ABI.decodeCall(signature: "Error(string)", data: known) == [.string("Not enough Ether provided.")])
        for reason in ["", "x", String(repeating: "long reason ", count: 20), "ünïcödé 😀"] {
            #expect(ABI.decodeRevertReason(ABI.revertData(reason: reason)) == reason)
        }
        // Not Error(string), or malformed.
        #expect(ABI.decodeRevertReason([]) == nil)
        #expect(ABI.decodeRevertReason(hex("08c379a0")) == nil)
        #expect(ABI.decodeRevertReason(known.dropLast(1)) == nil)
        #expect(ABI.decodeRevertReason(hex("4e487b71") + word(0x11)) == nil)
        #expect(ABI.decodePanicCode(hex("4e487b71") + word(0x11)) == UInt256(0x11))
        #expect(ABI.decodePanicCode(known) == nil)
    }

    @Test func selectorChecks() throws {
        let f = try ABIFunction(signature: "baz(uint32,bool)")
        let data = try f.encodeCall([.uint(69), .bool(true)])
        var wrong = data
        wrong[0] ^= 1
        #expect(throws: ABIError.selectorMismatch(expected: hex("cdcd77c0"), got: hex("cccd77c0"))) {
            try f.decodeCall(wrong)
        }
        #expect(throws: ABIError.truncated(offset: 0, needed: 4, available: 3)) { try f.decodeCall(data.prefix(3)) }
        // Decoding errors in call data count offsets from the selector.
        var badBool = data
        badBool[4 + 63] = 2
        #expect(throws: ABIError.invalidBool(offset: 36)) { try f.decodeCall(badBool) }
    }

    @Test func functionSignatures() throws {
        let f = try ABIFunction(signature: "balanceOf(address)(uint256)")
        #expect(f.name == "balanceOf")
        #expect(f.inputs == [.address])
        #expect(f.outputs == [.uint256])
        #expect(f.description == "balanceOf(address) returns (uint256)")
        let g = try ABIFunction(signature: " swap((address,uint256)[], bytes) returns (bool, uint)")
        #expect(g.signature == "swap((address,uint256)[],bytes)")
        #expect(g.outputs == [.bool, .uint256])
        #expect(try g.decodeOutput(g.encodeOutput([.bool(true), .uint(5)])) == [.bool(true), .uint(5)])
        #expect(try ABIFunction(signature: "f()").selector == ABI.selector("f()"))
        for bad in ["", "(uint256)", "f", "f(uint256", "f(uint7)", "f(uint256) x", "1f()", "f(uint256)(bool"] {
            #expect(throws: ABIError.self, "\(bad)") { try ABIFunction(signature: bad) }
        }
    }
}
