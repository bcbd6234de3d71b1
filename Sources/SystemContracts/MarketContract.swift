import ABI
import Chain
import Keccak
import Primitives
import RISCV

/// The market contract at `0x…1001`: programs, proof requests with escrow, and the sealed-bid
/// reverse second-price auction with commit–reveal that ProverNet deploys. Proof submission and
/// payment arrive with the on-node verifier.
public struct MarketContract: ABIContract {
    public static let contractAddress = Address(low: 0x1001)
    /// Where the protocol's share of fees and slashes goes.
    public static let treasuryAddress = Address(low: 0x1fff)
    public var address: Address { Self.contractAddress }
    public var namespace: StateNamespace { MarketKeys.namespace }
    public var parameters: [ParameterDefinition] { MarketParameter.allCases.map(\.definition) }
    public func checkParameters(_ params: ProtocolParams) throws(ParamError) { try MarketParameter.check(params) }
    public let name = "Market"
    /// Checks submitted proofs (the node injects the zkVM's verifier).
    public let verifier: any ProofVerifier

    public init(verifier: any ProofVerifier = NoProofVerifier()) { self.verifier = verifier }

    // MARK: Events

    public static let programRegistered = EventSpec("ProgramRegistered", [
        Param("programId", .fixedBytes(32), indexed: true), Param("registrant", .address, indexed: true), Param("size", .uint(256)),
    ])
    public static let proofRequested = EventSpec("ProofRequested", [
        Param("requestId", .uint(256), indexed: true), Param("requester", .address, indexed: true),
        Param("programId", .fixedBytes(32), indexed: true), Param("maxFee", .uint(256)), Param("minStake", .uint(256)),
        Param("deadline", .uint(64)), Param("biddingEnd", .uint(64)), Param("revealEnd", .uint(64)),
    ])
    public static let bidCommitted = EventSpec("BidCommitted", [
        Param("requestId", .uint(256), indexed: true), Param("prover", .address, indexed: true), Param("bidHash", .fixedBytes(32)),
    ])
    public static let bidRevealed = EventSpec("BidRevealed", [
        Param("requestId", .uint(256), indexed: true), Param("prover", .address, indexed: true), Param("fee", .uint(256)),
    ])
    public static let requestAssigned = EventSpec("RequestAssigned", [
        Param("requestId", .uint(256), indexed: true), Param("prover", .address, indexed: true), Param("fee", .uint(256)),
    ])
    public static let requestRefunded = EventSpec("RequestRefunded", [
        Param("requestId", .uint(256), indexed: true), Param("requester", .address, indexed: true), Param("amount", .uint(256)),
    ])
    public static let proverSlashed = EventSpec("ProverSlashed", [
        Param("requestId", .uint(256), indexed: true), Param("prover", .address, indexed: true), Param("amount", .uint(256)),
        Param("reporter", .address, indexed: true), Param("reward", .uint(256)),
    ])

    public var events: [EventSpec] {
        [Self.programRegistered, Self.proofRequested, Self.bidCommitted, Self.bidRevealed, Self.requestAssigned,
         Self.requestRefunded, Self.proverSlashed]
    }

    // MARK: Methods

    static let table = DispatchTable(MarketContract().methods)
    public var dispatchTable: DispatchTable { Self.table }

