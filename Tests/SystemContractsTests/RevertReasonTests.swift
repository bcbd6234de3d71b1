import ABI
import Chain
import Primitives
import SystemContracts
import Testing

/// The revert reasons the other suites do not reach.
@Suite struct RevertReasonTests {
    @Test func stakingLimits() throws {
        let h = try Harness()
        // Ten pending unstakes at most.
        let unstakes = (0..<11).map { _ in h.tx(keys[1], to: staking, "requestUnstake(address,uint256)", [.address(keys[1].address), .uint(brev)]) }
        let r = try h.block(unstakes)
        #expect(r.prefix(10).allSatisfy { $0.status })
        #expect(h.revertReason(r[10]) == "too many pending unstakes")
        let d = try h.block([h.tx(keys[2], to: staking, "deactivate()", []), h.tx(keys[2], to: staking, "deactivate()", []),
                             h.tx(keys[0], to: staking, "requestUnstake(address,uint256)", [.address(keys[1].address), .uint(.zero)])])
        #expect(d.map { h.revertReason($0) } == [nil, "already deactivated", "zero shares"])
    }

    @Test func marketReasons() throws {
        let h = try Harness()
        let prog = try h.program()
        let id = try h.request(prog, maxFee: brev)
        let unknown = UInt256(99)
        let r = try h.block([
            h.tx(keys[0], to: market, "bid(uint256,bytes32)", [.uint(unknown), .fixedBytes([UInt8](repeating: 0, count: 32))]),
            h.tx(keys[3], to: market, "slash(uint256)", [.uint(id)]),
            h.tx(keys[3], to: market, "refund(uint256)", [.uint(unknown)]),
        ])
        #expect(r.map { h.revertReason($0) } == ["unknown request", "request was never assigned", "unknown request"])
        _ = try h.block([h.bidTx(keys[1], id, fee: 2 * brev, nonce: 1)])
        try h.blocks(3)
        let rv = try h.block([h.revealTx(keys[1], id, fee: 2 * brev, nonce: 1), h.revealTx(keys[2], id, fee: 1, nonce: 1)])
        #expect(rv.map { h.revertReason($0) } == ["fee above maxFee", "no bid to reveal"])
        let views = try h.block([h.tx(keys[0], to: market, "getRequest(uint256)", [.uint(unknown)]),
                                 h.tx(keys[0], to: market, "getProgram(bytes32)", [.fixedBytes([UInt8](repeating: 1, count: 32))])])
        #expect(views.map { h.revertReason($0) } == ["unknown request", "unknown program"])
    }

    @Test func governanceReasons() throws {
        let h = try Harness()
        let (id, _) = try h.propose("jailBlocks", 50)
        let pid = try #require(id)
        let long = String(repeating: "x", count: 4_097)
        let r = try h.block([
            h.vote(keys[1], UInt256(77), true),
            h.tx(keys[0], to: governance, "propose(string,uint256,string)", [.string("jailBlocks"), .uint(60), .string(long)], value: 100 * brev),
        ])
        #expect(r.map { h.revertReason($0) } == ["unknown proposal", "description longer than 4096 bytes"])
        try h.blocks(20)
        let late = try h.block([h.vote(keys[1], pid, true)])
        #expect(h.revertReason(late[0]) == "voting is closed")
    }

    @Test func malformedCallsNeverCrash() throws {
        let h = try Harness()
        var rng = SystemRandomNumberGenerator()
        var txs: [SignedTransaction] = []
        for contract in [staking, market, governance] {
            for _ in 0..<20 {
                let n = h.nonces[keys[0].address, default: 0]
                h.nonces[keys[0].address] = n + 1
                let data = (0..<Int.random(in: 0...80, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                txs.append(Transaction.dynamicFee(chainID: 70001, nonce: n, maxPriorityFeePerGas: 1, maxFeePerGas: 100_000_000_000,
                                                  gasLimit: 1_000_000, to: contract, value: .zero, data: data).signed(with: keys[0]))
            }
        }
        let r = try h.block(txs)
        #expect(r.count == 60 && r.allSatisfy { !$0.status })
        #expect(try h.chain.supplyHoldsForContracts())
    }
}

import Transactions

@Suite struct RemainingHappyPathTests {
    @Test func commissionBidsCountsOutputsProposals() throws {
        let h = try Harness()
        let c = try h.block([h.tx(keys[1], to: staking, "setCommission(uint16)", [.uint(1_234)])])
        #expect(c[0].status && c[0].logs.first?.topics.first == StakingContract.commissionChanged.topic)
        let p = try h.view(StakingContract(), "getProver(address)", [.address(keys[1].address)],
                           returns: "string,uint256,uint256,uint16,uint8,uint64,uint64,uint64")
        #expect(p[3].uintValue == 1_234)
        let id = try h.request(try h.program())
        _ = try h.block([h.bidTx(keys[1], id, fee: 10, nonce: 1), h.bidTx(keys[2], id, fee: 20, nonce: 2)])
        try h.blocks(3)
        _ = try h.block([h.revealTx(keys[2], id, fee: 20, nonce: 2)])
        let bids = try h.view(MarketContract(), "getBids(uint256)", [.uint(id)], returns: "address[],bool[],uint256[]")
        #expect(bids[0].arrayValue?.compactMap(\.addressValue) == [keys[1].address, keys[2].address])
        #expect(bids[1].arrayValue?.compactMap(\.boolValue) == [false, true])
        #expect(bids[2].arrayValue?.compactMap(\.uintValue) == [0, 20], "unrevealed fees stay hidden")
        #expect(try h.view(MarketContract(), "requestCount()", [], returns: "uint256")[0].uintValue == 1)
        #expect(try h.view(MarketContract(), "getOutput(uint256)", [.uint(id)], returns: "bytes")[0].bytesValue == [])
        _ = try h.propose("jailBlocks", 7)
        #expect(try h.view(GovernanceContract(), "proposalCount()", [], returns: "uint256")[0].uintValue == 1)
    }
}
