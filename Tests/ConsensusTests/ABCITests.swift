import ABI
import Chain
import Consensus
import Foundation
import Primitives
import RISCV
import Secp256k1
import Storage
import SystemContracts
import Testing
import TestSupport
import Transactions
import TxPool

let keys = DevKeys.accounts.map { try! PrivateKey(hex: $0) }
let sealerKey = try! PrivateKey(hex: DevKeys.sealer)
let brev = UInt256(1_000_000_000_000_000_000)

func devnet() throws -> Genesis { try Genesis(json: Data(Genesis.devnetJSON.utf8), parameters: SystemContracts.provernet.parameters) }

/// A fresh chain with the system contracts, on `store`.
func openChain(_ store: any KeyValueStore = MemoryStore()) throws -> Blockchain {
    let g = try devnet()
    try Blockchain.initialize(store: store, genesis: g, contracts: .provernet)
    return try Blockchain(store: store, genesis: g, contracts: .provernet)
}

/// Signs calls and transfers with per-key nonces.
struct Signer {
    var nonces: [Address: UInt64] = [:]
    mutating func tx(_ key: PrivateKey, to: Address, _ signature: String? = nil, _ args: [ABIValue] = [],
                     value: UInt256 = .zero, gas: UInt64 = 2_000_000) -> SignedTransaction {
        let n = nonces[key.address, default: 0]
        nonces[key.address] = n + 1
        let data = signature.map { try! ABI.encodeCall(signature: $0, args) } ?? []
        return Transaction.dynamicFee(chainID: 70001, nonce: n, maxPriorityFeePerGas: 1_000_000_000,
                                      maxFeePerGas: 100_000_000_000, gasLimit: signature == nil ? 21_000 : gas,
                                      to: to, value: value, data: data).signed(with: key)
    }
}

/// Block by block, what a small market run sends: a program, a request, two sealed bids and
/// their reveals, transfers throughout; the auction closes at the end of a block
/// (`RequestAssigned`, an end-of-block log).
func marketRun() -> [[SignedTransaction]] {
    var s = Signer()
    let market = MarketContract.contractAddress
    var blocks: [[SignedTransaction]] = []
    blocks.append([s.tx(keys[0], to: market, "registerProgram(bytes)", [.bytes(haltELF())]),
                   s.tx(keys[0], to: Address(low: 0xbeef), value: 7)])
    let program = try! Program(elf: haltELF()).programId
    blocks.append([s.tx(keys[0], to: market, "requestProof(bytes32,bytes,uint256,uint64)",
                        [.fixedBytes(program.bytes), .bytes([1, 2, 3]), .uint(1_000 * brev), .uint(60)], value: brev)])
    let id = UInt256(0)  // request ids count from 0
    let fees: [UInt256] = [3_000_000_000_000_000, 5_000_000_000_000_000]
    blocks.append((1...2).map { i in
        let h = MarketContract.bidHash(requestId: id, prover: keys[i].address, fee: fees[i - 1], nonce: [UInt8](repeating: UInt8(i), count: 32))
        return s.tx(keys[i], to: market, "bid(uint256,bytes32)", [.uint(id), .fixedBytes(h.bytes)])
    })
    for _ in 0..<3 { blocks.append([s.tx(keys[0], to: Address(low: 0xbeef), value: 1)]) }
    blocks.append((1...2).map { i in
        s.tx(keys[i], to: market, "reveal(uint256,uint256,bytes32)",
             [.uint(id), .uint(fees[i - 1]), .fixedBytes([UInt8](repeating: UInt8(i), count: 32))])
    })
    for _ in 0..<6 { blocks.append([]) }
    return blocks
}

@Suite("ABCI seam")
struct ABCITests {
    /// A chain driven through the ABCI-shaped seam alone, as CometBFT would drive it with
    /// blocks another instance proposed, ends with the same blocks and roots as proof-of-
    /// authority sealing, end-of-block events included.
    @Test func seamAloneReproducesProofOfAuthority() throws {
        // The reference: proof of authority seals each block from its pool.
        let sealed = try openChain()
        let pool = TxPool(chainID: 70001, blockGasLimit: sealed.head.gasLimit)
        let sealedApp = ChainApplication(chain: sealed, pool: pool)
        let poa = try ProofOfAuthority(authority: sealed.genesis.sealer, key: sealerKey)
        var time: UInt64 = 1_800_000_000
        var committed: [CommittedBlock] = []
        for txs in marketRun() {
            for tx in txs { try pool.add(tx, view: ChainAccountView(chain: sealed)) }
            time += 2
            committed.append(try poa.produceBlock(sealedApp, timestamp: time))
            #expect(committed.last!.block.transactions.count == txs.count, "block \(committed.count): every transaction included")
            for r in committed.last!.receipts where !r.status {
                Issue.record("block \(committed.count): reverted: \(ABI.decodeRevertReason(r.revertData) ?? "?")")
            }
        }
        let assigned = committed.flatMap(\.blockLogs).filter { $0.topics.first == MarketContract.requestAssigned.topic }
        #expect(assigned.count == 1, "the auction closed at the end of a block")

        // The replica sees only what a consensus engine hands it: height, time, proposer, txs.
        let replica = try openChain()
        let app = ChainApplication(chain: replica)
        for c in committed {
            let h = c.block.header
            let proposal = BlockProposal(height: h.number, time: h.timestamp, proposer: h.coinbase, transactions: c.block.transactions)
            #expect(app.processProposal(proposal) == .accept)
            let result = try app.finalizeBlock(proposal)
            #expect(result.appHash == h.stateRoot, "block \(h.number): app hash")
            #expect(result.events == c.blockLogs, "block \(h.number): end-of-block events")
            #expect(result.txResults.map(\.code) == c.receipts.map { $0.status ? 0 : 1 })
            #expect(replica.head.number == h.number - 1, "finalizeBlock writes nothing")
            try app.commit()
            let info = try app.info()
            #expect(info.lastBlockHeight == h.number && info.lastBlockAppHash == h.stateRoot && info.lastBlockHash == h.hash)
        }
        #expect(replica.head == sealed.head)
    }

