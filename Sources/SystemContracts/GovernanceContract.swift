import ABI
import Chain
import Primitives
import RLP

/// A governance proposal.
public struct Proposal: Sendable, Equatable {
    public enum Status: UInt8, Sendable { case voting = 0, passed = 1, rejected = 2, failedQuorum = 3 }

    public var proposer: Address
    public var param: String
    public var value: UInt256
    public var deposit: UInt256
    public var createdBlock: UInt64
    public var endBlock: UInt64
    /// Bonded stake when the proposal was created (the quorum's base).
    public var bondedAtCreation: UInt256
    public var yes: UInt256
    public var no: UInt256
    public var status: Status

    var encoded: [UInt8] {
        func u(_ v: UInt64) -> RLPItem { .bytes(UInt256(v).minimalBigEndianBytes) }
        return RLPItem.list([.bytes(proposer.bytes), .bytes(Array(param.utf8)), .bytes(value.minimalBigEndianBytes),
                             .bytes(deposit.minimalBigEndianBytes), u(createdBlock), u(endBlock), .bytes(bondedAtCreation.minimalBigEndianBytes),
                             .bytes(yes.minimalBigEndianBytes), .bytes(no.minimalBigEndianBytes), u(UInt64(status.rawValue))]).rlpEncoded
    }

    init(proposer: Address, param: String, value: UInt256, deposit: UInt256, createdBlock: UInt64, endBlock: UInt64, bonded: UInt256) {
        self.proposer = proposer
        self.param = param
        self.value = value
        self.deposit = deposit
        self.createdBlock = createdBlock
        self.endBlock = endBlock
        bondedAtCreation = bonded
        yes = .zero
        no = .zero
        status = .voting
    }

    init(decoding bytes: [UInt8]) throws {
        var o = RLPDecoder(bytes)
        var d = try o.readList()
        proposer = try d.readAddress()
        param = String(decoding: try d.readBytes(), as: UTF8.self)
        value = try d.readUInt256()
        deposit = try d.readUInt256()
        createdBlock = try d.readUInt64()
        endBlock = try d.readUInt64()
        bondedAtCreation = try d.readUInt256()
        yes = try d.readUInt256()
        no = try d.readUInt256()
        guard let s = Status(rawValue: UInt8(truncatingIfNeeded: try d.readUInt64())) else { throw StateError.corrupt("proposal status") }
        status = s
        try d.finish()
    }
}

/// The governance contract at `0x…1002`: BREV holders with bonded stake vote on parameters.
/// Voting power is the voter's bonded stake as committed by the block before the proposal, so
/// stake moved afterwards carries no extra votes.
public struct GovernanceContract: ABIContract {
    public static let contractAddress = Address(low: 0x1002)
    public var address: Address { Self.contractAddress }
    public var namespace: StateNamespace { GovernanceKeys.namespace }
    public var parameters: [ParameterDefinition] { GovernanceParameter.allCases.map(\.definition) }
    public let name = "Governance"

    public init() {}

    public static let proposalCreated = EventSpec("ProposalCreated", [
        Param("proposalId", .uint(256), indexed: true), Param("proposer", .address, indexed: true), Param("param", .string),
        Param("value", .uint(256)), Param("endBlock", .uint(64)), Param("description", .string),
    ])
    public static let voted = EventSpec("Voted", [
        Param("proposalId", .uint(256), indexed: true), Param("voter", .address, indexed: true), Param("support", .bool),
        Param("weight", .uint(256)),
    ])
    public static let proposalClosed = EventSpec("ProposalClosed", [
        Param("proposalId", .uint(256), indexed: true), Param("status", .uint(8)), Param("yes", .uint(256)), Param("no", .uint(256)),
    ])
    public static let parameterChanged = EventSpec("ParameterChanged", [
        Param("param", .string), Param("oldValue", .uint(256)), Param("newValue", .uint(256)),
    ])

    public var events: [EventSpec] { [Self.proposalCreated, Self.voted, Self.proposalClosed, Self.parameterChanged] }

    public static func proposal(_ state: WorldState, _ id: UInt256) throws -> Proposal? {
        try state.get(GovernanceKeys.proposal(id)).map { try Proposal(decoding: $0) }
    }

    static let table = DispatchTable(GovernanceContract().methods)
    public var dispatchTable: DispatchTable { Self.table }

    public var methods: [MethodSpec] {
        let gas: @Sendable (ProtocolParams, [UInt8]) -> UInt64 = { p, _ in p.u64(GovernanceParameter.gasGovernance) }
        return [
            MethodSpec("propose", [Param("param", .string), Param("value", .uint(256)), Param("description", .string)],
                       returns: [Param("proposalId", .uint(256))], payable: true, gas: gas) { ctx, args throws(Revert) in
                [.uint(try GovernanceContract.propose(&ctx, param: args.string(0), value: args.uint(1), description: args.string(2)))]
            },
            MethodSpec("vote", [Param("proposalId", .uint(256)), Param("support", .bool)], gas: gas) { ctx, args throws(Revert) in
                try GovernanceContract.vote(&ctx, id: args.uint(0), support: args.bool(1))
                return []
            },
            MethodSpec("getProposal", [Param("proposalId", .uint(256))], returns: [
                Param("proposer", .address), Param("param", .string), Param("value", .uint(256)), Param("createdBlock", .uint(64)),
                Param("endBlock", .uint(64)), Param("yes", .uint(256)), Param("no", .uint(256)), Param("status", .uint(8)),
            ], view: true, gas: { _, _ in 0 }) { ctx, args throws(Revert) in
                guard let p = try wrap({ try GovernanceContract.proposal(ctx.state, args.uint(0)) }) else {
                    throw Revert("unknown proposal", gasUsed: 0)
                }
                return [.address(p.proposer), .string(p.param), .uint(p.value), .uint(UInt256(p.createdBlock)), .uint(UInt256(p.endBlock)),
                        .uint(p.yes), .uint(p.no), .uint(UInt256(UInt64(p.status.rawValue)))]
            },
            MethodSpec("proposalCount", [], returns: [Param("count", .uint(256))], view: true, gas: { _, _ in 0 }) { ctx, _ throws(Revert) in
                [.uint(try wrap { StateValue.decode(try ctx.state.get(GovernanceKeys.proposalCount)) })]
            },
        ]
    }

