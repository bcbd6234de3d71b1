import Foundation
import Testing

/// Runs the real `provernet` binary built next to the test bundle.
func provernet(_ args: [String], stdin: String? = nil) throws -> (status: Int32, out: String, err: String) {
    let env = ProcessInfo.processInfo.environment
    let binary = env["PROVERNET_BIN"].map { URL(fileURLWithPath: $0) }
        ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("provernet")
    let p = Process()
    p.executableURL = binary
    p.arguments = args
    let out = Pipe(), err = Pipe(), inp = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = inp
    try p.run()
    if let stdin { inp.fileHandleForWriting.write(Data(stdin.utf8)) }
    try inp.fileHandleForWriting.close()
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

private let eip155Raw = "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83"

@Suite struct CommandLineTests {
    @Test func version() throws {
        let r = try provernet(["--version"])
        #expect(r.status == 0)
        #expect(r.out.hasPrefix("provernet "))
    }

    @Test func txDecodePrintsTheFields() throws {
        let r = try provernet(["tx", "decode", eip155Raw])
        #expect(r.status == 0)
        let obj = try #require(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        #expect(obj["type"] as? String == "0x0")
        #expect(obj["chainId"] as? String == "0x1")
        #expect(obj["nonce"] as? String == "0x9")
        #expect(obj["from"] as? String == "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F")
        #expect(obj["to"] as? String == "0x3535353535353535353535353535353535353535")
        #expect(obj["value"] as? String == "0xde0b6b3a7640000")
        #expect(obj["gas"] as? String == "0x5208")
        #expect(obj["gasPrice"] as? String == "0x4a817c800")
        #expect(obj["hash"] as? String == "0x33469b22e9f636356c4160a87eb19df52b7412e8eac32a4a55ffe88ea8350788")
    }

    @Test func txDecodeRejectsWithAReasonAndAStatus() throws {
        let r = try provernet(["tx", "decode", "0x05c0"])
        #expect(r.status != 0)
        #expect(r.err.contains("transaction type not supported"))
        let wrongChain = try provernet(["tx", "decode", "--chain-id", "70001", eip155Raw])
        #expect(wrongChain.status != 0)
        #expect(wrongChain.err.contains("invalid chain id"))
    }

    @Test func lineModeKeepsGoingPastBadLines() throws {
        let r = try provernet(["tx", "decode", "-"], stdin: "\(eip155Raw)\nnot-hex\n\(eip155Raw)\n")
        let lines = r.out.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[1].hasPrefix("{\"error\""))
        #expect(r.status == 1)
    }

    @Test func keccak() throws {
        #expect(try provernet(["keccak", "0x616263"]).out == "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45\n")
        #expect(try provernet(["keccak", "--utf8", "abc"]).out == "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45\n")
        #expect(try provernet(["keccak", "0xabc"]).status != 0)
    }

    @Test func benchJSONLines() throws {
        let r = try provernet(["bench", "keccak", "--json", "--seconds", "0.02"])
        #expect(r.status == 0)
        let obj = try #require(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        #expect(obj["bench"] as? String == "keccak")
        #expect(obj["unit"] as? String == "MB/s")
        let value = try #require(obj["value"] as? Double), reference = try #require(obj["reference"] as? Double)
        let ratio = try #require(obj["ratio"] as? Double)
        #expect(value > 0 && reference > 0)
        #expect(abs(ratio - value / reference) < 0.01 * ratio + 0.001)
        #expect(try provernet(["bench", "nope"]).status != 0)
    }

    @Test func rlpAndABIRoundTrip() throws {
        #expect(try provernet(["rlp", "encode", "[\"0x01\",[\"0x\"]]"]).out == "0xc301c180\n")
        #expect(try provernet(["rlp", "decode", "0xc301c180"]).out == "[\"0x01\",[\"0x\"]]\n")
        #expect(try provernet(["rlp", "decode", "0x8105"]).status != 0)
        #expect(try provernet(["abi", "selector", "transfer(address,uint256)"]).out == "0xa9059cbb\n")
    }
}
