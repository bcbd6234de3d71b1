import Chain
import Foundation
import Primitives
import Storage
import SystemContracts
import Testing

@Suite struct GenesisTests {
    @Test func embeddedGenesisIsTheShippedFile() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Genesis/devnet.json")
        let file = try String(contentsOf: url, encoding: .utf8)
        #expect(Genesis.devnetJSON + "\n" == file, "run Tools/codegen/embed_genesis.py")
    }

    @Test func devnetContents() throws {
        let g = try genesis()
        #expect(g.chainID == 70001)
        #expect(g.alloc.contains { $0.address == devKeys[0].address && $0.balance > .zero })
        #expect(g.devSealerKey?.address == g.sealer)
        #expect(g.provers.count == 2)
        #expect(SystemContracts.provernet.parameters.definitions.allSatisfy { g.params.values[$0.name] != nil })
    }

    @Test func sameFileSameHash() throws {
        let a = MemoryStore(), b = MemoryStore()
        let h1 = try Blockchain.initialize(store: a, genesis: try genesis())
        let h2 = try Blockchain.initialize(store: b, genesis: try genesis())
        #expect(h1 == h2)
        // Initialising again with the same genesis is harmless; another genesis is refused.
        #expect(try Blockchain.initialize(store: a, genesis: try genesis()) == h1)
        let other = try genesis { $0["chainId"] = 5 }
        #expect(throws: ChainError.self) { try Blockchain.initialize(store: a, genesis: other) }
        #expect(throws: ChainError.self) { try Blockchain(store: a, genesis: other) }
        #expect(throws: ChainError.notInitialized("(memory)")) { try Blockchain(store: MemoryStore(), genesis: try genesis()) }
    }

    /// A database written with another storage layout (e.g. one record per tree node, layout 1)
    /// is refused with both versions named, and left as it was.
    @Test func refusesAnotherLayoutVersion() throws {
        let store = MemoryStore()
        try Blockchain.initialize(store: store, genesis: try genesis())
        try store.put(ChainSchema.databaseVersionKey, ChainSchema.encode(1))
        func count() throws -> Int {
            var n = 0
            try store.scan { _, _ in n += 1; return true }
            return n
        }
        let before = try count()
        do {
            _ = try Blockchain(store: store, genesis: try genesis())
            Issue.record("opened a layout-1 database")
        } catch let e as ChainError {
            #expect(e.description.contains("database layout version 1, this node writes \(ChainSchema.version)"), "\(e)")
        }
        #expect(try count() == before)
        #expect(try store.get(ChainSchema.databaseVersionKey) == ChainSchema.encode(1))
    }

    /// Each broken genesis names the field at fault.
    @Test(arguments: Array(0..<19))
    func refusesBrokenGenesis(index: Int) {
        let (field, edit) = GenesisTests.broken(index)
        do {
            _ = try genesis(edit)
            Issue.record("accepted a genesis broken at \(field)")
        } catch let e as Genesis.GenesisError {
            #expect(e.field == field, "\(e)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    static let brokenFields = ["chainId", "chainId", "chainId", "alloc", "sealer", "sealer.address", "sealer.devPrivateKey", "params.biddingBlocks", "params.protocolFeeBps", "params.votingBlocks", "params.noSuchThing", "params", "gasLimit", "baseFeePerGas", "extraData", "blockTime", "provers[0].stake", "provers[1].address", "bogus"]

    static func broken(_ i: Int) -> (String, (inout [String: Any]) -> Void) {
        (brokenFields[i], { o in
            switch i {
            case 0: o["chainId"] = nil
            case 1: o["chainId"] = -1
            case 2: o["chainId"] = "x"
            case 3: o["alloc"] = nil
            case 4: o["sealer"] = nil
            case 5: o["sealer"] = ["address": "0x1234"]
            case 6: o["sealer"] = ["address": "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720", "devPrivateKey": "0x" + String(repeating: "11", count: 32)]
            case 7: var p = o["params"] as! [String: Any]; p["biddingBlocks"] = 0; o["params"] = p
            case 8: var p = o["params"] as! [String: Any]; p["protocolFeeBps"] = 20_000; o["params"] = p
            case 9: var p = o["params"] as! [String: Any]; p["votingBlocks"] = nil; o["params"] = p
            case 10: var p = o["params"] as! [String: Any]; p["noSuchThing"] = 1; o["params"] = p
            case 11: var p = o["params"] as! [String: Any]; p["minMaxFee"] = "10"; p["maxMaxFee"] = "5"; o["params"] = p
            case 12: o["gasLimit"] = 12.5
            case 13: o["baseFeePerGas"] = "-5"
            case 14: o["extraData"] = "0x" + String(repeating: "00", count: 33)
            case 15: o["blockTime"] = 0
            case 16: var ps = o["provers"] as! [[String: Any]]; ps[0]["stake"] = "1"; o["provers"] = ps
            case 17: var ps = o["provers"] as! [[String: Any]]; ps[1]["address"] = ps[0]["address"]; o["provers"] = ps
            case 18: o["bogus"] = true
            default: break
            }
        })
    }

    @Test func balancesPastTwoTo256AndDuplicates() throws {
        let max = UInt256.max.description
        #expect(throws: Genesis.GenesisError.self) {
            _ = try genesis { o in
                o["alloc"] = ["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266": ["balance": max],
                              "0x70997970C51812dc3A010C7d01b50e0d17dc79C8": ["balance": "1"]]
            }
        }
        #expect(throws: Genesis.GenesisError.self) {
            _ = try genesis { o in o["alloc"] = ["0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266": ["balance": max + "0"]] }
        }
        do {
            _ = try genesis { o in
                o["alloc"] = ["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266": ["balance": "1"],
                              "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266": ["balance": "2"]]
            }
            Issue.record("duplicate account accepted")
        } catch let e as Genesis.GenesisError {
            #expect(e.problem == "duplicate account")
        }
        #expect(throws: Genesis.GenesisError.self) { try Genesis(json: Data("{not json".utf8), parameters: SystemContracts.provernet.parameters) }
        // A key given twice is an error, not last-wins.
        let twice = Genesis.devnetJSON.replacingOccurrences(of: "\"chainId\": 70001", with: "\"chainId\": 70001, \"chainId\": 5")
        #expect(twice != Genesis.devnetJSON)
        do { _ = try Genesis(json: Data(twice.utf8), parameters: SystemContracts.provernet.parameters); Issue.record("accepted") } catch let e as Genesis.GenesisError {
            #expect(e.field == "chainId" && e.problem == "given twice")
        }
    }
}
