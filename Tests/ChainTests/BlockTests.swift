import Foundation
import Chain
import Consensus
import Primitives
import RLP
import Secp256k1
import StateTree
import Storage
import Testing
import Transactions

@Suite struct ExecutionTests {
    @Test func transferMovesValueAndFees() throws {
        let chain = try memoryChain()
        let alice = devKeys[0], bob = Address(low: 0xb0b)
        let before = try chain.latestState().balance(alice.address)
        let baseFee = Header.nextBaseFee(parent: chain.head)
        let sealerBefore = try chain.latestState().balance(chain.genesis.sealer)
        let tx = transfer(alice, nonce: 0, to: bob, value: 12_345)
        let (block, receipts, skipped) = try chain.seal([tx])
        #expect(skipped.isEmpty)
        #expect(block.transactions == [tx])
        let r = try #require(receipts.first)
        #expect(r.status && r.gasUsed == 21_000 && r.cumulativeGasUsed == 21_000)
        #expect(r.effectiveGasPrice == baseFee + 1_000_000_000)
        let s = chain.latestState()
        #expect(try s.balance(bob) == 12_345)
        #expect(try s.nonce(alice.address) == 1)
        #expect(try s.balance(alice.address) == before - 12_345 - UInt256(21_000) * r.effectiveGasPrice)
        #expect(try s.balance(chain.genesis.sealer) == sealerBefore + UInt256(21_000) * 1_000_000_000)
        #expect(try s.number(.burned) == UInt256(21_000) * baseFee)
        #expect(try chain.supplyHolds())
        #expect(block.header.gasUsed == 21_000)
        #expect(try chain.reader.transactionLocation(tx.hash) == TxLocation(blockNumber: 1, blockHash: block.hash, index: 0))
        #expect(try chain.reader.receipts(blockHash: block.hash) == receipts)
    }

    @Test func inclusionRules() throws {
        let chain = try memoryChain()
        let a = devKeys[0]
        let gap = transfer(a, nonce: 5, to: Address(low: 1), value: 1)
        let poor = transfer(try PrivateKey(hex: "0x" + String(repeating: "22", count: 32)), nonce: 0, to: Address(low: 1), value: 1)
        let cheap = transfer(a, nonce: 0, to: Address(low: 1), value: 1, tip: 0, cap: 1)
        let (block, _, skipped) = try chain.seal([gap, poor, cheap])
        #expect(block.transactions.isEmpty)
        #expect(skipped.map(\.reason) == [.nonceTooHigh(have: 5, want: 0), .insufficientFunds, .feeCapBelowBaseFee])
        #expect(skipped.map(\.reason.description) == ["nonce too high", "insufficient funds for gas * price + value",
                                                     "max fee per gas less than block base fee"])
    }

    @Test func baseFeeFollowsEIP1559() throws {
        var parent = try memoryChain().head
        parent.gasUsed = parent.gasLimit / 2
        #expect(Header.nextBaseFee(parent: parent) == parent.baseFeePerGas)
        parent.gasUsed = parent.gasLimit
        #expect(Header.nextBaseFee(parent: parent) == parent.baseFeePerGas + parent.baseFeePerGas / 8)
        parent.gasUsed = 0
        #expect(Header.nextBaseFee(parent: parent) == parent.baseFeePerGas - parent.baseFeePerGas / 8)
    }

    /// Many blocks of transfers among many accounts: supply conserved at every block.
    @Test func supplyInvariantAcrossBlocks() throws {
        let chain = try memoryChain()
        var nonces = [UInt64](repeating: 0, count: 3)
        for round in 0..<8 {
            var txs: [SignedTransaction] = []
            for (i, k) in devKeys.enumerated() {
                for _ in 0..<3 {
                    txs.append(transfer(k, nonce: nonces[i], to: Address(low: UInt64(100 + round)), value: UInt256(UInt64(round * 7 + i))))
                    nonces[i] += 1
                }
            }
            let (_, receipts, skipped) = try chain.seal(txs)
            #expect(skipped.isEmpty && receipts.count == 9)
            #expect(try chain.supplyHolds(), "block \(round + 1)")
        }
    }
}

@Suite struct ImportTests {
    /// Builds a chain of `blocks` blocks with transfers on a fresh chain.
    func sourceChain(blocks: Int) throws -> Blockchain {
        let chain = try memoryChain()
        var n: UInt64 = 0
        for b in 0..<blocks {
            let txs = (0..<(b % 3)).map { i -> SignedTransaction in
                defer { n += 1 }
                return transfer(devKeys[0], nonce: n, to: Address(low: UInt64(7 + i)), value: UInt256(UInt64(b)))
            }
            try chain.seal(txs, at: 1_800_000_000 + UInt64(b))
        }
        return chain
    }