    public var methods: [MethodSpec] {
        let viewGas: @Sendable (ProtocolParams, [UInt8]) -> UInt64 = { _, _ in 0 }
        return [
            MethodSpec("registerProgram", [Param("elf", .bytes)], returns: [Param("programId", .fixedBytes(32))],
                       gas: { p, input in p.u64(MarketParameter.gasRegisterProgram) &+ p.u64(MarketParameter.gasPerProgramByte) &* UInt64(input.count) }) {
                ctx, args throws(Revert) in
                [.fixedBytes(try MarketContract.registerProgram(&ctx, elf: args.bytes(0)).bytes)]
            },
            MethodSpec("requestProof", [Param("programId", .fixedBytes(32)), Param("input", .bytes), Param("minStake", .uint(256)),
                                        Param("deadline", .uint(64))], returns: [Param("requestId", .uint(256))], payable: true,
                       gas: { p, _ in p.u64(MarketParameter.gasRequestProof) }) { ctx, args throws(Revert) in
                [.uint(try MarketContract.requestProof(&ctx, programId: args.hash(0), input: args.bytes(1),
                                                       minStake: args.uint(2), deadline: args.uint(3).uint64 ?? .max))]
            },
            MethodSpec("bid", [Param("requestId", .uint(256)), Param("bidHash", .fixedBytes(32))], gas: { p, _ in p.u64(MarketParameter.gasBid) }) {
                ctx, args throws(Revert) in
                try MarketContract.bid(&ctx, id: args.uint(0), bidHash: args.hash(1))
                return []
            },
            MethodSpec("reveal", [Param("requestId", .uint(256)), Param("fee", .uint(256)), Param("nonce", .fixedBytes(32))],
                       gas: { p, _ in p.u64(MarketParameter.gasBid) }) { ctx, args throws(Revert) in
                try MarketContract.reveal(&ctx, id: args.uint(0), fee: args.uint(1), nonce: args.bytes(2))
                return []
            },
            MethodSpec("refund", [Param("requestId", .uint(256))], gas: { p, _ in p.u64(MarketParameter.gasSettle) }) { ctx, args throws(Revert) in
                try MarketContract.refund(&ctx, id: args.uint(0))
                return []
            },
            MethodSpec("slash", [Param("requestId", .uint(256))], gas: { p, _ in p.u64(MarketParameter.gasSettle) }) { ctx, args throws(Revert) in
                try MarketContract.slash(&ctx, id: args.uint(0))
                return []
            },
            MethodSpec("getRequest", [Param("requestId", .uint(256))], returns: [
                Param("requester", .address), Param("programId", .fixedBytes(32)), Param("minStake", .uint(256)), Param("maxFee", .uint(256)),
                Param("deadline", .uint(64)), Param("createdBlock", .uint(64)), Param("state", .uint(8)), Param("phase", .uint(8)),
                Param("winner", .address), Param("fee", .uint(256)), Param("bidCount", .uint(64)),
            ], view: true, gas: viewGas) { ctx, args throws(Revert) in
                guard let r = try wrap({ try MarketStore(state: ctx.state).request(args.uint(0)) }) else {
                    throw Revert("unknown request", gasUsed: 0)
                }
                return [.address(r.requester), .fixedBytes(r.programId.bytes), .uint(r.minStake), .uint(r.maxFee),
                        .uint(UInt256(r.deadline)), .uint(UInt256(r.createdBlock)), .uint(UInt256(UInt64(r.state.rawValue))),
                        .uint(UInt256(UInt64(r.phase(at: ctx.block.number).rawValue))), .address(r.winner ?? .zero), .uint(r.fee),
                        .uint(UInt256(r.bidCount))]
            },
            MethodSpec("getBids", [Param("requestId", .uint(256))], returns: [
                Param("provers", .array(.address)), Param("revealed", .array(.bool)), Param("fees", .array(.uint(256))),
            ], view: true, gas: viewGas) { ctx, args throws(Revert) in
                let bids = try wrap { try MarketStore(state: ctx.state).bids(args.uint(0)) }
                return [.array(bids.map { .address($0.prover) }), .array(bids.map { .bool($0.revealed) }),
                        .array(bids.map { .uint($0.revealed ? $0.fee : .zero) })]
            },
            MethodSpec("requestCount", [], returns: [Param("count", .uint(256))], view: true, gas: viewGas) { ctx, _ throws(Revert) in
                [.uint(try wrap { try MarketStore(state: ctx.state).requestCount() })]
            },
            MethodSpec("getProgram", [Param("programId", .fixedBytes(32))], returns: [
                Param("registrant", .address), Param("registeredBlock", .uint(64)), Param("size", .uint(256)),
            ], view: true, gas: viewGas) { ctx, args throws(Revert) in
                guard let p = try wrap({ try MarketStore(state: ctx.state).program(args.hash(0)) }) else {
                    throw Revert("unknown program", gasUsed: 0)
                }
                return [.address(p.registrant), .uint(UInt256(p.block)), .uint(UInt256(p.size))]
            },
            MethodSpec("getOutput", [Param("requestId", .uint(256))], returns: [Param("output", .bytes)], view: true, gas: viewGas) {
                ctx, args throws(Revert) in
                [.bytes(try wrap { try MarketStore(state: ctx.state).output(args.uint(0)) })]
            },
        ]
    }

    // MARK: Bodies

    static func registerProgram(_ ctx: inout CallContext, elf: [UInt8]) throws(Revert) -> Hash32 {
        let program: Program
        do { program = try Program(elf: elf) } catch { throw Revert("invalid ELF: \(error)", gasUsed: 0) }
        let store = MarketStore(state: ctx.state)
        let id = program.programId
        if try wrap({ try store.program(id) }) == nil {
            store.setProgram(id, registrant: ctx.caller, block: ctx.block.number, elf: elf)
            ctx.emit(programRegistered, [.fixedBytes(id.bytes), .address(ctx.caller), .uint(UInt256(elf.count))])
        }
        return id
    }

