import Chain
import Consensus
import Node
import Dispatch
import Foundation
import Primitives
import Secp256k1
import StateTree
import Storage
import SystemContracts
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
        json += SystemContracts.provernet.parameters.definitions.map { "\"\($0.name)\":\"\($0.defaultValue)\"" }.joined(separator: ",") + "}}"
        let genesis = try Genesis(json: Data(json.utf8), parameters: SystemContracts.provernet.parameters)

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

        // Three rounds, each measuring the reference (single-core recovery of every sender) and
        // then the pipeline on a fresh database; the best of each is reported, so a noisy moment
        // on a shared machine does not decide the ratio either way.
        var refRate = 0.0, rate = 0.0, blocks = 0
        for _ in 0..<3 {
            let clock = ContinuousClock()
            let refStart = clock.now
            var sink = 0
            for t in txs { if let a = try? t.recoverSender() { sink &+= Int(a.lo) } }
            blackHole(sink)
            let ref = Double(count) / secondsOf(clock.now - refStart)
            refRate = max(refRate, ref)
            let round = try transfersRound(txs: txs, sealerKey: keys[0], genesis: genesis)
            if ProcessInfo.processInfo.environment["BENCH_DEBUG"] != nil {
                print(String(format: "round: %.0f tx/s vs %.0f recoveries/s → %.3f", round.rate, ref, round.rate / ref))
            }
            rate = max(rate, round.rate)
            blocks = round.blocks
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let peakMiB = Double(usage.ru_maxrss) / 1024
        return [
            BenchResult(bench: "transfers", value: rate, unit: "tx/s", reference: refRate,
                        referenceName: "one core's signature recovery (best of 3 each)", target: 1.0),
            BenchResult(bench: "transfers.peakMemory", value: peakMiB, unit: "MiB", reference: peakMiB,
                        referenceName: "peak RSS (\(blocks) blocks)", target: nil),
        ]
    }

    /// One run of the transfer pipeline on a fresh database: committed transactions per second
    /// and the number of blocks.
    static func transfersRound(txs: [SignedTransaction], sealerKey: PrivateKey, genesis: Genesis) throws -> (rate: Double, blocks: Int) {
        let count = txs.count
        let clock = ContinuousClock()
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
        // the sealer seals): the transactions are cut into chunks that a recovery thread takes
        // in turn and hands over. The sealer adds what has been recovered to the pool and seals
        // whenever a block's worth is waiting; while it has nothing to seal it takes chunks too,
        // so recovery has both cores whenever sealing does not need one.
        let sealerCPU0 = threadCPUSeconds()
        let recovery = ChunkedRecovery(txs: txs, chunk: 256, chainID: 70001, gasLimit: genesis.gasLimit)
        let producer = Thread { while recovery.recoverNext() {} }
        producer.start()
        let blockTxs = Int(genesis.gasLimit / 21_000)
        var blocks = 0
        var committed = 0
        var tRecoverWait = 0.0, tRecoverOwn = 0.0, tAdd = 0.0, tSeal = 0.0, tReset = 0.0
        while committed < count {
            // Take whatever has been recovered.
            let t1 = clock.now
            let batches = recovery.takeRecovered()
            if !batches.isEmpty {
                let view = ChainAccountView(chain: chain)
                for b in batches { for (t, a) in b { try pool.add(t, sender: a, view: view) } }
            }
            tAdd += secondsOf(clock.now - t1)
            if pool.count < blockTxs && !recovery.allRecovered {
                // Not a block's worth yet: recover a chunk here, or wait for the one in flight.
                let t0 = clock.now
                if recovery.recoverNext() { tRecoverOwn += secondsOf(clock.now - t0) } else {
                    recovery.waitForMore()
                    tRecoverWait += secondsOf(clock.now - t0)
                }
                continue
            }
            let t2 = clock.now
            let (block, receipts, _) = try chain.sealNext(candidates: pool.candidates(baseFee: Header.nextBaseFee(parent: chain.head)),
                                                          key: sealerKey, timestamp: UInt64(blocks + 1))
            let t3 = clock.now
            tSeal += secondsOf(t3 - t2)
            try pool.reset(view: ChainAccountView(chain: chain), touched: Set(receipts.map(\.from)))
            tReset += secondsOf(clock.now - t3)
            committed += block.transactions.count
            blocks += 1
            if block.transactions.isEmpty { throw BenchError.failed("an empty block with \(pool.count) transactions waiting") }
        }
        producer.cancel()
        if ProcessInfo.processInfo.environment["BENCH_DEBUG"] != nil {
            print(String(format: "sealer thread: %.3f s CPU (recovering %.3f, waiting %.3f, adding %.3f, sealing %.3f, resetting %.3f)",
                         threadCPUSeconds() - sealerCPU0, tRecoverOwn, tRecoverWait, tAdd, tSeal, tReset))
        }
        let elapsed = secondsOf(clock.now - start)
        return (Double(count) / elapsed, blocks)
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

/// Sender recovery cut into chunks that any thread may take: each chunk is recovered once, by
/// whoever takes it first, and the results are collected for the sealer.
final class ChunkedRecovery: @unchecked Sendable {
    private let txs: [SignedTransaction]
    private let chunk: Int
    private let chainID: UInt64
    private let gasLimit: UInt64
    private let cond = NSCondition()
    private var nextChunk = 0
    private var finishedChunks = 0
    private var recovered: [[(SignedTransaction, Address)]] = []
    private let chunkCount: Int

    init(txs: [SignedTransaction], chunk: Int, chainID: UInt64, gasLimit: UInt64) {
        self.txs = txs
        self.chunk = chunk
        self.chainID = chainID
        self.gasLimit = gasLimit
        chunkCount = (txs.count + chunk - 1) / chunk
    }

    /// Recovers the next untaken chunk; false when none is left.
    func recoverNext() -> Bool {
        cond.lock()
        let c = nextChunk
        if c < chunkCount { nextChunk += 1 }
        cond.unlock()
        guard c < chunkCount else { return false }
        let lo = c * chunk, hi = min(txs.count, lo + chunk)
        var out: [(SignedTransaction, Address)] = []
        out.reserveCapacity(hi - lo)
        for t in txs[lo..<hi] {
            if let a = try? t.validate(chainID: chainID, blockGasLimit: gasLimit) { out.append((t, a)) }
        }
        cond.lock()
        recovered.append(out)
        finishedChunks += 1
        cond.signal()
        cond.unlock()
        return true
    }

    /// Everything recovered since the last call.
    func takeRecovered() -> [[(SignedTransaction, Address)]] {
        cond.lock()
        defer { recovered = []; cond.unlock() }
        return recovered
    }

    /// Whether every chunk has been recovered (and so handed over, or waiting to be taken).
    var allRecovered: Bool {
        cond.lock()
        defer { cond.unlock() }
        return finishedChunks == chunkCount
    }

    /// Waits until a chunk in flight finishes.
    func waitForMore() {
        cond.lock()
        while recovered.isEmpty && finishedChunks < chunkCount { cond.wait() }
        cond.unlock()
    }
}

/// CPU time the calling thread has used.
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
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
