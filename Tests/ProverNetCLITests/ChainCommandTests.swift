import Foundation
import Testing
import TestSupport

private func tempDir(_ name: String) -> String {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("pn-\(name)-\(UInt64.random(in: 0 ... .max))").path
    return d
}

/// Runs `provernet node --dev` for about `seconds`, then stops it with SIGINT; returns its stdout.
private func runNode(_ datadir: String, seconds: Double, blockTime: String = "0.1") throws -> (status: Int32, out: String) {
    let binary = ProcessInfo.processInfo.environment["PROVERNET_BIN"].map { URL(fileURLWithPath: $0) }
        ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("provernet")
    let p = Process()
    p.executableURL = binary
    p.arguments = ["node", "--dev", "--datadir", datadir, "--block-time", blockTime, "--rpc-port", "0"]
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try p.run()
    Thread.sleep(forTimeInterval: seconds)
    kill(p.processIdentifier, SIGINT)
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

@Suite(.serialized, .tags(.slow), .disabled(if: Quick.enabled, Quick.reason)) struct ChainCommandTests {
    @Test func initIsDeterministicAndGuardsTheDatadir() throws {
        let a = tempDir("init-a"), b = tempDir("init-b")
        defer { try? FileManager.default.removeItem(atPath: a); try? FileManager.default.removeItem(atPath: b) }
        let h1 = try provernet(["init", "--datadir", a])
        let h2 = try provernet(["init", "--datadir", b])
        #expect(h1.status == 0 && h1.out == h2.out && h1.out.hasPrefix("0x"))
        #expect(try provernet(["init", "--datadir", a]).out == h1.out)
        // Another genesis into the same datadir is refused, with the reason.
        let other = tempDir("genesis") + ".json"
        defer { try? FileManager.default.removeItem(atPath: other) }
        let text = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Genesis/devnet.json").path, encoding: .utf8)
        try text.replacingOccurrences(of: "\"chainId\": 70001", with: "\"chainId\": 70002").write(toFile: other, atomically: true, encoding: .utf8)
        let refused = try provernet(["init", "--datadir", a, "--genesis", other])
        #expect(refused.status != 0 && refused.err.contains("genesis"))
        #expect(try provernet(["init", "--datadir", a]).out == h1.out, "the refused init changed nothing")
        // A broken genesis names its field.
        try text.replacingOccurrences(of: "\"gasLimit\": 30000000", with: "\"gasLimit\": -1").write(toFile: other, atomically: true, encoding: .utf8)
        let broken = try provernet(["init", "--datadir", tempDir("never"), "--genesis", other])
        #expect(broken.status != 0 && broken.err.contains("gasLimit"))
    }

    @Test func missingOrCorruptDatadirIsAClearError() throws {
        let missing = tempDir("missing")
        let r = try provernet(["export", "--datadir", missing, "--out", missing + ".rlp"])
        #expect(r.status != 0 && r.err.contains("not initialised"))
        #expect(!FileManager.default.fileExists(atPath: missing), "nothing created")
        let node = try provernet(["replay", "--datadir", missing])
        #expect(node.status != 0 && node.err.contains("not initialised"))
        // A datadir whose database files are garbage.
        let junk = tempDir("junk")
        defer { try? FileManager.default.removeItem(atPath: junk) }
        try FileManager.default.createDirectory(atPath: junk + "/chaindata", withIntermediateDirectories: true)
        try "garbage".write(toFile: junk + "/chaindata/CURRENT", atomically: true, encoding: .utf8)
        let corrupt = try provernet(["block", "--datadir", junk])
        #expect(corrupt.status != 0 && !corrupt.err.isEmpty)
    }

    /// A devnet seals blocks, stops cleanly on SIGINT, resumes where it stopped; its export
    /// imports into a fresh datadir with identical hashes, and replay agrees.
    @Test func sealExportImportReplay() throws {
        let a = tempDir("node-a"), b = tempDir("node-b"), file = tempDir("export") + ".rlp"
        defer {
            for p in [a, b, file] { try? FileManager.default.removeItem(atPath: p) }
        }
        let first = try runNode(a, seconds: 1.2)
        let reported = first.out.split(separator: "\n").filter { $0.hasPrefix("block ") }
        #expect(reported.count >= 3, "\(first.out)")
        let second = try runNode(a, seconds: 0.6)
        let resumed = second.out.split(separator: "\n").filter { $0.hasPrefix("block ") }
        let lastFirst = Int(reported.last!.split(separator: " ")[1])!
        #expect(Int(resumed.first?.split(separator: " ")[1] ?? "0") == lastFirst + 1, "resumes after the last block")
        let head = try provernet(["block", "--datadir", a])
        #expect(head.status == 0)
        #expect(try provernet(["export", "--datadir", a, "--out", file]).status == 0)
        #expect(try provernet(["init", "--datadir", b]).status == 0)
        let imported = try provernet(["import", "--datadir", b, file])
        #expect(imported.status == 0, "\(imported.err)")
        #expect(try provernet(["block", "--datadir", b]).out == head.out)
        let replay = try provernet(["replay", "--datadir", b])
        #expect(replay.status == 0 && replay.out.contains("every root matches"))
        // Every block the node reported is there with the same hash.
        for line in reported + resumed {
            let parts = line.split(separator: " ")
            let got = try provernet(["block", "--datadir", b, String(parts[1])])
            #expect(got.out.contains("\"hash\":\"\(parts[2])\""))
        }
        // Importing again is harmless; a flipped byte stops the import at its block.
        #expect(try provernet(["import", "--datadir", b, file]).status == 0)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        bytes[bytes.count / 2] ^= 0x5a
        try bytes.write(to: URL(fileURLWithPath: file))
        let c = tempDir("node-c")
        defer { try? FileManager.default.removeItem(atPath: c) }
        _ = try provernet(["init", "--datadir", c])
        let bad = try provernet(["import", "--datadir", c, file])
        #expect(bad.status != 0 && bad.err.contains("import stopped"))
    }
}
