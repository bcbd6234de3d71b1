import ABI
import Chain
import Primitives

/// The staking contract at `0x…1000`: one vault per prover (as ProverNet's), delegation by
/// vault shares, commission, two-phase unstaking, deactivation and jailing.
public struct StakingContract: ABIContract {
    /// The contract's address; it holds every vault's BREV.
    public static let contractAddress = Address(low: 0x1000)
    public var address: Address { Self.contractAddress }
    public var namespace: StateNamespace { StakingKeys.namespace }
    public var parameters: [ParameterDefinition] { StakingParameter.allCases.map(\.definition) }
    public let name = "Staking"

    public init() {}

    public static let maxPendingUnstakes = 10
    public static let maxPositions = 32

    // MARK: Events

    public static let proverRegistered = EventSpec("ProverRegistered", [
        Param("prover", .address, indexed: true), Param("name", .string), Param("commissionBps", .uint(16)), Param("stake", .uint(256)),
    ])
    public static let staked = EventSpec("Staked", [
        Param("staker", .address, indexed: true), Param("prover", .address, indexed: true), Param("amount", .uint(256)),
        Param("shares", .uint(256)),
    ])
    public static let unstakeRequested = EventSpec("UnstakeRequested", [
        Param("staker", .address, indexed: true), Param("prover", .address, indexed: true), Param("shares", .uint(256)),
        Param("releaseBlock", .uint(64)),
    ])
    public static let unstakeCompleted = EventSpec("UnstakeCompleted", [
        Param("staker", .address, indexed: true), Param("prover", .address, indexed: true), Param("shares", .uint(256)),
        Param("amount", .uint(256)),
    ])
    public static let commissionChanged = EventSpec("CommissionChanged", [
        Param("prover", .address, indexed: true), Param("commissionBps", .uint(16)),
    ])
    public static let proverDeactivated = EventSpec("ProverDeactivated", [Param("prover", .address, indexed: true)])

    public var events: [EventSpec] {
        [Self.proverRegistered, Self.staked, Self.unstakeRequested, Self.unstakeCompleted, Self.commissionChanged,
         Self.proverDeactivated]
    }

    // MARK: Methods

    static let table = DispatchTable(StakingContract().methods)
    public var dispatchTable: DispatchTable { Self.table }

    public var methods: [MethodSpec] {
        let stakeGas: @Sendable (ProtocolParams, [UInt8]) -> UInt64 = { p, _ in p.u64(StakingParameter.gasStake) }
        let viewGas: @Sendable (ProtocolParams, [UInt8]) -> UInt64 = { _, _ in 0 }
        return [
            MethodSpec("registerProver", [Param("name", .string), Param("commissionBps", .uint(16))], payable: true, gas: stakeGas) {
                ctx, args throws(Revert) in
                try StakingContract.registerProver(&ctx, name: args.string(0), commission: args.uint(1))
                return []
            },
            MethodSpec("stake", [Param("prover", .address)], returns: [Param("shares", .uint(256))], payable: true, gas: stakeGas) {
                ctx, args throws(Revert) in
                [.uint(try StakingContract.stake(&ctx, prover: args.address(0)))]
            },
            MethodSpec("requestUnstake", [Param("prover", .address), Param("shares", .uint(256))],
                       returns: [Param("releaseBlock", .uint(64))], gas: stakeGas) { ctx, args throws(Revert) in
                [.uint(UInt256(try StakingContract.requestUnstake(&ctx, prover: args.address(0), shares: args.uint(1))))]
            },
            MethodSpec("completeUnstake", [], returns: [Param("amount", .uint(256))], gas: stakeGas) { ctx, _ throws(Revert) in
                [.uint(try StakingContract.completeUnstake(&ctx))]
            },
            MethodSpec("setCommission", [Param("commissionBps", .uint(16))], gas: stakeGas) { ctx, args throws(Revert) in
                try StakingContract.setCommission(&ctx, args.uint(0))
                return []
            },
            MethodSpec("deactivate", [], gas: stakeGas) { ctx, _ throws(Revert) in
                try StakingContract.deactivate(&ctx)
                return []
            },
            MethodSpec("getProver", [Param("prover", .address)], returns: [
                Param("name", .string), Param("stake", .uint(256)), Param("totalShares", .uint(256)), Param("commissionBps", .uint(16)),
                Param("state", .uint(8)), Param("proofsDelivered", .uint(64)), Param("proofsMissed", .uint(64)),
                Param("medianLatency", .uint(64)),
            ], view: true, gas: viewGas) { ctx, args throws(Revert) in
                let vaults = Vaults(state: ctx.state)
                guard let p = try wrap({ try vaults.prover(args.address(0)) }) else { throw Revert("unknown prover", gasUsed: 0) }
                let status = StakingContract.effectiveStatus(p, at: ctx.block.number)
                return [.string(p.name), .uint(p.assets), .uint(p.totalShares), .uint(UInt256(p.commissionBps)),
                        .uint(UInt256(UInt64(status.rawValue))), .uint(UInt256(p.delivered)), .uint(UInt256(p.missed)),
                        .uint(UInt256(p.medianLatency))]
            },
            MethodSpec("getStake", [Param("staker", .address), Param("prover", .address)], returns: [
                Param("shares", .uint(256)), Param("value", .uint(256)), Param("pendingShares", .uint(256)),
            ], view: true, gas: viewGas) { ctx, args throws(Revert) in
                let vaults = Vaults(state: ctx.state)
                return try wrap {
                    let shares = try vaults.shares(staker: args.address(0), prover: args.address(1))
                    let pending = try vaults.pending(args.address(0)).filter { $0.prover == args.address(1) }
                        .reduce(UInt256.zero) { $0 + $1.shares }
                    let rec = try vaults.prover(args.address(1))
                    return [.uint(shares), .uint(rec?.value(ofShares: shares) ?? .zero), .uint(pending)]
                }
            },
            MethodSpec("totalStaked", [], returns: [Param("total", .uint(256))], view: true, gas: viewGas) { ctx, _ throws(Revert) in
                [.uint(try wrap { try Vaults(state: ctx.state).totalStaked() })]
            },
        ]
    }

