import Chain
import Dispatch
import Foundation
import Primitives
import Secp256k1
import StateTree
import Storage
import Transactions
import TxPool

extension Benchmarks {
    /// 20,000 pre-signed EIP-1559 transfers among 10,000 accounts go through the mempool (senders
    /// recovered on every core), block building, execution, state root and a synced LevelDB
    /// commit per block. Reference: one core's signature-recovery rate on the same transactions,
    /// measured in the same run.
    static func transfers(seconds: Double) throws -> [BenchResult] {
        let accounts = 10_000, count = 20_000
        var keys: [PrivateKey] = []
        keys.reserveCapacity(accounts)
        for i in 0..<accounts { keys.append(try PrivateKey(Hash32.keccak256(Array("bench-\(i)".utf8)).bytes)) }
        let addresses = keys.map(\.address)
        var json = "{\"chainId\":70001,\"timestamp\":0,\"extraData\":\"0x\",\"gasLimit\":30000000,"
        json += "\"baseFeePerGas\":\"1000000000\",\"blockTime\":1,\"sealer\":{\"address\":\"\(keys[0].address)\","
        json += "\"devPrivateKey\":\"\(Hex.encode(keys[0].rawBytes))\"},\"provers\":[],\"alloc\":{"
        json += addresses.map { "\"\($0.lowercaseHex)\":{\"balance\":\"1000000000000000000000\"}" }.joined(separator: ",")
        json += "},\"params\":{"
        json += ProtocolParams.definitions.map { "\"\($0.name)\":\"\($0.defaultValue)\"" }.joined(separator: ",") + "}}"
        let genesis = try Genesis(json: Data(json.utf8))

        // Pre-sign: account i sends to i+1 and i+7 (mod n), nonces 0 and 1.
        var txs: [SignedTransaction] = []
        txs.reserveCapacity(count)
        for round in 0..<(count / accounts) {
            for i in 0..<accounts {
                let to = addresses[(i + 1 + round * 6) % accounts]
                txs.append(Transaction.dynamicFee(chainID: 70001, nonce: UInt64(round), maxPriorityFeePerGas: 1_000_000_000,
                                                  maxFeePerGas: 20_000_000_000, gasLimit: 21_000, to: to,
                                                  value: UInt256(UInt64(1_000 + i))).signed(with: keys[i]))
            }
        }

        // Reference: single-core recovery of every sender.
        let clock = ContinuousClock()
        let refStart = clock.now
        var sink = 0
        for t in txs { if let a = try? t.recoverSender() { sink &+= Int(a.lo) } }
        blackHole(sink)
        let refRate = Double(count) / secondsOf(clock.now - refStart)

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("provernet-bench-\(UInt64.random(in: 0 ... .max))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try LevelDBStore(path: dir)
        try Blockchain.initialize(store: store, genesis: genesis)
        let chain = try Blockchain(store: store, genesis: genesis)
        // Blocks are synced to disk as the node does; PROVERNET_BENCH_NOSYNC=1 shows what fsync costs.
        chain.syncWrites = ProcessInfo.processInfo.environment["PROVERNET_BENCH_NOSYNC"] == nil
        var config = PoolConfig()
        config.maxTotal = count
        let pool = TxPool(chainID: 70001, blockGasLimit: genesis.gasLimit, config: config)

        let start = clock.now
        // Recovery runs ahead of execution, as in the node (RPC threads recover senders while
        // the sealer seals): a producer thread recovers chunks and hands them over while the
        // sealer, on the other core, adds them to the pool and seals whenever a block's worth
        // is waiting.
        let chunk = 1_024
        let handoff = Handoff<[(SignedTransaction, Address)]>()
        let allTxs = txs
        let producer = Thread {
            var offset = 0
            while offset < count {
                let slice = Array(allTxs[offset..<min(count, offset + chunk)])
                handoff.send(slice.compactMap { t in (try? t.validate(chainID: 70001, blockGasLimit: 30_000_000)).map { (t, $0) } })
                offset += slice.count
            }
            handoff.finish()
        }
        producer.start()
        var blocks = 0
        var committed = 0
        var tRecoverWait = 0.0, tAdd = 0.0, tSeal = 0.0, tReset = 0.0
        var producing = true
        while committed < count {
            // Take whatever has been recovered; wait only when the pool cannot fill a block.
            let t0 = clock.now
            let mustWait = producing && pool.count < 1_428
            let batches = handoff.receiveAll(wait: mustWait)
            tRecoverWait += secondsOf(clock.now - t0)
            if batches == nil { producing = false }
            let t1 = clock.now
            if let batches {
                let view = BenchAccountView(state: chain.latestState())
                for b in batches { for (t, a) in b { try pool.add(t, sender: a, view: view) } }
            }
            tAdd += secondsOf(clock.now - t1)
            if producing && pool.count < 1_428 { continue }
            let t2 = clock.now
            let (block, receipts, _) = try chain.sealNext(candidates: pool.candidates(baseFee: Header.nextBaseFee(parent: chain.head)),
                                                          key: keys[0], timestamp: UInt64(blocks + 1))
            let t3 = clock.now
            tSeal += secondsOf(t3 - t2)
            try pool.reset(view: BenchAccountView(state: chain.latestState()), touched: Set(receipts.map(\.from)))
            tReset += secondsOf(clock.now - t3)
            committed += block.transactions.count
            blocks += 1
            if block.transactions.isEmpty && !producing { throw BenchError.failed("an empty block with \(pool.count) transactions waiting") }
        }
        if ProcessInfo.processInfo.environment["BENCH_DEBUG"] != nil {
            print("wait \(tRecoverWait) add \(tAdd) seal \(tSeal) reset \(tReset)")
        }
        let elapsed = secondsOf(clock.now - start)
        let rate = Double(count) / elapsed
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let peakMiB = Double(usage.ru_maxrss) / 1024
        return [
            BenchResult(bench: "transfers", value: rate, unit: "tx/s", reference: refRate,
                        referenceName: "one core's signature recovery", target: 1.0),
            BenchResult(bench: "transfers.peakMemory", value: peakMiB, unit: "MiB", reference: peakMiB,
                        referenceName: "peak RSS (\(blocks) blocks)", target: nil),
        ]
    }

    /// Root updates of 1,000-key batches on a 1,000,000-key tree, against the bare Keccak-256 work
    /// those updates must do (1,000 × log2(1M) 65-byte hashes), measured in the same run.
    static func statecommit(seconds: Double) throws -> [BenchResult] {
        let n = 1_000_000, batch = 1_000
        let source = MemoryPageSource()
        var tree = SparseMerkleTree(source: source)
        var ups: [SparseMerkleTree.Update] = []
        ups.reserveCapacity(n)
        for i in 0..<n {
            ups.append(.init(keyHash: Hash32.keccak256(withUnsafeBytes(of: UInt64(i).bigEndian) { Array($0) }),
                             value: [UInt8(truncatingIfNeeded: i), 1]))
        }
        try tree.update(ups)
        ups = []
        for (h, page) in tree.takePendingPages() { source.pages[h] = page }

        var round: UInt64 = 0
        var rng = SystemRandomNumberGenerator()
        let oursRate = try Measure.compareThrowing(seconds: seconds, batch: 1) {
            round += 1
            var b: [SparseMerkleTree.Update] = []
            b.reserveCapacity(batch)
            for _ in 0..<batch {
                let i = UInt64.random(in: 0..<UInt64(n), using: &rng)
                b.append(.init(keyHash: Hash32.keccak256(withUnsafeBytes(of: i.bigEndian) { Array($0) }),
                               value: [UInt8(truncatingIfNeeded: round), 2]))
            }
            try tree.update(b)
            for (h, page) in tree.takePendingPages() { source.pages[h] = page }
        }
        let hashes = batch * 20
        var h = Hash32.zero
        let refRate = Measure.opsPerSecond(batch: 1, seconds: seconds) {
            for _ in 0..<hashes { h = TreeHash.branch(h, h) }
            blackHole(h)
        }
        return [BenchResult(bench: "statecommit", value: oursRate * Double(batch), unit: "keys/s",
                            reference: refRate * Double(batch), referenceName: "1,000 × 20 bare Keccak-256 per batch",
                            target: nil)]
    }
}

/// A one-producer, one-consumer handoff of batches.
final class Handoff<T>: @unchecked Sendable {
    private let cond = NSCondition()
    private var items: [T] = []
    private var done = false

