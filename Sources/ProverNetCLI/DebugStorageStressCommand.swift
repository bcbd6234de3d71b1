import ArgumentParser
import Foundation
import DevTools
import Storage

/// `provernet debug-storage-stress`: writes generation-stamped LevelDB batches until killed, for
/// the kill -9 crash-consistency test (see ``CrashHarness``). Hidden from help.
struct DebugStorageStressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug-storage-stress",
        abstract: "Write generation-stamped batches to a LevelDB store until killed (crash-consistency testing).",
        shouldDisplay: false
    )

    @Option(help: "Database directory (created if missing; resumes an existing run).")
    var datadir: String

    @Option(help: "Keys written per batch.")
    var keysPerBatch: Int = 64

    func validate() throws {
        guard keysPerBatch > 0 else { throw ValidationError("--keys-per-batch must be positive") }
    }

    func run() throws {
        try CrashHarness.writeBatchesForever(path: datadir, keysPerBatch: keysPerBatch) { generation in
            // Unbuffered, so a supervising process sees it before it sends SIGKILL.
            FileHandle.standardOutput.write(Data("debug-storage-stress: writing, generation \(generation)\n".utf8))
        }
    }
}
