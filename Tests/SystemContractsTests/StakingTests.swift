import ABI
import Chain
import Consensus
import Foundation
import Primitives
import Secp256k1
import Storage
import SystemContracts
import Testing
import TestSupport
import Transactions

let keys = DevKeys.accounts.map { try! PrivateKey(hex: $0) }
let sealer = try! PrivateKey(hex: DevKeys.sealer)
let brev = UInt256(1_000_000_000_000_000_000)
let staking = StakingContract.contractAddress

/// A chain with the system contracts, and a nonce tracker for sending calls.
final class Harness {
    let chain: Blockchain
    var nonces: [Address: UInt64] = [:]
    var time: UInt64 = 1_800_000_000

    init() throws {
        let g = try Genesis(json: Data(Genesis.devnetJSON.utf8), parameters: SystemContracts.provernet.parameters)
        let store = MemoryStore()
        let contracts = SystemContracts.provernet
        try Blockchain.initialize(store: store, genesis: g, contracts: contracts)
        chain = try Blockchain(store: store, genesis: g, contracts: contracts)
    }

    func tx(_ key: PrivateKey, to: Address, _ signature: String, _ args: [ABIValue], value: UInt256 = .zero,
            gas: UInt64 = 2_000_000) -> SignedTransaction {
        let n = nonces[key.address, default: 0]
        nonces[key.address] = n + 1
        let data = try! ABI.encodeCall(signature: signature, args)
        return Transaction.dynamicFee(chainID: 70001, nonce: n, maxPriorityFeePerGas: 1, maxFeePerGas: 100_000_000_000,
                                      gasLimit: gas, to: to, value: value, data: data).signed(with: key)
    }

    /// Seals one block with `txs`; returns their receipts.
    @discardableResult
    func block(_ txs: [SignedTransaction]) throws -> [Receipt] {
        time += 1
        let r = try chain.sealNext(candidates: txs.map { ($0, try! $0.recoverSender()) }, key: sealer, timestamp: time)
        #expect(r.skipped.isEmpty, "\(r.skipped.map(\.reason))")
        return r.receipts
    }

    /// Runs a view through the contract directly on the latest state.
    func view(_ contract: any SystemContract, _ signature: String, _ args: [ABIValue], returns: String) throws -> [ABIValue] {
        let data = try ABI.encodeCall(signature: signature, args)
        let ctx = BlockContext(number: chain.head.number + 1, timestamp: time, coinbase: sealer.address, baseFee: 1,
                               gasLimit: 30_000_000, chainID: 70001, params: try chain.latestState().params(chain.parameters))
        let out = try contract.call(SystemCall(caller: .zero, value: .zero, input: data, gasAvailable: 10_000_000, isTransaction: false),
                                    state: chain.latestState(), context: ctx)
        return try ABI.decode(try ABIType.parseList(returns), from: out.returnData)
    }

    func revertReason(_ r: Receipt) -> String? { r.status ? nil : ABI.decodeRevertReason(r.revertData) }
}

@Suite struct StakingTests {
    let c = StakingContract()

    @Test func genesisProversHaveVaults() throws {
        let h = try Harness()
        let p = try h.view(c, "getProver(address)", [.address(keys[1].address)],
                           returns: "string,uint256,uint256,uint16,uint8,uint64,uint64,uint64")
        #expect(p[0].stringValue == "devnet-prover-1")
        #expect(p[1].uintValue == 2_000 * brev && p[2].uintValue == 2_000 * brev)
        #expect(try h.view(c, "totalStaked()", [], returns: "uint256")[0].uintValue == 4_000 * brev)
        #expect(try h.chain.latestState().balance(staking) == 4_000 * brev)
    }