    /// A proposer built from the engine's transactions (no local pool), and another instance
    /// that processes, finalizes and commits its proposal, agree block for block.
    @Test func proposerAndValidatorAgree() throws {
        let proposer = ChainApplication(chain: try openChain())
        let validator = ChainApplication(chain: try openChain())
        var time: UInt64 = 1_800_000_000
        for txs in marketRun() {
            time += 1
            var p = BlockProposal(height: try proposer.info().lastBlockHeight + 1, time: time,
                                  proposer: sealerKey.address, transactions: txs)
            p.transactions = try proposer.prepareProposal(p, maxTxBytes: 1 << 20)
            #expect(p.transactions.count == txs.count)
            #expect(validator.processProposal(p) == .accept)
            let a = try proposer.finalizeBlock(p), b = try validator.finalizeBlock(p)
            #expect(a.appHash == b.appHash && a.header == b.header)
            try proposer.commit()
            try validator.commit()
        }
        #expect(try proposer.info() == validator.info())
    }

    /// A proposal with a transaction that cannot apply is rejected, and nothing is written.
    @Test func invalidProposalsAreRejected() throws {
        let app = ChainApplication(chain: try openChain())
        var s = Signer()
        let ok = s.tx(keys[0], to: Address(low: 9), value: 1)
        let gap = Transaction.dynamicFee(chainID: 70001, nonce: 5, maxPriorityFeePerGas: 1, maxFeePerGas: 100_000_000_000,
                                         gasLimit: 21_000, to: Address(low: 9), value: 1).signed(with: keys[1])
        let p = BlockProposal(height: 1, time: 1_800_000_000, proposer: sealerKey.address, transactions: [ok, gap])
        guard case .reject(let why) = app.processProposal(p) else { Issue.record("accepted a nonce gap"); return }
        #expect(why.contains("transaction 1 invalid: nonce too high"), "\(why)")
        #expect(throws: ChainError.self) { try app.finalizeBlock(p) }
        #expect(throws: ChainError.self) { try app.commit() }
        let wrongHeight = BlockProposal(height: 2, time: 1_800_000_000, proposer: sealerKey.address, transactions: [ok])
        #expect(app.processProposal(wrongHeight) == .reject(ChainError.badNumber(expected: 1, got: 2).description))
        #expect(try app.info().lastBlockHeight == 0)
    }

    /// An execution cached for a proposal is reused for a full header only if it is that very
    /// header; a commit only stores the block the driver expects.
    @Test func cachedExecutionsNeverStandInForAnotherHeader() throws {
        let app = ChainApplication(chain: try openChain())
        var s = Signer()
        let p = BlockProposal(height: 1, time: 1_800_000_000, proposer: sealerKey.address,
                              transactions: [s.tx(keys[0], to: Address(low: 9), value: 1)])
        #expect(app.processProposal(p) == .accept)
        let honest = try app.finalizeBlock(p).header
        var forged = honest
        forged.stateRoot = Hash32.keccak256([7])
        var withHeader = p
        withHeader.header = forged
        do { _ = try app.finalizeBlock(withHeader); Issue.record("reused an execution for another header") } catch let e as ChainError {
            guard case .mismatch(1, "state root", _, _) = e else { Issue.record("\(e)"); return }
        }
        _ = try app.finalizeBlock(p)
        #expect(throws: ChainError.self) { try app.commit(certificate: [], expecting: forged.hash) }
        #expect(try app.commit(certificate: [], expecting: honest.hash).block.header == honest)
        #expect(app.chain.head == honest)
    }

