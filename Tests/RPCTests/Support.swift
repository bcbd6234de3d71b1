import Chain
import Foundation
import JSON
import Node
import Primitives
import RPC
import Secp256k1
import Storage
import Transactions
import TxPool

#if canImport(Glibc)
import Glibc
#endif

/// The development keys of the devnet genesis.
enum Keys {
    static let alice = try! PrivateKey(hex: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
    static let bob = try! PrivateKey(hex: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
    static let carol = try! PrivateKey(hex: "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a")
    static let nobody = try! PrivateKey(hex: "0x0101010101010101010101010101010101010101010101010101010101010101")
}

/// A system contract for tests at 0x…2000: returns its input, logs `Echo(address indexed caller,
/// bytes data)`, and reverts with "bad input" when the input starts with 0xff.
struct EchoContract: SystemContract {
    static let address = Address(low: 0x2000)
    static let topic = Hash32.keccak256(Array("Echo(address,bytes)".utf8))
    var address: Address { EchoContract.address }
    var code: [UInt8] { [0xfe] }
    var namespace: StateNamespace { StateNamespace(rawValue: 0x20) }

    func call(_ call: SystemCall, state: WorldState, context: BlockContext) throws(Revert) -> CallOutcome {
        if call.input.first == 0xff { throw Revert("bad input", gasUsed: 1_000) }
        let log = Log(address: address, topics: [EchoContract.topic, Hash32(call.caller.uint256)], data: call.input)
        return CallOutcome(gasUsed: 5_000, returnData: call.input, logs: [log])
    }
}

/// A devnet node over memory with the echo contract, its RPC service, and helpers to call it.
final class TestNode: @unchecked Sendable {
    let node: Node
    let rpc: NodeRPC
    var chainID: UInt64 { node.chain.genesis.chainID }

    init(options: NodeRPCOptions = TestNode.defaultOptions()) throws {
        let g = try Genesis(json: Data(Genesis.devnetJSON.utf8), parameters: SystemContracts.provernet.parameters)
        let store = MemoryStore()
        try Blockchain.initialize(store: store, genesis: g, genesisJSON: Array(Genesis.devnetJSON.utf8))
        let chain = try Blockchain(store: store, genesis: g, contracts: SystemContracts([EchoContract()]))
        chain.syncWrites = false
        node = try Node(chain: chain, sealerKey: g.devSealerKey, blockTime: 1)
        rpc = NodeRPC(node: node, options: options)
    }

    static func defaultOptions() -> NodeRPCOptions {
        var o = NodeRPCOptions()
        o.api.devMode = true
        o.api.clientVersion = "ProverNet/test"
        o.server.port = 0
        o.server.eventLoopThreads = 1
        o.server.workerThreads = 1
        o.server.shutdownGrace = .milliseconds(500)
        return o
    }

    /// The full response object of one call.
    func request(_ method: String, _ params: [JSONValue] = [], id: JSONValue = 1,
                 context: RPCCallContext = RPCCallContext()) -> JSONValue {
        let req: JSONValue = ["jsonrpc": "2.0", "id": id, "method": .string(method), "params": .array(params)]
        guard let out = rpc.dispatcher.handleNow(req.bytes, context: context) else { return .null }
        return try! JSONValue.parse(out)
    }

    /// The result of a call that must succeed.
    func result(_ method: String, _ params: [JSONValue] = [], context: RPCCallContext = RPCCallContext()) throws -> JSONValue {
        let r = request(method, params, context: context)
        guard let v = r["result"] else { throw TestFailure("\(method) failed: \(r.text)") }
        return v
    }

    /// The error of a call that must fail: (code, message).
    func error(_ method: String, _ params: [JSONValue] = [], context: RPCCallContext = RPCCallContext()) throws -> (Int, String, JSONValue?) {
        let r = request(method, params, context: context)
        guard let e = r["error"], let code = e["code"]?.numberValue?.int64Value, let msg = e["message"]?.stringValue else {
            throw TestFailure("\(method) did not fail: \(r.text)")
        }
        return (Int(code), msg, e["data"])
    }

    /// A signed EIP-1559 transfer (or call when `data` is given).
    func transfer(from key: PrivateKey, to: Address, value: UInt256 = 1_000, nonce: UInt64, gas: UInt64 = 21_000,
                  tip: UInt256 = 1_000_000_000, cap: UInt256 = 100_000_000_000, data: [UInt8] = [],
                  chainID: UInt64? = nil) -> SignedTransaction {
        Transaction.dynamicFee(chainID: chainID ?? self.chainID, nonce: nonce, maxPriorityFeePerGas: tip, maxFeePerGas: cap,
                               gasLimit: gas, to: to, value: value, data: data).signed(with: key)
    }

    /// Sends a transaction through `eth_sendRawTransaction`; returns the response object.
    func send(_ tx: SignedTransaction) -> JSONValue {
        request("eth_sendRawTransaction", [.string(Hex.encode(tx.encoded))])
    }

    @discardableResult
    func mine() throws -> Block {
        let b = try node.sealBlock()
        node.feed.drain()
        return b
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

func q(_ v: UInt64) -> JSONValue { .string(RPCObjects.quantityHex(v)) }
func hex(_ b: [UInt8]) -> JSONValue { .string(Hex.encode(b)) }

// MARK: - A blocking socket client for live tests

/// A plain TCP client with timeouts: enough HTTP/1.1 and WebSocket (RFC 6455, masked client
/// frames) to test the server from outside.
final class TestSocket {
    let fd: Int32
    var buffer: [UInt8] = []

    init(port: Int, timeout: Double = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            close(fd)
            throw TestFailure("connect failed: errno \(errno)")
        }
    }

    deinit { close(fd) }

    func write(_ bytes: [UInt8]) throws {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw TestFailure("send failed: errno \(errno)") }
            off += n
        }
    }

    func write(_ s: String) throws { try write(Array(s.utf8)) }

    /// Reads more bytes; false at end of stream.
    func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n == 0 { return false }
        guard n > 0 else { throw TestFailure("recv failed or timed out: errno \(errno)") }
        buffer += chunk[..<n]
        return true
    }

