import ABI
import Chain
import Primitives
import SystemContracts
import Testing
import TestSupport

let market = MarketContract.contractAddress

extension Harness {
    func program() throws -> Hash32 {
        let r = try block([tx(keys[0], to: market, "registerProgram(bytes)", [.bytes(haltELF())], gas: 1_000_000)])
        #expect(r[0].status, "\(String(describing: revertReason(r[0])))")
        return try #require(r[0].logs.first, "the program was registered before: no event").topics[1]
    }

    /// Opens a request; returns its id.
    func request(_ program: Hash32, maxFee: UInt256 = brev, deadlineIn: UInt64 = 30) throws -> UInt256 {
        let deadline = chain.head.number + 1 + deadlineIn
        let r = try block([tx(keys[0], to: market, "requestProof(bytes32,bytes,uint256,uint64)",
                              [.fixedBytes(program.bytes), .bytes([1, 2, 3]), .uint(1_000 * brev), .uint(UInt256(deadline))],
                              value: maxFee)])
        #expect(r[0].status, "\(String(describing: revertReason(r[0])))")
        return try #require(r[0].logs.first).topics[1].uint256
    }

    func request(_ id: UInt256) throws -> [ABIValue] {
        try view(MarketContract(), "getRequest(uint256)", [.uint(id)],
                 returns: "address,bytes32,uint256,uint256,uint64,uint64,uint8,uint8,address,uint256,uint64")
    }

    func bidTx(_ k: PrivateKeyLike, _ id: UInt256, fee: UInt256, nonce: UInt8) -> SignedTransactionLike {
        let h = MarketContract.bidHash(requestId: id, prover: k.address, fee: fee, nonce: [UInt8](repeating: nonce, count: 32))
        return tx(k, to: market, "bid(uint256,bytes32)", [.uint(id), .fixedBytes(h.bytes)])
    }

    func revealTx(_ k: PrivateKeyLike, _ id: UInt256, fee: UInt256, nonce: UInt8) -> SignedTransactionLike {
        tx(k, to: market, "reveal(uint256,uint256,bytes32)", [.uint(id), .uint(fee), .fixedBytes([UInt8](repeating: nonce, count: 32))])
    }

    func blocks(_ n: Int) throws { for _ in 0..<n { try block([]) } }
}

import Secp256k1
import Transactions
typealias PrivateKeyLike = PrivateKey
typealias SignedTransactionLike = SignedTransaction

@Suite struct MarketTests {
    @Test func programsAreIdentifiedByTheirImage() throws {
        let h = try Harness()
        let id = try h.program()
        let again = try h.block([h.tx(keys[1], to: market, "registerProgram(bytes)", [.bytes(haltELF())], gas: 1_000_000)])
        #expect(again[0].status && again[0].logs.isEmpty, "the same ELF is the same program")
        let bad = try h.block([h.tx(keys[1], to: market, "registerProgram(bytes)", [.bytes([0x7f, 0x45, 0x4c, 0x47])], gas: 1_000_000)])
        #expect(h.revertReason(bad[0])?.hasPrefix("invalid ELF") == true)
        let p = try h.view(MarketContract(), "getProgram(bytes32)", [.fixedBytes(id.bytes)], returns: "address,uint64,uint256")
        #expect(p[0].addressValue == keys[0].address)
    }

