import CGuestReference
import Foundation
import RISCV

/// `provernet bench execute`: the zkVM executor's speed on the example guests built by
/// `Tools/guest/build.sh`, in emulated MHz (guest instructions per microsecond).
///
/// Without a trace the reference is the guest's own C code compiled natively for this machine
/// (the `CGuestReference` target) doing the same work in the same process, expressed in the
/// same unit (the guest's cycle count divided by the native time), so the ratio is 1 / slowdown.
/// With a trace the reference is the same run without one, so the ratio is 1 / the trace's cost
/// (target: at most 3×). The trace buffer is reused from run to run, as a prover would.
extension Benchmarks {
    static func execute(seconds: Double) throws -> [BenchResult] {
        let dir = try guestDirectory()

        let n: UInt32 = 200_000
        let fib = try loadGuest(dir, "c/fibonacci.elf")
        let fibInputs = [withUnsafeBytes(of: n.littleEndian) { Array($0) }]
        let fibExpected = withUnsafeBytes(of: pn_fibonacci(n).littleEndian) { Array($0) }
        var results = try executeBench(name: "execute-fib", program: fib, inputs: fibInputs, expected: fibExpected,
                                       nativeName: "native C pn_fibonacci", seconds: seconds) {
            blackHole(pn_fibonacci(n))
        }

        let message = (0..<32 * 1024).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
        var digest = [UInt8](repeating: 0, count: 32)
        pn_sha256_hash(message, message.count, &digest)
        let sha = try loadGuest(dir, "c/sha256.elf")
        results += try executeBench(name: "execute-sha256", program: sha, inputs: [message], expected: digest,
                                    nativeName: "native C pn_sha256_hash (32 KiB)", seconds: seconds) {
            pn_sha256_hash(message, message.count, &digest)
            blackHole(digest)
        }
        return results
    }

    /// Two results: untraced against native, traced against untraced.
    private static func executeBench(name: String, program: Program, inputs: [[UInt8]], expected: [UInt8],
                                     nativeName: String, seconds: Double,
                                     native: @escaping () -> Void) throws -> [BenchResult] {
        let check: ExecutionResult
        do { check = try Executor(program: program, inputs: inputs).run() } catch {
            throw BenchError.failed("\(name): \(error)")
        }
        guard check.exitCode == 0, check.publicOutput == expected else {
            throw BenchError.failed("\(name): the guest's output differs from the native code's")
        }
        let cycles = Int(check.cycles)
        let trace = Trace(capacity: cycles + 16)
        let plain = {
            blackHole(try! Executor(program: program, inputs: inputs).run().cycles)
        }
        let traced = {
            blackHole(try! Executor(program: program, inputs: inputs).run(recordingInto: trace).cycles)
        }
        let vsNative = Measure.compare(seconds: seconds, batch: cycles, ours: plain, reference: native)
        let vsPlain = Measure.compare(seconds: seconds, batch: cycles, ours: traced, reference: plain)
        let slowdown = vsNative.reference / vsNative.ours
        let tracedSlowdown = vsNative.reference / vsPlain.ours
        let traceNote = "the same run without trace (\(cycles) rows of \(MemoryLayout<TraceRow>.stride) bytes, "
            + "buffer reused; slowdown vs native \(format3(tracedSlowdown))x)"
        return [
            BenchResult(bench: name, value: vsNative.ours / 1e6, unit: "MHz", reference: vsNative.reference / 1e6,
                        referenceName: "\(nativeName) doing the same work (slowdown \(format3(slowdown))x)",
                        target: nil),
            BenchResult(bench: name + "-trace", value: vsPlain.ours / 1e6, unit: "MHz",
                        reference: vsPlain.reference / 1e6, referenceName: traceNote, target: 1.0 / 3.0),
        ]
    }

    static func loadGuest(_ dir: String, _ path: String) throws -> Program {
        let file = dir + "/" + path
        guard let data = FileManager.default.contents(atPath: file) else {
            throw BenchError.failed("cannot read \(file): run Tools/guest/build.sh")
        }
        do { return try Program(elf: [UInt8](data)) } catch { throw BenchError.failed("\(file): \(error)") }
    }

    /// `$PROVERNET_GUESTS`, else `.build-guests` in the repository (the current directory or one
    /// above the binary), built there with `Tools/guest/build.sh` if missing.
    static func guestDirectory() throws -> String {
        if let dir = ProcessInfo.processInfo.environment["PROVERNET_GUESTS"] { return dir }
        var roots = [FileManager.default.currentDirectoryPath]
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            url = url.deletingLastPathComponent()
            roots.append(url.path)
        }
        for root in roots where FileManager.default.fileExists(atPath: root + "/.build-guests/c/sha256.elf") {
            return root + "/.build-guests"
        }
        guard let root = roots.first(where: { FileManager.default.fileExists(atPath: $0 + "/Tools/guest/build.sh") }) else {
            throw BenchError.failed("the example guests are not built: run Tools/guest/build.sh in the repository")
        }
        let build = Process()
        build.executableURL = URL(fileURLWithPath: "/bin/bash")
        build.arguments = [root + "/Tools/guest/build.sh"]
        build.currentDirectoryURL = URL(fileURLWithPath: root)
        build.standardOutput = FileHandle.standardError
        do { try build.run() } catch { throw BenchError.failed("cannot run Tools/guest/build.sh: \(error)") }
        build.waitUntilExit()
        guard build.terminationStatus == 0 else {
            throw BenchError.failed("Tools/guest/build.sh failed with status \(build.terminationStatus)")
        }
        return root + "/.build-guests"
    }
}