    @Test func registerStakeUnstakeLifecycle() throws {
        let h = try Harness()
        let prover = keys[3], delegator = keys[0]
        var r = try h.block([
            h.tx(prover, to: staking, "registerProver(string,uint16)", [.string("p3"), .uint(500)], value: 1_500 * brev),
        ])
        #expect(r[0].status, "\(String(describing: h.revertReason(r[0])))")
        #expect(r[0].logs.first?.topics.first == StakingContract.proverRegistered.topic)
        #expect(r[0].logs.first?.topics[1] == Hash32(prover.address.uint256))
        r = try h.block([h.tx(delegator, to: staking, "stake(address)", [.address(prover.address)], value: 500 * brev)])
        #expect(r[0].status)
        var stake = try h.view(c, "getStake(address,address)", [.address(delegator.address), .address(prover.address)],
                               returns: "uint256,uint256,uint256")
        #expect(stake[0].uintValue == 500 * brev && stake[1].uintValue == 500 * brev)
        // Two-phase unstake: shares leave the position now, BREV after the delay.
        r = try h.block([h.tx(delegator, to: staking, "requestUnstake(address,uint256)", [.address(prover.address), .uint(200 * brev)])])
        #expect(r[0].status)
        r = try h.block([h.tx(delegator, to: staking, "completeUnstake()", [])])
        #expect(h.revertReason(r[0]) == "nothing to withdraw yet")
        stake = try h.view(c, "getStake(address,address)", [.address(delegator.address), .address(prover.address)],
                           returns: "uint256,uint256,uint256")
        #expect(stake[0].uintValue == 300 * brev && stake[2].uintValue == 200 * brev)
        for _ in 0..<50 { try h.block([]) }
        let before = try h.chain.latestState().balance(delegator.address)
        r = try h.block([h.tx(delegator, to: staking, "completeUnstake()", [])])
        #expect(r[0].status)
        let after = try h.chain.latestState().balance(delegator.address)
        #expect(after + UInt256(r[0].gasUsed) * r[0].effectiveGasPrice == before + 200 * brev)
        #expect(try h.chain.latestState().balance(staking) == (try h.view(c, "totalStaked()", [], returns: "uint256")[0].uintValue!))
    }

    @Test func reverts() throws {
        let h = try Harness()
        let p = keys[3]
        let r = try h.block([
            h.tx(p, to: staking, "registerProver(string,uint16)", [.string("x"), .uint(500)], value: 10 * brev),
            h.tx(p, to: staking, "registerProver(string,uint16)", [.string(""), .uint(500)], value: 2_000 * brev),
            h.tx(p, to: staking, "registerProver(string,uint16)", [.string("x"), .uint(10_001)], value: 2_000 * brev),
            h.tx(keys[1], to: staking, "registerProver(string,uint16)", [.string("again"), .uint(1)], value: 2_000 * brev),
            h.tx(p, to: staking, "stake(address)", [.address(Address(low: 0xabc))], value: brev),
            h.tx(p, to: staking, "stake(address)", [.address(keys[1].address)]),
            h.tx(p, to: staking, "requestUnstake(address,uint256)", [.address(keys[1].address), .uint(1)]),
            h.tx(p, to: staking, "setCommission(uint16)", [.uint(5)]),
            h.tx(p, to: staking, "totalStaked()", [], value: 1),
        ])
        #expect(r.map { h.revertReason($0) } == [
            "self-stake below minSelfStake", "name must be 1 to 64 bytes", "commission above 10000 bps",
            "prover already registered", "unknown prover", "nothing staked", "not enough shares", "not a prover",
            "totalStaked is not payable",
        ])
        // Reverted calls return the value: the staking balance is unchanged.
        #expect(try h.chain.latestState().balance(staking) == 4_000 * brev)
        // Malformed calldata and unknown selectors revert; they never crash.
        var bad = h.tx(p, to: staking, "stake(address)", [.address(keys[1].address)], value: brev)
        var t = bad.transaction
        t.data = Array(t.data.prefix(10))
        bad = t.signed(with: p)
        var unknown = h.tx(p, to: staking, "nope()", [])
        let r2 = try h.block([bad, unknown])
        #expect(h.revertReason(r2[0])?.hasPrefix("malformed calldata for stake") == true)
        #expect(h.revertReason(r2[1])?.hasPrefix("Staking: unknown method") == true)
        unknown = h.tx(p, to: staking, "deactivate()", [])
        _ = unknown
    }

    @Test func proverUnderMinimumIsDeactivated() throws {
        let h = try Harness()
        let p = keys[1]
        let r = try h.block([h.tx(p, to: staking, "requestUnstake(address,uint256)", [.address(p.address), .uint(1_500 * brev)])])
        #expect(r[0].status)
        #expect(r[0].logs.contains { $0.topics.first == StakingContract.proverDeactivated.topic })
        let st = try h.view(c, "getProver(address)", [.address(p.address)], returns: "string,uint256,uint256,uint16,uint8,uint64,uint64,uint64")
        #expect(st[4].uintValue == 1)
        let r2 = try h.block([h.tx(keys[0], to: staking, "stake(address)", [.address(p.address)], value: brev)])
        #expect(h.revertReason(r2[0]) == "prover is not active")
    }

    @Test func abiJSONLoadsAsStandardABI() throws {
        let json = try JSONSerialization.jsonObject(with: Data(c.abiJSON.text.utf8)) as! [[String: Any]]
        let names = Set(json.compactMap { $0["name"] as? String })
        #expect(names.isSuperset(of: ["registerProver", "stake", "requestUnstake", "completeUnstake", "getProver", "Staked"]))
    }
}