    @Test func importReproducesTheChainAndReplayAgrees() throws {
        let src = try sourceChain(blocks: 12)
        let dst = try memoryChain()
        for n in 1...src.head.number { try dst.importBlock(try #require(try src.reader.certifiedBlock(number: n))) }
        #expect(dst.head == src.head)
        // Re-importing an existing block is refused (it does not extend the head).
        #expect(throws: ChainError.badNumber(expected: 13, got: 5)) { try dst.importBlock(try src.reader.certifiedBlock(number: 5)!) }
    }

    @Test func refusesForeignSealsAndWrongRoots() throws {
        let src = try sourceChain(blocks: 2)
        let b1 = try #require(try src.reader.certifiedBlock(number: 1))
        let dst = try memoryChain()
        // Sealed by someone else.
        var forged = b1
        forged.certificate = ProofOfAuthority.seal(forged.header, key: devKeys[1])
        #expect(throws: ChainError.wrongSealer(number: 1, expected: src.genesis.sealer, got: devKeys[1].address)) {
            try dst.importBlock(forged)
        }
        // No seal.
        forged.certificate = []
        #expect(throws: ChainError.invalidSeal(number: 1, reason: "missing seal")) { try dst.importBlock(forged) }
        // A wrong state root, properly sealed by the authority: re-execution catches it.
        var bad = b1
        bad.block.header.stateRoot = Hash32.keccak256([1])
        bad.certificate = ProofOfAuthority.seal(bad.header, key: sealerKey)
        do { try dst.importBlock(bad); Issue.record("accepted a wrong state root") } catch let e as ChainError {
            guard case .mismatch(1, "state root", _, _) = e else { Issue.record("\(e)"); return }
        }
        // A block whose transaction list was changed: the transactions root catches it.
        let b2 = try #require(try src.reader.certifiedBlock(number: 2))
        try dst.importBlock(b1)
        var dropped = b2
        dropped.block.transactions.removeLast()
        dropped.certificate = ProofOfAuthority.seal(dropped.header, key: sealerKey)
        do { try dst.importBlock(dropped); Issue.record("accepted") } catch let e as ChainError {
            guard case .mismatch(2, "transactions root", _, _) = e else { Issue.record("\(e)"); return }
        }
        #expect(dst.head.number == 1, "nothing written by refused blocks")
        try dst.importBlock(b2)
        #expect(dst.head == src.head)
    }

    /// Flipping any byte of an export makes import stop at the block holding that byte (or
    /// before it, never after), and nothing past it is written.
    @Test func flippedBytesAreRefusedAtTheRightBlock() throws {
        let src = try sourceChain(blocks: 6)
        var export: [UInt8] = []
        var ends: [Int] = []
        for n in 1...src.head.number {
            export += try src.reader.certifiedBlock(number: n)!.encoded
            ends.append(export.count)
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<40 {
            let pos = Int.random(in: 0..<export.count, using: &rng)
            var bytes = export
            bytes[pos] ^= UInt8.random(in: 1...255, using: &rng)
            let blockOfByte = UInt64(ends.firstIndex { pos < $0 }! + 1)
            let dst = try memoryChain()
            var d = RLPDecoder(bytes)
            var failedAt: UInt64?
            while !d.isAtEnd {
                let next = dst.head.number + 1
                do {
                    let b = try CertifiedBlock(decoding: &d)
                    try dst.importBlock(b)
                } catch {
                    failedAt = next
                    break
                }
            }
            #expect(failedAt == blockOfByte, "byte \(pos) of block \(blockOfByte): stopped at \(String(describing: failedAt))")
            #expect(dst.head.number == blockOfByte - 1)
        }
    }
}

@Suite struct PersistenceTests {
    @Test func resumesFromLevelDBAfterReopen() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pn-chain-\(UInt64.random(in: 0 ... .max))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let g = try genesis()
        var head: Header
        do {
            let store = try LevelDBStore(path: dir)
            try Blockchain.initialize(store: store, genesis: g)
            let chain = try Blockchain(store: store, genesis: g)
            try chain.seal([transfer(devKeys[0], nonce: 0, to: Address(low: 9), value: 5)])
            try chain.seal([])
            head = chain.head
        }
        let store = try LevelDBStore(path: dir)
        let chain = try Blockchain(store: store, genesis: g)
        #expect(chain.head == head)
        #expect(try chain.latestState().balance(Address(low: 9)) == 5)
        // Historical state and proofs from the tree.
        let tree = chain.stateTree(root: head.stateRoot)
        let key = StateKey.account(Address(low: 9)).bytes
        let value = try #require(try tree.get(key))
        #expect(try tree.prove(key).verify(root: head.stateRoot, key: key, value: value))
    }

    @Test func corruptDatabaseIsReported() throws {
        let store = MemoryStore()
        let g = try genesis()
        try Blockchain.initialize(store: store, genesis: g)
        let chain = try Blockchain(store: store, genesis: g)
        try chain.seal([])
        try store.delete(ChainSchema.headerKey(chain.head.hash.bytes))
        #expect(throws: ChainError.corrupt("head block missing")) { try Blockchain(store: store, genesis: g) }
    }
}

@Suite struct ReceiptStorageTests {
    /// The stored list, written straight into one buffer, is byte for byte the RLP list of
    /// [type, status, cumulative gas, gas used, price, logs, from, revert data] built item by
    /// item, and reads back equal.
    @Test func storedReceiptsRoundTrip() throws {
        let log = Log(address: Address(low: 0x1001), topics: [Hash32.keccak256([1]), Hash32.keccak256([2])], data: [1, 2, 3])
        let receipts = [
            Receipt(type: .legacy, status: true, cumulativeGasUsed: 21_000, gasUsed: 21_000, effectiveGasPrice: 7,
                    logs: [], from: Address(low: 1)),
            Receipt(type: .accessList, status: false, cumulativeGasUsed: 0, gasUsed: 0, effectiveGasPrice: .zero,
                    logs: [], from: Address(low: 2), revertData: [UInt8](repeating: 0xee, count: 100)),
            Receipt(type: .dynamicFee, status: true, cumulativeGasUsed: 29_999_999, gasUsed: 123_456,
                    effectiveGasPrice: UInt256(hex: "0xffffffffffffffffffffffffffffffffff")!, logs: [log, log], from: Address(low: 3)),
        ]
        for list in [[], receipts, Array(repeating: receipts[2], count: 300)] {
            let bytes = Receipt.encodeList(list)
            let expected = RLPItem.list(list.map { r in
                RLPItem.list([.bytes(r.type == .legacy ? [] : [r.type.rawValue]), .bytes(r.status ? [1] : []),
                              .bytes(UInt256(r.cumulativeGasUsed).minimalBigEndianBytes), .bytes(UInt256(r.gasUsed).minimalBigEndianBytes),
                              .bytes(r.effectiveGasPrice.minimalBigEndianBytes),
                              .list(r.logs.map { .list([.bytes($0.address.bytes), .list($0.topics.map { .bytes($0.bytes) }), .bytes($0.data)]) }),
                              .bytes(r.from.bytes), .bytes(r.revertData)])
            }).rlpEncoded
            #expect(bytes == expected)
            #expect(try Receipt.decodeList(bytes) == list)
        }
    }
}

@Suite struct AccountCacheTests {
    /// Reads of the latest state after each block agree with the stored flat state and with the
    /// state tree, for accounts the blocks wrote (served from the cache) and ones they did not.
    @Test func latestStateMatchesStoreAndTree() throws {
        let chain = try memoryChain()
        var nonces = [UInt64](repeating: 0, count: devKeys.count)
        for round in 0..<4 {
            var txs: [SignedTransaction] = []
            for (i, k) in devKeys.enumerated() where (i + round) % 2 == 0 {
                txs.append(transfer(k, nonce: nonces[i], to: Address(low: UInt64(100 + round)), value: UInt256(UInt64(round + 1))))
                nonces[i] += 1
            }
            try chain.seal(txs)
            let latest = chain.latestState()
            let tree = chain.stateTree(root: chain.head.stateRoot)
            for a in devKeys.map(\.address) + (100..<104).map({ Address(low: UInt64($0)) }) + [chain.genesis.sealer] {
                let acct = try latest.account(a)
                let stored = try chain.store.get(ChainSchema.stateKey(StateKey.account(a).bytes))
                #expect(stored == (acct.isEmpty ? nil : acct.encoded))
                #expect(try tree.get(StateKey.account(a).bytes) == stored)
            }
        }
    }
}
