import Chain
import Consensus
import Foundation
import Primitives
import Secp256k1
import Storage
import SystemContracts
import TestSupport
import Transactions

let devKeys = DevKeys.accounts.prefix(3).map { try! PrivateKey(hex: $0) }

let sealerKey = try! PrivateKey(hex: DevKeys.sealer)

/// The devnet genesis JSON as a mutable dictionary.
func devnetObject() -> [String: Any] {
    try! JSONSerialization.jsonObject(with: Data(Genesis.devnetJSON.utf8)) as! [String: Any]
}

func genesis(_ edit: (inout [String: Any]) -> Void = { _ in }) throws -> Genesis {
    var o = devnetObject()
    edit(&o)
    let g = try Genesis(json: try JSONSerialization.data(withJSONObject: o), parameters: SystemContracts.provernet.parameters)
    // The contracts' own genesis checks (the provers' stake) run when block 0 is built.
    try Blockchain.initialize(store: MemoryStore(), genesis: g, contracts: .provernet)
    return g
}

/// A fresh in-memory chain from the devnet genesis.
func memoryChain(_ g: Genesis? = nil) throws -> Blockchain {
    let g = try g ?? genesis()
    let store = MemoryStore()
    try Blockchain.initialize(store: store, genesis: g, contracts: .provernet)
    return try Blockchain(store: store, genesis: g, contracts: .provernet)
}

func transfer(_ key: PrivateKey, nonce: UInt64, to: Address, value: UInt256, tip: UInt256 = 1_000_000_000,
              cap: UInt256 = 10_000_000_000, gas: UInt64 = 21_000) -> SignedTransaction {
    Transaction.dynamicFee(chainID: 70001, nonce: nonce, maxPriorityFeePerGas: tip, maxFeePerGas: cap, gasLimit: gas,
                           to: to, value: value).signed(with: key)
}

extension Blockchain {
    /// Seals a block from `txs` (senders recovered here).
    @discardableResult
    func seal(_ txs: [SignedTransaction], at t: UInt64 = 1_800_000_000) throws -> (block: Block, receipts: [Receipt], skipped: [SkippedTransaction]) {
        try sealNext(candidates: txs.map { ($0, try! $0.recoverSender()) }, key: sealerKey, timestamp: t)
    }

    /// Sum of every account balance plus the burned total must equal the genesis supply.
    func supplyHolds() throws -> Bool {
        var total = UInt256.zero
        try store.scan(prefix: ChainSchema.stateKey([StateNamespace.account.rawValue])) { _, v in
            total = total + (try Account(decoding: v)).balance
            return true
        }
        let s = latestState()
        return total + (try s.number(.burned)) == (try s.number(.supply))
    }
}
