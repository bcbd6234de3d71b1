import JSON
import RPC
import Testing

/// JSON-RPC 2.0 framing: ids, batches, notifications, and the protocol-level errors.
@Suite struct DispatcherTests {
    static func table() -> RPCMethodTable {
        var t = RPCMethodTable()
        t.register("echo") { p, _ in .array(p.values) }
        t.register("add") { p, _ in
            try p.expect(atMost: 2)
            let a = try p.required(0, Decode.uint64), b = try p.required(1, Decode.uint64)
            return .string("0x" + String(a + b, radix: 16))
        }
        t.register("slow", offload: true) { _, _ in "done" }
        t.register("fails") { _, _ in throw RPCError.server("nope") }
        return t
    }

    let d = RPCDispatcher(methods: DispatcherTests.table())

    func call(_ s: String) -> String? { d.handleNow(s) }

    @Test func idIsEchoedExactly() {
        #expect(call(#"{"jsonrpc":"2.0","id":7,"method":"echo"}"#) == #"{"jsonrpc":"2.0","id":7,"result":[]}"#)
        #expect(call(#"{"jsonrpc":"2.0","id":"abc","method":"echo"}"#) == #"{"jsonrpc":"2.0","id":"abc","result":[]}"#)
        #expect(call(#"{"jsonrpc":"2.0","id":null,"method":"echo"}"#) == #"{"jsonrpc":"2.0","id":null,"result":[]}"#)
        #expect(call(#"{"jsonrpc":"2.0","id":1.50,"method":"echo"}"#) == #"{"jsonrpc":"2.0","id":1.50,"result":[]}"#)
        #expect(call(#"{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"echo"}"#)
            == #"{"jsonrpc":"2.0","id":123456789012345678901234567890,"result":[]}"#)
    }

    @Test func notificationsGetNoResponse() {
        #expect(call(#"{"jsonrpc":"2.0","method":"echo"}"#) == nil)
        #expect(call(#"[{"jsonrpc":"2.0","method":"echo"},{"jsonrpc":"2.0","method":"nope"}]"#) == nil)
    }

    @Test func batches() throws {
        let out = try #require(call(#"[{"jsonrpc":"2.0","id":1,"method":"add","params":["0x1","0x2"]},{"jsonrpc":"2.0","method":"echo"},{"jsonrpc":"2.0","id":2,"method":"missing"},5]"#))
        #expect(out == #"[{"jsonrpc":"2.0","id":1,"result":"0x3"},{"jsonrpc":"2.0","id":2,"error":{"code":-32601,"message":"the method missing does not exist/is not available"}},{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request"}}]"#)
    }