    // MARK: Genesis

    public func initializeGenesis(state: WorldState, genesis: Genesis) throws {
        let vaults = Vaults(state: state)
        let minStake = genesis.params[StakingParameter.minSelfStake]
        for (i, p) in genesis.provers.enumerated() where p.stake < minStake {
            throw Genesis.GenesisError(field: "provers[\(i)].stake", problem: "\(p.stake) is below the minimum \(minStake)")
        }
        // The provers' genesis stake is held by this contract, which records the vaults.
        try state.addBalance(address, genesis.provers.reduce(UInt256.zero) { $0 + $1.stake })
        for p in genesis.provers {
            var rec = ProverRecord(name: p.name, commissionBps: p.commissionBps)
            rec.assets = p.stake
            rec.totalShares = p.stake
            vaults.setProver(p.address, rec)
            try vaults.setShares(staker: p.address, prover: p.address, p.stake)
            try vaults.adjustTotal(plus: p.stake)
        }
    }

    // MARK: Bodies

    /// Jailed provers are released once their jail term is over.
    public static func effectiveStatus(_ p: ProverRecord, at block: UInt64) -> ProverStatus {
        p.status == .jailed && block >= p.jailedUntil ? .active : p.status
    }

    static func registerProver(_ ctx: inout CallContext, name: String, commission: UInt256) throws(Revert) {
        let vaults = Vaults(state: ctx.state)
        try require(!name.isEmpty && name.utf8.count <= 64, "name must be 1 to 64 bytes")
        try require(commission <= 10_000, "commission above 10000 bps")
        try require(ctx.value >= ctx.params[StakingParameter.minSelfStake], "self-stake below minSelfStake")
        let existing = try wrap { try vaults.prover(ctx.caller) }
        if let e = existing { try require(e.status == .deactivated, "prover already registered") }
        var rec = existing ?? ProverRecord(name: name, commissionBps: commission.w0)
        rec.name = name
        rec.commissionBps = commission.w0
        guard let minted = rec.shares(forDeposit: ctx.value), !minted.isZero else {
            throw Revert("vault has no assets", gasUsed: 0)
        }
        rec.assets += ctx.value
        rec.totalShares += minted
        rec.status = .active
        let caller = ctx.caller, value = ctx.value, v = vaults
        try wrap {
            v.setProver(caller, rec)
            let mine = try v.shares(staker: caller, prover: caller)
            try v.setShares(staker: caller, prover: caller, mine + minted)
            try v.adjustTotal(plus: value)
        }
        let selfValue = rec.value(ofShares: try wrap { try vaults.shares(staker: caller, prover: caller) })
        try require(selfValue >= ctx.params[StakingParameter.minSelfStake], "self-stake below minSelfStake")
        ctx.emit(proverRegistered, [.address(caller), .string(name), .uint(commission), .uint(ctx.value)])
    }

