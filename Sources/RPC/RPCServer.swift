import JSON
import Logging
import Locking
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// Transport settings and limits.
public struct RPCServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (see ``RPCServer/start()``).
    public var port = 8545
    /// Origins allowed by CORS (`*` for any); empty sends no CORS headers. WebSocket upgrades
    /// that carry an `Origin` header must match too.
    public var corsOrigins: [String] = []
    /// Largest HTTP request body.
    public var maxBodySize = 5 * 1024 * 1024
    /// Largest WebSocket message (after reassembly of fragments).
    public var maxWebSocketMessageSize = 5 * 1024 * 1024
    /// Open client connections; more are answered 503 and closed.
    public var maxConnections = 1024
    /// Requests running off the event loop per WebSocket connection.
    public var maxWebSocketInFlight = 64
    /// A connection silent this long is closed (HTTP only; WebSockets stay open).
    public var idleTimeout: TimeAmount = .seconds(120)
    /// How long shutdown waits for connections to finish before closing them.
    public var shutdownGrace: TimeAmount = .seconds(5)
    /// Event loop threads.
    public var eventLoopThreads = System.coreCount
    /// Threads for off-loaded methods (log queries, dry runs).
    public var workerThreads = max(2, System.coreCount)

    public init() {}
}

/// Why the server could not start.
public struct RPCServerError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// HTTP POST and WebSocket JSON-RPC on one port over SwiftNIO, plus `GET /health` and
/// `GET /metrics`. Only moves bytes: every request body goes to the ``RPCDispatcher``.
///
/// Lifecycle: ``start()`` binds; ``run()`` serves until the task is cancelled or ``shutdown()``
/// is called, then stops accepting, lets in-flight requests finish (up to
/// ``RPCServerConfiguration/shutdownGrace``), closes every connection (WebSockets with 1001
/// "going away") and releases its threads.
public final class RPCServer: Sendable {
    let core: ServerCore
    let group: MultiThreadedEventLoopGroup
    let serverChannel = Locked<Channel?>(nil)

    /// - Parameters:
    ///   - health: the body of `GET /health` (an object; `"status": "ok"` gives HTTP 200, anything else 503).
    ///   - beforeScrape: refreshes gauges before `/metrics` renders.
    public init(configuration: RPCServerConfiguration, dispatcher: RPCDispatcher, filters: FilterSystem? = nil,
                metrics: RPCMetrics? = nil, logger: Logger = Logger(label: "provernet.rpc"),
                health: @escaping @Sendable () -> JSONValue = { ["status": "ok"] },
                beforeScrape: @escaping @Sendable () -> Void = {}) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.eventLoopThreads))
        let pool = NIOThreadPool(numberOfThreads: max(1, configuration.workerThreads))
        pool.start()
        core = ServerCore(config: configuration, dispatcher: dispatcher, filters: filters, metrics: metrics, logger: logger,
                          threadPool: pool, health: health, beforeScrape: beforeScrape)
    }

    /// Binds the listening socket; returns the port (useful with port 0).
    @discardableResult
    public func start() async throws -> Int {
        if let ch = serverChannel.withLock({ $0 }) { return ch.localAddress?.port ?? core.config.port }
        let core = self.core
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 8 << 20, high: 16 << 20))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try core.initialize(channel) }
            }
        let ch: Channel
        do { ch = try await bootstrap.bind(host: core.config.host, port: core.config.port).get() } catch {
            throw RPCServerError(description: "cannot listen on \(core.config.host):\(core.config.port): \(error)")
        }
        serverChannel.withLock { $0 = ch }
        let port = ch.localAddress?.port ?? core.config.port
        core.logger.info("JSON-RPC listening", metadata: ["address": "\(core.config.host):\(port)"])
        return port
    }

    /// Serves until cancelled or ``shutdown()``, then shuts down gracefully.
    public func run() async throws {
        try await start()
        guard let ch = serverChannel.withLock({ $0 }) else { return }
        await withTaskCancellationHandler {
            try? await ch.closeFuture.get()
        } onCancel: {
            ch.close(promise: nil)
        }
        await drain()
        try? await core.threadPool.shutdownGracefully()
        try? await group.shutdownGracefully()
        core.logger.info("JSON-RPC stopped")
    }

    /// Stops accepting connections; ``run()`` then finishes the open ones and returns.
    public func shutdown() {
        serverChannel.withLock { $0 }?.close(promise: nil)
    }

    /// Number of open client connections.
    public var connectionCount: Int { core.connections.count }

    func drain() async {
        core.connections.stopAccepting()
        for ch in core.connections.all {
            ch.eventLoop.execute { ch.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
        }
        let clock = ContinuousClock()
        let deadline = clock.now + .nanoseconds(core.config.shutdownGrace.nanoseconds)
        while core.connections.count > 0 && clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let left = core.connections.all
        for ch in left { ch.close(promise: nil) }
        for ch in left { try? await ch.closeFuture.get() }
    }
}