    @Test func checkTxCodes() throws {
        let app = ChainApplication(chain: try openChain())
        var s = Signer()
        #expect(app.checkTx(s.tx(keys[0], to: Address(low: 1), value: 1).encoded, recheck: false).isOK)
        #expect(app.checkTx([0xc0, 0x01], recheck: false).code == CheckTxCode.malformed.rawValue)
        let otherChain = Transaction.dynamicFee(chainID: 1, nonce: 0, maxPriorityFeePerGas: 1, maxFeePerGas: 1_000_000_000,
                                                gasLimit: 21_000, to: Address(low: 1), value: 1).signed(with: keys[0])
        #expect(app.checkTx(otherChain.encoded, recheck: false).code == CheckTxCode.invalid.rawValue)
        let poor = try PrivateKey(hex: "0x" + String(repeating: "11", count: 32))
        let broke = Transaction.dynamicFee(chainID: 70001, nonce: 0, maxPriorityFeePerGas: 1, maxFeePerGas: 1_000_000_000,
                                           gasLimit: 21_000, to: Address(low: 1), value: 1).signed(with: poor)
        let r = app.checkTx(broke.encoded, recheck: false)
        #expect(r.code == CheckTxCode.insufficientFunds.rawValue && r.log == "insufficient funds for gas * price + value")
    }

    /// `Info` after a restart: the height and app hash were persisted by the commit itself.
    @Test func infoSurvivesReopening() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("consensus-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        do {
            var expected: ABCIInfo?
            do {
                let store = try LevelDBStore(path: dir + "/db")
                let app = ChainApplication(chain: try openChain(store))
                let poa = try ProofOfAuthority(authority: app.chain.genesis.sealer, key: sealerKey)
                var s = Signer()
                try poa.produceBlock(app, timestamp: 1_800_000_001, transactions: [s.tx(keys[0], to: Address(low: 3), value: 5)])
                try poa.produceBlock(app, timestamp: 1_800_000_002)
                expected = try app.info()
                store.close()
            }
            let store = try LevelDBStore(path: dir + "/db")
            defer { store.close() }
            let g = try devnet()
            let app = ChainApplication(chain: try Blockchain(store: store, genesis: g, contracts: .provernet))
            #expect(try app.info() == expected)
            #expect(expected?.lastBlockHeight == 2)
        }
    }
}

@Suite("Proof of authority")
struct ProofOfAuthorityTests {
    func sealedChain(blocks: Int) throws -> Blockchain {
        let chain = try openChain()
        var s = Signer()
        for b in 0..<blocks {
            try chain.sealNext(candidates: [(s.tx(keys[0], to: Address(low: 7), value: 1), keys[0].address)], key: sealerKey,
                               timestamp: 1_800_000_000 + UInt64(b))
        }
        return chain
    }

    @Test func importChecksTheSealFirst() throws {
        let src = try sealedChain(blocks: 2)
        let b1 = try #require(try src.reader.certifiedBlock(number: 1))
        let dst = ChainApplication(chain: try openChain())
        let poa = try ProofOfAuthority(authority: src.genesis.sealer)
        var forged = b1
        forged.certificate = ProofOfAuthority.seal(b1.header, key: keys[1])
        #expect(throws: ChainError.wrongSealer(number: 1, expected: src.genesis.sealer, got: keys[1].address)) {
            try poa.importBlock(forged, into: dst)
        }
        forged.certificate = []
        #expect(throws: ChainError.invalidSeal(number: 1, reason: "missing seal")) { try poa.importBlock(forged, into: dst) }
        forged.certificate = [UInt8](repeating: 1, count: 64)
        #expect(throws: ChainError.invalidSeal(number: 1, reason: "seal of 64 bytes")) { try poa.importBlock(forged, into: dst) }
        // A block sealed by the authority but with another coinbase.
        var other = b1
        other.block.header.coinbase = keys[2].address
        other.certificate = ProofOfAuthority.seal(other.header, key: sealerKey)
        do { try poa.importBlock(other, into: dst); Issue.record("accepted a foreign coinbase") } catch let e as ChainError {
            guard case .mismatch(1, "coinbase", _, _) = e else { Issue.record("\(e)"); return }
        }
        #expect(dst.chain.head.number == 0)
        try poa.importBlock(b1, into: dst)
        try poa.importBlock(try #require(try src.reader.certifiedBlock(number: 2)), into: dst)
        #expect(dst.chain.head == src.head)
        #expect(try dst.chain.reader.certifiedBlock(number: 2)?.certificate == src.reader.certifiedBlock(number: 2)?.certificate)
    }

    @Test func aKeyThatIsNotTheSealersIsRefused() throws {
        #expect(throws: ChainError.self) { try ProofOfAuthority(authority: sealerKey.address, key: keys[0]) }
        let noKey = try ProofOfAuthority(authority: sealerKey.address)
        #expect(throws: ChainError.self) { try noKey.produceBlock(ChainApplication(chain: try openChain()), timestamp: 1) }
    }
}
