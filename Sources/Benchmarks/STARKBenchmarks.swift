import CNTTReference
import Foundation
import KoalaBear
import STARK
import STARKExamples

/// `provernet bench ntt` and `provernet bench stark`.
///
/// `ntt`: a forward KoalaBear NTT of 2^20 elements (natural order in and out: the DIF
/// kernel plus one bit-reversal pass) on one core, against the same algorithm built from
/// plain C with -O2 (`CNTTReference`: same Montgomery arithmetic, twiddle layout, cache
/// blocking and bit reversal), measured in the same run. Target: within 1.5×, i.e. a ratio
/// ≥ 0.667. `ntt-parallel` runs ours on every core against ours on one (the ratio is the
/// speedup).
///
/// `stark`: prove and verify the Fibonacci AIR with the default configuration (≥ 100
/// conjectured bits) at 2^16, 2^18 and 2^20 rows (`PROVERNET_STARK_BENCH_LOGS=16,18` to
/// choose). Proving is reported in trace rows per second against the commitment floor
/// measured in the same run: the main trace's LDE plus its Merkle tree, the least any prover
/// with this blowup and hash does (the ratio is the share of proving time that floor takes).
/// Verification is reported in verifications per second against the 10 ms budget
/// (DESIGN §7; ratio ≥ 1 meets it), proof size in KB against the 300 KB limit (ratio ≤ 1
/// meets it).
extension Benchmarks {
    static func ntt(seconds: Double) -> [BenchResult] {
        let logN = 20, n = 1 << logN
        let input = (0..<n).map { KoalaBear(UInt32(truncatingIfNeeded: $0 &* 2_654_435_761)) }
        // The C reference's twiddles: table[h + j] = ω_{2h}^j in Montgomery form.
        var table = [UInt32](repeating: 0, count: n)
        let root = KoalaBear.twoAdicGenerator(logN: logN)
        var acc = KoalaBear.one
        for j in 0..<(n / 2) {
            table[n / 2 + j] = acc.raw
            acc *= root
        }
        var h = n / 4
        while h >= 1 {
            for j in 0..<h { table[h + j] = table[2 * h + 2 * j] }
            h >>= 1
        }
        var ours = input
        var ref = input.map(\.raw)
        // Same results first.
        NTT.forward(&ours, threads: 1)
        ref.withUnsafeMutableBufferPointer { p in
            table.withUnsafeBufferPointer { t in
                cntt_forward_dif(p.baseAddress!, n, t.baseAddress!, NTT.blockSize)
                cntt_bit_reverse(p.baseAddress!, n)
            }
        }
        precondition(ours.map(\.raw) == ref, "the C reference NTT disagrees with KoalaBear.NTT")
        let single = Measure.compare(seconds: seconds, batch: 1, ours: {
            NTT.forward(&ours, threads: 1)
            blackHole(ours[0])
        }, reference: {
            ref.withUnsafeMutableBufferPointer { p in
                table.withUnsafeBufferPointer { t in
                    cntt_forward_dif(p.baseAddress!, n, t.baseAddress!, NTT.blockSize)
                    cntt_bit_reverse(p.baseAddress!, n)
                }
            }
            blackHole(ref[0])
        })
        let cores = Parallel.coreCount
        let parallel = Measure.compare(seconds: seconds, batch: 1, ours: {
            NTT.forward(&ours, threads: cores)
            blackHole(ours[0])
        }, reference: {
            NTT.forward(&ours, threads: 1)
            blackHole(ours[0])
        })
        return [
            BenchResult(bench: "ntt", value: single.ours, unit: "NTT/s (2^20, 1 core)", reference: single.reference,
                        referenceName: "the same NTT in C -O2 (ours \(format3(1000 / single.ours)) ms, "
                            + "C \(format3(1000 / single.reference)) ms; issue target ≤ 20 ms)",
                        target: 1 / 1.5),
            BenchResult(bench: "ntt-parallel", value: parallel.ours, unit: "NTT/s (2^20, \(cores) cores)",
                        reference: parallel.reference,
                        referenceName: "ours on 1 core (\(format3(1000 / parallel.ours)) ms on \(cores) cores)",
                        target: nil),
        ]
    }

    static func stark(seconds: Double) throws -> [BenchResult] {
        let logs = (ProcessInfo.processInfo.environment["PROVERNET_STARK_BENCH_LOGS"] ?? "16,18,20")
            .split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let config = StarkConfig.standard
        let backend = CPUBackend()
        let air = FibonacciAIR()
        let clock = ContinuousClock()
        func secs(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
        var results: [BenchResult] = []
        for logN in logs {
            let n = 1 << logN
            let (trace, pub) = FibonacciAIR.trace(logHeight: logN)
            // Prove (best of the runs that fit in `seconds`, at least one), and the floor.
            var proveTime = Double.infinity, floorTime = Double.infinity
            var proof: Proof?
            let start = clock.now
            repeat {
                var t0 = clock.now
                do {
                    proof = try STARK.prove(air, trace: trace, publicInputs: pub, config: config, backend: backend)
                } catch {
                    throw BenchError.failed("stark: proving failed: \(error)")
                }
                proveTime = min(proveTime, secs(clock.now - t0))
                t0 = clock.now
                let lde = backend.lowDegreeExtend(trace, logBlowup: config.fri.logBlowup, shift: STARK.cosetShift)
                blackHole(backend.commitRows(lde, hasher: config.hasher).root)
                floorTime = min(floorTime, secs(clock.now - t0))
            } while secs(clock.now - start) < seconds
            guard let proof else { continue }
            let bytes = proof.serialized()
            // Verify: as many as fit in `seconds` (at least 5).
            var verifyCount = 0
            let v0 = clock.now
            repeat {
                do {
                    try STARK.verify(air, proofBytes: bytes, publicInputs: pub, config: config)
                } catch {
                    throw BenchError.failed("stark: verification failed: \(error)")
                }
                verifyCount += 1
            } while verifyCount < 5 || secs(clock.now - v0) < seconds
            let verifyTime = secs(clock.now - v0) / Double(verifyCount)
            let tag = "stark-2^\(logN)"
            results.append(BenchResult(
                bench: tag + "-prove", value: Double(n) / proveTime, unit: "rows/s",
                reference: Double(n) / floorTime,
                referenceName: "trace LDE + Merkle commit alone (prove \(format3(proveTime * 1000)) ms vs "
                    + "\(format3(floorTime * 1000)) ms; Fibonacci, \(n) rows, \(config.fri.conjecturedSecurityBits) "
                    + "conjectured bits, \(backend.name))",
                target: nil))
            results += budgets(tag, verify: verifyTime, proofBytes: bytes.count)
        }
        return results
    }

    /// A proof's verification time against the 10 ms budget and its size against the 300 KB
    /// limit (DESIGN §7), as two results.
    static func budgets(_ tag: String, verify: Double, proofBytes: Int, note: String = "") -> [BenchResult] {
        [BenchResult(bench: tag + "-verify", value: 1 / verify, unit: "verifications/s", reference: 100,
                     referenceName: "the 10 ms budget (verify \(format3(verify * 1000)) ms\(note))", target: 1),
         BenchResult(bench: tag + "-proof", value: Double(proofBytes) / 1000, unit: "KB", reference: 300,
                     referenceName: "the 300 KB limit (ratio ≤ 1 meets it; \(proofBytes) bytes)", target: nil)]
    }
}
