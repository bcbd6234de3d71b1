import Chain
import Primitives
import RLP

/// A prover's state in the staking contract.
public enum ProverStatus: UInt8, Sendable {
    case active = 0, deactivated = 1, jailed = 2
}

/// A prover and its vault. The vault's `assets` (BREV) back `totalShares`; a staker's shares are
/// worth shares × assets / totalShares, rounded down, so rounding never creates BREV. Fees paid
/// into the vault raise the share price, slashes lower it: O(1) for any number of stakers.
public struct ProverRecord: Sendable, Equatable {
    public var name: String
    public var commissionBps: UInt64
    public var status: ProverStatus
    public var jailedUntil: UInt64
    public var assets: UInt256
    public var totalShares: UInt256
    /// Stake currently assigned to open requests (for the over-commit rule).
    public var assignedStake: UInt256
    public var delivered: UInt64
    public var missed: UInt64
    /// The latest delivery latencies (blocks), for the median.
    public var latencies: [UInt64]

    public init(name: String, commissionBps: UInt64) {
        self.name = name
        self.commissionBps = commissionBps
        status = .active
        jailedUntil = 0
        assets = .zero
        totalShares = .zero
        assignedStake = .zero
        delivered = 0
        missed = 0
        latencies = []
    }

    var encoded: [UInt8] {
        RLPItem.list([
            .bytes(Array(name.utf8)), .bytes(UInt256(commissionBps).minimalBigEndianBytes), .bytes(status == .active ? [] : [status.rawValue]),
            .bytes(UInt256(jailedUntil).minimalBigEndianBytes), .bytes(assets.minimalBigEndianBytes),
            .bytes(totalShares.minimalBigEndianBytes), .bytes(assignedStake.minimalBigEndianBytes),
            .bytes(UInt256(delivered).minimalBigEndianBytes), .bytes(UInt256(missed).minimalBigEndianBytes),
            .list(latencies.map { .bytes(UInt256($0).minimalBigEndianBytes) }),
        ]).rlpEncoded
    }

    init(decoding bytes: [UInt8]) throws {
        var outer = RLPDecoder(bytes)
        var d = try outer.readList()
        name = String(decoding: try d.readBytes(), as: UTF8.self)
        commissionBps = try d.readUInt64()
        guard let s = ProverStatus(rawValue: UInt8(truncatingIfNeeded: try d.readUInt64())) else { throw StateError.corrupt("prover status") }
        status = s
        jailedUntil = try d.readUInt64()
        assets = try d.readUInt256()
        totalShares = try d.readUInt256()
        assignedStake = try d.readUInt256()
        delivered = try d.readUInt64()
        missed = try d.readUInt64()
        var l = try d.readList()
        latencies = []
        while !l.isAtEnd { latencies.append(try l.readUInt64()) }
        try d.finish()
    }

    /// The BREV value of `shares` (rounded down).
    public func value(ofShares shares: UInt256) -> UInt256 {
        totalShares.isZero ? .zero : (shares.multipliedDivided(by: assets, dividedBy: totalShares) ?? .zero)
    }

    /// Shares minted for a deposit of `amount` (rounded down); 1:1 into an empty vault.
    public func shares(forDeposit amount: UInt256) -> UInt256? {
        if totalShares.isZero { return amount }
        if assets.isZero { return nil }  // Fully slashed: new money would subsidise old shares.
        return amount.multipliedDivided(by: totalShares, dividedBy: assets)
    }

    /// Median of the recorded latencies (0 with none).
    public var medianLatency: UInt64 {
        if latencies.isEmpty { return 0 }
        let s = latencies.sorted()
        return s[s.count / 2]
    }
}

/// A pending withdrawal: shares leave the staker's position at once but stay in the vault (so
/// they remain slashable) until `releaseBlock`, when they are redeemed at the then share price.
public struct PendingUnstake: Sendable, Equatable {
    public var prover: Address
    public var shares: UInt256
    public var releaseBlock: UInt64
}

/// Typed access to the staking contract's state (namespace `staking`).
public struct Vaults {
    public let state: WorldState

    public init(state: WorldState) { self.state = state }

    /// The prefix of every prover record's state key (to list the provers).
    public static var proverKeyPrefix: StateKey { StakingKeys.proverPrefix }

    /// The prover whose record is stored under the raw state key `key`.
    public static func proverAddress(fromKey key: [UInt8]) -> Address? {
        let prefix = proverKeyPrefix.bytes
        guard key.count == prefix.count + 20, key.starts(with: prefix) else { return nil }
        return Address(Array(key.suffix(20)))
    }

