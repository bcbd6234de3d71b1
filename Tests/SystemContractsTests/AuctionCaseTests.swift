import ABI
import Chain
import Primitives
import SystemContracts
import Testing

/// The auction and slashing cases DESIGN.md section 3 spells out, one by one.
@Suite struct AuctionCaseTests {
    /// Brings a request from bidding to the end of its reveal phase.
    func toReveal(_ h: Harness) throws { try h.blocks(4) }
    func toAssignment(_ h: Harness) throws { try h.blocks(5) }

    @Test func tiesGoToTheEarlierReveal() throws {
        let h = try Harness()
        let id = try h.request(try h.program())
        _ = try h.block([h.bidTx(keys[1], id, fee: 700, nonce: 1), h.bidTx(keys[2], id, fee: 700, nonce: 2)])
        try toReveal(h)
        _ = try h.block([h.revealTx(keys[2], id, fee: 700, nonce: 2)])
        _ = try h.block([h.revealTx(keys[1], id, fee: 700, nonce: 1)])
        try toAssignment(h)
        let r = try h.request(id)
        #expect(r[8].addressValue == keys[2].address, "the earlier reveal wins a tie")
        #expect(r[9].uintValue == 700)
    }

    @Test func unrevealedBidsDoNotCountAndNoRevealsMeansNoWinner() throws {
        let h = try Harness()
        let prog = try h.program()
        let a = try h.request(prog), b = try h.request(prog)
        _ = try h.block([h.bidTx(keys[1], a, fee: 100, nonce: 1), h.bidTx(keys[2], a, fee: 900, nonce: 2),
                         h.bidTx(keys[1], b, fee: 100, nonce: 3)])
        try h.blocks(3)
        // keys[1] never reveals on `a`; nobody reveals on `b`.
        _ = try h.block([h.revealTx(keys[2], a, fee: 900, nonce: 2)])
        try toAssignment(h)
        let ra = try h.request(a), rb = try h.request(b)
        #expect(ra[8].addressValue == keys[2].address && ra[9].uintValue == 900, "alone among revealed bids: its own fee")
        #expect(rb[8].addressValue == .zero && rb[7].uintValue == 5, "no reveals: no winner")
        let refund = try h.block([h.tx(keys[3], to: market, "refund(uint256)", [.uint(b)])])
        #expect(refund[0].status, "a request without a winner is refundable")
    }

    @Test func aCopiedBidHashIsWorthless() throws {
        let h = try Harness()
        let id = try h.request(try h.program())
        // keys[2] copies keys[1]'s hash; it cannot reveal it, because the hash binds the prover.
        let original = MarketContract.bidHash(requestId: id, prover: keys[1].address, fee: 50, nonce: [UInt8](repeating: 4, count: 32))
        _ = try h.block([h.bidTx(keys[1], id, fee: 50, nonce: 4),
                         h.tx(keys[2], to: market, "bid(uint256,bytes32)", [.uint(id), .fixedBytes(original.bytes)])])
        try toReveal(h)
        let r = try h.block([h.revealTx(keys[2], id, fee: 50, nonce: 4)])
        #expect(h.revertReason(r[0]) == "reveal does not match the bid")
    }

    @Test func revealAfterThePhaseIsRefused() throws {
        let h = try Harness()
        let id = try h.request(try h.program())
        _ = try h.block([h.bidTx(keys[1], id, fee: 50, nonce: 4)])
        try h.blocks(9)
        let r = try h.block([h.revealTx(keys[1], id, fee: 50, nonce: 4)])
        #expect(h.revertReason(r[0]) == "not in the reveal phase")
    }

    @Test func aProverOverItsStakeLimitCannotBid() throws {
        let h = try Harness()
        let prog = try h.program()
        // keys[1] has 2,000 BREV; each request needs minStake 1,000 plus 50% of what is already assigned.
        var ids: [UInt256] = []
        for _ in 0..<3 { ids.append(try h.request(prog, deadlineIn: 60)) }
        _ = try h.block([h.bidTx(keys[1], ids[0], fee: 1, nonce: 1), h.bidTx(keys[1], ids[1], fee: 1, nonce: 2)])
        try h.blocks(3)
        _ = try h.block([h.revealTx(keys[1], ids[0], fee: 1, nonce: 1), h.revealTx(keys[1], ids[1], fee: 1, nonce: 2)])
        try toAssignment(h)
        // Two assignments (2,000 assigned): a bid needs 1,000 + 2,000 × 50% = 2,000, exactly the vault.
        let next = try h.request(prog)
        let r = try h.block([h.bidTx(keys[1], next, fee: 1, nonce: 9)])
        #expect(r[0].status, "2,000 BREV covers 1,000 + 2,000 × 50%")
        let vaults = Vaults(state: h.chain.latestState())
        #expect(try vaults.prover(keys[1].address)?.assignedStake == 2_000 * brev)
        try h.blocks(3)
        _ = try h.block([h.revealTx(keys[1], next, fee: 1, nonce: 9)])
        try toAssignment(h)
        // Now 3,000 assigned: 1,000 + 1,500 = 2,500 > 2,000.
        let last = try h.request(prog)
        let refused = try h.block([h.bidTx(keys[1], last, fee: 1, nonce: 7)])
        #expect(h.revertReason(refused[0]) == "stake below minStake plus over-commitment")
    }

    @Test func slashWindowAndPendingUnstakes() throws {
        let h = try Harness()
        let prog = try h.program()
        let id = try h.request(prog, deadlineIn: 20)
        _ = try h.block([h.bidTx(keys[1], id, fee: 5, nonce: 1)])
        try h.blocks(3)
        _ = try h.block([h.revealTx(keys[1], id, fee: 5, nonce: 1)])
        // The prover tries to run: half its shares go pending. Pending shares stay slashable.
        _ = try h.block([h.tx(keys[1], to: staking, "requestUnstake(address,uint256)", [.address(keys[1].address), .uint(1_000 * brev)])])
        try h.blocks(20)
        _ = try h.block([h.tx(keys[3], to: market, "refund(uint256)", [.uint(id)])])
        let before = try Vaults(state: h.chain.latestState()).prover(keys[1].address)!
        let s = try h.block([h.tx(keys[3], to: market, "slash(uint256)", [.uint(id)])])
        #expect(s[0].status)
        let after = try Vaults(state: h.chain.latestState()).prover(keys[1].address)!
        #expect(after.assets == before.assets - 200 * brev, "10% cap of the whole vault, pending shares included")
        #expect(after.totalShares == before.totalShares, "shares unchanged: their price fell")
        // After the window: refused.
        let id2 = try h.request(prog, deadlineIn: 20)
        _ = try h.block([h.bidTx(keys[2], id2, fee: 5, nonce: 1)])
        try h.blocks(3)
        _ = try h.block([h.revealTx(keys[2], id2, fee: 5, nonce: 1)])
        try h.blocks(20)
        _ = try h.block([h.tx(keys[3], to: market, "refund(uint256)", [.uint(id2)])])
        try h.blocks(100)
        let late = try h.block([h.tx(keys[3], to: market, "slash(uint256)", [.uint(id2)])])
        #expect(h.revertReason(late[0]) == "slash window closed")
        #expect(try h.chain.supplyHoldsForContracts())
    }
}
