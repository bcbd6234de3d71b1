import Foundation
import DevTools
import Storage
import Testing
import TestSupport

@Suite("Crash consistency")
struct CrashHarnessTests {
    @Test func checkConsistencyAcceptsWholeBatchesAndRejectsTornOnes() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/db"
            func batch(_ g: UInt64, keys: Int) -> WriteBatch {
                var batch = WriteBatch()
                for i in 0..<keys { batch.put(b("k\(i)"), CrashHarness.encode(g) + [UInt8](repeating: 0, count: CrashHarness.padding)) }
                batch.put(CrashHarness.generationKey, CrashHarness.encode(g))
                return batch
            }
            do {
                let store = try LevelDBStore(path: path)
                try store.write(batch(1, keys: 12))
                try store.write(batch(2, keys: 12))
                store.close()
            }
            #expect(try CrashHarness.checkConsistency(path: path) == 2)

            do {  // a torn batch: one key left at the previous generation
                let store = try LevelDBStore(path: path)
                try store.put(b("k5"), CrashHarness.encode(1) + [UInt8](repeating: 0, count: CrashHarness.padding))
                store.close()
            }
            let error = try #require(throws: StorageError.self) { try CrashHarness.checkConsistency(path: path) }
            #expect(error.description.contains("k5 holds generation 1"), "\(error)")

            do {  // a missing key
                let store = try LevelDBStore(path: path)
                try store.write(batch(3, keys: 12))
                try store.delete(b("k3"))
                store.close()
            }
            #expect(throws: StorageError.self) { try CrashHarness.checkConsistency(path: path) }
        }
    }

    /// Spawns `provernet debug-storage-stress`, kills it with SIGKILL mid-write, and checks that the
    /// database reopens with every key of the last batch at the same generation; several rounds on
    /// one directory, each resuming where the last one died.
    @Test(.timeLimit(.minutes(2)), .tags(.slow), .disabled(if: Quick.enabled, Quick.reason))
    func killNineLeavesWholeBatches() throws {
        let executable = try #require(
            provernetExecutable(),
            "`provernet` not found next to the test bundle (searched from \(CommandLine.arguments.first ?? "?")); build it with `swift build` or set PROVERNET_BIN"
        )
        try withTemporaryDirectory { dir in
            let path = dir + "/db"
            var lastGeneration: UInt64 = 0
            for round in 1...4 {
                let stdoutPath = dir + "/stdout-\(round)", stderrPath = dir + "/stderr-\(round)"
                _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
                _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
                let process = Process()
                process.executableURL = executable
                process.arguments = ["debug-storage-stress", "--datadir", path, "--keys-per-batch", "64"]
                process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
                process.standardError = FileHandle(forWritingAtPath: stderrPath)
                process.standardInput = FileHandle.nullDevice
                try process.run()

                // Wait until the writer has reopened the database and committed its first batch.
                let deadline = Date().addingTimeInterval(30)
                func output(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
                while !output(stdoutPath).contains("generation"), process.isRunning, Date() < deadline {
                    usleep(10_000)
                }
                guard process.isRunning, output(stdoutPath).contains("generation") else {
                    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                    process.waitUntilExit()
                    Issue.record("""
                        round \(round): `provernet debug-storage-stress` did not start writing \
                        (exit status \(process.terminationStatus); is the subcommand registered?)
                        stdout: \(output(stdoutPath))
                        stderr: \(output(stderrPath))
                        """)
                    return
                }
                usleep(UInt32.random(in: 300_000...700_000))
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL)

                let generation = try CrashHarness.checkConsistency(path: path)
                #expect(generation > lastGeneration, "round \(round): generation \(generation) after \(lastGeneration)")
                lastGeneration = generation
            }
        }
    }
}

/// The `provernet` executable built alongside the test bundle (or `$PROVERNET_BIN`).
func provernetExecutable() -> URL? {
    if let override = ProcessInfo.processInfo.environment["PROVERNET_BIN"] {
        return URL(fileURLWithPath: override)
    }
    var starts = [URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()]
    if let main = Bundle.main.executableURL { starts.append(main) }
    starts.append(Bundle.main.bundleURL)
    for start in starts {
        var dir = start.deletingLastPathComponent()
        for _ in 0..<4 {  // the binary sits beside ProverNetPackageTests.xctest (a file on Linux, a bundle on macOS)
            let candidate = dir.appendingPathComponent("provernet")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
               FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate
            }
            dir.deleteLastPathComponent()
        }
    }
    return nil
}