/// Open connections, their ids, and the connection limit.
final class ConnectionRegistry: Sendable {
    struct State {
        var next: UInt64 = 1
        var open: [UInt64: Channel] = [:]
        var accepting = true
    }

    let state = Locked(State())
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Registers a channel; nil when at the limit or shutting down.
    func add(_ ch: Channel) -> UInt64? {
        state.withLock { s in
            guard s.accepting, s.open.count < limit else { return nil }
            let id = s.next
            s.next += 1
            s.open[id] = ch
            return id
        }
    }

    func remove(_ id: UInt64) { state.withLock { _ = $0.open.removeValue(forKey: id) } }
    func stopAccepting() { state.withLock { $0.accepting = false } }
    var count: Int { state.withLock { $0.open.count } }
    var all: [Channel] { state.withLock { Array($0.open.values) } }
}

/// Everything the per-connection handlers share.
final class ServerCore: Sendable {
    let config: RPCServerConfiguration
    let dispatcher: RPCDispatcher
    let filters: FilterSystem?
    let metrics: RPCMetrics?
    let logger: Logger
    let threadPool: NIOThreadPool
    let health: @Sendable () -> JSONValue
    let beforeScrape: @Sendable () -> Void
    let connections: ConnectionRegistry

    init(config: RPCServerConfiguration, dispatcher: RPCDispatcher, filters: FilterSystem?, metrics: RPCMetrics?,
         logger: Logger, threadPool: NIOThreadPool, health: @escaping @Sendable () -> JSONValue,
         beforeScrape: @escaping @Sendable () -> Void) {
        self.config = config
        self.dispatcher = dispatcher
        self.filters = filters
        self.metrics = metrics
        self.logger = logger
        self.threadPool = threadPool
        self.health = health
        self.beforeScrape = beforeScrape
        connections = ConnectionRegistry(limit: config.maxConnections)
    }

    /// Sets up a new connection's pipeline (on its event loop).
    func initialize(_ channel: Channel) throws {
        let sync = channel.pipeline.syncOperations
        guard let id = connections.add(channel) else {
            try sync.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: true)
            try sync.addHandler(IdleStateHandler(readTimeout: .seconds(10)))
            try sync.addHandler(RejectingHandler(limit: config.maxConnections))
            logger.warning("connection refused: too many open connections", metadata: ["limit": "\(config.maxConnections)"])
            return
        }
        metrics?.connections.increment()
        channel.closeFuture.whenComplete { [self] _ in
            connections.remove(id)
            metrics?.connections.decrement()
            filters?.connectionClosed(id)
        }
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: config.maxWebSocketMessageSize, automaticErrorHandling: true,
            shouldUpgrade: { ch, _ in ch.eventLoop.makeSucceededFuture(HTTPHeaders()) },
            upgradePipelineHandler: { [self] ch, head in
                if let origin = head.headers.first(name: "origin"), !originAllowed(origin) {
                    // Refused with a reason the client can read: close code 1008.
                    logger.info("WebSocket refused: origin not allowed", metadata: ["origin": "\(origin)"])
                    var reason = ch.allocator.buffer(capacity: 64)
                    reason.write(webSocketErrorCode: .policyViolation)
                    reason.writeString("origin not allowed (see --cors)")
                    return ch.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: reason))
                        .flatMap { ch.close() }
                }
                return ch.eventLoop.makeCompletedFuture {
                    let conn = WebSocketConnection(channel: ch, connectionID: id)
                    try ch.pipeline.syncOperations.addHandler(
                        NIOWebSocketFrameAggregator(minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 4096,
                                                    maxAccumulatedFrameSize: config.maxWebSocketMessageSize))
                    try ch.pipeline.syncOperations.addHandler(WebSocketRPCHandler(core: self, connection: conn))
                }
            })
        try sync.addHandler(IdleStateHandler(readTimeout: config.idleTimeout))
        try sync.configureHTTPServerPipeline(
            withServerUpgrade: (upgraders: [upgrader], completionHandler: { ctx in
                ctx.pipeline.removeHandler(name: HTTPRPCHandler.name, promise: nil)
            }), withErrorHandling: true)
        try sync.addHandler(HTTPRPCHandler(core: self), name: HTTPRPCHandler.name)
    }

    func originAllowed(_ origin: String) -> Bool {
        config.corsOrigins.contains("*") || config.corsOrigins.contains(origin)
    }

    /// CORS response headers for a request from `origin`.
    func corsHeaders(_ origin: String?, into headers: inout HTTPHeaders) {
        guard let origin, !config.corsOrigins.isEmpty else { return }
        if config.corsOrigins.contains("*") {
            headers.add(name: "access-control-allow-origin", value: "*")
        } else if config.corsOrigins.contains(origin) {
            headers.add(name: "access-control-allow-origin", value: origin)
            headers.add(name: "vary", value: "Origin")
        }
    }
}

