import Foundation
import JSON
import Locking
import Primitives

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error answered by a JSON-RPC server (`{"error": {code, message, data}}`), or a transport failure.
public struct RPCClientError: Error, Sendable, CustomStringConvertible {
    /// The JSON-RPC error code; nil for transport and protocol failures.
    public let code: Int?
    /// The server's message, or what went wrong on the way.
    public let message: String
    /// The error's `data` member (revert data as hex for code 3).
    public let data: JSONValue?

    public var description: String { code.map { "RPC error \($0): \(message)" } ?? message }
}

/// A small blocking JSON-RPC 2.0 client over plain HTTP/1.1 (one connection per call, POSIX
/// sockets, no dependencies): the transport of ``ProverNetClient``.
public struct RPCClient: Sendable {
    /// The host name or address to connect to.
    public let host: String
    /// The TCP port.
    public let port: UInt16
    /// The request path (`/` by default).
    public let path: String
    /// Seconds a call may take before it fails.
    public var timeout: Double = 30
    private static let counter = RequestCounter()

    /// A client for an `http://host[:port][/path]` URL.
    public init(url text: String) throws {
        guard let url = URL(string: text), url.scheme?.lowercased() == "http", let host = url.host, !host.isEmpty else {
            throw RPCClientError(code: nil, message: "bad RPC URL \(text): expected http://host[:port][/path]", data: nil)
        }
        self.host = host
        self.port = UInt16(url.port ?? 80)
        self.path = url.path.isEmpty ? "/" : url.path
    }

    /// Calls `method` with positional `params` and returns its `result`; throws the server's error.
    public func call(_ method: String, _ params: [JSONValue] = []) throws -> JSONValue {
        let request = JSONValue.object([
            ("jsonrpc", "2.0"), ("id", .number(JSONNumber(Self.counter.next()))), ("method", .string(method)),
            ("params", .array(params)),
        ])
        let body = try post(request.bytes)
        let response: JSONValue
        do { response = try JSONValue.parse(body) } catch {
            throw RPCClientError(code: nil, message: "\(method): malformed response: \(error)", data: nil)
        }
        if let err = response["error"], !err.isNull {
            let code = err["code"]?.numberValue?.int64Value.map { Int($0) }
            throw RPCClientError(code: code, message: err["message"]?.stringValue ?? err.text, data: err["data"])
        }
        guard let result = response["result"] else {
            throw RPCClientError(code: nil, message: "\(method): response without a result", data: nil)
        }
        return result
    }

    /// Calls `method` and reads its result as a hex quantity.
    public func quantity(_ method: String, _ params: [JSONValue] = []) throws -> UInt256 {
        let r = try call(method, params)
        guard let s = r.stringValue, let v = UInt256(hex: s) else {
            throw RPCClientError(code: nil, message: "\(method): expected a hex quantity, got \(r.text)", data: nil)
        }
        return v
    }

    // MARK: HTTP

    /// POSTs `body` as JSON and returns the response body (status 200 only).
    private func post(_ body: [UInt8]) throws -> [UInt8] {
        let fd = try connect()
        defer { close(fd) }
        let head = "POST \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        try sendAll(fd, Array(head.utf8) + body)
        var raw: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                throw RPCClientError(code: nil, message: "reading from \(host):\(port): \(String(cString: strerror(errno)))", data: nil)
            }
            if n == 0 { break }
            raw += buf[0..<n]
        }
        return try Self.parseResponse(raw)
    }

    /// Splits an HTTP/1.1 response into status and body (Content-Length, chunked, or to EOF).
    public static func parseResponse(_ raw: [UInt8]) throws -> [UInt8] {
        let sep: [UInt8] = [13, 10, 13, 10]
        guard let end = raw.indices.dropLast(3).first(where: { raw[$0..<$0 + 4].elementsEqual(sep) }) else {
            throw RPCClientError(code: nil, message: "malformed HTTP response", data: nil)
        }
        let headerLines = String(decoding: raw[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = headerLines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw RPCClientError(code: nil, message: "malformed HTTP status line", data: nil)
        }
        var body = Array(raw[(end + 4)...])
        var chunked = false
        for line in headerLines.dropFirst() {
            let lower = line.lowercased()
            if lower.hasPrefix("content-length:"), let n = Int(lower.dropFirst(15).trimmingCharacters(in: .whitespaces)) {
                body = Array(body.prefix(n))
            } else if lower.hasPrefix("transfer-encoding:") && lower.contains("chunked") {
                chunked = true
            }
        }
        if chunked { body = try dechunk(body) }
        guard status == 200 else {
            throw RPCClientError(code: nil, message: "HTTP \(status): \(String(decoding: body.prefix(200), as: UTF8.self))", data: nil)
        }
        return body
    }

    /// Decodes a chunked transfer-encoded body.
    private static func dechunk(_ data: [UInt8]) throws -> [UInt8] {
        var out: [UInt8] = [], i = 0
        while i < data.count {
            guard let lineEnd = data[i...].indices.dropLast().first(where: { data[$0] == 13 && data[$0 + 1] == 10 }) else { break }
            let sizeText = String(decoding: data[i..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw RPCClientError(code: nil, message: "malformed chunked body", data: nil)
            }
            if size == 0 { break }
            let start = lineEnd + 2
            guard start + size <= data.count else { throw RPCClientError(code: nil, message: "truncated chunked body", data: nil) }
            out += data[start..<start + size]
            i = start + size + 2
        }
        return out
    }

    /// Opens a TCP connection to `host:port` with send and receive timeouts.
    private func connect() throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw RPCClientError(code: nil, message: "cannot resolve \(host): \(String(cString: gai_strerror(rc)))", data: nil)
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let ai = node {
            node = ai.pointee.ai_next
            let fd = socket(ai.pointee.ai_family, ai.pointee.ai_socktype, ai.pointee.ai_protocol)
            if fd < 0 { lastError = String(cString: strerror(errno)); continue }
            var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            if Glibc_connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 { return fd }
            lastError = String(cString: strerror(errno))
            close(fd)
        }
        throw RPCClientError(code: nil, message: "cannot connect to \(host):\(port): \(lastError)", data: nil)
    }

    /// Writes all of `bytes` to the socket.
    private func sendAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            #if canImport(Glibc)
            let flags = Int32(MSG_NOSIGNAL)  // a closed peer is an error, not SIGPIPE
            #else
            let flags: Int32 = 0
            #endif
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, flags) }
            if n < 0 {
                if errno == EINTR { continue }
                throw RPCClientError(code: nil, message: "writing to \(host):\(port): \(String(cString: strerror(errno)))", data: nil)
            }
            sent += n
        }
    }
}

/// The libc `connect`, named apart from `RPCClient.connect()`.
private func Glibc_connect(_ fd: Int32, _ addr: UnsafeMutablePointer<sockaddr>!, _ len: socklen_t) -> Int32 {
    connect(fd, addr, len)
}

/// Request ids for JSON-RPC calls, increasing per process.
private struct RequestCounter: Sendable {
    private let value = Locked(0)
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}
