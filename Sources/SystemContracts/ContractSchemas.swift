import Chain
import Primitives

// Each system contract's state: the namespace byte it owns in the world state and the layout of
// its keys there (namespace ‖ tag ‖ fields), in one place per contract. Every key the contracts
// read or write is built here; numbers in keys are big-endian so related keys sort together.

/// The staking contract's keys (namespace 0x10).
enum StakingKeys {
    static let namespace = StateNamespace(rawValue: 0x10)
    private static func key(_ tag: UInt8, _ parts: [UInt8]...) -> StateKey { StateKey(namespace, [tag] + parts.flatMap { $0 }) }

    /// `p` ‖ prover address → ``ProverRecord``.
    static func prover(_ a: Address) -> StateKey { key(UInt8(ascii: "p"), a.bytes) }
    /// The prefix of every prover record (for listing provers).
    static let proverPrefix = StateKey(namespace, [UInt8(ascii: "p")])
    /// `s` ‖ prover ‖ staker → shares of the staker in the prover's vault.
    static func shares(prover: Address, staker: Address) -> StateKey { key(UInt8(ascii: "s"), prover.bytes, staker.bytes) }
    /// `l` ‖ staker → RLP list of the provers the staker has shares with.
    static func stakerProvers(_ staker: Address) -> StateKey { key(UInt8(ascii: "l"), staker.bytes) }
    /// `u` ‖ staker → RLP list of the staker's pending unstakes.
    static func unstakes(_ staker: Address) -> StateKey { key(UInt8(ascii: "u"), staker.bytes) }
    /// `t` → total BREV bonded in all vaults.
    static let totalStaked = key(UInt8(ascii: "t"))
}

/// The market contract's keys (namespace 0x11).
enum MarketKeys {
    static let namespace = StateNamespace(rawValue: 0x11)
    private static func key(_ tag: UInt8, _ parts: [UInt8]...) -> StateKey { StateKey(namespace, [tag] + parts.flatMap { $0 }) }

    /// `n` → number of requests so far (the next request id).
    static let requestCount = key(UInt8(ascii: "n"))
    /// `r` ‖ request id (32 bytes) → ``ProofRequest``.
    static func request(_ id: UInt256) -> StateKey { key(UInt8(ascii: "r"), id.bigEndianBytes) }
    /// `i` ‖ request id → the request's input bytes.
    static func input(_ id: UInt256) -> StateKey { key(UInt8(ascii: "i"), id.bigEndianBytes) }
    /// `b` ‖ request id → RLP list of the request's sealed and revealed bids.
    static func bids(_ id: UInt256) -> StateKey { key(UInt8(ascii: "b"), id.bigEndianBytes) }
    /// `E` ‖ block number (8 bytes) → ids of the auctions that close at the end of that block.
    static func closing(_ block: UInt64) -> StateKey { key(UInt8(ascii: "E"), BlockSchedule.number(block)) }
    /// `x` → BREV held in escrow for open requests.
    static let escrow = key(UInt8(ascii: "x"))
    /// `g` ‖ program id → registrant, block and size of a registered program.
    static func program(_ id: Hash32) -> StateKey { key(UInt8(ascii: "g"), id.bytes) }
    /// `e` ‖ program id → the program's ELF image.
    static func elf(_ id: Hash32) -> StateKey { key(UInt8(ascii: "e"), id.bytes) }
    /// `o` ‖ request id → the fulfilled request's public output.
    static func output(_ id: UInt256) -> StateKey { key(UInt8(ascii: "o"), id.bigEndianBytes) }
}

/// The governance contract's keys (namespace 0x12).
enum GovernanceKeys {
    static let namespace = StateNamespace(rawValue: 0x12)
    private static func key(_ tag: UInt8, _ parts: [UInt8]...) -> StateKey { StateKey(namespace, [tag] + parts.flatMap { $0 }) }

    /// `n` → number of proposals so far (the next proposal id).
    static let proposalCount = key(UInt8(ascii: "n"))
    /// `p` ‖ proposal id (32 bytes) → ``Proposal``.
    static func proposal(_ id: UInt256) -> StateKey { key(UInt8(ascii: "p"), id.bigEndianBytes) }
    /// `E` ‖ block number (8 bytes) → ids of the proposals whose vote closes at the end of that block.
    static func closing(_ block: UInt64) -> StateKey { key(UInt8(ascii: "E"), BlockSchedule.number(block)) }
    /// `v` ‖ proposal id ‖ voter → the vote cast.
    static func vote(_ id: UInt256, voter: Address) -> StateKey { key(UInt8(ascii: "v"), id.bigEndianBytes, voter.bytes) }
}