    static func requestProof(_ ctx: inout CallContext, programId: Hash32, input: [UInt8], minStake: UInt256,
                             deadline: UInt64) throws(Revert) -> UInt256 {
        let p = ctx.params
        let store = MarketStore(state: ctx.state)
        try require(try wrap { try store.program(programId) } != nil, "unknown program")
        try require(UInt64(input.count) <= p.u64(MarketParameter.maxInputBytes), "input larger than maxInputBytes")
        try require(ctx.value >= p[MarketParameter.minMaxFee], "maxFee below minMaxFee")
        try require(ctx.value <= p[MarketParameter.maxMaxFee], "maxFee above maxMaxFee")
        try require(minStake >= p[StakingParameter.minSelfStake], "minStake below minSelfStake")
        let now = ctx.block.number
        let biddingEnd = now + p.u64(MarketParameter.biddingBlocks), revealEnd = biddingEnd + p.u64(MarketParameter.revealBlocks)
        try require(deadline > revealEnd, "deadline before the end of the reveal phase")
        try require(deadline <= now + p.u64(MarketParameter.maxDeadlineBlocks), "deadline beyond maxDeadlineBlocks")
        let id = try wrap { try store.requestCount() }
        store.setRequestCount(id + 1)
        let r = ProofRequest(requester: ctx.caller, programId: programId, inputHash: Hash32.keccak256(input), minStake: minStake,
                             maxFee: ctx.value, deadline: deadline, createdBlock: now, biddingEnd: biddingEnd, revealEnd: revealEnd)
        store.setRequest(id, r)
        store.setInput(id, input)
        try wrap {
            store.setEscrow(try store.escrow() + ctx.value)
            // Assignment happens at the end of the reveal phase's last block.
            store.setClosing(at: revealEnd - 1, try store.closing(at: revealEnd - 1) + [id])
        }
        ctx.emit(proofRequested, [.uint(id), .address(ctx.caller), .fixedBytes(programId.bytes), .uint(ctx.value), .uint(minStake),
                                  .uint(UInt256(deadline)), .uint(UInt256(biddingEnd)), .uint(UInt256(revealEnd))])
        return id
    }

    /// The hash a bid commits to: keccak256(abi.encodePacked(requestId, prover, fee, nonce)).
    public static func bidHash(requestId: UInt256, prover: Address, fee: UInt256, nonce: [UInt8]) -> Hash32 {
        Hash32.keccak256(requestId.bigEndianBytes + prover.bytes + fee.bigEndianBytes + nonce)
    }

    static func bid(_ ctx: inout CallContext, id: UInt256, bidHash: Hash32) throws(Revert) {
        let store = MarketStore(state: ctx.state), vaults = Vaults(state: ctx.state)
        guard var r = try wrap({ try store.request(id) }) else { throw Revert("unknown request", gasUsed: 0) }
        try require(r.phase(at: ctx.block.number) == .bidding, "not in the bidding phase")
        guard let prover = try wrap({ try vaults.prover(ctx.caller) }) else { throw Revert("not a prover", gasUsed: 0) }
        switch StakingContract.effectiveStatus(prover, at: ctx.block.number) {
        case .active: break
        case .jailed: throw Revert("prover is jailed", gasUsed: 0)
        case .deactivated: throw Revert("prover is not active", gasUsed: 0)
        }
        let committed = prover.assignedStake.multipliedDivided(by: UInt256(ctx.params.u64(MarketParameter.overcommitBps)), dividedBy: 10_000) ?? .max
        try require(prover.assets >= r.minStake + committed, "stake below minStake plus over-commitment")
        var bids = try wrap { try store.bids(id) }
        try require(!bids.contains { $0.prover == ctx.caller }, "already bid")
        bids.append(Bid(prover: ctx.caller, bidHash: bidHash, revealed: false, fee: .zero, revealOrder: 0))
        store.setBids(id, bids)
        r.bidCount += 1
        store.setRequest(id, r)
        ctx.emit(bidCommitted, [.uint(id), .address(ctx.caller), .fixedBytes(bidHash.bytes)])
    }

    static func reveal(_ ctx: inout CallContext, id: UInt256, fee: UInt256, nonce: [UInt8]) throws(Revert) {
        let store = MarketStore(state: ctx.state)
        guard var r = try wrap({ try store.request(id) }) else { throw Revert("unknown request", gasUsed: 0) }
        try require(r.phase(at: ctx.block.number) == .reveal, "not in the reveal phase")
        var bids = try wrap { try store.bids(id) }
        guard let i = bids.firstIndex(where: { $0.prover == ctx.caller }) else { throw Revert("no bid to reveal", gasUsed: 0) }
        try require(!bids[i].revealed, "already revealed")
        try require(bidHash(requestId: id, prover: ctx.caller, fee: fee, nonce: nonce) == bids[i].bidHash, "reveal does not match the bid")
        try require(fee <= r.maxFee, "fee above maxFee")
        bids[i].revealed = true
        bids[i].fee = fee
        bids[i].revealOrder = r.revealCount
        r.revealCount += 1
        store.setBids(id, bids)
        store.setRequest(id, r)
        ctx.emit(bidRevealed, [.uint(id), .address(ctx.caller), .uint(fee)])
    }

