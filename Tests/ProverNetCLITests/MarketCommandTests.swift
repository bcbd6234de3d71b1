import ABI
import Foundation
import JSON
import Primitives
import Testing
import TestSupport
@testable import ProverNetCLI
import ProverNetClient

#if canImport(Glibc)
import Glibc
#endif

/// A TCP port that was free a moment ago (bound to port 0, read back, released).
private func freePort() throws -> Int {
    #if canImport(Glibc)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { throw CLIError("socket failed") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
    }
    guard ok else { throw CLIError("bind failed") }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// The `provernet` binary next to the test bundle (or `$PROVERNET_BIN`).
private var binaryURL: URL {
    ProcessInfo.processInfo.environment["PROVERNET_BIN"].map { URL(fileURLWithPath: $0) }
        ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("provernet")
}

/// Dev key #3 (hardhat's account 3), funded in the devnet genesis and not a prover.
private let devKey3 = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"
private let devAddress3 = try! Address(hex: "0x90F79bf6EB2c4f870365E785982E1f101E93b906")
/// The devnet's first genesis prover.
private let devProver1 = try! Address(hex: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")

@Suite(.tags(.slow), .disabled(if: Quick.enabled, Quick.reason)) struct MarketCommandTests {
    @Test func brevAmountsConvertExactly() throws {
        #expect(try parseBrev("1.5") == UInt256(decimal: "1500000000000000000")!)
        #expect(try parseBrev("1000") == UInt256(decimal: "1000000000000000000000")!)
        #expect(try parseBrev(".000000000000000001") == UInt256(1))
        #expect(try parseBrev("0.123456789012345678") == UInt256(decimal: "123456789012345678")!)
        #expect(throws: CLIError.self) { try parseBrev("0.1234567890123456789") }
        #expect(throws: CLIError.self) { try parseBrev("1.2.3") }
        #expect(throws: CLIError.self) { try parseBrev("-1") }
        #expect(throws: CLIError.self) { try parseBrev("") }
        #expect(throws: CLIError.self) { try parseBrev("1e18") }
    }

    @Test func httpResponsesParse() throws {
        let plain = Array("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".utf8)
        #expect(try RPCClient.parseResponse(plain) == Array("hello".utf8))
        let chunked = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n".utf8)
        #expect(try RPCClient.parseResponse(chunked) == Array("hello".utf8))
        #expect(throws: RPCClientError.self) { try RPCClient.parseResponse(Array("HTTP/1.1 500 Oops\r\n\r\n".utf8)) }
    }

    /// Against a live devnet: import a key, register as a prover, delegate, propose; a delegation
    /// to a non-prover fails with its revert reason.
    @Test(.timeLimit(.minutes(1))) func stakeDelegateProposeAgainstADevnet() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pn-market-\(UInt64.random(in: 0 ... .max))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let keystore = dir + "/keystore", passwordFile = dir + "/password", keyFile = dir + "/key"
        try "test password\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        try devKey3.write(toFile: keyFile, atomically: true, encoding: .utf8)
        let imported = try provernet(["account", "import", "--keystore", keystore, "--password-file", passwordFile, "--light-kdf", keyFile])
        #expect(imported.status == 0, "\(imported.err)")

        let port = try freePort()
        let node = Process()
        node.executableURL = binaryURL
        node.arguments = ["node", "--dev", "--datadir", dir + "/data", "--block-time", "0.2", "--rpc-port", String(port)]
        node.standardOutput = FileHandle.nullDevice
        node.standardError = FileHandle.nullDevice
        try node.run()
        defer {
            kill(node.processIdentifier, SIGINT)
            node.waitUntilExit()
        }
        let url = "http://127.0.0.1:\(port)"
        var client = try RPCClient(url: url)
        client.timeout = 5
        var ready = false
        for _ in 0..<100 where !ready {
            if (try? client.quantity("eth_blockNumber")) != nil { ready = true } else { Thread.sleep(forTimeInterval: 0.1) }
        }
        try #require(ready, "the node's RPC did not come up on \(url)")

        let common = ["--rpc", url, "--keystore", keystore, "--password-file", passwordFile]
        let staking = Address(low: 0x1000)
        func call(_ signature: String, _ args: [ABIValue], returns: [ABIType]) throws -> [ABIValue] {
            let data = try ABI.encodeCall(signature: signature, args)
            let r = try client.call("eth_call", [.object([("to", .string(staking.checksummed)), ("data", .string(Hex.encode(data)))]), "latest"])
            return try ABI.decode(returns, from: try Hex.decode(r.stringValue ?? ""))
        }

        // Register as a prover with 1000.5 BREV and 7.5% commission.
        let reg = try provernet(["stake", "register"] + common + ["--name", "cli-prover", "--commission", "750", "--amount", "1000.5"])
        #expect(reg.status == 0, "\(reg.out)\(reg.err)")
        #expect(reg.out.contains("status success") && reg.out.contains("event ProverRegistered(prover=\(devAddress3.checksummed)"), "\(reg.out)")
        let prover = try call("getProver(address)", [.address(devAddress3)],
                              returns: [.string, .uint256, .uint256, .uint(16), .uint(8), .uint(64), .uint(64), .uint(64)])
        #expect(prover[0].stringValue == "cli-prover")
        #expect(prover[1].uintValue == UInt256(decimal: "1000500000000000000000")!)
        #expect(prover[3].uintValue == UInt256(750))

        // Delegate 10.25 BREV to the first genesis prover.
        let del = try provernet(["stake", "delegate"] + common + ["--prover", devProver1.checksummed, "--amount", "10.25"])
        #expect(del.status == 0, "\(del.out)\(del.err)")
        #expect(del.out.contains("event Staked(staker=\(devAddress3.checksummed), prover=\(devProver1.checksummed), amount=10250000000000000000"), "\(del.out)")
        let stake = try call("getStake(address,address)", [.address(devAddress3), .address(devProver1)], returns: [.uint256, .uint256, .uint256])
        #expect(!(stake[0].uintValue ?? .zero).isZero, "shares were minted")

        // A governance proposal with a 100 BREV deposit.
        let prop = try provernet(["propose"] + common + ["--param", "biddingBlocks", "--value", "6", "--description", "a longer bidding phase",
                                                         "--deposit", "100"])
        #expect(prop.status == 0, "\(prop.out)\(prop.err)")
        #expect(prop.out.contains("event ProposalCreated(") && prop.out.contains("param=\"biddingBlocks\", value=6"), "\(prop.out)")
        #expect(prop.out.contains("proposalId "), "\(prop.out)")

        // Delegating to an address that is not a prover is refused with the contract's reason.
        let bad = try provernet(["stake", "delegate"] + common + ["--prover", "0x000000000000000000000000000000000000dEaD", "--amount", "1"])
        #expect(bad.status != 0)
        #expect(bad.err.contains("unknown prover"), "\(bad.out)\(bad.err)")
    }
}
