import Metrics
import Prometheus

/// The node's metrics, recorded through swift-metrics into a Prometheus registry of its own
/// (no process-wide bootstrap, so several servers can run in one process) and served as
/// Prometheus text at `/metrics`.
public final class RPCMetrics: Sendable {
    /// The registry every metric here lives in.
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    /// The head block number.
    public let headNumber: Metrics.Gauge
    /// Pending and queued transactions in the pool.
    public let poolPending: Metrics.Gauge
    public let poolQueued: Metrics.Gauge
    /// Time to build, seal and commit one block.
    public let blockBuildTime: Metrics.Timer
    /// Open client connections (HTTP and WebSocket).
    public let connections: Metrics.Meter
    /// Live `eth_subscribe` subscriptions.
    public let subscriptions: Metrics.Meter
    /// Installed filters.
    public let filters: Metrics.Meter

    /// A fresh registry with the node's metrics.
    public init() {
        registry = PrometheusCollectorRegistry()
        var f = PrometheusMetricsFactory(registry: registry)
        f.defaultDurationHistogramBuckets = [
            .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
            .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(10),
        ]
        factory = f
        headNumber = Metrics.Gauge(label: "chain_head_block", factory: f)
        poolPending = Metrics.Gauge(label: "txpool_pending", factory: f)
        poolQueued = Metrics.Gauge(label: "txpool_queued", factory: f)
        blockBuildTime = Metrics.Timer(label: "chain_block_build_seconds", factory: f)
        connections = Metrics.Meter(label: "rpc_open_connections", factory: f)
        subscriptions = Metrics.Meter(label: "rpc_subscriptions", factory: f)
        filters = Metrics.Meter(label: "rpc_filters", factory: f)
    }

    func counter(_ label: String, method: String) -> Metrics.Counter {
        Metrics.Counter(label: label, dimensions: [("method", method)], factory: factory)
    }

    func timer(_ label: String, method: String) -> Metrics.Timer {
        Metrics.Timer(label: label, dimensions: [("method", method)], factory: factory)
    }

    /// Times `body` as one block build.
    public func timeBlockBuild<T>(_ body: () throws -> T) rethrows -> T {
        let start = ContinuousClock.now
        defer { blockBuildTime.recordInterval(since: start) }
        return try body()
    }

    /// The Prometheus text exposition of every metric.
    public func render() -> [UInt8] { registry.emitToBuffer() }
}
