import ABI
import Primitives
import Testing

/// Property tests over seeded random types (nesting ≤ 3) and values.
@Suite struct RoundTripTests {
    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func encodeDecodeRoundTrip(seed: UInt64) throws {
        var gen = Generator(seed: seed)
        for _ in 0..<500 {
            let types = gen.types()
            let values = types.map { gen.value($0) }
            let data = try ABI.encode(values, as: types)
            #expect(data.count % 32 == 0)
            let decoded = try ABI.decode(types, from: data)
            #expect(decoded == values, "\(types)")
            // Trailing bytes after the encoding are tolerated.
            #expect(try ABI.decode(types, from: data + gen.bytes(gen.int(1...40))) == values)
            // A lone tuple of the same types encodes identically to the list, inside one more offset when dynamic.
            if types.isEmpty { continue }
            let asTuple = try ABI.encode([.tuple(values)], as: [.tuple(types)])
            let tupleType = ABIType.tuple(types)
            #expect(tupleType.isDynamic ? Array(asTuple.dropFirst(32)) == data : asTuple == data)
        }
    }

    @Test(arguments: [5, 6] as [UInt64])
    func typeStringRoundTrip(seed: UInt64) throws {
        var gen = Generator(seed: seed)
        for _ in 0..<500 {
            let t = gen.type()
            #expect(try ABIType(parsing: t.description) == t)
            let list = gen.types()
            #expect(try ABIType.parseList(list.map(\.description).joined(separator: ",")) == list)
        }
    }

    @Test(arguments: [7, 8] as [UInt64])
    func jsonRoundTrip(seed: UInt64) throws {
        var gen = Generator(seed: seed)
        for _ in 0..<300 {
            let types = gen.types()
            let values = types.map { gen.value($0) }
            let text = ABI.jsonText(of: values)
            #expect(try ABI.values(fromJSON: text, as: types) == values, "\(text)")
            let typeList = types.map(\.description).joined(separator: ",")
            #expect(try ABI.encode(types: typeList, jsonValues: text) == ABI.encode(values, as: types))
        }
    }

    @Test(arguments: [9, 10] as [UInt64])
    func callRoundTrip(seed: UInt64) throws {
        var gen = Generator(seed: seed)
        for i in 0..<200 {
            let f = ABIFunction(name: "f\(i)", inputs: gen.types())
            let values = f.inputs.map { gen.value($0) }
            let data = try f.encodeCall(values)
            #expect(Array(data.prefix(4)) == ABI.selector(f.signature))
            #expect(try f.decodeCall(data) == values)
            #expect(try ABI.decodeCall(signature: f.signature, data: data) == values)
        }
    }

    /// Every strict prefix of a valid encoding is rejected with an error (canonical encodings use every byte).
    @Test(arguments: [11, 12] as [UInt64])
    func truncationAtEveryByte(seed: UInt64) throws {
        var gen = Generator(seed: seed)
        var checked = 0
        while checked < 40 {
            let types = gen.types()
            let values = types.map { gen.value($0) }
            let data = try ABI.encode(values, as: types)
            guard !data.isEmpty, data.count <= 4096 else { continue }
            checked += 1
            var failures = 0
            for n in 0..<data.count {
                do {
                    _ = try ABI.decode(types, from: data[0..<n])
                } catch {
                    failures += 1
                }
            }
            #expect(failures == data.count, "\(types)")
        }
    }

    @Test func edgeValues() throws {
        let types: [ABIType] = [.uint(8), .int(8), .int(8), .int256, .int256, .uint256, .int(136), .address, .fixedBytes(32)]
        let values: [ABIValue] = [
            .uint(255), .int(-128), .int(127), .int(Int256.min), .int(Int256.max), .uint(.max),
            .int(Int256(sign: true, magnitude: UInt256.one << 135)!), .address(Address(low: 0xdead)),
            .fixedBytes([UInt8](repeating: 0xff, count: 32)),
        ]
        let data = try ABI.encode(values, as: types)
        #expect(Array(data[32..<64]) == [UInt8](repeating: 0xff, count: 31) + [0x80])  // -128 sign-extended
        #expect(try ABI.decode(types, from: data) == values)
        #expect(try ABI.encode([], as: []) == [])
        #expect(try ABI.decode([], from: []) == [])
        #expect(try ABI.decode([], from: [1, 2, 3]) == [])
    }
}
