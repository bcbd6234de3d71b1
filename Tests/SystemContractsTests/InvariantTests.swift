import ABI
import Chain
import Primitives
import Secp256k1
import SystemContracts
import Testing
import Transactions
import TestSupport

/// Random sequences of every operation by several accounts; after every block the market's
/// invariants hold: total BREV = supply − burned, the staking balance equals the vaults' assets,
/// each vault's assets cover what its shares are worth (within one wei per staker of rounding),
/// and the market's balance equals the escrow of open requests.
@Suite struct InvariantTests {
    @Test(arguments: [1, 2, 3] as [UInt64])
    func randomOperationsKeepInvariants(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let h = try Harness()
        let program = try h.program()
        let actors = keys
        var provers: [Address] = [keys[1].address, keys[2].address]  // an array: Set order varies per process
        var requests: [UInt256] = []
        var bids: [(UInt256, PrivateKey, UInt256, UInt8)] = []
        var proposals: [UInt256] = []
        var seen: [Hash32: Int] = [:]
        func pick<T>(_ xs: [T]) -> T { xs[Int(rng.next() % UInt64(xs.count))] }
        for _ in 0..<45 {
            var txs: [SignedTransaction] = []
            for _ in 0..<(1 + Int(rng.next() % 6)) {
                let k = pick(actors)
                switch rng.next() % 12 {
                case 0:
                    txs.append(h.tx(k, to: staking, "registerProver(string,uint16)", [.string("p\(rng.next() % 100)"), .uint(UInt256(rng.next() % 3000))],
                                    value: UInt256(1_000 + rng.next() % 500) * brev))
                case 1:
                    txs.append(h.tx(k, to: staking, "stake(address)", [.address(pick(provers))], value: UInt256(1 + rng.next() % 300) * brev / 3))
                case 2:
                    // Mostly part of a real position (so some succeed), sometimes a random one.
                    let vaults = Vaults(state: h.chain.latestState())
                    let positions = try vaults.positions(k.address)
                    if let p = positions.first, rng.next() % 4 != 0 {
                        let have = try vaults.shares(staker: k.address, prover: p)
                        txs.append(h.tx(k, to: staking, "requestUnstake(address,uint256)", [.address(p), .uint(have / 3 + 1)]))
                    } else {
                        txs.append(h.tx(k, to: staking, "requestUnstake(address,uint256)", [.address(pick(provers)), .uint(UInt256(rng.next() % 400) * brev)]))
                    }
                case 3:
                    txs.append(h.tx(k, to: staking, "completeUnstake()", []))
                case 4:
                    let deadline = h.chain.head.number + 12 + rng.next() % 20
                    txs.append(h.tx(k, to: market, "requestProof(bytes32,bytes,uint256,uint64)",
                                    [.fixedBytes(program.bytes), .bytes([UInt8(rng.next() % 256)]), .uint(1_000 * brev), .uint(UInt256(deadline))],
                                    value: UInt256(1 + rng.next() % 5) * brev))
                case 5 where !requests.isEmpty:
                    let id = pick(requests), fee = UInt256(rng.next() % 1_000_000), nonce = UInt8(rng.next() % 256)
                    bids.append((id, k, fee, nonce))
                    txs.append(h.bidTx(k, id, fee: fee, nonce: nonce))
                case 6 where !bids.isEmpty:
                    let (id, bk, fee, nonce) = pick(bids)
                    txs.append(h.revealTx(bk, id, fee: fee, nonce: nonce))
                case 7 where !requests.isEmpty:
                    txs.append(h.tx(k, to: market, "refund(uint256)", [.uint(pick(requests))]))
                case 8 where !requests.isEmpty:
                    txs.append(h.tx(k, to: market, "slash(uint256)", [.uint(pick(requests))]))
                case 9:
                    txs.append(h.tx(k, to: governance, "propose(string,uint256,string)",
                                    [.string(pick(["biddingBlocks", "revealBlocks", "slashBps", "protocolFeeBps"])), .uint(UInt256(1 + rng.next() % 9)), .string("")],
                                    value: 100 * brev))
                case 10 where !proposals.isEmpty:
                    txs.append(h.vote(k, pick(proposals), rng.next() % 2 == 0))
                default:
                    txs.append(transferTx(h, k, to: pick(actors).address, value: UInt256(rng.next() % 1_000) * brev / 7))
                }
            }
            let receipts = try h.block(txs)
            for (t, r) in zip(txs, receipts) where r.status {
                for log in r.logs {
                    seen[log.topics[0], default: 0] += 1
                    if log.topics.first == MarketContract.proofRequested.topic { requests.append(log.topics[1].uint256) }
                    if log.topics.first == GovernanceContract.proposalCreated.topic { proposals.append(log.topics[1].uint256) }
                    if log.topics.first == StakingContract.proverRegistered.topic { let a = Address(log.topics[1].bytes.suffix(20))!; if !provers.contains(a) { provers.append(a) } }
                }
                _ = t
            }
            #expect(try h.chain.supplyHoldsForContracts())
            try checkVaults(h, stakers: actors.map(\.address), provers: provers)
        }
        // The run exercised the interesting paths, not only reverts.
        for e in [StakingContract.staked, StakingContract.unstakeRequested, MarketContract.proofRequested, MarketContract.bidCommitted,
                  GovernanceContract.proposalCreated] {
            #expect(seen[e.topic, default: 0] > 0, "no successful \(e.name)")
        }
    }

    func transferTx(_ h: Harness, _ k: PrivateKey, to: Address, value: UInt256) -> SignedTransaction {
        let n = h.nonces[k.address, default: 0]
        h.nonces[k.address] = n + 1
        return Transaction.dynamicFee(chainID: 70001, nonce: n, maxPriorityFeePerGas: 1, maxFeePerGas: 100_000_000_000,
                                      gasLimit: 21_000, to: to, value: value).signed(with: k)
    }

    func checkVaults(_ h: Harness, stakers: [Address], provers: [Address]) throws {
        let vaults = Vaults(state: h.chain.latestState())
        for p in provers {
            guard let rec = try vaults.prover(p) else { continue }
            var shares = UInt256.zero, worth = UInt256.zero
            for s in stakers {
                var sh = try vaults.shares(staker: s, prover: p)
                for u in try vaults.pending(s) where u.prover == p { sh += u.shares }
                shares += sh
                worth += rec.value(ofShares: sh)
            }
            #expect(shares == rec.totalShares, "shares of \(p) add up")
            #expect(worth <= rec.assets && rec.assets - worth <= UInt256(stakers.count), "rounding never creates BREV")
        }
    }
}
