import Foundation
import KoalaBear
import RISCV
import STARK
import ZKVMProver

/// `provernet bench prove`: the RV32IM prover on the C example guests (Fibonacci, SHA-256,
/// Keccak-256) with inputs sized to about 2^16 and 2^18 cycles (`PROVERNET_PROVE_BENCH_LOGS`
/// chooses, e.g. `16,18,20,22`; runs above 2^20 cycles are proven in segments of 2^20), with the
/// protocol's proof parameters. Each size reports:
///
/// - proving throughput in cycles/s against the commitment floor measured in the same run: the
///   LDE and Merkle commitment of matrices with the same shapes as the proof's tables (the same
///   committed cells), the least any prover with this blowup and hash does;
/// - the same throughput against the executor recording the trace (the ratio is how many times
///   slower proving is than tracing);
/// - the warm verification time (a reused key, median of 5) against the 10 ms budget, and the
///   proof size against the 300 KB limit, both per segment (the whole proof's are in the note);
/// - committed cells per cycle, and the process's peak resident memory so far per proven cycle
///   against the 2 KiB target (sizes run in increasing order, so at the largest size the peak is
///   that size's own; at smaller ones it may be an earlier guest's).
extension Benchmarks {
    static func prove(seconds: Double) throws -> [BenchResult] {
        let logs = (ProcessInfo.processInfo.environment["PROVERNET_PROVE_BENCH_LOGS"] ?? "16,18")
            .split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.sorted()
        let dir = try guestDirectory()
        let clock = ContinuousClock()
        func secs(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
        let guests: [(String, (Int) -> [UInt8])] = [
            ("fibonacci", { n in withUnsafeBytes(of: UInt32(n).littleEndian) { Array($0) } }),
            ("sha256", { n in (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) } }),
            ("keccak256", { n in (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 17 &+ 3) } }),
        ]
        var results: [BenchResult] = []
        for logN in logs {
            for (name, input) in guests {
                let program = try loadGuest(dir, "c/\(name).elf")
                func cycles(_ n: Int) throws -> UInt64 {
                    do { return try Executor(program: program, inputs: [input(n)]).run().cycles } catch {
                        throw BenchError.failed("prove-\(name): \(error)")
                    }
                }
                // Input size for about 2^logN cycles: the slope between two small runs.
                let base = try cycles(64), slope = Double(try cycles(1088) - base) / 1024
                let size = max(1, Int((Double((1 << logN) - Int(base)) / slope).rounded(.down)))
                let inputs = [input(size)]
                let trace = Trace(capacity: 1 << logN)
                let t0 = clock.now
                let run: ExecutionResult
                do { run = try Executor(program: program, inputs: inputs).run(recordingInto: trace) } catch {
                    throw BenchError.failed("prove-\(name): \(error)")
                }
                let traceTime = secs(clock.now - t0)
                let t1 = clock.now
                let proof: ExecutionProof
                do { proof = try ZKVM.prove(program: program, inputs: inputs) } catch {
                    throw BenchError.failed("prove-\(name): \(error)")
                }
                let proveTime = secs(clock.now - t1)
                let n = Double(run.cycles)

                // The floor: LDE + Merkle commitment of every segment's table shapes.
                let segmentLayouts = proof.segmentLayouts(program: program)
                let layout = ExecutionProof.combined(segmentLayouts)
                let config = ZKVM.proofConfig, backend = CPUBackend()
                let t2 = clock.now
                for segment in segmentLayouts {
                    for table in segment {
                        let m = ColumnMatrix(width: table.main + table.auxiliary, height: table.rows)
                        let lde = backend.lowDegreeExtend(m, logBlowup: config.fri.logBlowup, shift: STARK.cosetShift)
                        blackHole(backend.commitRows(lde, hasher: config.hasher).root)
                    }
                }
                let floorTime = secs(clock.now - t2)
                let segments = proof.segments.count

                // Verification with a reused key.
                let key = ZKVM.VerifyingKey(program: program)
                let bytes = proof.serialized()
                var times: [Double] = []
                for _ in 0..<6 {
                    let t = clock.now
                    do { _ = try ZKVM.verify(proofBytes: bytes, key: key, inputs: inputs) } catch {
                        throw BenchError.failed("prove-\(name): verification failed: \(error)")
                    }
                    times.append(secs(clock.now - t))
                }
                let verify = times.dropFirst().sorted()[2]
                let cells = layout.reduce(0) { $0 + $1.cells }
                var usage = rusage()
                getrusage(RUSAGE_SELF.rawValue, &usage)
                let peak = Double(usage.ru_maxrss) * 1024

                let tag = "prove-\(name)-2^\(logN)"
                let shape = "\(run.cycles) cycles in \(segments) segment\(segments == 1 ? "" : "s"), "
                    + "\(format3(Double(cells) / n)) committed cells per cycle"
                results.append(BenchResult(
                    bench: tag, value: n / proveTime, unit: "cycles/s", reference: n / floorTime,
                    referenceName: "LDE + Merkle commit of the same table shapes (prove \(format3(proveTime)) s vs "
                        + "\(format3(floorTime)) s; \(shape); target 100,000 cycles/s)",
                    target: nil))
                results.append(BenchResult(
                    bench: tag + "-vs-trace", value: n / proveTime, unit: "cycles/s", reference: n / traceTime,
                    referenceName: "the executor recording the trace (\(format3(traceTime * 1000)) ms; proving is "
                        + "\(Int((proveTime / traceTime).rounded()))× slower)", target: nil))
                results += budgets(tag, verify: verify / Double(segments), proofBytes: bytes.count / segments,
                                   note: segments == 1 ? ", warm: key reused"
                                       : " per segment, warm: key reused; the \(segments) segments: \(format3(verify * 1000)) ms, "
                                       + "\(bytes.count) bytes")
                results.append(BenchResult(
                    bench: tag + "-memory", value: peak / n, unit: "bytes/cycle", reference: 2048,
                    referenceName: "the 2 KiB per cycle target (ratio ≤ 1 meets it; peak RSS \(format3(peak / 1e9)) GB)",
                    target: nil))
            }
        }
        return results
    }
}
