import Chain
import Primitives
import RLP

/// A proof request's lifecycle state.
public enum RequestState: UInt8, Sendable {
    case pending = 0, fulfilled = 1, refunded = 2, slashed = 3
}

/// Where a pending request is in its auction, derived from the block number.
public enum RequestPhase: UInt8, Sendable {
    case bidding = 0, reveal = 1, proving = 2, expired = 3, noBids = 4, noWinner = 5, closed = 6
}

/// A proof request.
public struct ProofRequest: Sendable, Equatable {
    public var requester: Address
    public var programId: Hash32
    public var inputHash: Hash32
    public var minStake: UInt256
    public var maxFee: UInt256
    public var deadline: UInt64
    public var createdBlock: UInt64
    public var biddingEnd: UInt64
    public var revealEnd: UInt64
    public var state: RequestState
    public var winner: Address?
    /// What the winner is paid: the second-lowest revealed fee, or its own if alone.
    public var fee: UInt256
    public var bidCount: UInt64
    public var revealCount: UInt64

    /// The phase at `block` (the block being built or, for views, the next one).
    public func phase(at block: UInt64) -> RequestPhase {
        if state != .pending { return .closed }
        if block < biddingEnd { return .bidding }
        if block < revealEnd { return .reveal }
        if bidCount == 0 { return .noBids }
        if winner == nil { return .noWinner }
        return block > deadline ? .expired : .proving
    }

    var encoded: [UInt8] {
        func u(_ v: UInt64) -> RLPItem { .bytes(UInt256(v).minimalBigEndianBytes) }
        return RLPItem.list([
            .bytes(requester.bytes), .bytes(programId.bytes), .bytes(inputHash.bytes), .bytes(minStake.minimalBigEndianBytes),
            .bytes(maxFee.minimalBigEndianBytes), u(deadline), u(createdBlock), u(biddingEnd), u(revealEnd),
            u(UInt64(state.rawValue)), .bytes(winner?.bytes ?? []), .bytes(fee.minimalBigEndianBytes), u(bidCount), u(revealCount),
        ]).rlpEncoded
    }

    init(requester: Address, programId: Hash32, inputHash: Hash32, minStake: UInt256, maxFee: UInt256, deadline: UInt64,
         createdBlock: UInt64, biddingEnd: UInt64, revealEnd: UInt64) {
        self.requester = requester
        self.programId = programId
        self.inputHash = inputHash
        self.minStake = minStake
        self.maxFee = maxFee
        self.deadline = deadline
        self.createdBlock = createdBlock
        self.biddingEnd = biddingEnd
        self.revealEnd = revealEnd
        state = .pending
        winner = nil
        fee = .zero
        bidCount = 0
        revealCount = 0
    }

    init(decoding bytes: [UInt8]) throws {
        var outer = RLPDecoder(bytes)
        var d = try outer.readList()
        requester = try d.readAddress()
        programId = try d.readHash()
        inputHash = try d.readHash()
        minStake = try d.readUInt256()
        maxFee = try d.readUInt256()
        deadline = try d.readUInt64()
        createdBlock = try d.readUInt64()
        biddingEnd = try d.readUInt64()
        revealEnd = try d.readUInt64()
        guard let s = RequestState(rawValue: UInt8(truncatingIfNeeded: try d.readUInt64())) else { throw StateError.corrupt("request state") }
        state = s
        winner = try d.readOptionalAddress()
        fee = try d.readUInt256()
        bidCount = try d.readUInt64()
        revealCount = try d.readUInt64()
        try d.finish()
    }
}

/// A sealed bid and, once revealed, its fee and reveal order.
public struct Bid: Sendable, Equatable {
    public var prover: Address
    public var bidHash: Hash32
    public var revealed: Bool
    public var fee: UInt256
    public var revealOrder: UInt64
}

/// Typed access to the market's state (namespace `market`).
public struct MarketStore {
    public let state: WorldState

    public init(state: WorldState) { self.state = state }


    public func requestCount() throws -> UInt256 { StateValue.decode(try state.get(MarketKeys.requestCount)) }
    func setRequestCount(_ n: UInt256) { state.set(MarketKeys.requestCount, StateValue.encode(n)) }

    public func request(_ id: UInt256) throws -> ProofRequest? {
        guard let raw = try state.get(MarketKeys.request(id)) else { return nil }
        return try ProofRequest(decoding: raw)
    }

    func setRequest(_ id: UInt256, _ r: ProofRequest) { state.set(MarketKeys.request(id), r.encoded) }

    public func input(_ id: UInt256) throws -> [UInt8] { try state.get(MarketKeys.input(id)) ?? [] }
    func setInput(_ id: UInt256, _ b: [UInt8]) { state.set(MarketKeys.input(id), b.isEmpty ? nil : b) }

    public func bids(_ id: UInt256) throws -> [Bid] {
        guard let raw = try state.get(MarketKeys.bids(id)) else { return [] }
        var d = RLPDecoder(raw)
        var l = try d.readList()
        var out: [Bid] = []
        while !l.isAtEnd {
            var e = try l.readList()
            out.append(Bid(prover: try e.readAddress(), bidHash: try e.readHash(), revealed: try e.readUInt64() == 1,
                           fee: try e.readUInt256(), revealOrder: try e.readUInt64()))
        }
        return out
    }

    func setBids(_ id: UInt256, _ bids: [Bid]) {
        state.set(MarketKeys.bids(id), RLPItem.list(bids.map {
            .list([.bytes($0.prover.bytes), .bytes($0.bidHash.bytes), .bytes($0.revealed ? [1] : []),
                   .bytes($0.fee.minimalBigEndianBytes), .bytes(UInt256($0.revealOrder).minimalBigEndianBytes)])
        }).rlpEncoded)
    }

    /// Requests whose reveal phase ends with block `n` (assigned in that block's end).
    func closing(at n: UInt64) throws -> [UInt256] { try BlockSchedule.ids(state, MarketKeys.closing(n)) }

    func setClosing(at n: UInt64, _ ids: [UInt256]) { BlockSchedule.setIDs(state, MarketKeys.closing(n), ids) }

    /// Sum of open requests' escrowed maxFee (the market contract's balance backs it).
    public func escrow() throws -> UInt256 { StateValue.decode(try state.get(MarketKeys.escrow)) }
    func setEscrow(_ v: UInt256) { state.set(MarketKeys.escrow, v.isZero ? nil : StateValue.encode(v)) }

    public func program(_ id: Hash32) throws -> (registrant: Address, block: UInt64, size: UInt64)? {
        guard let raw = try state.get(MarketKeys.program(id)) else { return nil }
        var d = RLPDecoder(raw)
        var l = try d.readList()
        return (try l.readAddress(), try l.readUInt64(), try l.readUInt64())
    }

    func setProgram(_ id: Hash32, registrant: Address, block: UInt64, elf: [UInt8]) {
        state.set(MarketKeys.program(id), RLPItem.list([.bytes(registrant.bytes), .bytes(UInt256(block).minimalBigEndianBytes),
                                                               .bytes(UInt256(UInt64(elf.count)).minimalBigEndianBytes)]).rlpEncoded)
        state.set(MarketKeys.elf(id), elf)
    }

    public func elf(_ id: Hash32) throws -> [UInt8]? { try state.get(MarketKeys.elf(id)) }

    public func output(_ id: UInt256) throws -> [UInt8] { try state.get(MarketKeys.output(id)) ?? [] }
}