    @Test func emptyAndOversizeBatches() throws {
        #expect(call("[]") == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"empty batch"}}"#)
        var limits = RPCLimits()
        limits.maxBatch = 3
        let small = RPCDispatcher(methods: DispatcherTests.table(), limits: limits)
        let four = "[" + Array(repeating: #"{"jsonrpc":"2.0","id":1,"method":"echo"}"#, count: 4).joined(separator: ",") + "]"
        let r = try JSONValue.parse(try #require(small.handleNow(four)))
        #expect(r["error"]?["code"] == -32600)
        #expect(r["error"]?["message"] == "batch too large: 4 requests, the limit is 3")
        let thousand = "[" + Array(repeating: #"{"jsonrpc":"2.0","id":1,"method":"echo"}"#, count: 1000).joined(separator: ",") + "]"
        #expect(try JSONValue.parse(try #require(call(thousand))).arrayValue?.count == 1000)
        let tooMany = "[" + Array(repeating: #"{"jsonrpc":"2.0","id":1,"method":"echo"}"#, count: 1001).joined(separator: ",") + "]"
        #expect(try JSONValue.parse(try #require(call(tooMany)))["error"]?["code"] == -32600)
    }

    @Test func parseErrors() throws {
        for bad in ["{", "{\"id\":1,", "nonsense", "", "[1,]", "{\"a\":01}"] {
            let r = try JSONValue.parse(try #require(call(bad)))
            #expect(r["id"] == .null)
            #expect(r["error"]?["code"] == -32700)
            #expect(r["error"]?["message"]?.stringValue?.hasPrefix("parse error") == true)
        }
    }

    @Test func deepNestingIsAParseError() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let r = try JSONValue.parse(try #require(call(deep)))
        #expect(r["error"]?["code"] == -32700)
        #expect(r["error"]?["message"]?.stringValue?.contains("nested deeper than 64") == true)
    }

    @Test func invalidRequests() throws {
        let cases: [(String, JSONValue, String)] = [
            (#""just a string""#, .null, "invalid request"),
            (#"{"jsonrpc":"2.0","id":1}"#, 1, "invalid request: method must be a string"),
            (#"{"jsonrpc":"2.0","id":1,"method":5}"#, 1, "invalid request: method must be a string"),
            (#"{"jsonrpc":"1.0","id":1,"method":"echo"}"#, 1, "invalid request: jsonrpc must be \"2.0\""),
            (#"{"jsonrpc":"2.0","id":[1],"method":"echo"}"#, .null, "invalid request: id must be a number, a string or null"),
        ]
        for (req, id, msg) in cases {
            let r = try JSONValue.parse(try #require(call(req)))
            #expect(r["id"] == id, "\(req)")
            #expect(r["error"]?["code"] == -32600, "\(req)")
            #expect(r["error"]?["message"] == .string(msg), "\(req)")
        }
        let byName = try JSONValue.parse(try #require(call(#"{"jsonrpc":"2.0","id":1,"method":"echo","params":{"a":1}}"#)))
        #expect(byName["error"]?["code"] == -32602)
        #expect(byName["error"]?["message"] == "non-array args")
    }

    @Test func paramErrorsSayWhich() throws {
        func err(_ params: String) throws -> String? {
            try JSONValue.parse(try #require(call(#"{"jsonrpc":"2.0","id":1,"method":"add","params":"# + params + "}")))["error"]?["message"]?.stringValue
        }
        #expect(try err(#"["0x1"]"#) == "missing value for required argument 1")
        #expect(try err(#"["0x1","0x2","0x3"]"#) == "too many arguments, want at most 2")
        #expect(try err(#"["0x1","0x2",null]"#) == nil)
        #expect(try err(#"["1","0x2"]"#) == "invalid argument 0: hex string without 0x prefix")
        #expect(try err(#"["0x01","0x2"]"#) == "invalid argument 0: hex number with leading zero digits")
        #expect(try err(#"["0x1",2]"#) == "invalid argument 1: cannot unmarshal number into quantity (0x-prefixed hex string)")
        #expect(try err(#"["0x1","0x10000000000000000"]"#) == "invalid argument 1: hex number > 64 bits")
        #expect(try err(#"["0xzz","0x1"]"#) == "invalid argument 0: invalid hex string")
    }

    @Test func handlerErrorsAndOffload() throws {
        #expect(call(#"{"jsonrpc":"2.0","id":1,"method":"fails"}"#) == #"{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"nope"}}"#)
        let reply = Array(#"{"jsonrpc":"2.0","id":1,"method":"slow"}"#.utf8).withUnsafeBytes { d.handle($0, context: RPCCallContext()) }
        guard case .deferred(let work) = reply else {
            Issue.record("an offloaded method must be deferred")
            return
        }
        #expect(work().map { String(decoding: $0, as: UTF8.self) } == #"{"jsonrpc":"2.0","id":1,"result":"done"}"#)
        let inline = Array(#"{"jsonrpc":"2.0","id":1,"method":"echo"}"#.utf8).withUnsafeBytes { d.handle($0, context: RPCCallContext()) }
        if case .deferred = inline { Issue.record("a cheap method must run inline") }
    }
}
