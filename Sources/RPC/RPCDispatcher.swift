import JSON
import Metrics

/// A client connection that can receive server-sent notifications (a WebSocket).
public protocol RPCConnection: AnyObject, Sendable {
    /// Unique among live connections.
    var connectionID: UInt64 { get }
    /// Sends one JSON text message (a subscription notification); never blocks.
    func send(notification: [UInt8])
}

/// Where a call came from.
public struct RPCCallContext: Sendable {
    /// The connection, when it can take notifications (WebSocket); nil over HTTP.
    public var connection: (any RPCConnection)?

    public init(connection: (any RPCConnection)? = nil) { self.connection = connection }
}

/// A method implementation: parameters in, result out; thrown errors become error objects
/// (see ``RPCError/from(_:)``).
public typealias RPCHandler = @Sendable (RPCParams, RPCCallContext) throws -> JSONValue

/// The methods a server offers, by name.
public struct RPCMethodTable: Sendable {
    struct Entry: Sendable {
        var handler: RPCHandler
        var offload: Bool
    }

    var entries: [String: Entry] = [:]

    public init() {}

    /// Adds (or replaces) `name`. `offload` marks methods that may take long (log queries,
    /// dry runs, big blocks): the transport runs them off its event loops.
    public mutating func register(_ name: String, offload: Bool = false, _ handler: @escaping RPCHandler) {
        entries[name] = Entry(handler: handler, offload: offload)
    }

    /// Every method name, sorted.
    public var names: [String] { entries.keys.sorted() }
}

/// Limits the dispatcher enforces on each request.
public struct RPCLimits: Sendable {
    /// Requests in one batch (an empty batch is always refused).
    public var maxBatch = 1000
    /// Nesting of arrays and objects in the request JSON.
    public var maxDepth = 64

    public init() {}
}

/// What to send back for one request body.
public enum RPCReply: Sendable {
    /// The response (nil: nothing, the request held only notifications).
    case ready([UInt8]?)
    /// Work to run off the event loop; it returns the response.
    case deferred(@Sendable () -> [UInt8]?)
}

/// JSON-RPC 2.0 over any transport: parses a body (one call or a batch), runs each call,
/// and writes the response with `id` echoed exactly as given. Independent of HTTP and
/// WebSocket; the transport only moves bytes.
public final class RPCDispatcher: Sendable {
    struct Method: Sendable {
        let entry: RPCMethodTable.Entry
        let requests: Counter?
        let errors: Counter?
        let latency: Metrics.Timer?
    }

    let methods: [String: Method]
    /// Batch and nesting limits.
    public let limits: RPCLimits
    let unknownRequests: Counter?

    /// A dispatcher over `methods`; with `metrics`, counts requests and errors and times each method.
    public init(methods: RPCMethodTable, limits: RPCLimits = RPCLimits(), metrics: RPCMetrics? = nil) {
        var m: [String: Method] = [:]
        for (name, e) in methods.entries {
            m[name] = Method(entry: e, requests: metrics?.counter("rpc_requests_total", method: name),
                             errors: metrics?.counter("rpc_errors_total", method: name),
                             latency: metrics?.timer("rpc_request_duration_seconds", method: name))
        }
        self.methods = m
        self.limits = limits
        unknownRequests = metrics?.counter("rpc_requests_total", method: "(unknown)")
    }

    /// Whether a method of this name exists.
    public func has(_ name: String) -> Bool { methods[name] != nil }

    /// One parsed call of a request.
    enum Call {
        /// `id` nil: a notification (no response).
        case call(id: JSONValue?, method: String, params: RPCParams)
        case invalid(id: JSONValue, error: RPCError)
    }

    /// Handles one request body. Cheap calls run right here; a request holding any
    /// off-loadable call comes back as ``RPCReply/deferred(_:)``.
    public func handle(_ body: UnsafeRawBufferPointer, context: RPCCallContext) -> RPCReply {
        let root: JSONValue
        do { root = try JSONValue.parse(bytes: body, maxDepth: limits.maxDepth) } catch {
            return .ready(errorResponse(id: .null, .parse(error.description)))
        }
        let calls: [Call]
        let isBatch: Bool
        switch root {
        case .array(let items):
            if items.isEmpty { return .ready(errorResponse(id: .null, .invalidRequest("empty batch"))) }
            if items.count > limits.maxBatch {
                return .ready(errorResponse(id: .null, .invalidRequest("batch too large: \(items.count) requests, the limit is \(limits.maxBatch)")))
            }
            calls = items.map(RPCDispatcher.parseCall)
            isBatch = true
        default:
            calls = [RPCDispatcher.parseCall(root)]
            isBatch = false
        }
        let offload = calls.contains {
            if case .call(_, let m, _) = $0 { return methods[m]?.entry.offload ?? false }
            return false
        }
        if offload {
            return .deferred { [self] in self.run(calls, batch: isBatch, context: context) }
        }
        return .ready(run(calls, batch: isBatch, context: context))
    }