    static func stake(_ ctx: inout CallContext, prover: Address) throws(Revert) -> UInt256 {
        let vaults = Vaults(state: ctx.state)
        try require(!ctx.value.isZero, "nothing staked")
        guard var rec = try wrap({ try vaults.prover(prover) }) else { throw Revert("unknown prover", gasUsed: 0) }
        try require(effectiveStatus(rec, at: ctx.block.number) == .active, "prover is not active")
        guard let minted = rec.shares(forDeposit: ctx.value), !minted.isZero else {
            throw Revert("deposit too small for a share", gasUsed: 0)
        }
        let caller = ctx.caller, value = ctx.value
        let positions = try wrap { try vaults.positions(caller) }
        try require(positions.contains(prover) || positions.count < maxPositions, "too many stake positions")
        rec.assets += value
        rec.totalShares += minted
        try wrap {
            vaults.setProver(prover, rec)
            try vaults.setShares(staker: caller, prover: prover, try vaults.shares(staker: caller, prover: prover) + minted)
            try vaults.adjustTotal(plus: value)
        }
        ctx.emit(staked, [.address(caller), .address(prover), .uint(value), .uint(minted)])
        return minted
    }

    static func requestUnstake(_ ctx: inout CallContext, prover: Address, shares: UInt256) throws(Revert) -> UInt64 {
        let vaults = Vaults(state: ctx.state)
        let caller = ctx.caller
        try require(!shares.isZero, "zero shares")
        let have = try wrap { try vaults.shares(staker: caller, prover: prover) }
        try require(have >= shares, "not enough shares")
        var pending = try wrap { try vaults.pending(caller) }
        try require(pending.count < maxPendingUnstakes, "too many pending unstakes")
        let release = ctx.block.number + ctx.params.u64(StakingParameter.unstakeDelayBlocks)
        pending.append(PendingUnstake(prover: prover, shares: shares, releaseBlock: release))
        try wrap {
            vaults.setPending(caller, pending)
            try vaults.setShares(staker: caller, prover: prover, have - shares)
        }
        // A prover whose own remaining stake falls under the minimum is deactivated.
        if caller == prover, var rec = try wrap({ try vaults.prover(prover) }), rec.status == .active,
           rec.value(ofShares: have - shares) < ctx.params[StakingParameter.minSelfStake] {
            rec.status = .deactivated
            vaults.setProver(prover, rec)
            ctx.emit(proverDeactivated, [.address(prover)])
        }
        ctx.emit(unstakeRequested, [.address(caller), .address(prover), .uint(shares), .uint(UInt256(release))])
        return release
    }

    static func completeUnstake(_ ctx: inout CallContext) throws(Revert) -> UInt256 {
        let vaults = Vaults(state: ctx.state)
        let caller = ctx.caller
        let pending = try wrap { try vaults.pending(caller) }
        let ready = pending.filter { $0.releaseBlock <= ctx.block.number }
        try require(!ready.isEmpty, "nothing to withdraw yet")
        var total = UInt256.zero
        for u in ready {
            guard var rec = try wrap({ try vaults.prover(u.prover) }) else { continue }
            let amount = rec.value(ofShares: u.shares)
            rec.assets -= amount
            rec.totalShares -= u.shares
            total += amount
            vaults.setProver(u.prover, rec)
            ctx.emit(unstakeCompleted, [.address(caller), .address(u.prover), .uint(u.shares), .uint(amount)])
        }
        let left = pending.filter { $0.releaseBlock > ctx.block.number }
        try wrap {
            vaults.setPending(caller, left)
            try vaults.adjustTotal(minus: total)
            // Drop positions that are now empty.
            for u in ready where try vaults.shares(staker: caller, prover: u.prover).isZero {
                try vaults.setShares(staker: caller, prover: u.prover, .zero)
            }
            guard try ctx.state.subBalance(StakingContract.contractAddress, total) else {
                throw StateError.corrupt("staking contract balance below its vaults")
            }
            try ctx.state.addBalance(caller, total)
        }
        return total
    }

    static func setCommission(_ ctx: inout CallContext, _ bps: UInt256) throws(Revert) {
        let vaults = Vaults(state: ctx.state)
        try require(bps <= 10_000, "commission above 10000 bps")
        guard var rec = try wrap({ try vaults.prover(ctx.caller) }) else { throw Revert("not a prover", gasUsed: 0) }
        rec.commissionBps = bps.w0
        vaults.setProver(ctx.caller, rec)
        ctx.emit(commissionChanged, [.address(ctx.caller), .uint(bps)])
    }

    static func deactivate(_ ctx: inout CallContext) throws(Revert) {
        let vaults = Vaults(state: ctx.state)
        guard var rec = try wrap({ try vaults.prover(ctx.caller) }) else { throw Revert("not a prover", gasUsed: 0) }
        try require(rec.status != .deactivated, "already deactivated")
        rec.status = .deactivated
        vaults.setProver(ctx.caller, rec)
        ctx.emit(proverDeactivated, [.address(ctx.caller)])
    }
}

/// Runs state access inside a method body: a storage or corruption error becomes a revert
/// rather than escaping as an untyped error.
func wrap<T>(_ body: () throws -> T) throws(Revert) -> T {
    do { return try body() } catch let r as Revert { throw r } catch {
        throw Revert("state error: \(error)", gasUsed: 0)
    }
}
