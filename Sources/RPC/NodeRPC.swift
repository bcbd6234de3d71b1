import Chain
import Foundation
import JSON
import Logging
import Node

/// Everything the JSON-RPC service of a node is configured with.
public struct NodeRPCOptions: Sendable {
    /// Transport: address, port, CORS, connection and size limits.
    public var server = RPCServerConfiguration()
    /// Method settings: client version, dev mode, log-query and fee-history bounds.
    public var api = EthAPIConfig()
    /// Batch length and JSON nesting.
    public var limits = RPCLimits()
    /// Filters and subscriptions.
    public var filters = FilterSystem.Limits()
    public init() {}
}

/// The JSON-RPC service of one ``Node``, assembled: metrics, filters and subscriptions fed
/// by the node's events, the eth_ methods, the dispatcher and the HTTP/WebSocket server.
public final class NodeRPC: Sendable {
    /// The node served.
    public let node: Node
    /// Its metrics (served at `/metrics`).
    public let metrics: RPCMetrics
    /// Its filters and subscriptions.
    public let filters: FilterSystem
    /// The methods.
    public let api: EthAPI
    /// JSON-RPC 2.0 over the methods (usable without a socket).
    public let dispatcher: RPCDispatcher
    /// HTTP and WebSocket on one port; `run()` it.
    public let server: RPCServer

    /// Builds the service and subscribes it to the node's committed-block feed and pending
    /// transactions.
    public init(node: Node, options: NodeRPCOptions = NodeRPCOptions(), logger: Logger = Logger(label: "provernet.rpc")) {
        self.node = node
        let metrics = RPCMetrics()
        let filters = FilterSystem(chain: node.chain, limits: options.filters, metrics: metrics)
        let api = EthAPI(node: node, filters: filters, config: options.api)
        var table = RPCMethodTable()
        api.register(into: &table)
        ProverNetAPI(chain: node.chain).register(into: &table)
        let dispatcher = RPCDispatcher(methods: table, limits: options.limits, metrics: metrics)
        node.pool.onPending { tx in filters.pendingTransaction(tx) }
        node.feed.subscribe { committed in
            metrics.headNumber.record(Int64(committed.block.number))
            filters.blockCommitted(committed)
        }
        metrics.headNumber.record(Int64(node.chain.head.number))
        let health: @Sendable () -> JSONValue = {
            let head = node.chain.head
            let age = max(0, Date().timeIntervalSince1970 - Double(head.timestamp))
            // A sealing node whose head stopped moving is unhealthy.
            let stale = node.sealerKey != nil && head.number > 0 && age > max(30, 10 * node.blockTime)
            return .object([
                ("status", .string(stale ? "stale" : "ok")),
                ("chainId", .string(RPCObjects.quantityHex(node.chain.genesis.chainID))),
                ("head", .string(RPCObjects.quantityHex(head.number))),
                ("headHash", .string(head.hash.description)),
                ("headAgeSeconds", .number(JSONNumber(UInt64(age)))),
                ("pendingTransactions", .number(JSONNumber(node.pool.count))),
            ])
        }
        let beforeScrape: @Sendable () -> Void = {
            metrics.headNumber.record(Int64(node.chain.head.number))
            let c = node.pool.counts
            metrics.poolPending.record(c.pending)
            metrics.poolQueued.record(c.queued)
        }
        server = RPCServer(configuration: options.server, dispatcher: dispatcher, filters: filters, metrics: metrics,
                           logger: logger, health: health, beforeScrape: beforeScrape)
        self.metrics = metrics
        self.filters = filters
        self.api = api
        self.dispatcher = dispatcher
    }
}
