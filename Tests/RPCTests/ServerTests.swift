import Foundation
import JSON
import Primitives
import RPC
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real server on an ephemeral 127.0.0.1 port: HTTP keep-alive, limits, CORS, health,
/// metrics, WebSocket requests and subscriptions, bad clients, graceful shutdown.
@Suite(.serialized) struct ServerTests {
    @Test func httpKeepAliveAndBatches() async throws {
        let t = try TestNode()
        try await withServer(t) { port in
            let s = try TestSocket(port: port)
            for i in 0..<5 {
                let r = try s.post(#"{"jsonrpc":"2.0","id":\#(i),"method":"eth_chainId"}"#)
                #expect(r.status == 200)
                #expect(r.headers["content-type"] == "application/json")
                #expect(r.json == ["jsonrpc": "2.0", "id": .number(JSONNumber(i)), "result": "0x11171"])
            }
            let batch = try s.post(#"[{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"},{"jsonrpc":"2.0","id":2,"method":"net_version"}]"#)
            #expect(batch.json?.arrayValue?.count == 2)
            let parse = try s.post("{oops")
            #expect(parse.status == 200)
            #expect(parse.json?["error"]?["code"] == -32700)
            let note = try s.post(#"{"jsonrpc":"2.0","method":"eth_chainId"}"#)
            #expect(note.status == 200)
            #expect(note.body.isEmpty)
            // Offloaded methods come back on the same connection, in order.
            let logs = try s.post(#"{"jsonrpc":"2.0","id":9,"method":"eth_getLogs","params":[{}]}"#)
            #expect(logs.json?["result"] == [])
            #expect(try s.post(#"{"jsonrpc":"2.0","id":10,"method":"eth_chainId"}"#).json?["id"] == 10)
        }
    }

    @Test func healthAndMetrics() async throws {
        let t = try TestNode()
        try t.mine()
        try await withServer(t) { port in
            let s = try TestSocket(port: port)
            _ = try s.post(#"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}"#)
            _ = try s.post(#"{"jsonrpc":"2.0","id":1,"method":"eth_nope"}"#)
            let h = try s.get("/health")
            #expect(h.status == 200)
            #expect(h.json?["status"] == "ok")
            #expect(h.json?["head"] == "0x1")
            let m = try s.get("/metrics")
            #expect(m.status == 200)
            #expect(m.headers["content-type"]?.hasPrefix("text/plain") == true)
            let text = m.text
            #expect(text.contains(#"rpc_requests_total{method="eth_blockNumber"} 1"#))
            #expect(text.contains(#"rpc_requests_total{method="(unknown)"} 1"#))
            #expect(text.contains("rpc_request_duration_seconds_bucket"))
            #expect(text.contains("chain_head_block 1"))
            #expect(text.contains("txpool_pending 0"))
            #expect(text.contains("rpc_open_connections 1"))
            let other = try s.get("/nothing")
            #expect(other.status == 405)
        }
    }

    @Test func oversizeBodyIsRefusedAndTheNodeKeepsServing() async throws {
        var o = TestNode.defaultOptions()
        o.server.maxBodySize = 1000
        let t = try TestNode(options: o)
        try await withServer(t) { port in
            let s = try TestSocket(port: port)
            let big = #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[""# + String(repeating: "a", count: 2000) + #""]}"#
            let r = try s.post(big)
            #expect(r.status == 413)
            #expect(r.json?["error"]?["code"] == -32005)
            #expect(r.json?["error"]?["message"] == "request body too large: the limit is 1000 bytes")
            #expect(s.closedByPeer())
            // Without a content-length (chunked), the limit holds too.
            let c = try TestSocket(port: port)
            try c.write("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            for _ in 0..<3 { try c.write("200\r\n" + String(repeating: " ", count: 512) + "\r\n") }
            let rc = try c.readHTTPResponse()
            #expect(rc.status == 413)
            let ok = try TestSocket(port: port).post(#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#)
            #expect(ok.json?["result"] == "0x11171")
        }
    }

    @Test func clientsThatMisbehave() async throws {
        let t = try TestNode()
        try await withServer(t) { port in
            // Disconnect mid-body.
            do {
                let s = try TestSocket(port: port)
                try s.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"jsonrpc\":")
            }
            // Disconnect before reading a slow (offloaded) response.
            do {
                let s = try TestSocket(port: port)
                let body = #"{"jsonrpc":"2.0","id":1,"method":"eth_getLogs","params":[{}]}"#
                try s.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body)
            }
            // Garbage that is not HTTP.
            do {
                let s = try TestSocket(port: port)
                try s.write("\u{0}\u{1}\u{2} definitely not http\r\n\r\n")
                let r = try? s.readHTTPResponse()
                #expect(r == nil || r!.status == 400)
            }
            // Wrong types and counts in params.
            let s = try TestSocket(port: port)
            let r = try s.post(#"{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":[1,2,3]}"#)
            #expect(r.json?["error"]?["code"] == -32602)
            let ok = try TestSocket(port: port).post(#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#)
            #expect(ok.json?["result"] == "0x11171")
        }
    }

    @Test func corsAndPreflight() async throws {
        var o = TestNode.defaultOptions()
        o.server.corsOrigins = ["https://app.example"]
        let t = try TestNode(options: o)
        try await withServer(t) { port in
            let s = try TestSocket(port: port)
            let allowed = try s.post(#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#, headers: ["Origin": "https://app.example"])
            #expect(allowed.headers["access-control-allow-origin"] == "https://app.example")
            let other = try s.post(#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#, headers: ["Origin": "https://evil.example"])
            #expect(other.headers["access-control-allow-origin"] == nil)
            try s.write("OPTIONS / HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type\r\n\r\n")
            let pre = try s.readHTTPResponse()
            #expect(pre.status == 204)
            #expect(pre.headers["access-control-allow-methods"] == "POST, GET, OPTIONS")
            #expect(pre.headers["access-control-allow-headers"] == "content-type")
            // WebSockets from other origins are closed at once with 1008.
            let ws = try TestSocket(port: port)
            #expect(try ws.upgradeToWebSocket(origin: "https://evil.example").status == 101)
            let (op, payload) = try ws.readFrame()
            #expect(op == 8)
            #expect(payload.count >= 2 && (Int(payload[0]) << 8 | Int(payload[1])) == 1008)
            #expect(try TestSocket(port: port).upgradeToWebSocket(origin: "https://app.example").status == 101)
        }
    }

    @Test func connectionLimit() async throws {
        var o = TestNode.defaultOptions()
        o.server.maxConnections = 2
        let t = try TestNode(options: o)
        try await withServer(t) { port in
            let a = try TestSocket(port: port), b = try TestSocket(port: port)
            #expect(try a.post(#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#).status == 200)
            #expect(try b.post(#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#).status == 200)
            let c = try TestSocket(port: port)
            let r = try c.post(#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#)
            #expect(r.status == 503)
            #expect(r.json?["error"]?["message"] == "too many open connections: the limit is 2")
        }
    }

    @Test func webSocketRequestsAndSubscriptions() async throws {
        let t = try TestNode()
        try await withServer(t) { port in
            let ws = try TestSocket(port: port)
            let up = try ws.upgradeToWebSocket()
            #expect(up.status == 101)
            #expect(up.headers["sec-websocket-accept"] == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
            try ws.sendText(#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#)
            #expect(try ws.readJSON() == ["jsonrpc": "2.0", "id": 1, "result": "0x11171"])
            try ws.sendText(#"{"jsonrpc":"2.0","id":2,"method":"eth_subscribe","params":["newHeads"]}"#)
            let sub = try #require(try ws.readJSON()["result"]?.stringValue)
            try ws.sendText(#"{"jsonrpc":"2.0","id":3,"method":"eth_subscribe","params":["newPendingTransactions"]}"#)
            let pendingSub = try #require(try ws.readJSON()["result"]?.stringValue)
            let tx = t.transfer(from: Keys.alice, to: Keys.bob.address, nonce: 0)
            try ws.sendText(#"{"jsonrpc":"2.0","id":4,"method":"eth_sendRawTransaction","params":["\#(Hex.encode(tx.encoded))"]}"#)
            var got: [JSONValue] = []
            for _ in 0..<2 { got.append(try ws.readJSON()) }
            #expect(got.contains { $0["id"] == 4 && $0["result"] == .string(tx.hash.description) })
            #expect(got.contains { $0["params"]?["subscription"] == .string(pendingSub) && $0["params"]?["result"] == .string(tx.hash.description) })
            for n in 1...2 {
                let b = try t.mine()
                let note = try ws.readJSON()
                #expect(note["method"] == "eth_subscription")
                #expect(note["params"]?["subscription"] == .string(sub))
                #expect(note["params"]?["result"]?["number"] == q(UInt64(n)))
                #expect(note["params"]?["result"]?["hash"] == .string(b.hash.description))
            }
            try ws.sendText(#"{"jsonrpc":"2.0","id":5,"method":"eth_unsubscribe","params":["\#(sub)"]}"#)
            #expect(try ws.readJSON()["result"] == true)
            // Ping is answered with pong.
            try ws.sendFrame(Array("hi".utf8), opcode: 9)
            let (op, payload) = try ws.readFrame()
            #expect(op == 10)
            #expect(payload == Array("hi".utf8))
            // A fragmented message is reassembled.
            try ws.sendFrame(Array(#"{"jsonrpc":"2.0","id":6,"#.utf8), opcode: 1, fin: false)
            try ws.sendFrame(Array(#""method":"net_version"}"#.utf8), opcode: 0, fin: true)
            #expect(try ws.readJSON()["result"] == "70001")
            // Over HTTP, subscriptions are refused.
            let http = try TestSocket(port: port).post(#"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}"#)
            #expect(http.json?["error"]?["message"] == "notifications not supported")
        }
    }

    @Test func tenThousandSubscriptionsOnOneSocket() async throws {
        let t = try TestNode()
        try await withServer(t) { port in
            let ws = try TestSocket(port: port, timeout: 30)
            #expect(try ws.upgradeToWebSocket().status == 101)
            var frames: [UInt8] = []
            let mask: [UInt8] = [1, 2, 3, 4]
            for i in 0..<10_000 {
                let p = Array(#"{"jsonrpc":"2.0","id":\#(i),"method":"eth_subscribe","params":["newHeads"]}"#.utf8)
                frames += [0x81, 0x80 | UInt8(p.count)] + mask + p.enumerated().map { $0.element ^ mask[$0.offset % 4] }
            }
            try ws.write(frames)
            var ok = 0, refused = 0
            for _ in 0..<10_000 {
                let r = try ws.readJSON()
                if r["result"] != nil { ok += 1 }
                if r["error"]?["code"] == -32005 { refused += 1 }
            }
            #expect(ok == 1000)
            #expect(refused == 9000)
            #expect(t.rpc.filters.subscriptionCount == 1000)
            // Other clients are served meanwhile.
            let other = try TestSocket(port: port).post(#"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}"#)
            #expect(other.json?["result"] == "0x0")
            try t.mine()
            var heads = 0
            for _ in 0..<1000 where try ws.readJSON()["method"] == "eth_subscription" { heads += 1 }
            #expect(heads == 1000)
        }
        #expect(t.rpc.filters.subscriptionCount == 0)
    }

    @Test func webSocketMessageLimit() async throws {
        var o = TestNode.defaultOptions()
        o.server.maxWebSocketMessageSize = 4096
        let t = try TestNode(options: o)
        try await withServer(t) { port in
            let ws = try TestSocket(port: port)
            #expect(try ws.upgradeToWebSocket().status == 101)
            try ws.sendFrame([UInt8](repeating: 0x20, count: 10_000))
            let (op, payload) = try ws.readFrame()
            #expect(op == 8)
            #expect(payload.count >= 2 && (Int(payload[0]) << 8 | Int(payload[1])) == 1009)
            // Fragments that add up past the limit are refused the same way.
            let ws2 = try TestSocket(port: port)
            #expect(try ws2.upgradeToWebSocket().status == 101)
            for _ in 0..<3 { try ws2.sendFrame([UInt8](repeating: 0x20, count: 2000), opcode: 1, fin: false) }
            let (op2, payload2) = try ws2.readFrame()
            #expect(op2 == 8)
            #expect(payload2.count >= 2 && (Int(payload2[0]) << 8 | Int(payload2[1])) == 1009)
            #expect(try TestSocket(port: port).post(#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#).status == 200)
        }
    }

    @Test func gracefulShutdownClosesWebSocketsWithGoingAway() async throws {
        let t = try TestNode()
        let port = try await t.rpc.server.start()
        let runner = Task { try await t.rpc.server.run() }
        let ws = try TestSocket(port: port)
        #expect(try ws.upgradeToWebSocket().status == 101)
        let idle = try TestSocket(port: port)
        #expect(try idle.post(#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#).status == 200)
        runner.cancel()
        let (op, payload) = try ws.readFrame()
        #expect(op == 8)
        #expect(payload.count >= 2 && (Int(payload[0]) << 8 | Int(payload[1])) == 1001)
        #expect(idle.closedByPeer())
        try await runner.value
        #expect(t.rpc.server.connectionCount == 0)
        #expect((try? TestSocket(port: port)) == nil)
    }
}
