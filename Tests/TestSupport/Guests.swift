import Foundation

// MARK: - The example guests (Tools/guest/build.sh → .build-guests)

public enum Guests {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The directory with the built guests; builds them with Tools/guest/build.sh if missing.
    public static let directory: Result<URL, GuestBuildError> = {
        let env = ProcessInfo.processInfo.environment["PROVERNET_GUESTS"]
        let dir = env.map { URL(fileURLWithPath: $0) } ?? root.appendingPathComponent(".build-guests")
        let marker = dir.appendingPathComponent("swift/merkle.elf").path
        if FileManager.default.fileExists(atPath: marker) { return .success(dir) }
        let script = root.appendingPathComponent("Tools/guest/build.sh")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [script.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        do { try p.run() } catch { return .failure(GuestBuildError(message: "cannot start \(script.path): \(error)")) }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0, FileManager.default.fileExists(atPath: marker) else {
            return .failure(GuestBuildError(message: "Tools/guest/build.sh failed (status \(p.terminationStatus)):\n\(output)"))
        }
        return .success(dir)
    }()

    /// The bytes of a built guest, e.g. `c/sha256.elf`.
    public static func elf(_ path: String) throws -> [UInt8] {
        let dir = try directory.get()
        let file = dir.appendingPathComponent(path)
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw GuestBuildError(message: "\(file.path) is missing: run Tools/guest/build.sh")
        }
        return [UInt8](data)
    }

}

public struct GuestBuildError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { "example guests unavailable: \(message)" }
}