    func read(count: Int) throws -> [UInt8] {
        while buffer.count < count { guard try fill() else { throw TestFailure("connection closed") } }
        let out = Array(buffer[..<count])
        buffer.removeFirst(count)
        return out
    }

    /// True when the peer closed the connection (reads until EOF, dropping data).
    func closedByPeer() -> Bool {
        buffer = []
        while true {
            do { if try !fill() { return true } } catch { return false }
            buffer = []
        }
    }

    struct HTTPResponse {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var json: JSONValue? { try? JSONValue.parse(body) }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    func readHTTPResponse() throws -> HTTPResponse {
        let sep: [UInt8] = [13, 10, 13, 10]
        var end: Int?
        while end == nil {
            if buffer.count >= 4 {
                for i in 0...(buffer.count - 4) where Array(buffer[i..<i + 4]) == sep {
                    end = i
                    break
                }
            }
            if end == nil { guard try fill() else { throw TestFailure("connection closed before response") } }
        }
        let headText = String(decoding: buffer[..<end!], as: UTF8.self)
        buffer.removeFirst(end! + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        var headers: [String: String] = [:]
        for l in lines {
            guard let c = l.firstIndex(of: ":") else { continue }
            headers[l[..<c].lowercased()] = l[l.index(after: c)...].trimmingCharacters(in: .whitespaces)
        }
        let len = Int(headers["content-length"] ?? "0") ?? 0
        return HTTPResponse(status: Int(statusLine[1]) ?? 0, headers: headers, body: try read(count: len))
    }

    /// POSTs a body and reads the response (keep-alive).
    func post(_ body: [UInt8], headers: [String: String] = [:]) throws -> HTTPResponse {
        var req = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n"
        for (k, v) in headers { req += "\(k): \(v)\r\n" }
        try write(Array((req + "\r\n").utf8) + body)
        return try readHTTPResponse()
    }

    func post(_ text: String, headers: [String: String] = [:]) throws -> HTTPResponse { try post(Array(text.utf8), headers: headers) }

    func get(_ path: String, headers: [String: String] = [:]) throws -> HTTPResponse {
        var req = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (k, v) in headers { req += "\(k): \(v)\r\n" }
        try write(req + "\r\n")
        return try readHTTPResponse()
    }

    // MARK: WebSocket

    func upgradeToWebSocket(origin: String? = nil) throws -> HTTPResponse {
        var req = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        req += "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        if let origin { req += "Origin: \(origin)\r\n" }
        try write(req + "\r\n")
        return try readHTTPResponse()
    }

    func sendFrame(_ payload: [UInt8], opcode: UInt8 = 1, fin: Bool = true) throws {
        var f: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        if payload.count < 126 {
            f.append(0x80 | UInt8(payload.count))
        } else if payload.count < 65536 {
            f.append(0x80 | 126)
            f += [UInt8(payload.count >> 8), UInt8(payload.count & 0xff)]
        } else {
            f.append(0x80 | 127)
            f += (0..<8).reversed().map { UInt8((UInt64(payload.count) >> (8 * UInt64($0))) & 0xff) }
        }
        f += mask
        f += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try write(f)
    }

    func sendText(_ s: String) throws { try sendFrame(Array(s.utf8)) }

    /// The next frame: (opcode, payload).
    func readFrame() throws -> (UInt8, [UInt8]) {
        let h = try read(count: 2)
        var len = Int(h[1] & 0x7f)
        if len == 126 {
            let e = try read(count: 2)
            len = Int(e[0]) << 8 | Int(e[1])
        } else if len == 127 {
            len = try read(count: 8).reduce(0) { $0 << 8 | Int($1) }
        }
        return (h[0] & 0x0f, try read(count: len))
    }

    /// The next text message as JSON.
    func readJSON() throws -> JSONValue {
        while true {
            let (op, payload) = try readFrame()
            if op == 1 { return try JSONValue.parse(payload) }
            if op == 8 { throw TestFailure("closed: \(payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : 0)") }
        }
    }
}

/// Starts the node's server on a free port, runs `body`, then shuts the server down.
func withServer<T>(_ t: TestNode, _ body: (Int) async throws -> T) async throws -> T {
    let port = try await t.rpc.server.start()
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await t.rpc.server.run() }
        do {
            let r = try await body(port)
            t.rpc.server.shutdown()
            try await group.waitForAll()
            return r
        } catch {
            t.rpc.server.shutdown()
            try? await group.waitForAll()
            throw error
        }
    }
}