    static func propose(_ ctx: inout CallContext, param: String, value: UInt256, description: String) throws(Revert) -> UInt256 {
        try require(ctx.value >= ctx.params[GovernanceParameter.minDeposit], "deposit below minDeposit")
        try require(description.utf8.count <= 4_096, "description longer than 4096 bytes")
        do { _ = try ctx.params.setting(param, to: value) } catch { throw Revert("\(error)", gasUsed: 0) }
        let state = ctx.state
        let id = try wrap { StateValue.decode(try state.get(GovernanceKeys.proposalCount)) }
        state.set(GovernanceKeys.proposalCount, StateValue.encode(id + 1))
        let bonded = try wrap { try Vaults(state: state).totalStaked() }
        let end = ctx.block.number + ctx.params.u64(GovernanceParameter.votingBlocks)
        let p = Proposal(proposer: ctx.caller, param: param, value: value, deposit: ctx.value, createdBlock: ctx.block.number,
                         endBlock: end, bonded: bonded)
        state.set(GovernanceKeys.proposal(id), p.encoded)
        // Tallied at the end of the last voting block.
        try wrap { BlockSchedule.setIDs(state, GovernanceKeys.closing(end - 1), try closing(state, end - 1) + [id]) }
        ctx.emit(proposalCreated, [.uint(id), .address(ctx.caller), .string(param), .uint(value), .uint(UInt256(end)), .string(description)])
        return id
    }

    static func closing(_ state: WorldState, _ n: UInt64) throws -> [UInt256] {
        try BlockSchedule.ids(state, GovernanceKeys.closing(n))
    }

    static func vote(_ ctx: inout CallContext, id: UInt256, support: Bool) throws(Revert) {
        let state = ctx.state
        guard var p = try wrap({ try proposal(state, id) }) else { throw Revert("unknown proposal", gasUsed: 0) }
        try require(p.status == .voting && ctx.block.number < p.endBlock, "voting is closed")
        let voteKey = GovernanceKeys.vote(id, voter: ctx.caller)
        try require(try wrap { try state.get(voteKey) } == nil, "already voted")
        // Voting power: bonded stake as committed by the block before the proposal's.
        guard let fetch = ctx.block.stateAfterBlock, p.createdBlock > 0,
              let snapshot = try wrap({ try fetch(p.createdBlock - 1) }) else {
            throw Revert("voting power snapshot unavailable", gasUsed: 0)
        }
        let caller = ctx.caller
        let weight = try wrap { try Vaults(state: WorldState(base: snapshot)).bondedValue(caller) }
        try require(!weight.isZero, "no bonded stake at the proposal's creation")
        if support { p.yes += weight } else { p.no += weight }
        state.set(voteKey, [support ? 1 : 2])
        state.set(GovernanceKeys.proposal(id), p.encoded)
        ctx.emit(voted, [.uint(id), .address(caller), .bool(support), .uint(weight)])
    }

    /// Tallies proposals whose voting ends with this block; a passed change applies from the
    /// next block. The deposit returns when quorum was met and is burned otherwise.
    public func endBlock(state: WorldState, context: BlockContext) throws -> [Log] {
        var logs: [Log] = []
        let ids = try GovernanceContract.closing(state, context.number)
        for id in ids {
            guard var p = try GovernanceContract.proposal(state, id), p.status == .voting else { continue }
            let turnout = p.yes + p.no
            let quorum = p.bondedAtCreation.multipliedDivided(by: UInt256(context.params.u64(GovernanceParameter.quorumBps)), dividedBy: 10_000) ?? .max
            let params = try state.params(context.params.registry)
            if turnout < quorum || turnout.isZero {
                p.status = .failedQuorum
                _ = try state.subBalance(address, p.deposit)
                state.burn(p.deposit)
            } else {
                _ = try state.subBalance(address, p.deposit)
                try state.addBalance(p.proposer, p.deposit)
                let passes = p.yes * 10_000 > turnout * UInt256(context.params.u64(GovernanceParameter.thresholdBps))
                if passes, let updated = try? params.setting(p.param, to: p.value) {
                    p.status = .passed
                    state.setParams(updated)
                    logs.append(GovernanceContract.parameterChanged.log(address: address, [.string(p.param), .uint(params.value(named: p.param) ?? .zero), .uint(p.value)]))
                } else {
                    p.status = .rejected
                }
            }
            state.set(GovernanceKeys.proposal(id), p.encoded)
            logs.append(GovernanceContract.proposalClosed.log(address: address, [.uint(id), .uint(UInt256(UInt64(p.status.rawValue))), .uint(p.yes), .uint(p.no)]))
        }
        if !ids.isEmpty { state.set(GovernanceKeys.closing(context.number), nil) }
        return logs
    }
}