// MARK: - HTTP

/// One HTTP connection: collects each request body (within the limit) and answers POST with
/// the dispatcher's response, `GET /health`, `GET /metrics`, and CORS preflights.
final class HTTPRPCHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    static let name = "provernet-rpc-http"

    let core: ServerCore
    var head: HTTPRequestHead?
    var body: ByteBuffer?
    /// Set after an oversize body was answered: the rest is read and dropped, then the
    /// connection closes.
    var discarding = false
    var discarded = 0
    var busy = false

    init(core: ServerCore) { self.core = core }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = nil
            busy = true
            if let len = h.headers.first(name: "content-length").flatMap(Int.init), len > core.config.maxBodySize {
                tooLarge(context)
            } else if h.headers.first(name: "expect")?.lowercased() == "100-continue" {
                // curl asks before sending large bodies.
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: h.version, status: .continue))), promise: nil)
            }
        case .body(var part):
            if discarding {
                discarded += part.readableBytes
                if discarded > 8 * core.config.maxBodySize { context.close(promise: nil) }
                return
            }
            if (body?.readableBytes ?? 0) + part.readableBytes > core.config.maxBodySize {
                body = nil
                tooLarge(context)
                return
            }
            if body == nil { body = part } else { body!.writeBuffer(&part) }
        case .end:
            if discarding {
                context.close(promise: nil)
                return
            }
            route(context)
        }
    }

    func tooLarge(_ context: ChannelHandlerContext) {
        discarding = true
        let e = RPCError.limitExceeded("request body too large: the limit is \(core.config.maxBodySize) bytes")
        respond(context, status: .payloadTooLarge, body: RPCDispatcher.errorBody(e), close: true, closeAfterWrite: false)
    }

    func route(_ context: ChannelHandlerContext) {
        guard let head else { return }
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
        switch head.method {
        case .POST:
            dispatch(context)
        case .OPTIONS:
            var h = HTTPHeaders()
            let origin = head.headers.first(name: "origin")
            core.corsHeaders(origin, into: &h)
            if !h.isEmpty {
                h.add(name: "access-control-allow-methods", value: "POST, GET, OPTIONS")
                h.add(name: "access-control-allow-headers",
                      value: head.headers.first(name: "access-control-request-headers") ?? "content-type")
                h.add(name: "access-control-max-age", value: "86400")
            }
            respond(context, status: .noContent, body: [], contentType: nil, extra: h)
        case .GET where path == "/health":
            let v = core.health()
            respond(context, status: v["status"] == "ok" ? .ok : .serviceUnavailable, body: v.bytes)
        case .GET where path == "/metrics":
            guard let m = core.metrics else {
                respond(context, status: .notFound, body: Array("metrics are off\n".utf8), contentType: "text/plain")
                return
            }
            core.beforeScrape()
            respond(context, status: .ok, body: m.render(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        default:
            var h = HTTPHeaders()
            h.add(name: "allow", value: "POST, GET, OPTIONS")
            respond(context, status: .methodNotAllowed,
                    body: Array("JSON-RPC takes POST (or a WebSocket upgrade); GET serves /health and /metrics\n".utf8),
                    contentType: "text/plain", extra: h)
        }
    }

    func dispatch(_ context: ChannelHandlerContext) {
        var buf = body ?? ByteBuffer()
        body = nil
        let reply = buf.withUnsafeReadableBytes { core.dispatcher.handle($0, context: RPCCallContext()) }
        buf.clear()
        switch reply {
        case .ready(let bytes):
            respond(context, status: .ok, body: bytes ?? [])
        case .deferred(let work):
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            core.threadPool.runIfActive(eventLoop: context.eventLoop, work).whenComplete { result in
                let (handler, ctx) = bound.value
                switch result {
                case .success(let bytes): handler.respond(ctx, status: .ok, body: bytes ?? [])
                case .failure:
                    handler.respond(ctx, status: .serviceUnavailable,
                                    body: RPCDispatcher.errorBody(.server("server is shutting down")), close: true)
                }
            }
        }
    }

    func respond(_ context: ChannelHandlerContext, status: HTTPResponseStatus, body: [UInt8],
                 contentType: String? = "application/json", extra: HTTPHeaders = HTTPHeaders(), close: Bool = false,
                 closeAfterWrite: Bool = true) {
        guard let head else { return }
        let keepAlive = head.isKeepAlive && !close
        var headers = extra
        if let contentType { headers.add(name: "content-type", value: contentType) }
        headers.add(name: "content-length", value: String(body.count))
        if !headers.contains(name: "access-control-allow-origin") {
            core.corsHeaders(head.headers.first(name: "origin"), into: &headers)
        }
        if !keepAlive { headers.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
                      promise: nil)
        if !body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        busy = false
        if keepAlive || !closeAfterWrite {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let ctx = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in ctx.value.close(promise: nil) }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            if !busy { context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        core.logger.debug("HTTP connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}

/// Answers every request on a connection over the limit with 503 and closes it.
final class RejectingHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let limit: Int

    init(limit: Int) { self.limit = limit }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let h) = unwrapInboundIn(data) else { return }
        let body = RPCDispatcher.errorBody(.limitExceeded("too many open connections: the limit is \(limit)"))
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(body.count))
        headers.add(name: "connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: h.version, status: .serviceUnavailable, headers: headers))),
                      promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        let ctx = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in ctx.value.close(promise: nil) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent { context.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
}

// MARK: - WebSocket

/// The sending side of a WebSocket connection, shared with the filter system.
final class WebSocketConnection: RPCConnection {
    let channel: Channel
    let connectionID: UInt64

    init(channel: Channel, connectionID: UInt64) {
        self.channel = channel
        self.connectionID = connectionID
    }

    func send(notification: [UInt8]) {
        let ch = channel
        if ch.eventLoop.inEventLoop {
            WebSocketConnection.write(notification, on: ch)
        } else {
            ch.eventLoop.execute { WebSocketConnection.write(notification, on: ch) }
        }
    }

    /// Writes one text message; a client that stopped reading (16 MiB queued) is disconnected
    /// with 1008 rather than buffered without bound.
    static func write(_ bytes: [UInt8], on ch: Channel) {
        guard ch.isActive else { return }
        guard ch.isWritable else {
            var reason = ch.allocator.buffer(capacity: 32)
            reason.write(webSocketErrorCode: .policyViolation)
            reason.writeString("client too slow")
            ch.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: reason)).whenComplete { _ in
                ch.close(promise: nil)
            }
            return
        }
        ch.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, data: ch.allocator.buffer(bytes: bytes)), promise: nil)
    }
}

