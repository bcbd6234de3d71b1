import Chain
import Consensus
import Foundation
import Locking
import Node
import Primitives
import Secp256k1
import Storage
import SystemContracts
import Testing
import Transactions
import TxPool

let devKey = try! PrivateKey(hex: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")

func memoryNode() throws -> Node {
    let g = try Genesis(json: Data(Genesis.devnetJSON.utf8), parameters: SystemContracts.provernet.parameters)
    let store = MemoryStore()
    try Blockchain.initialize(store: store, genesis: g)
    return try Node(chain: try Blockchain(store: store, genesis: g), sealerKey: g.devSealerKey, blockTime: 1)
}

func transfer(nonce: UInt64, value: UInt256 = 1) -> SignedTransaction {
    Transaction.dynamicFee(chainID: 70001, nonce: nonce, maxPriorityFeePerGas: 1_000_000_000, maxFeePerGas: 100_000_000_000,
                           gasLimit: 21_000, to: Address(low: 0x77), value: value).signed(with: devKey)
}

@Suite("Node")
struct NodeTests {
    /// Each committed block reaches every listener once, in order, with its receipts, off the
    /// sealing thread; the pool forgets what was included.
    @Test func feedDeliversEachCommittedBlockOnceInOrder() throws {
        let node = try memoryNode()
        let seen = Locked<[(UInt64, Int, Bool)]>([])
        let sealingThread = Locked<Bool?>(nil)
        node.feed.subscribe { c in
            seen.withLock { $0.append((c.block.number, c.receipts.count, Thread.isMainThread)) }
        }
        node.feed.subscribe { _ in sealingThread.set(Thread.isMainThread) }
        for n in 0..<3 {
            _ = try node.submit(raw: transfer(nonce: UInt64(n)).encoded)
            let b = try node.sealBlock(timestamp: 1_800_000_000 + UInt64(n))
            #expect(b.transactions.count == 1)
        }
        node.feed.drain()
        let s = seen.get()
        #expect(s.map(\.0) == [1, 2, 3] && s.map(\.1) == [1, 1, 1])
        #expect(node.pool.count == 0)
        #expect(try ChainAccountView(chain: node.chain).nonce(of: devKey.address) == 3)
    }

    @Test func streamYieldsCommittedBlocks() async throws {
        let node = try memoryNode()
        let stream = node.feed.stream()
        for t in 1...2 { try node.sealBlock(timestamp: 1_800_000_000 + UInt64(t)) }
        var numbers: [UInt64] = []
        for await c in stream {
            numbers.append(c.block.number)
            if numbers.count == 2 { break }
        }
        #expect(numbers == [1, 2])
    }

    @Test func aForeignSealerKeyIsRefused() throws {
        let g = try Genesis(json: Data(Genesis.devnetJSON.utf8), parameters: SystemContracts.provernet.parameters)
        let store = MemoryStore()
        try Blockchain.initialize(store: store, genesis: g)
        #expect(throws: ChainError.self) { try Node(chain: try Blockchain(store: store, genesis: g), sealerKey: devKey, blockTime: 1) }
        let follower = try Node(chain: try Blockchain(store: store, genesis: g), sealerKey: nil, blockTime: 1)
        #expect(throws: ChainError.self) { try follower.sealBlock() }
    }

    @Test func openRefusesMissingDatadirsAndBadBlockTimes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("node-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: ChainError.notInitialized(dir)) { try Node.open(datadir: dir, genesis: nil, dev: false, blockTime: nil) }
        #expect(throws: NodeError.self) { try Node.open(datadir: dir, genesis: nil, dev: true, blockTime: 0.001) }
        let node = try Node.open(datadir: dir, genesis: nil, dev: true, blockTime: 0.5)
        #expect(node.blockTime == 0.5 && node.sealerKey != nil)
        try node.sealBlock()
        #expect(node.chain.head.number == 1)
    }

    /// The sealer loop stops at cancellation after finishing the block it is writing.
    @Test func sealerLoopStopsOnCancellation() async throws {
        let g = try Genesis(json: Data(Genesis.devnetJSON.utf8), parameters: SystemContracts.provernet.parameters)
        let store = MemoryStore()
        try Blockchain.initialize(store: store, genesis: g)
        let node = try Node(chain: try Blockchain(store: store, genesis: g), sealerKey: g.devSealerKey, blockTime: 0.05)
        let task = Task { try await node.runSealer() }
        while node.chain.head.number < 2 { try await Task.sleep(for: .milliseconds(10)) }
        task.cancel()
        try await task.value
        let stopped = node.chain.head.number
        try await Task.sleep(for: .milliseconds(150))
        #expect(node.chain.head.number == stopped)
    }
}
