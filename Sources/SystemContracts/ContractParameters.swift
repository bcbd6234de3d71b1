import Chain
import Primitives

// Each system contract's governable parameters, typed: a contract reads
// `ctx.params[MarketParameter.biddingBlocks]`, so a misspelt name does not compile. Names,
// defaults and bounds are those of DESIGN.md section 3; `provernet_params`, genesis files and
// proposals use the names.

private let brev = UInt256(1_000_000_000_000_000_000)

/// Shared by every method of every system contract (the dispatch framework's).
public enum FrameworkParameter: String, CaseIterable, ProtocolParameter {
    case gasSystemCall

    public var definition: ParameterDefinition {
        switch self {
        case .gasSystemCall: ParameterDefinition(rawValue, default: 20_000, min: 0, max: 10_000_000, doc: "base gas of any system-contract method")
        }
    }
}

/// The staking contract's parameters.
public enum StakingParameter: String, CaseIterable, ProtocolParameter {
    case minSelfStake, unstakeDelayBlocks, gasStake

    public var definition: ParameterDefinition {
        switch self {
        case .minSelfStake:
            ParameterDefinition(rawValue, default: 1_000 &* brev, min: brev, max: 1_000_000_000 &* brev, doc: "smallest self-stake of an active prover (wei)")
        case .unstakeDelayBlocks:
            ParameterDefinition(rawValue, default: 50, min: 1, max: 1_000_000, doc: "blocks between requestUnstake and completeUnstake")
        case .gasStake:
            ParameterDefinition(rawValue, default: 40_000, min: 0, max: 10_000_000, doc: "gas of registerProver, stake, requestUnstake, completeUnstake")
        }
    }
}

/// The market contract's parameters.
public enum MarketParameter: String, CaseIterable, ProtocolParameter {
    case protocolFeeBps, overcommitBps, biddingBlocks, revealBlocks, minMaxFee, maxMaxFee, maxDeadlineBlocks
    case slashBps, maxSlashBps, slashWindowBlocks, reporterRewardBps, jailBlocks, maxInputBytes
    case gasRegisterProgram, gasPerProgramByte, gasRequestProof, gasBid, gasSubmitProof, gasPerProofByte, gasSettle

    public var definition: ParameterDefinition {
        func d(_ v: UInt256, _ lo: UInt256, _ hi: UInt256, _ doc: String) -> ParameterDefinition {
            ParameterDefinition(rawValue, default: v, min: lo, max: hi, doc: doc)
        }
        switch self {
        case .protocolFeeBps: return d(250, 0, 2_000, "share of each paid fee sent to the treasury, in basis points")
        case .overcommitBps: return d(5_000, 0, 100_000, "stake a prover must hold per unit of stake already assigned, in bps")
        case .biddingBlocks: return d(5, 1, 10_000, "length of a request's sealed-bid phase (blocks)")
        case .revealBlocks: return d(5, 1, 10_000, "length of a request's reveal phase (blocks)")
        case .minMaxFee: return d(1_000_000_000_000_000, 1, 1_000_000_000 &* brev, "smallest maxFee a request may escrow (wei)")
        case .maxMaxFee: return d(1_000_000 &* brev, 1, 1_000_000_000 &* brev, "largest maxFee a request may escrow (wei)")
        case .maxDeadlineBlocks: return d(1_000, 10, 1_000_000, "latest deadline a request may set, in blocks from its creation")
        case .slashBps: return d(5_000, 0, 10_000, "slash as a share of the request's minStake, in bps")
        case .maxSlashBps: return d(1_000, 0, 10_000, "cap of one slash as a share of the prover's vault, in bps")
        case .slashWindowBlocks: return d(100, 1, 1_000_000, "blocks after a missed deadline during which slash() is open")
        case .reporterRewardBps: return d(1_000, 0, 10_000, "share of a slash paid to whoever called slash(), in bps")
        case .jailBlocks: return d(100, 0, 1_000_000, "blocks a slashed prover stays jailed")
        case .maxInputBytes: return d(65_536, 1, 131_072, "largest proof-request input (bytes)")
        case .gasRegisterProgram: return d(100_000, 0, 10_000_000, "gas of registerProgram, plus gasPerProgramByte per ELF byte")
        case .gasPerProgramByte: return d(8, 0, 1_000, "gas per byte of a registered ELF")
        case .gasRequestProof: return d(60_000, 0, 10_000_000, "gas of requestProof")
        case .gasBid: return d(30_000, 0, 10_000_000, "gas of bid and reveal")
        case .gasSubmitProof: return d(100_000, 0, 10_000_000, "gas of submitProof, plus gasPerProofByte per proof byte")
        case .gasPerProofByte: return d(16, 0, 1_000, "gas per byte of a submitted proof (verification is priced by size)")
        case .gasSettle: return d(30_000, 0, 10_000_000, "gas of refund and slash")
        }
    }

    /// The rules that tie the market's parameters together.
    static func check(_ p: ProtocolParams) throws(ParamError) {
        if p[minMaxFee] > p[maxMaxFee] { throw .inconsistent("minMaxFee exceeds maxMaxFee") }
        if p[biddingBlocks] + p[revealBlocks] >= p[maxDeadlineBlocks] {
            throw .inconsistent("biddingBlocks + revealBlocks must be below maxDeadlineBlocks")
        }
        if p[protocolFeeBps] > 10_000 || p[reporterRewardBps] > 10_000 { throw .inconsistent("basis points above 10000") }
    }
}

/// The governance contract's parameters.
public enum GovernanceParameter: String, CaseIterable, ProtocolParameter {
    case votingBlocks, quorumBps, thresholdBps, minDeposit, gasGovernance

    public var definition: ParameterDefinition {
        switch self {
        case .votingBlocks: ParameterDefinition(rawValue, default: 20, min: 1, max: 1_000_000, doc: "length of a governance vote (blocks)")
        case .quorumBps:
            ParameterDefinition(rawValue, default: 3_000, min: 1, max: 10_000, doc: "turnout a proposal needs, as a share of bonded stake, in bps")
        case .thresholdBps:
            ParameterDefinition(rawValue, default: 5_000, min: 1, max: 10_000, doc: "share of votes cast that must be yes (strictly more), in bps")
        case .minDeposit:
            ParameterDefinition(rawValue, default: 100 &* brev, min: 1, max: 1_000_000_000 &* brev, doc: "deposit a proposal must carry (wei)")
        case .gasGovernance: ParameterDefinition(rawValue, default: 50_000, min: 0, max: 10_000_000, doc: "gas of propose and vote")
        }
    }
}

extension SystemContracts {
    /// The order `provernet_params` lists the parameters in (the market's economics first, gas
    /// last), unchanged since the parameters were introduced.
    static let parameterOrder = [
        "protocolFeeBps", "minSelfStake", "overcommitBps", "biddingBlocks", "revealBlocks", "minMaxFee", "maxMaxFee",
        "maxDeadlineBlocks", "slashBps", "maxSlashBps", "slashWindowBlocks", "reporterRewardBps", "jailBlocks",
        "unstakeDelayBlocks", "maxInputBytes", "votingBlocks", "quorumBps", "thresholdBps", "minDeposit", "gasSystemCall",
        "gasStake", "gasRegisterProgram", "gasPerProgramByte", "gasRequestProof", "gasBid", "gasSubmitProof",
        "gasPerProofByte", "gasSettle", "gasGovernance",
    ]
}
