import ABI
import Chain
import Consensus
import Foundation
import JSON
import Primitives
import RISCV
import RPC
import Secp256k1
import Storage
import SystemContracts
import Testing
import TestSupport
import Transactions

/// A devnet chain running the ProverNet system contracts, with the `provernet_*` methods
/// behind a dispatcher, and helpers to seal blocks of contract calls.
final class MarketNode: @unchecked Sendable {
    static let brev = UInt256(1_000_000_000_000_000_000)
    static let market = Address(low: 0x1001)
    static let governance = Address(low: 0x1002)
    let chain: Blockchain
    let dispatcher: RPCDispatcher
    let sealer: PrivateKey
    var nonces: [Address: UInt64] = [:]
    var time: UInt64 = 1_800_000_000

    init() throws {
        let g = try Genesis(json: Data(Genesis.devnetJSON.utf8), parameters: SystemContracts.provernet.parameters)
        let store = MemoryStore()
        try Blockchain.initialize(store: store, genesis: g, contracts: SystemContracts.provernet)
        chain = try Blockchain(store: store, genesis: g, contracts: SystemContracts.provernet)
        chain.syncWrites = false
        sealer = g.devSealerKey!
        var table = RPCMethodTable()
        ProverNetAPI(chain: chain).register(into: &table)
        dispatcher = RPCDispatcher(methods: table)
    }

    /// A signed call of `signature` on `to`.
    func tx(_ key: PrivateKey, to: Address, _ signature: String, _ args: [ABIValue], value: UInt256 = .zero) -> SignedTransaction {
        let n = nonces[key.address, default: 0]
        nonces[key.address] = n + 1
        let data = try! ABI.encodeCall(signature: signature, args)
        return Transaction.dynamicFee(chainID: chain.genesis.chainID, nonce: n, maxPriorityFeePerGas: 1,
                                      maxFeePerGas: 100_000_000_000, gasLimit: 2_000_000, to: to, value: value,
                                      data: data).signed(with: key)
    }

