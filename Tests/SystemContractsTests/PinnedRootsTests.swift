import ABI
import Chain
import Foundation
import Primitives
import RISCV
import Secp256k1
import SystemContracts
import Testing
import TestSupport
import Transactions

/// A deterministic run through every contract: its genesis hash, block hashes and state roots
/// are pinned (computed before the architecture restructure), so a refactor that changes any
/// root fails here.
@Suite struct PinnedRootsTests {
    static func run() throws -> (genesis: Hash32, blocks: [(hash: Hash32, root: Hash32)]) {
        let h = try Harness()
        let genesis = try #require(try h.chain.reader.header(number: 0)).hash
        var out: [(Hash32, Hash32)] = []
        func record() { out.append((h.chain.head.hash, h.chain.head.stateRoot)) }
        var receipts: [Receipt] = []
        let market = MarketContract.contractAddress, gov = GovernanceContract.contractAddress
        receipts += try h.block([h.tx(keys[0], to: market, "registerProgram(bytes)", [.bytes(haltELF())], gas: 1_000_000),
                     h.tx(keys[3], to: Address(low: 0xbeef), "x()", [], value: 5)]); record()
        let program = try Program(elf: haltELF()).programId
        receipts += try h.block([h.tx(keys[0], to: market, "requestProof(bytes32,bytes,uint256,uint64)",
                          [.fixedBytes(program.bytes), .bytes([1, 2, 3]), .uint(1_000 * brev), .uint(40)], value: brev),
                     h.tx(keys[3], to: gov, "propose(string,uint256,string)", [.string("biddingBlocks"), .uint(7), .string("longer")],
                          value: 100 * brev)]); record()
        let fees: [UInt256] = [3_000_000_000_000_000, 5_000_000_000_000_000]
        receipts += try h.block((1...2).map { i in
            h.tx(keys[i], to: market, "bid(uint256,bytes32)", [.uint(0), .fixedBytes(MarketContract.bidHash(
                requestId: 0, prover: keys[i].address, fee: fees[i - 1], nonce: [UInt8](repeating: UInt8(i), count: 32)).bytes)])
        } + [h.tx(keys[1], to: gov, "vote(uint256,bool)", [.uint(0), .bool(true)]),
             h.tx(keys[2], to: gov, "vote(uint256,bool)", [.uint(0), .bool(true)])]); record()
        for _ in 0..<3 { receipts += try h.block([]); record() }
        receipts += try h.block((1...2).map { i in
            h.tx(keys[i], to: market, "reveal(uint256,uint256,bytes32)",
                 [.uint(0), .uint(fees[i - 1]), .fixedBytes([UInt8](repeating: UInt8(i), count: 32))])
        }); record()
        for _ in 0..<20 { receipts += try h.block([]); record() }
        receipts += try h.block([h.tx(keys[3], to: StakingContract().address, "stake(address)", [.address(keys[1].address)], value: 10 * brev)])
        record()
        for r in receipts { #expect(r.status, "\(h.revertReason(r) ?? "")") }
        return (genesis, out)
    }

    /// Computed by the same run on the code before the restructure (commit 3017fae).
    static let genesisHash = "0xf154e3e5041790b34b712788e485a95d595e49a1b2bfeae2747b903bf8d255a4"
    static let pinned: [(hash: String, root: String)] = [
        ("0xf45f8859560cfa2cd62c2865600d35ba074565f2a1539c7d41c51db2082452aa", "0x32bfc1421cd63d3c316239726a29074bb5a9aec3d887bd0d6ccae4f61ea1af00"),
        ("0x1e92c21ddaee8ff0fabb6dae3236d78a6af935fdab18dc5310f10a5d6962dfef", "0x28fba5bbf27d20cd1aa2c9601729c4525bf3bce5824cb9d04df46270893994da"),
        ("0x33d2d695ad74ebd426327199bd33969804ab0a127da1e01e5069790f2d4039e1", "0x16e3beebcf675ee5ddfe3cf5bc06146804b01d1818934b755d53858e4f00dbb3"),
        ("0xae3f98cb2469c4790da5af74b78bf7314936a3c717f03fc9365386782b74c6fc", "0x16e3beebcf675ee5ddfe3cf5bc06146804b01d1818934b755d53858e4f00dbb3"),
        ("0xb0362f9155877ad44469754f02b50db9a115acc1c1b2e5b5819481b79a7a7373", "0x16e3beebcf675ee5ddfe3cf5bc06146804b01d1818934b755d53858e4f00dbb3"),
        ("0x6053027307fcb106046a23206a684567882c112cb6366a5e9ecdae6625930559", "0x16e3beebcf675ee5ddfe3cf5bc06146804b01d1818934b755d53858e4f00dbb3"),
        ("0x505c1965863a011f3092948dd50ad2aadd42b99a7eb5d3fd3009c32109976ba5", "0xdcedb26703acb0a3c4d112137f11eba8970f85d1d5b6269923175d9e38219911"),
        ("0x01978b020ba8cfaef52fb8eda6d0ca799e30c1032209c6b08e2d21819e1eca65", "0xdcedb26703acb0a3c4d112137f11eba8970f85d1d5b6269923175d9e38219911"),
        ("0xc440e2ab3c23dac7f158cf44183f059e1cd00b2d5a1b62c35beecf5dba7023f8", "0xdcedb26703acb0a3c4d112137f11eba8970f85d1d5b6269923175d9e38219911"),
        ("0xb93429c1d858860b30512b2d3eee4b3a3b92edf98b2306e1f45839a4e52706ab", "0xdcedb26703acb0a3c4d112137f11eba8970f85d1d5b6269923175d9e38219911"),
        ("0xcfea7be3840f93b1e7725e27db63eaf7bb304adae379d17008c92be6bba1d2b6", "0x6083b8beb57609b9397e196b09878a4fc5b27a00e4c08fa7f63b7c41ee9022a2"),
        ("0x70d781041d6dc67e7c1abdd5929db81af93aedc12939205b93ab2ed962348912", "0x6083b8beb57609b9397e196b09878a4fc5b27a00e4c08fa7f63b7c41ee9022a2"),
        ("0x930ef1376c3392d544ae522c2f961b9e89397b289f647d4e2feea887ee8219b8", "0x6083b8beb57609b9397e196b09878a4fc5b27a00e4c08fa7f63b7c41ee9022a2"),
        ("0x2acd4efff7128ab48e7065f6cbb7b0c435917281f3204201236b8cbc2c250393", "0x6083b8beb57609b9397e196b09878a4fc5b27a00e4c08fa7f63b7c41ee9022a2"),
        ("0x98f83a2de78e2b69738711a747cb9e2234a3894653a0289de43132e052319d8d", "0x6083b8beb57609b9397e196b09878a4fc5b27a00e4c08fa7f63b7c41ee9022a2"),
        ("0x170d3da6c2c926f2c28381ab8296b3567d4eb6316aa1e46c12b387107a8be2d1", "0x6083b8beb57609b9397e196b09878a4fc5b27a00e4c08fa7f63b7c41ee9022a2"),
        ("0x8a5034a100415d827da35658b7ad86a258718bfb20807232f980045e01480a85", "0x6083b8beb57609b9397e196b09878a4fc5b27a00e4c08fa7f63b7c41ee9022a2"),
        ("0x2c58cb04569f107b50e0d96b5ea6e1b7dda6192ee16d89e174dcc59c92dd4c8e", "0x6083b8beb57609b9397e196b09878a4fc5b27a00e4c08fa7f63b7c41ee9022a2"),
        ("0x6bfa266ad5b86640bc3a2bc0f2dbf3a24038dcfa2522552b39c64288ecf3c635", "0x6083b8beb57609b9397e196b09878a4fc5b27a00e4c08fa7f63b7c41ee9022a2"),
        ("0x88aa1a06877ffcd649bb14a9cd81f2307049d8da12483da8903aba1fb768c595", "0x6083b8beb57609b9397e196b09878a4fc5b27a00e4c08fa7f63b7c41ee9022a2"),
        ("0xe90af10e2b6b6f219de2c13c82db38c67c731f31c1b89013cd0bf36436864b4a", "0xc4aa4140cced021935a6f8ac1eb60139e332e76b9ed1447444dbb125e98ce6d0"),
        ("0xb916290afb568117dca38816c3a4206176474db157755a322d76dc6fae462c4a", "0xc4aa4140cced021935a6f8ac1eb60139e332e76b9ed1447444dbb125e98ce6d0"),
        ("0x634d38e1c520c5fa0f317357acc801673a13957b0e7709db6c041e891ecdbe0c", "0xc4aa4140cced021935a6f8ac1eb60139e332e76b9ed1447444dbb125e98ce6d0"),
        ("0x382fb993cc0c7dd2c6d9bf4318680e2513815ea0f9854d0d9b7f0b5c45eabd96", "0xc4aa4140cced021935a6f8ac1eb60139e332e76b9ed1447444dbb125e98ce6d0"),
        ("0xecb42f7068284aa752410e2871e2ee3ae946e2613de2c728786c3dce7a296bdf", "0xc4aa4140cced021935a6f8ac1eb60139e332e76b9ed1447444dbb125e98ce6d0"),
        ("0x409cf7a2625146d0e0db1234c75775be62b6a23eb257af162d570061bdc1d5e4", "0xc4aa4140cced021935a6f8ac1eb60139e332e76b9ed1447444dbb125e98ce6d0"),
        ("0x826be4e42f4b6e96b1a1b4d2a88af087c50e177b1c98b91d84958ead9978f38b", "0xc4aa4140cced021935a6f8ac1eb60139e332e76b9ed1447444dbb125e98ce6d0"),
        ("0x4cacf6dbbd07d1e13bb0f9ca2046111d05227d6a95a82fedad84439a2de8f59b", "0x63a56cecf751ad78a5b9349a12ca85e82a494e2c0006e252d05027b08f521937"),
    ]

    @Test func genesisBlocksAndRootsAreUnchanged() throws {
        let r = try PinnedRootsTests.run()
        #expect(r.genesis.description == PinnedRootsTests.genesisHash)
        #expect(r.blocks.count == PinnedRootsTests.pinned.count)
        for (i, (b, p)) in zip(r.blocks, PinnedRootsTests.pinned).enumerated() {
            #expect(b.hash.description == p.hash, "block \(i + 1) hash")
            #expect(b.root.description == p.root, "block \(i + 1) state root")
        }
    }
}