    func send(_ x: T) {
        cond.lock()
        items.append(x)
        cond.signal()
        cond.unlock()
    }

    func finish() {
        cond.lock()
        done = true
        cond.signal()
        cond.unlock()
    }

    /// Everything sent so far (waiting for at least one batch when `wait`); nil once finished
    /// and drained.
    func receiveAll(wait: Bool) -> [T]? {
        cond.lock()
        defer { cond.unlock() }
        while wait && items.isEmpty && !done { cond.wait() }
        if items.isEmpty && done { return nil }
        defer { items = [] }
        return items
    }
}

struct BenchAccountView: AccountView {
    let state: WorldState
    func nonce(of address: Address) throws -> UInt64 { try state.nonce(address) }
    func balance(of address: Address) throws -> UInt256 { try state.balance(address) }
}

func secondsOf(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

extension Measure {
    /// Best of three rounds of a throwing body.
    static func compareThrowing(seconds: Double, batch: Int, _ body: () throws -> Void) throws -> Double {
        var best = 0.0
        for _ in 0..<3 {
            var failure: Error?
            let r = opsPerSecond(batch: batch, seconds: seconds) {
                do { try body() } catch { failure = error }
            }
            if let failure { throw failure }
            best = max(best, r)
        }
        return best
    }
}
