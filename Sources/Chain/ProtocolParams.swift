import Primitives

/// The market's governable parameters (DESIGN.md section 3), each with the bounds a genesis
/// file or a governance proposal cannot leave. They live in the world state, so the state root
/// covers them and a passed proposal changes them like any other state.
public struct ProtocolParams: Sendable, Equatable {
    /// Values by DESIGN.md name.
    public private(set) var values: [String: UInt256]

    /// One parameter's definition.
    public struct Definition: Sendable {
        public let name: String
        public let defaultValue: UInt256
        public let min: UInt256
        public let max: UInt256
        public let doc: String
    }

    static let brev = UInt256(1_000_000_000_000_000_000)

    /// Every parameter, in a fixed order (the order `provernet_params` lists them).
    public static let definitions: [Definition] = {
        let b = brev
        func d(_ n: String, _ v: UInt256, _ lo: UInt256, _ hi: UInt256, _ doc: String) -> Definition {
            Definition(name: n, defaultValue: v, min: lo, max: hi, doc: doc)
        }
        return [
            d("protocolFeeBps", 250, 0, 2_000, "share of each paid fee sent to the treasury, in basis points"),
            d("minSelfStake", 1_000 &* b, b, 1_000_000_000 &* b, "smallest self-stake of an active prover (wei)"),
            d("overcommitBps", 5_000, 0, 100_000, "stake a prover must hold per unit of stake already assigned, in bps"),
            d("biddingBlocks", 5, 1, 10_000, "length of a request's sealed-bid phase (blocks)"),
            d("revealBlocks", 5, 1, 10_000, "length of a request's reveal phase (blocks)"),
            d("minMaxFee", 1_000_000_000_000_000, 1, 1_000_000_000 &* b, "smallest maxFee a request may escrow (wei)"),
            d("maxMaxFee", 1_000_000 &* b, 1, 1_000_000_000 &* b, "largest maxFee a request may escrow (wei)"),
            d("maxDeadlineBlocks", 1_000, 10, 1_000_000, "latest deadline a request may set, in blocks from its creation"),
            d("slashBps", 5_000, 0, 10_000, "slash as a share of the request's minStake, in bps"),
            d("maxSlashBps", 1_000, 0, 10_000, "cap of one slash as a share of the prover's vault, in bps"),
            d("slashWindowBlocks", 100, 1, 1_000_000, "blocks after a missed deadline during which slash() is open"),
            d("reporterRewardBps", 1_000, 0, 10_000, "share of a slash paid to whoever called slash(), in bps"),
            d("jailBlocks", 100, 0, 1_000_000, "blocks a slashed prover stays jailed"),
            d("unstakeDelayBlocks", 50, 1, 1_000_000, "blocks between requestUnstake and completeUnstake"),
            d("maxInputBytes", 65_536, 1, 131_072, "largest proof-request input (bytes)"),
            d("votingBlocks", 20, 1, 1_000_000, "length of a governance vote (blocks)"),
            d("quorumBps", 3_000, 1, 10_000, "turnout a proposal needs, as a share of bonded stake, in bps"),
            d("thresholdBps", 5_000, 1, 10_000, "share of votes cast that must be yes (strictly more), in bps"),
            d("minDeposit", 100 &* b, 1, 1_000_000_000 &* b, "deposit a proposal must carry (wei)"),
            d("gasSystemCall", 20_000, 0, 10_000_000, "base gas of any system-contract method"),
            d("gasStake", 40_000, 0, 10_000_000, "gas of registerProver, stake, requestUnstake, completeUnstake"),
            d("gasRegisterProgram", 100_000, 0, 10_000_000, "gas of registerProgram, plus gasPerProgramByte per ELF byte"),
            d("gasPerProgramByte", 8, 0, 1_000, "gas per byte of a registered ELF"),
            d("gasRequestProof", 60_000, 0, 10_000_000, "gas of requestProof"),
            d("gasBid", 30_000, 0, 10_000_000, "gas of bid and reveal"),
            d("gasSubmitProof", 100_000, 0, 10_000_000, "gas of submitProof, plus gasPerProofByte per proof byte"),
            d("gasPerProofByte", 16, 0, 1_000, "gas per byte of a submitted proof (verification is priced by size)"),
            d("gasSettle", 30_000, 0, 10_000_000, "gas of refund and slash"),
            d("gasGovernance", 50_000, 0, 10_000_000, "gas of propose and vote"),
        ]
    }()

    static let byName: [String: Definition] = Dictionary(uniqueKeysWithValues: definitions.map { ($0.name, $0) })

    /// Every parameter at its default.
    public static let defaults = ProtocolParams(uncheckedValues: Dictionary(uniqueKeysWithValues: definitions.map {
        ($0.name, $0.defaultValue)
    }))

    init(uncheckedValues: [String: UInt256]) { values = uncheckedValues }

    /// The parameter's value; traps on an unknown name (names are compile-time constants).
    public subscript(name: String) -> UInt256 {
        guard let v = values[name] else { preconditionFailure("unknown protocol parameter \(name)") }
        return v
    }

    /// A parameter as a 64-bit number (block counts, bps, gas); bounds keep them small.
    public func u64(_ name: String) -> UInt64 { self[name].uint64 ?? .max }

    /// Why a parameter value was refused.
    public enum ParamError: Error, Equatable, Sendable, CustomStringConvertible {
        case unknown(String)
        case outOfBounds(name: String, value: UInt256, min: UInt256, max: UInt256)
        case inconsistent(String)

        public var description: String {
            switch self {
            case .unknown(let n): return "unknown parameter \(n)"
            case .outOfBounds(let n, let v, let lo, let hi): return "parameter \(n) = \(v) is outside [\(lo), \(hi)]"
            case .inconsistent(let why): return "parameters inconsistent: \(why)"
            }
        }
    }

    /// Returns these parameters with `name` set to `value`, checked against its bounds and the
    /// cross-parameter rules.
    public func setting(_ name: String, to value: UInt256) throws(ParamError) -> ProtocolParams {
        guard let def = ProtocolParams.byName[name] else { throw .unknown(name) }
        guard value >= def.min, value <= def.max else {
            throw .outOfBounds(name: name, value: value, min: def.min, max: def.max)
        }
        var copy = self
        copy.values[name] = value
        try copy.checkConsistency()
        return copy
    }

    /// The rules that tie parameters together.
    public func checkConsistency() throws(ParamError) {
        if self["minMaxFee"] > self["maxMaxFee"] { throw .inconsistent("minMaxFee exceeds maxMaxFee") }
        if self["biddingBlocks"] + self["revealBlocks"] >= self["maxDeadlineBlocks"] {
            throw .inconsistent("biddingBlocks + revealBlocks must be below maxDeadlineBlocks")
        }
        if self["protocolFeeBps"] > 10_000 || self["reporterRewardBps"] > 10_000 {
            throw .inconsistent("basis points above 10000")
        }
    }
}
