import Foundation
import Testing

/// The example guests built by `Tools/guest/build.sh` (run here if they are missing).
private func guest(_ name: String) throws -> String {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let path = root.appendingPathComponent(".build-guests/c/\(name).elf").path
    if !FileManager.default.fileExists(atPath: path) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [root.appendingPathComponent("Tools/guest/build.sh").path]
        p.currentDirectoryURL = root
        try p.run()
        p.waitUntilExit()
    }
    return path
}

@Suite struct ExecuteCommandTests {
    @Test func jsonOutputHasTheDocumentedKeys() throws {
        let r = try provernet(["execute", "--elf", try guest("sha256"), "--input", "0x616263", "--json"])
        #expect(r.status == 0, "\(r.err)")
        let obj = try #require(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        #expect(obj["exitCode"] as? Int == 0)
        #expect((obj["cycles"] as? Int ?? 0) > 0)
        #expect(obj["publicOutput"] as? String == "0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect((obj["stdout"] as? String)?.contains("ba7816bf") == true)
        #expect(obj["stderr"] as? String == "")
        #expect((obj["programId"] as? String)?.count == 66)
        // The same ELF always has the same programId.
        let again = try provernet(["execute", "--elf", try guest("sha256"), "--input", "0x", "--json"])
        let obj2 = try #require(JSONSerialization.jsonObject(with: Data(again.out.utf8)) as? [String: Any])
        #expect(obj2["programId"] as? String == obj["programId"] as? String)
    }

    @Test func failuresExitNonZeroWithTheReason() throws {
        let notELF = try provernet(["execute", "--elf", #filePath])
        #expect(notELF.status != 0 && notELF.err.contains("not an ELF"))
        let limit = try provernet(["execute", "--elf", try guest("fibonacci"), "--input", "0x0a000000", "--max-cycles", "10"])
        #expect(limit.status != 0 && limit.err.contains("cycle limit"))
        let missing = try provernet(["execute", "--elf", "/nonexistent.elf"])
        #expect(missing.status != 0 && !missing.err.isEmpty)
    }
}
