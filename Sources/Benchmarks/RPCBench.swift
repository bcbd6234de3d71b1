import Chain
import Consensus
import Dispatch
import Foundation
import JSON
import Logging
import Locking
import NIOCore
import NIOHTTP1
import NIOPosix
import Node
import Primitives
import RPC
import Secp256k1
import Storage
import SystemContracts
import Transactions
import TxPool

/// `provernet bench rpc`: JSON-RPC throughput over HTTP keep-alive on loopback, against a bare
/// SwiftNIO HTTP server (same stack, a fixed response) measured in the same run. Bounded in
/// time and request count; talks to 127.0.0.1 only.
public enum RPCBench {
    /// One measurement.
    public struct Result: Sendable {
        public var bench: String
        public var value: Double
        public var unit: String
        public var reference: Double
        public var referenceName: String
        public var target: Double?
        /// Latency percentiles of ours and of the reference, in milliseconds.
        public var p50: Double
        public var p99: Double
        public var referenceP50: Double
        public var referenceP99: Double
        public var ratio: Double { reference > 0 ? value / reference : 0 }
    }

    /// Runs every RPC benchmark; `seconds` per measured round.
    public static func run(seconds: Double = 1, connections: Int = 32, transactions: Int = 20_000) async throws -> [Result] {
        let (node, keys) = try benchNode(senders: 160)
        var opts = NodeRPCOptions()
        opts.server.port = 0
        opts.server.maxConnections = 4 * connections + 16
        var logger = Logger(label: "provernet.rpc.bench")
        logger.logLevel = .warning
        let rpc = NodeRPC(node: node, options: opts, logger: logger)
        let port = try await rpc.server.start()
        let bare = try await BareServer.start()
        let clients = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let outcome: Swift.Result<[Result], any Error> = await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await rpc.server.run() }
            let r: Swift.Result<[Result], any Error>
            do {
                r = .success(try await measure(node: node, keys: keys, port: port, barePort: bare.port, clients: clients,
                                               seconds: seconds, connections: connections, transactions: transactions))
            } catch {
                r = .failure(error)
            }
            rpc.server.shutdown()
            await group.waitForAll()
            return r
        }
        try? await bare.channel.close()
        try? await bare.group.shutdownGracefully()
        try? await clients.shutdownGracefully()
        return try outcome.get()
    }

    static func measure(node: Node, keys: [PrivateKey], port: Int, barePort: Int, clients: EventLoopGroup, seconds: Double,
                        connections: Int, transactions: Int) async throws -> [Result] {
        let alice = node.chain.genesis.alloc[0].address
        func request(_ method: String, _ params: String) -> ByteBuffer {
            ByteBuffer(string: #"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":\#(params)}"#)
        }
        var results: [Result] = []
        for (name, body) in [("rpc_blockNumber", request("eth_blockNumber", "[]")),
                             ("rpc_getBalance", request("eth_getBalance", #"["\#(alice.lowercaseHex)","latest"]"#))] {
            // Rounds alternate between the two servers; each keeps its best round, so noise on
            // a shared machine hurts both alike.
            var o = LoadStats(), r = LoadStats()
            for _ in 0..<3 {
                let ours = try await Load.run(group: clients, port: port, connections: connections, seconds: seconds / 3) { _ in body }
                let ref = try await Load.run(group: clients, port: barePort, connections: connections, seconds: seconds / 3) { _ in body }
                if ours.errors > 0 { throw BenchError.failed("\(name): \(ours.errors) failed requests") }
                if ours.rate > o.rate { o = ours }
                if ref.rate > r.rate { r = ref }
            }
            results.append(Result(bench: name, value: o.rate, unit: "req/s", reference: r.rate,
                                  referenceName: "bare NIO HTTP server", target: 0.7, p50: o.p50, p99: o.p99,
                                  referenceP50: r.p50, referenceP99: r.p99))
        }

        // Ingestion: distinct signed transfers from many senders, each sender's in nonce order
        // on one connection.
        let txs = signTransfers(keys: keys, chainID: node.chain.genesis.chainID, count: transactions, lanes: connections)
        let bodies: [[ByteBuffer]] = txs.map { lane in lane.map { request("eth_sendRawTransaction", #"["\#(Hex.encode($0.encoded))"]"#) } }
        let ingest = try await Load.run(group: clients, port: port, connections: connections, seconds: 30) { lane in
            LaneCursor.next(bodies, lane)
        }
        LaneCursor.reset()
        if ingest.errors > 0 { throw BenchError.failed("ingestion: \(ingest.errors) transactions refused") }
        results.append(Result(bench: "rpc_sendRawTransaction", value: ingest.rate, unit: "tx/s", reference: 10_000,
                              referenceName: "target (10,000 tx/s)", target: 1, p50: ingest.p50, p99: ingest.p99,
                              referenceP50: 0, referenceP99: 0))
        return results
    }

    /// A devnet-like chain in memory whose genesis also funds `senders` fresh keys.
    static func benchNode(senders: Int) throws -> (Node, [PrivateKey]) {
        let keys = (0..<senders).map { _ in PrivateKey.random() }
        guard case .object(var root) = try JSONValue.parse(Genesis.devnetJSON), let a = root.firstIndex(where: { $0.0 == "alloc" }),
              case .object(var alloc) = root[a].1 else { throw BenchError.failed("devnet genesis unreadable") }
        for k in keys { alloc.append((k.address.checksummed, .object([("balance", "1000000000000000000000")]))) }
        root[a].1 = .object(alloc)
        let json = Data(JSONValue.object(root).bytes)
        let g = try Genesis(json: json, parameters: SystemContracts.provernet.parameters)
        let store = MemoryStore()
        try Blockchain.initialize(store: store, genesis: g, genesisJSON: Array(json))
        let chain = try Blockchain(store: store, genesis: g)
        chain.syncWrites = false
        var pool = PoolConfig()
        pool.maxTotal = 1 << 20
        pool.maxPerSender = 1 << 16
        return (try Node(chain: chain, sealerKey: g.devSealerKey, blockTime: 1, poolConfig: pool), keys)
    }

    /// `count` transfers split into `lanes`; each sender's transactions stay in one lane.
    static func signTransfers(keys: [PrivateKey], chainID: UInt64, count: Int, lanes: Int) -> [[SignedTransaction]] {
        let perKey = (count + keys.count - 1) / keys.count
        var bySender = [[SignedTransaction]](repeating: [], count: keys.count)
        bySender.withUnsafeMutableBufferPointer { buf in
            let out = UnsafeTransfer(buf)
            DispatchQueue.concurrentPerform(iterations: keys.count) { i in
                out.value[i] = (0..<perKey).map { n in
                    Transaction.dynamicFee(chainID: chainID, nonce: UInt64(n), maxPriorityFeePerGas: 1_000_000_000,
                                           maxFeePerGas: 100_000_000_000, gasLimit: 21_000, to: Address(low: 0xbeef),
                                           value: 1).signed(with: keys[i])
                }
            }
        }
        var out = [[SignedTransaction]](repeating: [], count: lanes)
        for (i, txs) in bySender.enumerated() { out[i % lanes] += txs }
        let total = out.reduce(0) { $0 + $1.count }
        if total > count {
            // Trim evenly from lane ends (the highest nonces), keeping nonce order.
            var extra = total - count
            var l = 0
            while extra > 0 {
                if !out[l].isEmpty { out[l].removeLast(); extra -= 1 }
                l = (l + 1) % lanes
            }
        }
        return out
    }
}

/// Per-lane position in the ingestion bodies.
enum LaneCursor {
    static let positions = Locked<[Int: Int]>([:])
    static func next(_ bodies: [[ByteBuffer]], _ lane: Int) -> ByteBuffer? {
        positions.withLock { p in
            let i = p[lane, default: 0]
            guard lane < bodies.count, i < bodies[lane].count else { return nil }
            p[lane] = i + 1
            return bodies[lane][i]
        }
    }
    static func reset() { positions.withLock { $0 = [:] } }
}

/// What a load run measured.
struct LoadStats: Sendable {
    var requests = 0
    var errors = 0
    var elapsed = 0.0
    var latencies: [UInt64] = []
    var rate: Double { elapsed > 0 ? Double(requests) / elapsed : 0 }
    var p50: Double { percentile(0.50) }
    var p99: Double { percentile(0.99) }

    func percentile(_ p: Double) -> Double {
        guard !latencies.isEmpty else { return 0 }
        let sorted = latencies.sorted()
        return Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1e6
    }
}

/// Closed-loop HTTP/1.1 keep-alive load: each connection sends its next request when the
/// previous response ends, until the time is up or it has no more requests.
enum Load {
    static func run(group: EventLoopGroup, port: Int, connections: Int, seconds: Double,
                    body: @escaping @Sendable (Int) -> ByteBuffer?) async throws -> LoadStats {
        let start = NIODeadline.now()
        let deadline = start + .nanoseconds(Int64(seconds * 1e9))
        var futures: [EventLoopFuture<LoadStats>] = []
        for lane in 0..<connections {
            let promise = group.next().makePromise(of: LoadStats.self)
            let bootstrap = ClientBootstrap(group: group)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .channelInitializer { ch in
                    ch.eventLoop.makeCompletedFuture {
                        try ch.pipeline.syncOperations.addHTTPClientHandlers()
                        try ch.pipeline.syncOperations.addHandler(
                            LoadHandler(lane: lane, deadline: deadline, body: body, done: promise))
                    }
                }
            bootstrap.connect(host: "127.0.0.1", port: port).whenFailure { promise.fail($0) }
            futures.append(promise.futureResult)
        }
        var total = LoadStats()
        for f in futures {
            let s = try await f.get()
            total.requests += s.requests
            total.errors += s.errors
            total.latencies += s.latencies
        }
        total.elapsed = Double((NIODeadline.now() - start).nanoseconds) / 1e9
        return total
    }
}

final class LoadHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let lane: Int
    let deadline: NIODeadline
    let body: @Sendable (Int) -> ByteBuffer?
    let done: EventLoopPromise<LoadStats>
    var stats = LoadStats()
    var sentAt = NIODeadline.now()
    var response = ByteBuffer()
    var status = HTTPResponseStatus.ok
    static let ok = Array(#""result""#.utf8)

    init(lane: Int, deadline: NIODeadline, body: @escaping @Sendable (Int) -> ByteBuffer?, done: EventLoopPromise<LoadStats>) {
        self.lane = lane
        self.deadline = deadline
        self.body = body
        self.done = done
        stats.latencies.reserveCapacity(1 << 14)
    }

    func channelActive(context: ChannelHandlerContext) { sendNext(context) }

    func sendNext(_ context: ChannelHandlerContext) {
        guard NIODeadline.now() < deadline, let b = body(lane) else {
            done.succeed(stats)
            context.close(promise: nil)
            return
        }
        var headers = HTTPHeaders()
        headers.add(name: "host", value: "127.0.0.1")
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(b.readableBytes))
        sentAt = .now()
        context.write(wrapOutboundOut(.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/", headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(b))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            status = h.status
            response.clear()
        case .body(var b):
            response.writeBuffer(&b)
        case .end:
            stats.requests += 1
            stats.latencies.append(UInt64((NIODeadline.now() - sentAt).nanoseconds))
            let ok = status == .ok && response.readableBytesView.firstRange(of: LoadHandler.ok) != nil
            if !ok { stats.errors += 1 }
            sendNext(context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        done.fail(error)
        context.close(promise: nil)
    }
}

/// The reference: SwiftNIO's HTTP/1.1 server pipeline answering every request with a fixed
/// JSON-RPC response, no parsing, no dispatch.
final class BareServer: Sendable {
    let group: MultiThreadedEventLoopGroup
    let channel: Channel
    var port: Int { channel.localAddress?.port ?? 0 }

    init(group: MultiThreadedEventLoopGroup, channel: Channel) {
        self.group = group
        self.channel = channel
    }

    static func start() async throws -> BareServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let ch = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { ch in
                ch.eventLoop.makeCompletedFuture {
                    try ch.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try ch.pipeline.syncOperations.addHandler(BareHandler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return BareServer(group: group, channel: ch)
    }
}

final class BareHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    static let body = Array(#"{"jsonrpc":"2.0","id":1,"result":"0x0"}"#.utf8)
    var keepAlive = true

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): keepAlive = h.isKeepAlive
        case .body: break
        case .end:
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: "application/json")
            headers.add(name: "content-length", value: String(BareHandler.body.count))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: BareHandler.body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            if !keepAlive { context.close(promise: nil) }
        }
    }
}