    public func prover(_ a: Address) throws -> ProverRecord? {
        guard let raw = try state.get(StakingKeys.prover(a)) else { return nil }
        return try ProverRecord(decoding: raw)
    }

    public func setProver(_ a: Address, _ p: ProverRecord) { state.set(StakingKeys.prover(a), p.encoded) }

    public func shares(staker: Address, prover: Address) throws -> UInt256 {
        StateValue.decode(try state.get(StakingKeys.shares(prover: prover, staker: staker)))
    }

    public func setShares(staker: Address, prover: Address, _ v: UInt256) throws {
        state.set(StakingKeys.shares(prover: prover, staker: staker), v.isZero ? nil : StateValue.encode(v))
        var list = try positions(staker)
        if v.isZero {
            if try pending(staker).contains(where: { $0.prover == prover }) { return }
            list.removeAll { $0 == prover }
        } else if !list.contains(prover) {
            list.append(prover)
        }
        setPositions(staker, list)
    }

    /// Provers the staker has shares with (active or pending).
    public func positions(_ staker: Address) throws -> [Address] {
        guard let raw = try state.get(StakingKeys.stakerProvers(staker)) else { return [] }
        var d = RLPDecoder(raw)
        var l = try d.readList()
        var out: [Address] = []
        while !l.isAtEnd { out.append(try l.readAddress()) }
        return out
    }

    func setPositions(_ staker: Address, _ list: [Address]) {
        state.set(StakingKeys.stakerProvers(staker), list.isEmpty ? nil : RLPItem.list(list.map { .bytes($0.bytes) }).rlpEncoded)
    }

    public func pending(_ staker: Address) throws -> [PendingUnstake] {
        guard let raw = try state.get(StakingKeys.unstakes(staker)) else { return [] }
        var d = RLPDecoder(raw)
        var l = try d.readList()
        var out: [PendingUnstake] = []
        while !l.isAtEnd {
            var e = try l.readList()
            out.append(PendingUnstake(prover: try e.readAddress(), shares: try e.readUInt256(), releaseBlock: try e.readUInt64()))
        }
        return out
    }

    public func setPending(_ staker: Address, _ list: [PendingUnstake]) {
        state.set(StakingKeys.unstakes(staker), list.isEmpty ? nil : RLPItem.list(list.map {
            .list([.bytes($0.prover.bytes), .bytes($0.shares.minimalBigEndianBytes), .bytes(UInt256($0.releaseBlock).minimalBigEndianBytes)])
        }).rlpEncoded)
    }

    /// Sum of every vault's assets (what the staking contract's balance backs).
    public func totalStaked() throws -> UInt256 { StateValue.decode(try state.get(StakingKeys.totalStaked)) }

    func adjustTotal(plus: UInt256 = .zero, minus: UInt256 = .zero) throws {
        let t = try totalStaked() + plus - minus
        state.set(StakingKeys.totalStaked, t.isZero ? nil : StateValue.encode(t))
    }

    /// The value of everything `staker` has bonded (active and pending shares) across vaults.
    public func bondedValue(_ staker: Address) throws -> UInt256 {
        var total = UInt256.zero
        let pend = try pending(staker)
        for p in try positions(staker) {
            guard let rec = try prover(p) else { continue }
            var shares = try self.shares(staker: staker, prover: p)
            for u in pend where u.prover == p { shares += u.shares }
            total += rec.value(ofShares: shares)
        }
        return total
    }

    // MARK: Money movements used by the market

    /// Pays `fee` for a delivered proof: the commission to the prover's account, the rest into
    /// its vault. The BREV must already be in the staking contract's balance.
    public func payFee(prover: Address, fee: UInt256) throws {
        guard var rec = try self.prover(prover) else { return }
        let commission = fee.multipliedDivided(by: UInt256(rec.commissionBps), dividedBy: 10_000) ?? .zero
        _ = try state.subBalance(StakingContract.contractAddress, commission)
        try state.addBalance(prover, commission)
        let rest = fee - commission
        rec.assets += rest
        setProver(prover, rec)
        try adjustTotal(plus: rest)
    }

    /// Takes up to `amount` from the prover's vault (pending unstakes included, since their
    /// shares are still in it); returns what was taken, now free in the contract's balance.
    public func slash(prover: Address, amount: UInt256) throws -> UInt256 {
        guard var rec = try self.prover(prover) else { return .zero }
        let taken = min(amount, rec.assets)
        rec.assets -= taken
        setProver(prover, rec)
        try adjustTotal(minus: taken)
        return taken
    }
}