    /// Handles one request body and runs deferred work inline (tests, benchmarks).
    public func handleNow(_ body: [UInt8], context: RPCCallContext = RPCCallContext()) -> [UInt8]? {
        let reply = body.withUnsafeBytes { handle($0, context: context) }
        switch reply {
        case .ready(let r): return r
        case .deferred(let work): return work()
        }
    }

    /// Handles one request text; the response text (nil for notifications only).
    public func handleNow(_ text: String, context: RPCCallContext = RPCCallContext()) -> String? {
        handleNow(Array(text.utf8), context: context).map { String(decoding: $0, as: UTF8.self) }
    }

    static func parseCall(_ v: JSONValue) -> Call {
        guard case .object = v else { return .invalid(id: .null, error: .invalidRequest("invalid request")) }
        let id = v["id"]
        if let id {
            switch id {
            case .null, .number, .string: break
            default: return .invalid(id: .null, error: .invalidRequest("invalid request: id must be a number, a string or null"))
            }
        }
        let replyID = id ?? .null
        if let version = v["jsonrpc"], version != .string("2.0") {
            return .invalid(id: replyID, error: .invalidRequest("invalid request: jsonrpc must be \"2.0\""))
        }
        guard case .string(let method)? = v["method"] else {
            return .invalid(id: replyID, error: .invalidRequest("invalid request: method must be a string"))
        }
        let params: RPCParams
        switch v["params"] {
        case nil, .null?: params = RPCParams([])
        case .array(let a)?: params = RPCParams(a)
        default: return .invalid(id: replyID, error: .invalidParams("non-array args"))
        }
        return .call(id: id, method: method, params: params)
    }

    func run(_ calls: [Call], batch: Bool, context: RPCCallContext) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(batch ? 128 * calls.count : 128)
        if batch { out.append(0x5b) }
        var wrote = false
        for c in calls {
            let mark = out.count
            if wrote { out.append(0x2c) }
            if run(c, context: context, into: &out) {
                wrote = true
            } else {
                out.removeSubrange(mark...)
            }
        }
        if !wrote { return nil }
        if batch { out.append(0x5d) }
        return out
    }

    /// Runs one call, appending its response; false for a notification (nothing appended).
    func run(_ call: Call, context: RPCCallContext, into out: inout [UInt8]) -> Bool {
        switch call {
        case .invalid(let id, let error):
            RPCDispatcher.writeResponse(id: id, error: error, into: &out)
            return true
        case .call(let id, let name, let params):
            let result: Result<JSONValue, RPCError>
            if let m = methods[name] {
                m.requests?.increment()
                let start = ContinuousClock.now
                do { result = .success(try m.entry.handler(params, context)) } catch { result = .failure(.from(error)) }
                m.latency?.recordInterval(since: start)
                if case .failure = result { m.errors?.increment() }
            } else {
                unknownRequests?.increment()
                result = .failure(.methodNotFound(name))
            }
            guard let id else { return false }
            switch result {
            case .success(let v): RPCDispatcher.writeResponse(id: id, result: v, into: &out)
            case .failure(let e): RPCDispatcher.writeResponse(id: id, error: e, into: &out)
            }
            return true
        }
    }

    static let head = Array(#"{"jsonrpc":"2.0","id":"#.utf8)
    static let resultKey = Array(#","result":"#.utf8)
    static let errorKey = Array(#","error":"#.utf8)

    static func writeResponse(id: JSONValue, result: JSONValue, into out: inout [UInt8]) {
        out.append(contentsOf: head)
        id.write(to: &out)
        out.append(contentsOf: resultKey)
        result.write(to: &out)
        out.append(0x7d)
    }

    static func writeResponse(id: JSONValue, error: RPCError, into out: inout [UInt8]) {
        out.append(contentsOf: head)
        id.write(to: &out)
        out.append(contentsOf: errorKey)
        error.json.write(to: &out)
        out.append(0x7d)
    }

    func errorResponse(id: JSONValue, _ e: RPCError) -> [UInt8] {
        var out: [UInt8] = []
        RPCDispatcher.writeResponse(id: id, error: e, into: &out)
        return out
    }

    /// A standalone error response (for transport-level refusals such as an oversize body).
    public static func errorBody(_ e: RPCError, id: JSONValue = .null) -> [UInt8] {
        var out: [UInt8] = []
        writeResponse(id: id, error: e, into: &out)
        return out
    }

    /// A subscription notification: `{"jsonrpc":"2.0","method":"eth_subscription","params":{…}}`.
    public static func notification(subscription: String, result: JSONValue) -> [UInt8] {
        JSONValue.object([
            ("jsonrpc", "2.0"), ("method", "eth_subscription"),
            ("params", .object([("subscription", .string(subscription)), ("result", result)])),
        ]).bytes
    }
}

extension Metrics.Timer {
    func recordInterval(since start: ContinuousClock.Instant) {
        let d = ContinuousClock.now - start
        let (s, atto) = d.components
        recordNanoseconds(s * 1_000_000_000 + atto / 1_000_000_000)
    }
}
