#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Phase timings of the prover, printed to standard error when the environment variable
/// `PROVERNET_STARK_TIMINGS` is set (for profiling; no effect on proofs).
struct PhaseTimer {
    let enabled: Bool
    let clock = ContinuousClock()
    var last: ContinuousClock.Instant
    var phases: [(String, Duration)] = []

    init() {
        enabled = getenv("PROVERNET_STARK_TIMINGS") != nil
        last = clock.now
    }

    mutating func mark(_ name: String) {
        guard enabled else { return }
        let now = clock.now
        phases.append((name, now - last))
        last = now
    }

    func report(_ title: String) {
        guard enabled else { return }
        var line = title + ":"
        for (n, d) in phases {
            let ms = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
            line += " \(n) \(Int(ms.rounded())) ms;"
        }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