/// One WebSocket connection: each text (or binary) message is a JSON-RPC request; responses
/// and subscription notifications go back as text messages.
final class WebSocketRPCHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let core: ServerCore
    let connection: WebSocketConnection
    var inFlight = 0
    var closing = false

    init(core: ServerCore, connection: WebSocketConnection) {
        self.core = core
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            guard !closing else { return }
            var payload = frame.unmaskedData
            if inFlight >= core.config.maxWebSocketInFlight {
                let e = RPCError.limitExceeded("too many requests in flight on this connection: the limit is \(core.config.maxWebSocketInFlight)")
                send(context, RPCDispatcher.errorBody(e))
                return
            }
            let reply = payload.withUnsafeReadableBytes {
                core.dispatcher.handle($0, context: RPCCallContext(connection: connection))
            }
            payload.clear()
            switch reply {
            case .ready(let bytes):
                if let bytes { send(context, bytes) }
            case .deferred(let work):
                inFlight += 1
                let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                core.threadPool.runIfActive(eventLoop: context.eventLoop, work).whenComplete { result in
                    let (handler, ctx) = bound.value
                    handler.inFlight -= 1
                    if case .success(let bytes?) = result { handler.send(ctx, bytes) }
                }
            }
        case .ping:
            var data = frame.unmaskedData
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: data.readSlice(length: data.readableBytes) ?? ByteBuffer())
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            if closing {
                context.close(promise: nil)
                return
            }
            closing = true
            var data = frame.unmaskedData
            let code = data.readSlice(length: 2) ?? ByteBuffer()
            let ctx = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: code)))
                .whenComplete { _ in ctx.value.close(promise: nil) }
        default:
            break
        }
    }

    func send(_ context: ChannelHandlerContext, _ bytes: [UInt8]) {
        guard context.channel.isActive, !closing else { return }
        let frame = WebSocketFrame(fin: true, opcode: .text, data: context.channel.allocator.buffer(bytes: bytes))
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    func close(_ context: ChannelHandlerContext, code: WebSocketErrorCode, reason: String) {
        guard !closing else { return }
        closing = true
        var data = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        data.write(webSocketErrorCode: code)
        data.writeString(reason)
        let ctx = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)))
            .whenComplete { _ in ctx.value.close(promise: nil) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            close(context, code: .goingAway, reason: "server shutting down")
            return
        }
        if event is IdleStateHandler.IdleStateEvent { return }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if error is NIOWebSocketFrameAggregator.Error {
            close(context, code: .messageTooLarge, reason: "message too large: the limit is \(core.config.maxWebSocketMessageSize) bytes")
            return
        }
        core.logger.debug("WebSocket connection error", metadata: ["error": "\(error)"])
        close(context, code: .unexpectedServerError, reason: "error")
    }
}
