import Foundation
import Primitives
import Secp256k1
import Testing
import Transactions
import TxPool

/// Accounts for the pool: nonces and balances set by the test.
final class FakeView: AccountView, @unchecked Sendable {
    var nonces: [Address: UInt64] = [:]
    var balances: [Address: UInt256] = [:]
    func nonce(of a: Address) throws -> UInt64 { nonces[a] ?? 0 }
    func balance(of a: Address) throws -> UInt256 { balances[a] ?? UInt256(1_000_000) * 1_000_000_000_000_000_000 }
}

private let keys = (1...6).map { try! PrivateKey(Hash32.keccak256([UInt8($0)]).bytes) }

private func tx(_ k: PrivateKey, _ nonce: UInt64, tip: UInt256 = 1_000_000_000, cap: UInt256 = 50_000_000_000,
                value: UInt256 = 1, gas: UInt64 = 21_000, chain: UInt64 = 70001) -> SignedTransaction {
    Transaction.dynamicFee(chainID: chain, nonce: nonce, maxPriorityFeePerGas: tip, maxFeePerGas: cap, gasLimit: gas,
                           to: Address(low: 0xdead), value: value).signed(with: k)
}

private func pool(_ config: PoolConfig = PoolConfig()) -> TxPool { TxPool(chainID: 70001, blockGasLimit: 30_000_000, config: config) }

private func expectError(_ e: PoolError, _ text: String, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected \(text)")
    } catch let got as PoolError {
        #expect(got == e)
        #expect(got.description == text)
    } catch {
        Issue.record("unexpected \(error)")
    }
}

@Suite struct TxPoolTests {
    @Test func pendingAndQueuedWithGaps() throws {
        let p = pool(), v = FakeView()
        #expect(try p.add(tx(keys[0], 0), view: v) == .pending)
        #expect(try p.add(tx(keys[0], 2), view: v) == .queued)
        #expect(p.counts == (1, 1))
        #expect(try p.pendingNonce(keys[0].address, view: v) == 1)
        #expect(try p.add(tx(keys[0], 1), view: v) == .pending)
        #expect(p.counts == (3, 0))
        #expect(p.candidates(baseFee: 1_000_000_000).map(\.tx.transaction.nonce) == [0, 1, 2])
    }

    @Test func orderedByEffectiveTipWithNonceOrderPerSender() throws {
        let p = pool(), v = FakeView()
        try p.add(tx(keys[0], 0, tip: 1), view: v)
        try p.add(tx(keys[0], 1, tip: 100), view: v)
        try p.add(tx(keys[1], 0, tip: 50), view: v)
        try p.add(tx(keys[2], 0, tip: 10, cap: 1_000_000_005), view: v)  // effective tip 5 at base fee 1 gwei
        let order = p.candidates(baseFee: 1_000_000_000).map { ($0.sender, $0.tx.transaction.nonce) }
        #expect(order.map(\.0) == [keys[1].address, keys[2].address, keys[0].address, keys[0].address])
        #expect(order.map(\.1) == [0, 0, 0, 1])
        // A fee cap below the base fee waits.
        #expect(!p.candidates(baseFee: 1_000_000_006).contains { $0.sender == keys[2].address })
    }

    @Test func replacementNeedsTenPercent() throws {
        let p = pool(), v = FakeView()
        let first = tx(keys[0], 0, tip: 100, cap: 1000)
        try p.add(first, view: v)
        expectError(.alreadyKnown, "already known") { try p.add(first, view: v) }
        expectError(.replacementUnderpriced, "replacement transaction underpriced") {
            try p.add(tx(keys[0], 0, tip: 109, cap: 2000), view: v)
        }
        expectError(.replacementUnderpriced, "replacement transaction underpriced") {
            try p.add(tx(keys[0], 0, tip: 200, cap: 1099), view: v)
        }
        let better = tx(keys[0], 0, tip: 110, cap: 1100)
        #expect(try p.add(better, view: v) == .replaced(first.hash))
        #expect(p.count == 1 && p.get(first.hash) == nil && p.get(better.hash) != nil)
    }

    @Test func errorTexts() throws {
        let p = pool(), v = FakeView()
        v.nonces[keys[0].address] = 3
        expectError(.nonceTooLow(have: 2, want: 3), "nonce too low") { try p.add(tx(keys[0], 2), view: v) }
        v.balances[keys[1].address] = 100
        expectError(.insufficientFunds, "insufficient funds for gas * price + value") { try p.add(tx(keys[1], 0), view: v) }
        expectError(.invalid(.intrinsicGasTooLow(have: 20_000, want: 21_000)), "intrinsic gas too low") {
            try p.add(tx(keys[2], 0, gas: 20_000), view: v)
        }
        expectError(.invalid(.gasLimitExceedsBlock(gas: 40_000_000, limit: 30_000_000)), "exceeds block gas limit") {
            try p.add(tx(keys[2], 0, gas: 40_000_000), view: v)
        }
        expectError(.underpriced, "transaction underpriced") { try p.add(tx(keys[2], 0, tip: 0), view: v) }
        expectError(.invalid(.invalidChainID(expected: 70001, got: 1)), "invalid chain id") { try p.add(tx(keys[2], 0, chain: 1), view: v) }
        #expect(p.count == 0)
    }

