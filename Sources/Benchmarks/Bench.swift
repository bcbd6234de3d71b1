/// One benchmark's result: our figure, the reference measured in the same run, and their ratio.
public struct BenchResult: Sendable {
    /// Benchmark name (`keccak`, `ecrecover`, `rlp`, …).
    public var bench: String
    /// Our throughput.
    public var value: Double
    /// Unit of `value` and `reference`.
    public var unit: String
    /// The reference's throughput, measured in the same run.
    public var reference: Double
    /// What the reference is.
    public var referenceName: String
    /// value / reference.
    public var ratio: Double { reference > 0 ? value / reference : 0 }
    /// The goal from the issue, if any.
    public var target: Double?

    /// One JSON object: `{"bench":…,"value":…,"unit":…,"reference":…,"ratio":…}`.
    public var json: String {
        func num(_ d: Double) -> String { d.isFinite ? String(format3(d)) : "null" }
        var s = "{\"bench\":\"\(bench)\",\"value\":\(num(value)),\"unit\":\"\(unit)\",\"reference\":\(num(reference))"
        s += ",\"ratio\":\(num(ratio)),\"referenceName\":\"\(referenceName)\""
        if let t = target { s += ",\"target\":\(num(t))" }
        return s + "}"
    }

    /// A line for people.
    public var text: String {
        let t = target.map { "  (target ≥ \(format3($0)))" } ?? ""
        return "\(bench): \(format3(value)) \(unit) vs \(referenceName) \(format3(reference)) \(unit) → ratio \(format3(ratio))\(t)"
    }
}

/// Three significant decimals, without Foundation's formatter.
func format3(_ d: Double) -> String {
    let scaled = (d * 1000).rounded() / 1000
    if scaled == scaled.rounded(), abs(scaled) < 1e15 { return String(Int64(scaled)) }
    return String(scaled)
}

/// Measures throughput by running `body` (which does `batch` operations) repeatedly.
/// Ours and the reference alternate in rounds and each keeps its best round, so a burst of
/// noise on a shared machine hurts both alike instead of skewing the ratio.
enum Measure {
    static func opsPerSecond(batch: Int, seconds: Double, _ body: () -> Void) -> Double {
        let clock = ContinuousClock()
        var ops = 0
        let start = clock.now
        var elapsed = Duration.zero
        repeat {
            body()
            ops += batch
            elapsed = clock.now - start
        } while elapsed < .milliseconds(Int64(seconds * 1000))
        let secs = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(ops) / secs
    }

    /// Best-of-`rounds` rates for ours and the reference, interleaved.
    static func compare(rounds: Int = 5, seconds: Double = 0.4, batch: Int,
                        ours: () -> Void, reference: () -> Void) -> (ours: Double, reference: Double) {
        // Warm both paths once.
        ours()
        reference()
        var best = (0.0, 0.0)
        for _ in 0..<rounds {
            best.0 = max(best.0, opsPerSecond(batch: batch, seconds: seconds, ours))
            best.1 = max(best.1, opsPerSecond(batch: batch, seconds: seconds, reference))
        }
        return best
    }
}

/// Keeps the optimizer from deleting a benchmark's work.
@inline(never)
func blackHole<T>(_ x: T) {
    withExtendedLifetime(x) {}
}
