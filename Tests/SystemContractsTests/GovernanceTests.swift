import ABI
import Chain
import Primitives
import SystemContracts
import Testing

let governance = GovernanceContract.contractAddress

extension Harness {
    func propose(_ param: String, _ value: UInt256, deposit: UInt256 = 100 * brev) throws -> (UInt256?, String?) {
        let r = try block([tx(keys[0], to: governance, "propose(string,uint256,string)", [.string(param), .uint(value), .string("why not")],
                              value: deposit)])
        return (r[0].status ? r[0].logs[0].topics[1].uint256 : nil, revertReason(r[0]))
    }

    func vote(_ k: PrivateKeyLike, _ id: UInt256, _ yes: Bool) -> SignedTransactionLike {
        tx(k, to: governance, "vote(uint256,bool)", [.uint(id), .bool(yes)])
    }

    func proposalStatus(_ id: UInt256) throws -> UInt256 {
        try view(GovernanceContract(), "getProposal(uint256)", [.uint(id)],
                 returns: "address,string,uint256,uint64,uint64,uint256,uint256,uint8")[7].uintValue!
    }
}

@Suite struct GovernanceTests {
    @Test func passedProposalChangesTheParameterFromTheNextBlock() throws {
        let h = try Harness()
        let (id, _) = try h.propose("biddingBlocks", 7)
        let pid = try #require(id)
        // Wallets estimate gas with eth_call first: the dry run sees the voting-power snapshot too.
        let estimate = try h.chain.estimateGas(CallMessage(from: keys[1].address, to: governance,
                                                           data: try ABI.encodeCall(signature: "vote(uint256,bool)", [.uint(pid), .bool(true)])),
                                               at: h.chain.head)
        #expect(estimate > 21_000)
        let r = try h.block([h.vote(keys[1], pid, true), h.vote(keys[1], pid, false)])
        #expect(r.map { h.revertReason($0) } == [nil, "already voted"])
        let before = try h.chain.latestState().balance(keys[0].address)
        try h.blocks(20)
        #expect(try h.proposalStatus(pid) == 1)
        #expect(try h.chain.latestState().params(h.chain.parameters)[MarketParameter.biddingBlocks] == 7)
        #expect(try h.chain.latestState().balance(keys[0].address) == before + 100 * brev, "deposit returned")
    }

    @Test func thresholdAndQuorum() throws {
        let h = try Harness()
        let (a, _) = try h.propose("revealBlocks", 9)
        let (b, _) = try h.propose("jailBlocks", 5)
        let tie = try #require(a), quiet = try #require(b)
        _ = try h.block([h.vote(keys[1], tie, true), h.vote(keys[2], tie, false)])
        let burnedBefore = try h.chain.latestState().number(.burned)
        try h.blocks(20)
        #expect(try h.proposalStatus(tie) == 2, "a tie does not pass the 50% threshold")
        #expect(try h.proposalStatus(quiet) == 3, "no votes: quorum missed")
        let params = try h.chain.latestState().params(h.chain.parameters)
        #expect(params[MarketParameter.revealBlocks] == 5 && params[MarketParameter.jailBlocks] == 100)
        #expect(try h.chain.latestState().number(.burned) >= burnedBefore + 100 * brev, "missed quorum burns the deposit")
        #expect(try h.chain.supplyHoldsForContracts())
    }

    @Test func movedStakeCannotVoteTwice() throws {
        let h = try Harness()
        let (id, _) = try h.propose("slashBps", 4_000)
        let pid = try #require(id)
        // keys[3] gets stake only after the proposal: no voting power.
        _ = try h.block([h.tx(keys[3], to: staking, "stake(address)", [.address(keys[1].address)], value: 3_000 * brev)])
        let r = try h.block([h.vote(keys[3], pid, true), h.vote(keys[0], pid, true)])
        #expect(r.map { h.revertReason($0) } == ["no bonded stake at the proposal's creation", "no bonded stake at the proposal's creation"])
    }

    @Test func outOfBoundsAndUnknownParametersAreRefused() throws {
        let h = try Harness()
        #expect(try h.propose("biddingBlocks", 0).1 == "parameter biddingBlocks = 0 is outside [1, 10000]")
        #expect(try h.propose("noSuchParam", 1).1 == "unknown parameter noSuchParam")
        #expect(try h.propose("minMaxFee", 2_000_000 * brev).1?.hasPrefix("parameter") == true)
        #expect(try h.propose("votingBlocks", 10, deposit: brev).1 == "deposit below minDeposit")
    }
}