    @Test func limitsAndEviction() throws {
        var c = PoolConfig()
        c.maxPerSender = 3
        c.maxTotal = 4
        let p = pool(c), v = FakeView()
        for n in 0..<3 { try p.add(tx(keys[0], UInt64(n), tip: 5), view: v) }
        expectError(.accountLimitExceeded, "account limit exceeded") { try p.add(tx(keys[0], 3, tip: 5), view: v) }
        try p.add(tx(keys[1], 0, tip: 10), view: v)
        // Full: a cheaper newcomer is refused; a richer one evicts the cheapest sender's last tx.
        expectError(.underpriced, "transaction underpriced") { try p.add(tx(keys[2], 0, tip: 1), view: v) }
        try p.add(tx(keys[2], 0, tip: 50), view: v)
        #expect(p.count == 4)
        #expect(p.content()[keys[0].address]?.keys.sorted() == [0, 1])
        // Oversized.
        var big = Transaction.dynamicFee(chainID: 70001, nonce: 0, maxPriorityFeePerGas: 1, maxFeePerGas: 10_000_000_000,
                                         gasLimit: 3_000_000, to: Address(low: 1), value: 0)
        big.data = [UInt8](repeating: 1, count: 130 * 1024)
        expectError(.invalid(.oversized(size: big.signed(with: keys[3]).encoded.count, limit: 131_072)), "oversized data") {
            try p.add(big.signed(with: keys[3]), view: v)
        }
    }

    @Test func resetDropsStaleAndPromotesQueued() throws {
        let p = pool(), v = FakeView()
        for n in [0, 1, 3] as [UInt64] { try p.add(tx(keys[0], n), view: v) }
        try p.add(tx(keys[1], 0, value: 5), view: v)
        let promoted = Recorder()
        p.onPending { t in promoted.append(t.transaction.nonce) }
        // Block included nonces 0...2 of keys[0] (2 came from elsewhere); keys[1] went broke.
        v.nonces[keys[0].address] = 3
        v.balances[keys[1].address] = 0
        try p.reset(view: v)
        #expect(p.content()[keys[0].address]?.keys.sorted() == [3])
        #expect(p.content()[keys[1].address] == nil)
        #expect(p.counts == (1, 0))
        #expect(promoted.values == [3])
    }

    /// Blocks that take part of a sender's run: what stays was already pending and is not
    /// announced again; queued transactions behind a gap that an arrival closes are announced
    /// once, when they become pending; `touched` limits the recheck to the block's senders.
    @Test func resetAfterPartialBlocksAnnouncesEachPromotionOnce() throws {
        let p = pool(), v = FakeView()
        let promoted = Recorder()
        for n in [0, 1, 2, 5, 6] as [UInt64] { try p.add(tx(keys[0], n), view: v) }
        try p.add(tx(keys[1], 0), view: v)
        #expect(p.counts == (4, 2))
        p.onPending { t in promoted.append(t.transaction.nonce) }
        // A block includes nonces 0 and 1 of keys[0] only.
        v.nonces[keys[0].address] = 2
        try p.reset(view: v, touched: [keys[0].address])
        #expect(promoted.values.isEmpty)
        #expect(p.counts == (2, 2))
        // Nonces 3 and 4 arrive (4 first): 4 is queued, 3 makes 3...6 pending.
        #expect(try p.add(tx(keys[0], 4), view: v) == .queued)
        #expect(try p.add(tx(keys[0], 3), view: v) == .pending)
        // The next block includes 2 and 3; 4, 5 and 6 stay pending but are not announced by the reset.
        let before = promoted.values
        v.nonces[keys[0].address] = 4
        try p.reset(view: v, touched: [keys[0].address])
        #expect(promoted.values == before)
        #expect(p.counts == (4, 0))
        #expect(p.candidates(baseFee: 1).map(\.tx.transaction.nonce) == [0, 4, 5, 6])
        // A block from elsewhere jumps keys[0] past 5: only 6 is left, and it was pending already.
        v.nonces[keys[0].address] = 6
        try p.reset(view: v, touched: [keys[0].address, keys[2].address])
        #expect(promoted.values == before)
        #expect(p.content()[keys[0].address]?.keys.sorted() == [6])
    }
}

final class Recorder: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [UInt64] = []
    func append(_ x: UInt64) { lock.withLock { items.append(x) } }
    var values: [UInt64] { lock.withLock { items } }
}
