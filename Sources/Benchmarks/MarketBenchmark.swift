import ABI
import Chain
import Consensus
import Foundation
import Primitives
import Secp256k1
import Storage
import SystemContracts
import RISCV
import Transactions

extension Benchmarks {
    /// System calls (stakes, bids, reveals) executed per second through block building, against
    /// plain transfers on the same chain setup, measured in the same run.
    static func market(seconds: Double) throws -> [BenchResult] {
        let n = 240
        let keys = (0..<n).map { try! PrivateKey(Hash32.keccak256(Array("market-\($0)".utf8)).bytes) }
        var json = "{\"chainId\":70001,\"timestamp\":0,\"extraData\":\"0x\",\"gasLimit\":30000000,"
        json += "\"baseFeePerGas\":\"1000000000\",\"blockTime\":1,\"sealer\":{\"address\":\"\(keys[0].address)\"},\"provers\":[],\"alloc\":{"
        json += keys.map { "\"\($0.address.lowercaseHex)\":{\"balance\":\"100000000000000000000000\"}" }.joined(separator: ",")
        json += "},\"params\":{" + SystemContracts.provernet.parameters.definitions.map { "\"\($0.name)\":\"\($0.defaultValue)\"" }.joined(separator: ",") + "}}"
        let genesis = try Genesis(json: Data(json.utf8), parameters: SystemContracts.provernet.parameters)
        let brev = UInt256(1_000_000_000_000_000_000)

        func chain(_ contracts: SystemContracts) throws -> Blockchain {
            let store = MemoryStore()
            try Blockchain.initialize(store: store, genesis: genesis, contracts: contracts)
            let c = try Blockchain(store: store, genesis: genesis, contracts: contracts)
            c.syncWrites = false
            return c
        }
        var nonces: [Address: UInt64] = [:]
        func tx(_ k: PrivateKey, _ to: Address, _ sig: String?, _ args: [ABIValue], value: UInt256 = .zero) -> (SignedTransaction, Address) {
            let nonce = nonces[k.address, default: 0]
            nonces[k.address] = nonce + 1
            let data = sig.map { try! ABI.encodeCall(signature: $0, args) } ?? []
            let t = Transaction.dynamicFee(chainID: 70001, nonce: nonce, maxPriorityFeePerGas: 1, maxFeePerGas: 100_000_000_000,
                                           gasLimit: sig == nil ? 21_000 : 300_000, to: to, value: value, data: data).signed(with: k)
            return (t, k.address)
        }
        let clock = ContinuousClock()
        func timedSeal(_ c: Blockchain, _ txs: [(SignedTransaction, Address)]) throws -> Double {
            let start = clock.now
            var left = txs[...]
            while !left.isEmpty {
                let r = try c.sealNext(candidates: Array(left), key: keys[0], timestamp: c.head.timestamp + 1)
                guard !r.block.transactions.isEmpty else { throw BenchError.failed("nothing included: \(r.skipped.first?.reason.description ?? "")") }
                for rc in r.receipts where !rc.status { throw BenchError.failed("a system call reverted") }
                left = left.dropFirst(r.block.transactions.count + r.skipped.count)
            }
            return secondsOf(clock.now - start)
        }
        let contracts = SystemContracts([StakingContract(), MarketContract()])

        // Transfers: every account sends 4.
        let plain = try chain(contracts)
        var transfers: [(SignedTransaction, Address)] = []
        for round in 0..<10 { for (i, k) in keys.enumerated() { transfers.append(tx(k, keys[(i + 1 + round) % n].address, nil, [], value: 1)) } }
        let transferTime = try timedSeal(plain, transfers)

        // System calls on a fresh chain: 40 provers, a program, 6 requests (untimed setup), then
        // timed stakes and bids in the bidding phase and reveals in the reveal phase.
        nonces = [:]
        let sys = try chain(contracts)
        let provers = Array(keys[0..<60]), others = Array(keys[60...])
        var setup = provers.map { tx($0, StakingContract.contractAddress, "registerProver(string,uint16)", [.string("b"), .uint(100)], value: 5_000 * brev) }
        setup.append(tx(keys[0], MarketContract.contractAddress, "registerProgram(bytes)", [.bytes(benchELF())]))
        _ = try timedSeal(sys, setup)
        let programId = try Program(elf: benchELF()).programId
        let deadline = sys.head.number + 40
        let reqs = (0..<20).map { i in tx(others[i], MarketContract.contractAddress, "requestProof(bytes32,bytes,uint256,uint64)",
                                         [.fixedBytes(programId.bytes), .bytes([UInt8(i)]), .uint(1_000 * brev), .uint(UInt256(deadline))], value: brev) }
        _ = try timedSeal(sys, reqs)
        var calls: [(SignedTransaction, Address)] = []
        for k in others { calls.append(tx(k, StakingContract.contractAddress, "stake(address)", [.address(provers[Int(k.address.lo) % 60].address)], value: brev)) }
        for (i, p) in provers.enumerated() {
            for id in 0..<20 {
                let fee = UInt256(UInt64(1_000 + i * 7 + id)), nonce = [UInt8](repeating: UInt8(i), count: 32)
                let h = MarketContract.bidHash(requestId: UInt256(UInt64(id)), prover: p.address, fee: fee, nonce: nonce)
                calls.append(tx(p, MarketContract.contractAddress, "bid(uint256,bytes32)", [.uint(UInt256(UInt64(id))), .fixedBytes(h.bytes)]))
            }
        }
        var sysTime = try timedSeal(sys, calls)
        var count = calls.count
        while try sys.head.number < reqsBiddingEnd(sys) { _ = try sys.sealNext(candidates: [], key: keys[0], timestamp: sys.head.timestamp + 1) }
        var reveals: [(SignedTransaction, Address)] = []
        for (i, p) in provers.enumerated() {
            for id in 0..<20 {
                reveals.append(tx(p, MarketContract.contractAddress, "reveal(uint256,uint256,bytes32)",
                                  [.uint(UInt256(UInt64(id))), .uint(UInt256(UInt64(1_000 + i * 7 + id))), .fixedBytes([UInt8](repeating: UInt8(i), count: 32))]))
            }
        }
        sysTime += try timedSeal(sys, reveals)
        count += reveals.count
        let sysRate = Double(count) / sysTime, transferRate = Double(transfers.count) / transferTime
        return [BenchResult(bench: "market", value: sysRate, unit: "calls/s", reference: transferRate,
                            referenceName: "transfers on the same setup", target: 0.5)]
    }

    /// The first block of the reveal phase of request 0.
    private static func reqsBiddingEnd(_ c: Blockchain) throws -> UInt64 {
        let r = try MarketStore(state: c.latestState()).request(.zero)
        return (r?.biddingEnd ?? 0) - 1
    }

    /// A minimal RV32 ELF (HALT) for the benchmark's program.
    static func benchELF() -> [UInt8] {
        func u16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        func u32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        let code = u32(0x0000_0293) + u32(0x0000_0073)
        var elf: [UInt8] = [0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0] + [UInt8](repeating: 0, count: 8)
        elf += u16(2) + u16(0xF3) + u32(1) + u32(0x0020_0800) + u32(52) + u32(0) + u32(0) + u16(52) + u16(32) + u16(1) + u16(40) + u16(0) + u16(0)
        elf += u32(1) + u32(84) + u32(0x0020_0800) + u32(0x0020_0800) + u32(UInt32(code.count)) + u32(UInt32(code.count)) + u32(5) + u32(4)
        return elf + code
    }
}