    /// Assigns every request whose reveal phase ends with this block: lowest revealed fee wins
    /// (the earlier reveal on ties) and is paid the second-lowest revealed fee, or its own.
    public func endBlock(state: WorldState, context: BlockContext) throws -> [Log] {
        let store = MarketStore(state: state), vaults = Vaults(state: state)
        var logs: [Log] = []
        for id in try store.closing(at: context.number) {
            guard var r = try store.request(id), r.state == .pending else { continue }
            let revealed = try store.bids(id).filter(\.revealed).sorted {
                $0.fee != $1.fee ? $0.fee < $1.fee : $0.revealOrder < $1.revealOrder
            }
            guard let best = revealed.first else { continue }
            r.winner = best.prover
            r.fee = revealed.count > 1 ? revealed[1].fee : best.fee
            store.setRequest(id, r)
            if var p = try vaults.prover(best.prover) {
                p.assignedStake += r.minStake
                vaults.setProver(best.prover, p)
            }
            logs.append(MarketContract.requestAssigned.log(address: address, [.uint(id), .address(best.prover), .uint(r.fee)]))
        }
        store.setClosing(at: context.number, [])
        return logs
    }

    static func refund(_ ctx: inout CallContext, id: UInt256) throws(Revert) {
        let store = MarketStore(state: ctx.state), vaults = Vaults(state: ctx.state)
        guard var r = try wrap({ try store.request(id) }) else { throw Revert("unknown request", gasUsed: 0) }
        let phase = r.phase(at: ctx.block.number)
        try require(phase == .expired || phase == .noBids || phase == .noWinner, "request is not refundable")
        r.state = .refunded
        store.setRequest(id, r)
        try wrap {
            store.setEscrow(try store.escrow() - r.maxFee)
            guard try ctx.state.subBalance(MarketContract.contractAddress, r.maxFee) else { throw StateError.corrupt("market balance below escrow") }
            try ctx.state.addBalance(r.requester, r.maxFee)
            if let w = r.winner, var p = try vaults.prover(w) {
                p.assignedStake = p.assignedStake.checkedSub(r.minStake) ?? .zero
                p.missed += 1
                vaults.setProver(w, p)
            }
        }
        ctx.emit(requestRefunded, [.uint(id), .address(r.requester), .uint(r.maxFee)])
    }

    static func slash(_ ctx: inout CallContext, id: UInt256) throws(Revert) {
        let p = ctx.params
        let store = MarketStore(state: ctx.state), vaults = Vaults(state: ctx.state)
        guard var r = try wrap({ try store.request(id) }) else { throw Revert("unknown request", gasUsed: 0) }
        try require(r.state != .slashed, "already slashed")
        guard let winner = r.winner else { throw Revert("request was never assigned", gasUsed: 0) }
        let now = ctx.block.number
        try require(now > r.deadline, "deadline not passed")
        try require(now <= r.deadline + p.u64(MarketParameter.slashWindowBlocks), "slash window closed")
        try require(r.state == .refunded, "refund the request first")
        guard var rec = try wrap({ try vaults.prover(winner) }) else { throw Revert("unknown prover", gasUsed: 0) }
        let wanted = r.minStake.multipliedDivided(by: UInt256(p.u64(MarketParameter.slashBps)), dividedBy: 10_000) ?? .zero
        let cap = rec.assets.multipliedDivided(by: UInt256(p.u64(MarketParameter.maxSlashBps)), dividedBy: 10_000) ?? .zero
        let amount = try wrap { try vaults.slash(prover: winner, amount: min(wanted, cap)) }
        let reward = amount.multipliedDivided(by: UInt256(p.u64(MarketParameter.reporterRewardBps)), dividedBy: 10_000) ?? .zero
        try wrap {
            guard try ctx.state.subBalance(StakingContract.contractAddress, amount) else { throw StateError.corrupt("staking balance below vaults") }
            try ctx.state.addBalance(ctx.caller, reward)
            try ctx.state.addBalance(MarketContract.treasuryAddress, amount - reward)
            rec = try vaults.prover(winner) ?? rec
            rec.status = .jailed
            rec.jailedUntil = now + p.u64(MarketParameter.jailBlocks)
            vaults.setProver(winner, rec)
        }
        r.state = .slashed
        store.setRequest(id, r)
        ctx.emit(proverSlashed, [.uint(id), .address(winner), .uint(amount), .address(ctx.caller), .uint(reward)])
    }
}
