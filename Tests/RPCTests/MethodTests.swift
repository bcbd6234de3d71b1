import Chain
import Foundation
import JSON
import Keccak
import Node
import Primitives
import RPC
import Secp256k1
import Testing
import Transactions

/// Every eth_/net_/web3_/evm_ method in-process through the dispatcher, with its errors.
@Suite struct MethodTests {
    let aliceBalance = UInt256(decimal: "10000000000000000000000")!

    @Test func identity() throws {
        let t = try TestNode()
        #expect(try t.result("eth_chainId") == "0x11171")
        #expect(try t.result("net_version") == "70001")
        #expect(try t.result("net_listening") == true)
        #expect(try t.result("net_peerCount") == "0x0")
        #expect(try t.result("eth_syncing") == false)
        #expect(try t.result("eth_accounts") == [])
        #expect(try t.result("eth_mining") == true)
        #expect(try t.result("web3_clientVersion") == "ProverNet/test")
        #expect(try t.result("web3_sha3", [hex(Array("hello world".utf8))])
            == "0x47173285a8d7341e5e972fc677286384f802f8ef42a5ec5f03bbfa254cb01fad")
        #expect(try t.error("web3_sha3", ["hello"]).1 == "invalid argument 0: hex string without 0x prefix")
        #expect(try t.error("eth_chainId", [1]).1 == "too many arguments, want at most 0")
        let nf = try t.error("eth_nonexistent")
        #expect(nf.0 == -32601)
        #expect(nf.1 == "the method eth_nonexistent does not exist/is not available")
    }

    @Test func blocksAndTags() throws {
        let t = try TestNode()
        #expect(try t.result("eth_blockNumber") == "0x0")
        try t.mine()
        try t.mine()
        #expect(try t.result("eth_blockNumber") == "0x2")
        let latest = try t.result("eth_getBlockByNumber", ["latest", false])
        for field in ["number", "hash", "parentHash", "nonce", "sha3Uncles", "logsBloom", "transactionsRoot", "stateRoot",
                      "receiptsRoot", "miner", "difficulty", "totalDifficulty", "extraData", "size", "gasLimit", "gasUsed",
                      "timestamp", "transactions", "uncles", "baseFeePerGas", "mixHash"] {
            #expect(latest[field] != nil, "block field \(field)")
        }
        #expect(latest["number"] == "0x2")
        #expect(latest["nonce"] == "0x0000000000000000")
        #expect(latest["uncles"] == [])
        #expect(latest["gasLimit"] == "0x1c9c380")
        #expect(latest["miner"] == "0xa0ee7a142d267c1f36714e4a8f75612f20a79720")
        for tag: JSONValue in ["pending", "safe", "finalized", "0x2"] {
            #expect(try t.result("eth_getBlockByNumber", [tag, false])["hash"] == latest["hash"])
        }
        let genesis = try t.result("eth_getBlockByNumber", ["earliest", true])
        #expect(genesis["number"] == "0x0")
        #expect(genesis["baseFeePerGas"] == "0x3b9aca00")
        #expect(try t.result("eth_getBlockByNumber", ["0x1", false])["parentHash"] == genesis["hash"])
        #expect(try t.result("eth_getBlockByNumber", ["0x63", false]) == .null)
        #expect(try t.result("eth_getBlockByHash", [latest["hash"]!, false]) == latest)
        #expect(try t.result("eth_getBlockByHash", [.string(Hash32.zero.description), false]) == .null)
        #expect(try t.result("eth_getBlockTransactionCountByNumber", ["latest"]) == "0x0")
        #expect(try t.result("eth_getBlockTransactionCountByHash", [latest["hash"]!]) == "0x0")
        #expect(try t.result("eth_getBlockTransactionCountByNumber", ["0x64"]) == .null)
        #expect(try t.error("eth_getBlockByNumber", ["newest", false]).1 == "invalid argument 0: hex string without 0x prefix")
        #expect(try t.error("eth_getBlockByNumber", ["latest", "yes"]).1 == "invalid argument 1: cannot unmarshal string into bool")
        #expect(try t.error("eth_getBlockByNumber", []).1 == "missing value for required argument 0")
        #expect(try t.error("eth_getBlockByHash", ["0x1234", false]).1
            == "invalid argument 0: hex string has length 4, want 64 for common.Hash")
        #expect(try t.result("evm_mine") == "0x0")
        #expect(try t.result("eth_blockNumber") == "0x3")
    }

    @Test func evmMineOnlyInDevMode() throws {
        var o = TestNode.defaultOptions()
        o.api.devMode = false
        let t = try TestNode(options: o)
        #expect(try t.error("evm_mine").0 == -32601)
    }

    @Test func balancesAndNonces() throws {
        let t = try TestNode()
        let alice = JSONValue.string(Keys.alice.address.checksummed)
        #expect(try t.result("eth_getBalance", [alice, "latest"]) == .string(aliceBalance.hexString))
        #expect(try t.result("eth_getBalance", [alice]) == .string(aliceBalance.hexString))
        #expect(try t.result("eth_getBalance", [.string(Keys.nobody.address.lowercaseHex), "latest"]) == "0x0")
        #expect(try t.result("eth_getTransactionCount", [alice, "latest"]) == "0x0")
        let e = try t.error("eth_getBalance", [alice, "0x5"])
        #expect(e.0 == -32000)
        #expect(e.1 == "header not found")
        #expect(try t.error("eth_getBalance", [alice, ["blockHash": .string(Hash32.zero.description)]]).1 == "header for hash not found")
        #expect(try t.error("eth_getBalance", ["0x1234", "latest"]).1
            == "invalid argument 0: hex string has length 4, want 40 for common.Address")
        // Mixed case with a wrong checksum is accepted, as geth does.
        #expect(try t.result("eth_getBalance", ["0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266"]) == .string(aliceBalance.hexString))

        let tx = t.transfer(from: Keys.alice, to: Keys.bob.address, value: 5, nonce: 0)
        #expect(t.send(tx)["result"] == .string(tx.hash.description))
        #expect(try t.result("eth_getTransactionCount", [alice, "pending"]) == "0x1")
        #expect(try t.result("eth_getTransactionCount", [alice, "latest"]) == "0x0")
        let b1 = try t.mine()
        #expect(try t.result("eth_getTransactionCount", [alice, "latest"]) == "0x1")
        #expect(try t.result("eth_getTransactionCount", [alice, "0x0"]) == "0x0")
        #expect(try t.result("eth_getTransactionCount", [alice, ["blockNumber": "0x1"]]) == "0x1")
        // Historical state through the state tree.
        #expect(try t.result("eth_getBalance", [alice, "0x0"]) == .string(aliceBalance.hexString))
        #expect(try t.result("eth_getBalance", [alice, ["blockHash": .string(b1.hash.description), "requireCanonical": true]])
            == t.result("eth_getBalance", [alice, "latest"]))
        let price = Header.nextBaseFee(parent: try #require(try t.node.chain.reader.header(number: 0))) + UInt256(1_000_000_000)
        let spent = UInt256(5) + UInt256(21_000) * price
        #expect(try t.result("eth_getBalance", [alice]) == .string((aliceBalance - spent).hexString))
        #expect(try t.result("eth_getBalance", [.string(Keys.bob.address.lowercaseHex)])
            == .string((aliceBalance + UInt256(5)).hexString))
    }

    @Test func codeAndStorage() throws {
        let t = try TestNode()
        #expect(try t.result("eth_getCode", [.string(EchoContract.address.lowercaseHex), "latest"]) == "0xfe")
        #expect(try t.result("eth_getCode", [.string(Keys.alice.address.lowercaseHex), "latest"]) == "0x")
        #expect(try t.result("eth_getCode", ["0x0000000000000000000000000000000000001000"]) == "0x")
        #expect(try t.result("eth_getStorageAt", [.string(EchoContract.address.lowercaseHex), "0x0", "latest"])
            == .string("0x" + String(repeating: "0", count: 64)))
        #expect(try t.error("eth_getStorageAt", [.string(EchoContract.address.lowercaseHex)]).1 == "missing value for required argument 1")
        #expect(try t.error("eth_getCode", [.string(EchoContract.address.lowercaseHex), "0x9"]).1 == "header not found")
    }

    @Test func transactionsReceiptsAndBlocks() throws {
        let t = try TestNode()
        let legacy = Transaction.legacy(chainID: t.chainID, nonce: 0, gasPrice: 10_000_000_000, gasLimit: 21_000,
                                        to: Keys.bob.address, value: 1).signed(with: Keys.alice)
        let al = Transaction.accessList(chainID: t.chainID, nonce: 1, gasPrice: 10_000_000_000, gasLimit: 30_000,
                                        to: Keys.bob.address, value: 2,
                                        accessList: [AccessListEntry(address: Keys.carol.address, storageKeys: [Hash32.zero])])
            .signed(with: Keys.alice)
        let dyn = t.transfer(from: Keys.alice, to: Keys.bob.address, value: 3, nonce: 2)
        for tx in [legacy, al, dyn] { #expect(t.send(tx)["result"] == .string(tx.hash.description)) }

        let pending = try t.result("eth_getTransactionByHash", [.string(dyn.hash.description)])
        #expect(pending["blockHash"] == .null)
        #expect(pending["blockNumber"] == .null)
        #expect(pending["transactionIndex"] == .null)
        #expect(pending["from"] == .string(Keys.alice.address.lowercaseHex))
        #expect(try t.result("eth_getTransactionReceipt", [.string(dyn.hash.description)]) == .null)

        let block = try t.mine()
        #expect(block.transactions.count == 3)
        let baseFee = block.header.baseFeePerGas

        let l = try t.result("eth_getTransactionByHash", [.string(legacy.hash.description)])
        #expect(l["type"] == "0x0")
        #expect(l["v"] == q(t.chainID * 2 + 35 + UInt64(legacy.signature.recoveryID)))
        #expect(l["chainId"] == "0x11171")
        #expect(l["yParity"] == nil)
        #expect(l["accessList"] == nil)
        #expect(l["gasPrice"] == "0x2540be400")
        #expect(l["blockNumber"] == "0x1")
        #expect(l["blockHash"] == .string(block.hash.description))
        #expect(l["transactionIndex"] == "0x0")
        #expect(l["input"] == "0x")
        #expect(l["to"] == .string(Keys.bob.address.lowercaseHex))
        #expect(l["value"] == "0x1")
        #expect(l["nonce"] == "0x0")
        #expect(l["gas"] == "0x5208")
        #expect(l["r"] == .string(legacy.signature.r.hexString))
        #expect(l["s"] == .string(legacy.signature.s.hexString))

        let a = try t.result("eth_getTransactionByHash", [.string(al.hash.description)])
        #expect(a["type"] == "0x1")
        #expect(a["yParity"] == a["v"])
        #expect(a["accessList"] == [["address": .string(Keys.carol.address.lowercaseHex),
                                     "storageKeys": [.string(Hash32.zero.description)]]])

        let d = try t.result("eth_getTransactionByHash", [.string(dyn.hash.description)])
        #expect(d["type"] == "0x2")
        #expect(d["maxFeePerGas"] == "0x174876e800")
        #expect(d["maxPriorityFeePerGas"] == "0x3b9aca00")
        #expect(d["gasPrice"] == .string((baseFee + UInt256(1_000_000_000)).hexString))
        #expect(d["accessList"] == [])
        #expect(d["transactionIndex"] == "0x2")

        let r = try t.result("eth_getTransactionReceipt", [.string(dyn.hash.description)])
        for field in ["blockHash", "blockNumber", "contractAddress", "cumulativeGasUsed", "effectiveGasPrice", "from", "gasUsed",
                      "logs", "logsBloom", "status", "to", "transactionHash", "transactionIndex", "type"] {
            #expect(r[field] != nil, "receipt field \(field)")
        }
        #expect(r["status"] == "0x1")
        #expect(r["contractAddress"] == .null)
        #expect(r["gasUsed"] == "0x5208")
        #expect(r["type"] == "0x2")
        #expect(r["cumulativeGasUsed"] == q(21_000 + 25_300 + 21_000))
        #expect(r["effectiveGasPrice"] == .string((baseFee + UInt256(1_000_000_000)).hexString))
        #expect(r["logs"] == [])
        #expect(try t.result("eth_getTransactionReceipt", [.string(legacy.hash.description)])["type"] == "0x0")

        let full = try t.result("eth_getBlockByNumber", ["0x1", true])
        #expect(full["transactions"]?[1] == a)
        let hashes = try t.result("eth_getBlockByNumber", ["0x1", false])
        #expect(hashes["transactions"] == [.string(legacy.hash.description), .string(al.hash.description), .string(dyn.hash.description)])
        let stored = try #require(try t.node.chain.reader.certifiedBlock(hash: block.hash))
        #expect(stored.certificate.count == 65, "the seal is stored with the block")
        #expect(hashes["size"] == q(UInt64(stored.encoded.count)))
        #expect(try t.result("eth_getTransactionByBlockNumberAndIndex", ["0x1", "0x2"]) == d)
        #expect(try t.result("eth_getTransactionByBlockHashAndIndex", [.string(block.hash.description), "0x0"]) == l)
        #expect(try t.result("eth_getTransactionByBlockNumberAndIndex", ["0x1", "0x3"]) == .null)
        #expect(try t.result("eth_getBlockTransactionCountByNumber", ["0x1"]) == "0x3")
        #expect(try t.result("eth_getBlockTransactionCountByHash", [.string(block.hash.description)]) == "0x3")
        #expect(try t.result("eth_getBlockReceipts", ["0x1"]).arrayValue?.count == 3)
        #expect(try t.result("eth_getTransactionByHash", [.string(Hash32.zero.description)]) == .null)
        #expect(try t.result("eth_getTransactionReceipt", [.string(Hash32.zero.description)]) == .null)
    }

    @Test func poolRejectionsLeaveStateUnchanged() throws {
        let t = try TestNode()
        let first = t.transfer(from: Keys.alice, to: Keys.bob.address, nonce: 0)
        #expect(t.send(first)["result"] != nil)
        try t.mine()
        func snapshot() throws -> [JSONValue] {
            [try t.result("eth_getBalance", [.string(Keys.alice.address.lowercaseHex)]),
             try t.result("eth_getTransactionCount", [.string(Keys.alice.address.lowercaseHex), "pending"]),
             try t.result("eth_getBalance", [.string(Keys.nobody.address.lowercaseHex)]),
             .number(JSONNumber(t.node.pool.count)), try t.result("eth_blockNumber")]
        }
        let before = try snapshot()
        let cases: [(SignedTransaction, String)] = [
            (first, "already known"),
            (t.transfer(from: Keys.alice, to: Keys.bob.address, value: 7, nonce: 0), "nonce too low"),
            (t.transfer(from: Keys.nobody, to: Keys.bob.address, nonce: 0), "insufficient funds for gas * price + value"),
            (t.transfer(from: Keys.alice, to: Keys.bob.address, nonce: 1, chainID: 1), "invalid chain id"),
            (t.transfer(from: Keys.alice, to: Keys.bob.address, nonce: 1, gas: 20_000), "intrinsic gas too low"),
            (t.transfer(from: Keys.alice, to: Keys.bob.address, nonce: 1, tip: 10, cap: 5), "max priority fee per gas higher than max fee per gas"),
            (t.transfer(from: Keys.alice, to: Keys.bob.address, nonce: 1, tip: 0), "transaction underpriced"),
            (t.transfer(from: Keys.alice, to: Keys.bob.address, nonce: 1, gas: 40_000_000), "exceeds block gas limit"),
        ]
        // `first` is already mined: sending it again is "nonce too low" for the pool after the block.
        for (tx, text) in cases.dropFirst() {
            let e = t.send(tx)["error"]
            #expect(e?["code"] == -32000, "\(text)")
            #expect(e?["message"] == .string(text))
        }
        let pendingTx = t.transfer(from: Keys.alice, to: Keys.bob.address, nonce: 1)
        #expect(t.send(pendingTx)["result"] != nil)
        #expect(t.send(pendingTx)["error"]?["message"] == "already known")
        let bad = t.request("eth_sendRawTransaction", ["0x1234"])
        #expect(bad["error"]?["code"] == -32000)
        #expect(bad["error"]?["message"] == "transaction type not supported")
        #expect(t.request("eth_sendRawTransaction", ["0xc0"])["error"]?["code"] == -32000)
        #expect(t.request("eth_sendRawTransaction", ["0xzz"])["error"]?["code"] == -32602)
        #expect(t.request("eth_sendRawTransaction", [])["error"]?["message"] == "missing value for required argument 0")
        var after = try snapshot()
        after[1] = before[1]
        after[3] = before[3]
        #expect(after == before)
    }

    @Test func callAndEstimate() throws {
        let t = try TestNode()
        let echo = JSONValue.string(EchoContract.address.lowercaseHex)
        #expect(try t.result("eth_call", [["to": echo, "data": "0x01020304"], "latest"]) == "0x01020304")
        #expect(try t.result("eth_call", [["to": echo, "input": "0xabcd"]]) == "0xabcd")
        #expect(try t.result("eth_call", [["to": echo, "input": "0xabcd", "data": "0xabcd"]]) == "0xabcd")
        #expect(try t.error("eth_call", [["to": echo, "input": "0xab", "data": "0xcd"]]).1.contains("both \"data\" and \"input\" are set"))
        #expect(try t.result("eth_call", [["to": .string(Keys.bob.address.lowercaseHex), "value": "0x1",
                                          "from": .string(Keys.alice.address.lowercaseHex)]]) == "0x")
        let revert = try t.error("eth_call", [["to": echo, "data": "0xff"]])
        #expect(revert.0 == 3)
        #expect(revert.1 == "execution reverted: bad input")
        #expect(revert.2 == .string(Hex.encode(Revert("bad input", gasUsed: 0).data)))
        let poor = try t.error("eth_call", [["to": echo, "from": .string(Keys.nobody.address.lowercaseHex), "value": "0x1"]])
        #expect(poor.0 == -32000)
        #expect(poor.1.hasPrefix("insufficient funds for gas * price + value"))
        #expect(try t.error("eth_call", [["from": echo]]).1 == "contract creation is not supported")
        #expect(try t.error("eth_call", [["to": echo], "latest", ["0x00": ["balance": "0x1"]]]).1.contains("state overrides"))
        #expect(try t.error("eth_call", [["to": "0x12"]]).1.hasPrefix("invalid argument 0: to:"))

        #expect(try t.result("eth_estimateGas", [["from": .string(Keys.alice.address.lowercaseHex),
                                                 "to": .string(Keys.bob.address.lowercaseHex), "value": "0x1"]]) == "0x5208")
        #expect(try t.error("eth_estimateGas", [["to": .string(Keys.bob.address.lowercaseHex), "value": "0x1"]]).1
            .hasPrefix("insufficient funds"))
        #expect(try t.result("eth_estimateGas", [["to": echo, "data": "0x01020304"]]) == q(21_000 + 64 + 5_000))
        #expect(try t.error("eth_estimateGas", [["to": echo, "data": "0xff"]]).0 == 3)
        #expect(try t.error("eth_estimateGas", [["to": echo, "gas": "0x5000"]]).1 == "intrinsic gas too low: have 20480, want 21000")

        // A reverted transaction is mined with status 0 and pays gas.
        let tx = t.transfer(from: Keys.alice, to: EchoContract.address, value: 0, nonce: 0, gas: 100_000, data: [0xff])
        #expect(t.send(tx)["result"] != nil)
        try t.mine()
        let r = try t.result("eth_getTransactionReceipt", [.string(tx.hash.description)])
        #expect(r["status"] == "0x0")
        #expect(r["gasUsed"] == q(21_000 + 16 + 1_000))
    }

    @Test func feesAndHistory() throws {
        let t = try TestNode()
        #expect(try t.result("eth_maxPriorityFeePerGas") == "0x3b9aca00")
        let next = Header.nextBaseFee(parent: t.node.chain.head)
        #expect(try t.result("eth_gasPrice") == .string((next + UInt256(1_000_000_000)).hexString))
        for n in 0..<3 {
            #expect(t.send(t.transfer(from: Keys.alice, to: Keys.bob.address, nonce: UInt64(n), tip: UInt256(2_000_000_000 + UInt64(n))))["result"] != nil)
        }
        try t.mine()
        try t.mine()
        #expect(try t.result("eth_maxPriorityFeePerGas") == "0x77359401")
        let h = try t.result("eth_feeHistory", ["0x3", "latest", [25, 75]])
        #expect(h["oldestBlock"] == "0x0")
        #expect(h["baseFeePerGas"]?.arrayValue?.count == 4)
        #expect(h["gasUsedRatio"]?.arrayValue?.count == 3)
        #expect(h["gasUsedRatio"]?[1] == .number(JSONNumber(63_000.0 / 30_000_000.0)))
        #expect(h["reward"] == [["0x0", "0x0"], ["0x77359400", "0x77359402"], ["0x0", "0x0"]])
        #expect(h["baseFeePerGas"]?[3] == .string(Header.nextBaseFee(parent: t.node.chain.head).hexString))
        let noRewards = try t.result("eth_feeHistory", [2, "0x1"])
        #expect(noRewards["oldestBlock"] == "0x0")
        #expect(noRewards["reward"] == nil)
        #expect(try t.result("eth_feeHistory", ["0x400", "latest"])["gasUsedRatio"]?.arrayValue?.count == 3)
        #expect(try t.error("eth_feeHistory", [2, "latest", [75, 25]]).1 == "invalid argument 2: invalid reward percentile")
        #expect(try t.error("eth_feeHistory", [2, "latest", [101]]).1 == "invalid argument 2: invalid reward percentile")
        #expect(try t.error("eth_feeHistory", ["x", "latest"]).0 == -32602)
        #expect(try t.error("eth_feeHistory", [2, "0x99"]).1 == "header not found")
    }

    /// Sends echo calls (which log) from alice; mines them in one block.
    func logBlock(_ t: TestNode, payloads: [[UInt8]], firstNonce: UInt64) throws -> Block {
        for (i, p) in payloads.enumerated() {
            let tx = t.transfer(from: Keys.alice, to: EchoContract.address, value: 0, nonce: firstNonce + UInt64(i), gas: 100_000, data: p)
            #expect(t.send(tx)["result"] != nil)
        }
        return try t.mine()
    }

    @Test func logs() throws {
        let t = try TestNode()
        try t.mine()
        let b2 = try logBlock(t, payloads: [[1], [2, 2]], firstNonce: 0)
        try t.mine()
        let b4 = try logBlock(t, payloads: [[3]], firstNonce: 2)
        let echo = JSONValue.string(EchoContract.address.lowercaseHex)
        let topic = JSONValue.string(EchoContract.topic.description)
        let aliceTopic = JSONValue.string(Hash32(Keys.alice.address.uint256).description)

        let all = try t.result("eth_getLogs", [["fromBlock": "0x0", "toBlock": "latest"]])
        #expect(all.arrayValue?.count == 3)
        let first = try #require(all[0])
        #expect(first["address"] == echo)
        #expect(first["topics"] == [topic, aliceTopic])
        #expect(first["data"] == "0x01")
        #expect(first["blockNumber"] == "0x2")
        #expect(first["blockHash"] == .string(b2.hash.description))
        #expect(first["transactionHash"] == .string(b2.transactions[0].hash.description))
        #expect(first["transactionIndex"] == "0x0")
        #expect(first["logIndex"] == "0x0")
        #expect(first["removed"] == false)
        #expect(all[1]?["logIndex"] == "0x1")
        #expect(all[1]?["transactionIndex"] == "0x1")
        #expect(all[2]?["blockNumber"] == "0x4")

        #expect(try t.result("eth_getLogs", [["address": echo, "fromBlock": "0x3"]]).arrayValue?.count == 1)
        #expect(try t.result("eth_getLogs", [["address": [echo, "0x0000000000000000000000000000000000000001"], "fromBlock": "earliest"]])
            .arrayValue?.count == 3)
        #expect(try t.result("eth_getLogs", [["address": "0x0000000000000000000000000000000000000001", "fromBlock": "0x0"]]) == [])
        #expect(try t.result("eth_getLogs", [["topics": [topic], "fromBlock": "0x0"]]).arrayValue?.count == 3)
        #expect(try t.result("eth_getLogs", [["topics": [nil, [aliceTopic, topic]], "fromBlock": "0x0"]]).arrayValue?.count == 3)
        #expect(try t.result("eth_getLogs", [["topics": [nil, topic], "fromBlock": "0x0"]]) == [])
        #expect(try t.result("eth_getLogs", [["topics": [topic, nil, nil], "fromBlock": "0x0"]]) == [])
        #expect(try t.result("eth_getLogs", [["blockHash": .string(b4.hash.description)]]).arrayValue?.count == 1)
        #expect(try t.result("eth_getLogs", [["fromBlock": "0x3", "toBlock": "0x3"]]) == [])
        #expect(try t.result("eth_getLogs", [["fromBlock": "0x50"]]) == [])
        #expect(try t.result("eth_getLogs", [["fromBlock": "0x0", "toBlock": "0x1000"]]).arrayValue?.count == 3)

        #expect(try t.error("eth_getLogs", [["fromBlock": "0x3", "toBlock": "0x2"]]).1 == "invalid block range params")
        #expect(try t.error("eth_getLogs", [["blockHash": .string(Hash32.zero.description)]]).1 == "unknown block")
        #expect(try t.error("eth_getLogs", [["blockHash": .string(b4.hash.description), "fromBlock": "0x1"]]).1
            == "invalid argument 0: cannot specify both BlockHash and FromBlock/ToBlock, choose one or the other")
        #expect(try t.error("eth_getLogs", [["topics": [nil, nil, nil, nil, nil]]]).1 == "invalid argument 0: exceed max topics")
        #expect(try t.error("eth_getLogs", [["address": 5]]).0 == -32602)
    }

    @Test func logRangeAndResultLimits() throws {
        var o = TestNode.defaultOptions()
        o.api.maxLogBlockRange = 3
        o.api.maxLogResults = 2
        let t = try TestNode(options: o)
        _ = try logBlock(t, payloads: [[1], [2], [3]], firstNonce: 0)
        for _ in 0..<4 { try t.mine() }
        let huge = try t.error("eth_getLogs", [["fromBlock": "0x0", "toBlock": "0xffffffffff"]])
        #expect(huge.0 == -32005)
        #expect(huge.1 == "block range too large: 6 blocks, the limit is 3")
        let many = try t.error("eth_getLogs", [["fromBlock": "0x1", "toBlock": "0x2"]])
        #expect(many.0 == -32005)
        #expect(many.1 == "query returned more than 2 results")
        #expect(try t.error("eth_newFilter", [["fromBlock": "0x0", "toBlock": "0x10"]]).0 == -32005)
    }

    @Test func filters() throws {
        let t = try TestNode()
        let blocks = try t.result("eth_newBlockFilter").stringValue!
        #expect(blocks.hasPrefix("0x") && blocks.count == 34)
        let pending = try t.result("eth_newPendingTransactionFilter").stringValue!
        let logs = try t.result("eth_newFilter", [["address": .string(EchoContract.address.lowercaseHex)]]).stringValue!
        let b1 = try t.mine()
        let b2 = try logBlock(t, payloads: [[9]], firstNonce: 0)
        #expect(try t.result("eth_getFilterChanges", [.string(blocks)]) == [.string(b1.hash.description), .string(b2.hash.description)])
        #expect(try t.result("eth_getFilterChanges", [.string(blocks)]) == [])
        #expect(try t.result("eth_getFilterChanges", [.string(pending)]) == [.string(b2.transactions[0].hash.description)])
        let changes = try t.result("eth_getFilterChanges", [.string(logs)])
        #expect(changes.arrayValue?.count == 1)
        #expect(changes[0]?["data"] == "0x09")
        #expect(try t.result("eth_getFilterChanges", [.string(logs)]) == [])
        #expect(try t.result("eth_getFilterLogs", [.string(logs)]) == changes)
        let fe = try t.error("eth_getFilterLogs", [.string(blocks)])
        #expect(fe.0 == -32000)
        #expect(fe.1 == "filter not found")
        #expect(try t.result("eth_uninstallFilter", [.string(blocks)]) == true)
        #expect(try t.result("eth_uninstallFilter", [.string(blocks)]) == false)
        #expect(try t.error("eth_getFilterChanges", [.string(blocks)]).1 == "filter not found")
        #expect(try t.error("eth_getFilterChanges", [5]).0 == -32602)
    }

    @Test func filterLimit() throws {
        var o = TestNode.defaultOptions()
        o.filters.maxFilters = 3
        let t = try TestNode(options: o)
        for _ in 0..<3 { _ = try t.result("eth_newBlockFilter") }
        let e = try t.error("eth_newBlockFilter")
        #expect(e.0 == -32005)
        #expect(e.1 == "too many filters: the limit is 3")
    }

    @Test func subscriptionsInProcess() throws {
        var o = TestNode.defaultOptions()
        o.filters.maxSubscriptionsPerConnection = 3
        let t = try TestNode(options: o)
        let conn = RecordingConnection(id: 1)
        let ctx = RPCCallContext(connection: conn)
        let heads = try t.result("eth_subscribe", ["newHeads"], context: ctx).stringValue!
        let logs = try t.result("eth_subscribe", ["logs", ["address": .string(EchoContract.address.lowercaseHex)]], context: ctx).stringValue!
        let txs = try t.result("eth_subscribe", ["newPendingTransactions"], context: ctx).stringValue!
        let over = try t.error("eth_subscribe", ["newHeads"], context: ctx)
        #expect(over.0 == -32005)
        #expect(over.1 == "too many subscriptions on this connection: the limit is 3")
        let b = try logBlock(t, payloads: [[7]], firstNonce: 0)
        let notes = conn.messages.map { try! JSONValue.parse($0) }
        #expect(notes.count == 3)
        #expect(notes.allSatisfy { $0["method"] == "eth_subscription" && $0["jsonrpc"] == "2.0" })
        let bySub = Dictionary(grouping: notes) { $0["params"]?["subscription"]?.stringValue ?? "" }
        #expect(bySub[txs]?.first?["params"]?["result"] == .string(b.transactions[0].hash.description))
        #expect(bySub[heads]?.first?["params"]?["result"]?["hash"] == .string(b.hash.description))
        #expect(bySub[heads]?.first?["params"]?["result"]?["baseFeePerGas"] != nil)
        #expect(bySub[logs]?.first?["params"]?["result"]?["data"] == "0x07")

        #expect(try t.result("eth_unsubscribe", [.string(heads)], context: ctx) == true)
        #expect(try t.error("eth_unsubscribe", [.string(heads)], context: ctx).1 == "subscription not found")
        #expect(try t.error("eth_unsubscribe", [.string(logs)], context: RPCCallContext(connection: RecordingConnection(id: 2))).1
            == "subscription not found")
        let http = try t.error("eth_subscribe", ["newHeads"])
        #expect(http.0 == -32601)
        #expect(http.1 == "notifications not supported")
        #expect(try t.error("eth_subscribe", ["syncing"], context: ctx).1 == "no \"syncing\" subscription in eth namespace")
        t.rpc.filters.connectionClosed(1)
        #expect(t.rpc.filters.subscriptionCount == 0)
    }

    @Test func pendingFullTransactions() throws {
        let t = try TestNode()
        let conn = RecordingConnection(id: 9)
        _ = try t.result("eth_subscribe", ["newPendingTransactions", true], context: RPCCallContext(connection: conn))
        let tx = t.transfer(from: Keys.alice, to: Keys.bob.address, nonce: 0)
        _ = t.send(tx)
        let note = try JSONValue.parse(try #require(conn.messages.first))
        #expect(note["params"]?["result"]?["hash"] == .string(tx.hash.description))
        #expect(note["params"]?["result"]?["blockHash"] == .null)
    }

    @Test func txpoolStatus() throws {
        let t = try TestNode()
        _ = t.send(t.transfer(from: Keys.alice, to: Keys.bob.address, nonce: 0))
        _ = t.send(t.transfer(from: Keys.alice, to: Keys.bob.address, nonce: 5))
        #expect(try t.result("txpool_status") == ["pending": "0x1", "queued": "0x1"])
    }
}

/// Collects notifications sent to a pretend WebSocket.
final class RecordingConnection: RPCConnection, @unchecked Sendable {
    let connectionID: UInt64
    private let lock = NSLock()
    private var _messages: [[UInt8]] = []
    init(id: UInt64) { connectionID = id }
    func send(notification: [UInt8]) { lock.withLock { _messages.append(notification) } }
    var messages: [[UInt8]] { lock.withLock { _messages } }
}