    /// Seals one block with `txs`, which must all succeed.
    func block(_ txs: [SignedTransaction] = []) throws {
        time += 1
        let r = try chain.sealNext(candidates: txs.map { ($0, try $0.recoverSender()) }, key: sealer, timestamp: time)
        #expect(r.skipped.isEmpty)
        for rc in r.receipts { #expect(rc.status, "\(ABI.decodeRevertReason(rc.revertData) ?? "?")") }
    }

    func response(_ method: String, _ params: [JSONValue]) -> JSONValue {
        let req: JSONValue = ["jsonrpc": "2.0", "id": 1, "method": .string(method), "params": .array(params)]
        return try! JSONValue.parse(dispatcher.handleNow(req.bytes, context: RPCCallContext())!)
    }

    func result(_ method: String, _ params: [JSONValue] = []) throws -> JSONValue {
        let r = response(method, params)
        guard let v = r["result"] else { throw TestFailure("\(method) failed: \(r.text)") }
        return v
    }

    func error(_ method: String, _ params: [JSONValue] = []) throws -> (Int, String) {
        let r = response(method, params)
        guard let e = r["error"], let code = e["code"]?.numberValue?.int64Value, let msg = e["message"]?.stringValue else {
            throw TestFailure("\(method) did not fail: \(r.text)")
        }
        return (Int(code), msg)
    }
}

/// The devnet's genesis provers (dev accounts #1 and #2) and a requester (#0).
enum MarketKeys {
    static let requester = try! PrivateKey(hex: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
    static let prover1 = try! PrivateKey(hex: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
    static let prover2 = try! PrivateKey(hex: "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a")
}

/// An ELF whose only instruction is illegal (all zeros): it traps at once.
func trapELF() -> [UInt8] {
    var e = haltELF()
    for i in (e.count - 12)..<(e.count - 4) { e[i] = 0 }
    return e
}

@Suite("provernet_* views") struct ProverNetAPITests {
    let prover1 = MarketKeys.prover1.address
    let prover2 = MarketKeys.prover2.address

    @Test func paramsListEveryParameterAsQuantities() throws {
        let n = try MarketNode()
        let p = try n.result("provernet_params")
        guard case .object(let members) = p else { Issue.record("not an object: \(p.text)"); return }
        #expect(members.map(\.0) == SystemContracts.provernet.parameters.definitions.map(\.name))
        #expect(p["biddingBlocks"]?.stringValue == "0x5")
        #expect(p["votingBlocks"]?.stringValue == "0x14")
        #expect(p["minSelfStake"]?.stringValue == (MarketNode.brev * UInt256(1_000)).hexString)
        #expect(try n.error("provernet_params", [1]).0 == -32602)
    }

    @Test func proversByAddressAndListed() throws {
        let n = try MarketNode()
        let p = try n.result("provernet_getProver", [.string(prover1.lowercaseHex)])
        #expect(p["address"]?.stringValue == prover1.checksummed)
        #expect(p["name"]?.stringValue == "devnet-prover-1")
        #expect(p["status"]?.stringValue == "active")
        #expect(p["commissionBps"]?.stringValue == "0x1f4")
        #expect(p["stake"]?.stringValue == (MarketNode.brev * UInt256(2_000)).hexString)
        #expect(try n.result("provernet_getProver", [.string(Address(low: 0xdead).lowercaseHex)]) == .null)
        #expect(try n.error("provernet_getProver", []).0 == -32602)
        #expect(try n.error("provernet_getProver", ["0x1234"]).0 == -32602)

        let list = try n.result("provernet_listProvers")
        guard case .array(let provers) = list else { Issue.record("not an array"); return }
        #expect(Set(provers.compactMap { $0["address"]?.stringValue }) == [prover1.checksummed, prover2.checksummed])
    }

    @Test func requestsProgramsAndEstimatesThroughAnAuction() throws {
        let n = try MarketNode()
        let elf = haltELF()
        let programId = try Program(elf: elf).programId

        // Unknown program: null, and estimateFee refuses it.
        #expect(try n.result("provernet_getProgram", [.string(programId.description)]) == .null)
        let unknown = try n.error("provernet_estimateFee", [.string(programId.description), "0x"])
        #expect(unknown.0 == -32000 && unknown.1.contains("unknown program"))

        try n.block([n.tx(MarketKeys.requester, to: MarketNode.market, "registerProgram(bytes)", [.bytes(elf)])])
        let g = try n.result("provernet_getProgram", [.string(programId.description)])
        #expect(g["registrant"]?.stringValue == MarketKeys.requester.address.checksummed)
        #expect(g["size"]?.stringValue == RPCObjects.quantityHex(UInt64(elf.count)))
        #expect(g["elf"] == nil)
        let withELF = try n.result("provernet_getProgram", [.string(programId.description), .bool(true)])
        #expect(withELF["elf"]?.stringValue == "0x" + elf.map { String(format: "%02x", $0) }.joined())

        // No assigned request yet: the minimum fee.
        let first = try n.result("provernet_estimateFee", [.string(programId.description), "0x010203"])
        #expect(first["basis"]?.stringValue == "minimum")
        #expect(first["cycles"]?.stringValue == "0x2")
        #expect(first["fee"]?.stringValue == UInt256(1_000_000_000_000_000).hexString)

        // A request, two sealed bids, reveals, assignment at the end of the reveal phase.
        let maxFee = MarketNode.brev
        let deadline = n.chain.head.number + 1 + 30
        try n.block([n.tx(MarketKeys.requester, to: MarketNode.market, "requestProof(bytes32,bytes,uint256,uint64)",
                          [.fixedBytes(programId.bytes), .bytes([1, 2, 3]), .uint(MarketNode.brev * UInt256(1_000)),
                           .uint(UInt256(deadline))], value: maxFee)])
        let r0 = try n.result("provernet_getRequest", ["0x0"])
        #expect(r0["state"]?.stringValue == "pending")
        #expect(r0["phase"]?.stringValue == "bidding")
        #expect(r0["winner"] == .null)
        #expect(r0["requester"]?.stringValue == MarketKeys.requester.address.checksummed)
        #expect(try n.result("provernet_getRequest", ["0x5"]) == .null)

        let fee1 = UInt256(400_000_000_000_000_000 as UInt64), fee2 = UInt256(600_000_000_000_000_000 as UInt64)
        let nonce1 = [UInt8](repeating: 1, count: 32), nonce2 = [UInt8](repeating: 2, count: 32)
        try n.block([
            n.tx(MarketKeys.prover1, to: MarketNode.market, "bid(uint256,bytes32)",
                 [.uint(0), .fixedBytes(MarketContract.bidHash(requestId: 0, prover: prover1, fee: fee1, nonce: nonce1).bytes)]),
            n.tx(MarketKeys.prover2, to: MarketNode.market, "bid(uint256,bytes32)",
                 [.uint(0), .fixedBytes(MarketContract.bidHash(requestId: 0, prover: prover2, fee: fee2, nonce: nonce2).bytes)]),
        ])
        let bidding = try n.result("provernet_getRequest", ["0x0"])
        #expect(bidding["bids"]?[0]?["revealed"] == .bool(false))
        #expect(bidding["bids"]?[0]?["fee"] == .null)
        while try n.result("provernet_getRequest", ["0x0"])["phase"]?.stringValue == "bidding" { try n.block() }
        try n.block([
            n.tx(MarketKeys.prover1, to: MarketNode.market, "reveal(uint256,uint256,bytes32)", [.uint(0), .uint(fee1), .fixedBytes(nonce1)]),
            n.tx(MarketKeys.prover2, to: MarketNode.market, "reveal(uint256,uint256,bytes32)", [.uint(0), .uint(fee2), .fixedBytes(nonce2)]),
        ])
        while try n.result("provernet_getRequest", ["0x0"])["phase"]?.stringValue == "reveal" { try n.block() }
        let assigned = try n.result("provernet_getRequest", ["0x0"])
        #expect(assigned["phase"]?.stringValue == "proving")
        #expect(assigned["winner"]?.stringValue == prover1.checksummed)
        #expect(assigned["fee"]?.stringValue == fee2.hexString)  // second price
        #expect(assigned["bids"]?[1]?["fee"]?.stringValue == fee2.hexString)

        // The clearing price per cycle now comes from that request: fee2 over 2 cycles.
        let est = try n.result("provernet_estimateFee", [.string(programId.description), "0x"])
        #expect(est["basis"]?.stringValue == "recent")
        #expect(est["pricePerCycle"]?.stringValue == (fee2.multipliedDivided(by: 1, dividedBy: 2)!).hexString)
        #expect(est["fee"]?.stringValue == fee2.hexString)

        // Listing by state and phase, paged.
        let all = try n.result("provernet_listRequests", [["state": "pending"]])
        #expect(all["total"]?.stringValue == "0x1")
        #expect(all["requests"]?[0]?["id"]?.stringValue == "0x0")
        let none = try n.result("provernet_listRequests", [["phase": "bidding"]])
        #expect(none["total"]?.stringValue == "0x0")
        let paged = try n.result("provernet_listRequests", [["offset": 1, "limit": 10]])
        #expect(paged["requests"] == .array([]))
        #expect(try n.result("provernet_listRequests")["total"]?.stringValue == "0x1")
        #expect(try n.error("provernet_listRequests", [["limit": 101]]).0 == -32602)
        #expect(try n.error("provernet_listRequests", [["state": "lost"]]).0 == -32602)
        #expect(try n.error("provernet_listRequests", [["phase": 3]]).0 == -32602)
        #expect(try n.error("provernet_listRequests", ["bidding"]).0 == -32602)
    }

    @Test func estimateFeeRefusesAProgramThatTraps() throws {
        let n = try MarketNode()
        let elf = trapELF()
        let programId = try Program(elf: elf).programId
        try n.block([n.tx(MarketKeys.requester, to: MarketNode.market, "registerProgram(bytes)", [.bytes(elf)])])
        let e = try n.error("provernet_estimateFee", [.string(programId.description), "0x"])
        #expect(e.0 == -32000)
        #expect(e.1.contains("program failed"))
        #expect(try n.error("provernet_estimateFee", ["0x12", "0x"]).0 == -32602)
        #expect(try n.error("provernet_estimateFee", [.string(programId.description), "zz"]).0 == -32602)
    }

    @Test func proposals() throws {
        let n = try MarketNode()
        #expect(try n.result("provernet_getProposal", ["0x0"]) == .null)
        try n.block([n.tx(MarketKeys.requester, to: MarketNode.governance, "propose(string,uint256,string)",
                          [.string("revealBlocks"), .uint(7), .string("longer reveals")], value: MarketNode.brev * UInt256(100))])
        let p = try n.result("provernet_getProposal", ["0x0"])
        #expect(p["param"]?.stringValue == "revealBlocks")
        #expect(p["value"]?.stringValue == "0x7")
        #expect(p["status"]?.stringValue == "voting")
        #expect(p["proposer"]?.stringValue == MarketKeys.requester.address.checksummed)
        #expect(try n.error("provernet_getProposal", ["x"]).0 == -32602)
    }
}