    @Test func requestValidationAndEscrow() throws {
        let h = try Harness()
        let prog = try h.program()
        let n = h.chain.head.number + 1
        func req(_ value: UInt256, minStake: UInt256 = 1_000 * brev, deadline: UInt64, program: Hash32? = nil, input: [UInt8] = [1]) -> SignedTransaction {
            h.tx(keys[0], to: market, "requestProof(bytes32,bytes,uint256,uint64)",
                 [.fixedBytes((program ?? prog).bytes), .bytes(input), .uint(minStake), .uint(UInt256(deadline))], value: value)
        }
        let r = try h.block([
            req(brev, deadline: n + 30, program: Hash32.keccak256([9])),
            req(1, deadline: n + 30),
            req(brev, minStake: brev, deadline: n + 30),
            req(brev, deadline: n + 10),
            req(brev, deadline: n + 2_000),
            req(brev, deadline: n + 30, input: [UInt8](repeating: 1, count: 65_537)),
            req(brev, deadline: n + 30),
        ])
        #expect(r.map { h.revertReason($0) } == [
            "unknown program", "maxFee below minMaxFee", "minStake below minSelfStake",
            "deadline before the end of the reveal phase", "deadline beyond maxDeadlineBlocks", "input larger than maxInputBytes", nil,
        ])
        #expect(try h.chain.latestState().balance(market) == brev)
    }

    @Test func secondPriceAuction() throws {
        let h = try Harness()
        let id = try h.request(try h.program())
        // Bidding: both genesis provers; a copied hash is worthless; a non-prover cannot bid.
        let r1 = try h.block([h.bidTx(keys[1], id, fee: 300, nonce: 1), h.bidTx(keys[2], id, fee: 200, nonce: 2),
                              h.bidTx(keys[3], id, fee: 100, nonce: 3), h.bidTx(keys[1], id, fee: 1, nonce: 1)])
        #expect(r1.map { h.revertReason($0) } == [nil, nil, "not a prover", "already bid"])
        let early = try h.block([h.revealTx(keys[1], id, fee: 300, nonce: 1)])
        #expect(h.revertReason(early[0]) == "not in the reveal phase")
        try h.blocks(3)
        let late = try h.block([h.bidTx(keys[2], id, fee: 1, nonce: 9)])
        #expect(h.revertReason(late[0]) == "not in the bidding phase")
        let rv = try h.block([h.revealTx(keys[1], id, fee: 301, nonce: 1), h.revealTx(keys[1], id, fee: 300, nonce: 1),
                              h.revealTx(keys[2], id, fee: 200, nonce: 2), h.revealTx(keys[2], id, fee: 200, nonce: 2)])
        #expect(rv.map { h.revertReason($0) } == ["reveal does not match the bid", nil, nil, "already revealed"])
        try h.blocks(5)
        let req = try h.request(id)
        // The assignment happened at the end of a block: its event is stored and found by log queries.
        let assigned = try h.chain.logs(from: 0, to: h.chain.head.number,
                                        filter: LogFilter(addresses: [market], topics: [[MarketContract.requestAssigned.topic]]))
        #expect(assigned.count == 1)
        #expect(assigned.first?.log.topics[2] == Hash32(keys[2].address.uint256))
        #expect(try h.chain.reader.blockLogs(blockHash: try #require(assigned.first).blockHash).count == 1)
        #expect(req[8].addressValue == keys[2].address, "lowest fee wins")
        #expect(req[9].uintValue == 300, "paid the second-lowest fee")
        #expect(req[7].uintValue == 2, "proving phase")
    }

    @Test func refundsAndSlashing() throws {
        let h = try Harness()
        let prog = try h.program()
        // No bids: refundable after the bidding phase.
        let quiet = try h.request(prog)
        // One bidder that wins alone at its own price, then misses the deadline.
        let id = try h.request(prog, deadlineIn: 20)
        _ = try h.block([h.bidTx(keys[1], id, fee: 500, nonce: 7)])
        try h.blocks(4)
        _ = try h.block([h.revealTx(keys[1], id, fee: 500, nonce: 7)])
        try h.blocks(5)
        #expect(try h.request(id)[9].uintValue == 500)
        let tooEarly = try h.block([h.tx(keys[3], to: market, "slash(uint256)", [.uint(id)]),
                                    h.tx(keys[3], to: market, "refund(uint256)", [.uint(id)]),
                                    h.tx(keys[3], to: market, "refund(uint256)", [.uint(quiet)])])
        #expect(tooEarly.map { h.revertReason($0) } == ["deadline not passed", "request is not refundable", nil])
        try h.blocks(8)
        let before = try h.chain.latestState().balance(keys[0].address)
        let r = try h.block([h.tx(keys[3], to: market, "refund(uint256)", [.uint(id)])])
        #expect(r[0].status)
        #expect(try h.chain.latestState().balance(keys[0].address) == before + brev)
        let vaultBefore = try h.view(StakingContract(), "getProver(address)", [.address(keys[1].address)],
                                     returns: "string,uint256,uint256,uint16,uint8,uint64,uint64,uint64")[1].uintValue!
        let s = try h.block([h.tx(keys[3], to: market, "slash(uint256)", [.uint(id)]), h.tx(keys[3], to: market, "slash(uint256)", [.uint(id)])])
        #expect(s.map { h.revertReason($0) } == [nil, "already slashed"])
        let p = try h.view(StakingContract(), "getProver(address)", [.address(keys[1].address)],
                           returns: "string,uint256,uint256,uint16,uint8,uint64,uint64,uint64")
        // 50% of minStake (1,000) wanted, capped at 10% of the 2,000 BREV vault.
        #expect(p[1].uintValue == vaultBefore - 200 * brev)
        #expect(p[4].uintValue == 2, "jailed")
        #expect(p[6].uintValue == 1, "one missed proof")
        // Jailed provers cannot bid.
        let next = try h.request(prog)
        let jb = try h.block([h.bidTx(keys[1], next, fee: 1, nonce: 1)])
        #expect(h.revertReason(jb[0]) == "prover is jailed")
        #expect(try h.chain.latestState().balance(MarketContract.treasuryAddress) == 180 * brev)
        #expect(try h.chain.supplyHoldsForContracts())
    }
}

extension Blockchain {
    /// Total BREV = supply − burned; the staking balance backs the vaults; escrow backs requests.
    func supplyHoldsForContracts() throws -> Bool {
        let s = latestState()
        var total = UInt256.zero
        try store.scan(prefix: [0x73, StateNamespace.account.rawValue]) { _, v in
            total = total + (try Account(decoding: v)).balance
            return true
        }
        let vaults = try Vaults(state: s).totalStaked()
        let escrow = try MarketStore(state: s).escrow()
        let burned = try s.number(.burned), supply = try s.number(.supply)
        let stakingBalance = try s.balance(StakingContract.contractAddress), marketBalance = try s.balance(MarketContract.contractAddress)
        return total + burned == supply && stakingBalance == vaults && marketBalance == escrow
    }
}
