import Chain
import JSON
import Locking
import Primitives
import RISCV
import Storage
import SystemContracts

/// The `provernet_*` views of the market (DESIGN.md sections 3 and 5): protocol parameters,
/// provers, requests, programs, proposals and a fee estimate from the node's own dry run of
/// a program. Reads the latest committed state; registers into an ``RPCMethodTable``.
///
/// Numbers are `0x` quantities, addresses EIP-55 checksummed, field names camelCase; an
/// unknown id answers `null`, as geth does for a missing block.
public final class ProverNetAPI: Sendable {
    /// The chain whose state the views read.
    public let chain: Blockchain
    /// Cycle limit of a dry run (`provernet_estimateFee` and the price history).
    public let maxCycles: UInt64
    /// Most recent assigned requests the clearing price per cycle is taken from.
    public static let priceSamples = 32
    /// Most requests looked back through for assigned ones.
    public static let priceLookback: UInt64 = 1_000
    /// Largest page of `provernet_listRequests`.
    public static let maxPageSize = 100

    struct RunKey: Hashable { let programId: Hash32; let inputHash: Hash32 }
    /// Cycles of past dry runs by (programId, input hash); nil for runs that trapped.
    private let cycleCache = Locked<[RunKey: UInt64?]>([:])

    /// Views over `chain`; call ``register(into:)`` to offer them.
    public init(chain: Blockchain, maxCycles: UInt64 = 100_000_000) {
        self.chain = chain
        self.maxCycles = maxCycles
    }

    /// Adds every `provernet_*` method to `table`.
    public func register(into table: inout RPCMethodTable) {
        table.register("provernet_params") { p, _ in
            try p.expect(atMost: 0)
            return try self.params()
        }
        table.register("provernet_getProver") { p, _ in
            try p.expect(atMost: 1)
            return try self.prover(try p.required(0, Decode.address))
        }
        table.register("provernet_listProvers", offload: true) { p, _ in
            try p.expect(atMost: 0)
            return try self.listProvers()
        }
        table.register("provernet_getRequest") { p, _ in
            try p.expect(atMost: 1)
            return try self.request(try p.required(0, Decode.uint256))
        }
        table.register("provernet_listRequests", offload: true) { p, _ in
            try p.expect(atMost: 1)
            return try self.listRequests(try p.optional(0, ProverNetAPI.listQuery) ?? ListQuery())
        }
        table.register("provernet_getProgram") { p, _ in
            try p.expect(atMost: 2)
            return try self.program(try p.required(0, Decode.hash), includeELF: try p.optional(1, Decode.bool) ?? false)
        }
        table.register("provernet_getProposal") { p, _ in
            try p.expect(atMost: 1)
            return try self.proposal(try p.required(0, Decode.uint256))
        }
        table.register("provernet_estimateFee", offload: true) { p, _ in
            try p.expect(atMost: 2)
            let id = try p.required(0, Decode.hash)
            let input = try p.optional(1, Decode.bytes) ?? []
            return try self.estimateFee(programId: id, input: input)
        }
    }

    // MARK: Views

    /// The block views describe (phases are those of the next block, as `eth_call` sees them).
    var viewBlock: UInt64 { chain.head.number + 1 }

    func params() throws -> JSONValue {
        let p = try chain.latestState().params(chain.parameters)
        return .object(p.registry.definitions.map { ($0.name, RPCObjects.q(p.value(named: $0.name) ?? .zero)) })
    }

    func proverObject(_ a: Address, _ r: ProverRecord) -> JSONValue {
        let status: String
        switch r.status {
        case .active: status = "active"
        case .deactivated: status = "deactivated"
        case .jailed: status = "jailed"
        }
        return .object([
            ("address", .string(a.checksummed)), ("name", .string(r.name)), ("status", .string(status)),
            ("commissionBps", RPCObjects.q(r.commissionBps)), ("stake", RPCObjects.q(r.assets)),
            ("totalShares", RPCObjects.q(r.totalShares)), ("assignedStake", RPCObjects.q(r.assignedStake)),
            ("jailedUntil", RPCObjects.q(r.jailedUntil)), ("proofsDelivered", RPCObjects.q(r.delivered)),
            ("proofsMissed", RPCObjects.q(r.missed)), ("medianLatency", RPCObjects.q(r.medianLatency)),
        ])
    }

    func prover(_ a: Address) throws -> JSONValue {
        guard let r = try Vaults(state: chain.latestState()).prover(a) else { return .null }
        return proverObject(a, r)
    }

    func listProvers() throws -> JSONValue {
        let addresses = try chain.latestStateKeys(prefix: Vaults.proverKeyPrefix).compactMap(Vaults.proverAddress(fromKey:))
        let vaults = Vaults(state: chain.latestState())
        var out: [JSONValue] = []
        for a in addresses {
            if let r = try vaults.prover(a) { out.append(proverObject(a, r)) }
        }
        return .array(out)
    }

    static func stateName(_ s: RequestState) -> String {
        switch s {
        case .pending: "pending"
        case .fulfilled: "fulfilled"
        case .refunded: "refunded"
        case .slashed: "slashed"
        }
    }

    static func phaseName(_ p: RequestPhase) -> String {
        switch p {
        case .bidding: "bidding"
        case .reveal: "reveal"
        case .proving: "proving"
        case .expired: "expired"
        case .noBids: "noBids"
        case .noWinner: "noWinner"
        case .closed: "closed"
        }
    }

    func requestObject(_ id: UInt256, _ r: ProofRequest, bids: [Bid]) -> JSONValue {
        .object([
            ("id", RPCObjects.q(id)), ("requester", .string(r.requester.checksummed)),
            ("programId", RPCObjects.hash(r.programId)), ("inputHash", RPCObjects.hash(r.inputHash)),
            ("minStake", RPCObjects.q(r.minStake)), ("maxFee", RPCObjects.q(r.maxFee)),
            ("deadline", RPCObjects.q(r.deadline)), ("createdBlock", RPCObjects.q(r.createdBlock)),
            ("biddingEnd", RPCObjects.q(r.biddingEnd)), ("revealEnd", RPCObjects.q(r.revealEnd)),
            ("state", .string(Self.stateName(r.state))), ("phase", .string(Self.phaseName(r.phase(at: viewBlock)))),
            ("winner", r.winner.map { .string($0.checksummed) } ?? .null), ("fee", RPCObjects.q(r.fee)),
            ("bidCount", RPCObjects.q(r.bidCount)), ("revealCount", RPCObjects.q(r.revealCount)),
            ("bids", .array(bids.map { b in
                .object([
                    ("prover", .string(b.prover.checksummed)), ("bidHash", RPCObjects.hash(b.bidHash)),
                    ("revealed", .bool(b.revealed)), ("fee", b.revealed ? RPCObjects.q(b.fee) : .null),
                    ("revealOrder", b.revealed ? RPCObjects.q(b.revealOrder) : .null),
                ])
            })),
        ])
    }

    func request(_ id: UInt256) throws -> JSONValue {
        let store = MarketStore(state: chain.latestState())
        guard let r = try store.request(id) else { return .null }
        return requestObject(id, r, bids: try store.bids(id))
    }

    /// The filter and page of `provernet_listRequests`.
    public struct ListQuery: Sendable, Equatable {
        /// Only requests in this state (`pending`, `fulfilled`, `refunded`, `slashed`).
        public var state: RequestState?
        /// Only requests in this phase (`bidding`, `reveal`, `proving`, …).
        public var phase: RequestPhase?
        /// Matching requests skipped (oldest first).
        public var offset: UInt64 = 0
        /// Most requests returned (at most ``ProverNetAPI/maxPageSize``).
        public var limit: Int = ProverNetAPI.maxPageSize
        public init() {}
    }

    static func listQuery(_ v: JSONValue) throws(ParamError) -> ListQuery {
        guard case .object = v else { throw ParamError("expected an object {state?, phase?, offset?, limit?}") }
        var q = ListQuery()
        if let s = v["state"], !s.isNull {
            guard case .string(let name) = s,
                  let st = [RequestState.pending, .fulfilled, .refunded, .slashed].first(where: { stateName($0) == name })
            else { throw ParamError("unknown state, want pending, fulfilled, refunded or slashed") }
            q.state = st
        }
        if let ph = v["phase"], !ph.isNull {
            let all: [RequestPhase] = [.bidding, .reveal, .proving, .expired, .noBids, .noWinner, .closed]
            guard case .string(let name) = ph, let p = all.first(where: { phaseName($0) == name })
            else { throw ParamError("unknown phase, want one of \(all.map(phaseName).joined(separator: ", "))") }
            q.phase = p
        }
        if let o = v["offset"], !o.isNull { q.offset = try Decode.flexibleUInt64(o) }
        if let l = v["limit"], !l.isNull {
            let n = try Decode.flexibleUInt64(l)
            guard n >= 1, n <= UInt64(maxPageSize) else { throw ParamError("limit must be between 1 and \(maxPageSize)") }
            q.limit = Int(n)
        }
        return q
    }

    func listRequests(_ q: ListQuery) throws -> JSONValue {
        let store = MarketStore(state: chain.latestState())
        let count = try store.requestCount()
        let block = viewBlock
        var skipped: UInt64 = 0, total: UInt64 = 0
        var page: [JSONValue] = []
        var id = UInt256.zero
        while id < count {
            defer { id = id + UInt256(1) }
            guard let r = try store.request(id) else { continue }
            if let s = q.state, r.state != s { continue }
            if let p = q.phase, r.phase(at: block) != p { continue }
            total += 1
            if skipped < q.offset { skipped += 1; continue }
            if page.count < q.limit { page.append(requestObject(id, r, bids: try store.bids(id))) }
        }
        return .object([("total", RPCObjects.q(total)), ("offset", RPCObjects.q(q.offset)), ("requests", .array(page))])
    }

    /// A registered program; with `includeELF`, its ELF too (what `provernet verify --program-id`
    /// checks a proof against).
    func program(_ id: Hash32, includeELF: Bool = false) throws -> JSONValue {
        let store = MarketStore(state: chain.latestState())
        guard let g = try store.program(id) else { return .null }
        var fields: [(String, JSONValue)] = [
            ("programId", RPCObjects.hash(id)), ("registrant", .string(g.registrant.checksummed)),
            ("registeredBlock", RPCObjects.q(g.block)), ("size", RPCObjects.q(g.size)),
        ]
        if includeELF { fields.append(("elf", RPCObjects.data(try store.elf(id) ?? []))) }
        return .object(fields)
    }

    static func statusName(_ s: Proposal.Status) -> String {
        switch s {
        case .voting: "voting"
        case .passed: "passed"
        case .rejected: "rejected"
        case .failedQuorum: "failedQuorum"
        }
    }

    func proposal(_ id: UInt256) throws -> JSONValue {
        guard let p = try GovernanceContract.proposal(chain.latestState(), id) else { return .null }
        return .object([
            ("id", RPCObjects.q(id)), ("proposer", .string(p.proposer.checksummed)), ("param", .string(p.param)),
            ("value", RPCObjects.q(p.value)), ("deposit", RPCObjects.q(p.deposit)),
            ("createdBlock", RPCObjects.q(p.createdBlock)), ("endBlock", RPCObjects.q(p.endBlock)),
            ("bondedAtCreation", RPCObjects.q(p.bondedAtCreation)), ("yes", RPCObjects.q(p.yes)), ("no", RPCObjects.q(p.no)),
            ("status", .string(Self.statusName(p.status))),
        ])
    }

    // MARK: Fee estimate

    /// Runs `elf` on `input` (one hint item) up to ``maxCycles``; the cycles, or the reason it failed.
    func dryRun(elf: [UInt8], input: [UInt8]) -> Result<UInt64, RPCError> {
        let program: Program
        do { program = try Program(elf: elf) } catch { return .failure(.server("program does not load: \(error)")) }
        let ex = Executor(program: program, inputs: [input], options: ExecutionOptions(maxCycles: maxCycles))
        do { return .success(try ex.run().cycles) } catch { return .failure(.server("program failed on this input: \(error)")) }
    }

    /// Cycles of `programId` on an input with hash `inputHash`, cached; nil when it does not run.
    func cachedCycles(store: MarketStore, programId: Hash32, inputHash: Hash32, input: () throws -> [UInt8]) throws -> UInt64? {
        let key = RunKey(programId: programId, inputHash: inputHash)
        if let hit = cycleCache.withLock({ $0[key] }) { return hit }
        guard let elf = try store.elf(programId) else { return nil }
        let cycles = try? dryRun(elf: elf, input: try input()).get()
        cycleCache.withLock { cache in
            if cache.count >= 4_096 { cache.removeAll() }
            cache[key] = cycles
        }
        return cycles
    }

    /// Total fee and cycles of the latest (up to ``priceSamples``) assigned requests.
    func recentClearing(store: MarketStore) throws -> (fee: UInt256, cycles: UInt256) {
        var fee = UInt256.zero, cycles = UInt256.zero
        var id = try store.requestCount()
        var samples = 0, looked: UInt64 = 0
        while !id.isZero, samples < Self.priceSamples, looked < Self.priceLookback {
            id = id - UInt256(1)
            looked += 1
            guard let r = try store.request(id), r.winner != nil else { continue }
            guard let c = try cachedCycles(store: store, programId: r.programId, inputHash: r.inputHash,
                                           input: { try store.input(id) }), c > 0 else { continue }
            fee = fee + r.fee
            cycles = cycles + UInt256(c)
            samples += 1
        }
        return (fee, cycles)
    }

    /// `{"cycles","pricePerCycle","fee","basis"}`: the program's cycles on `input` priced at the
    /// recent clearing price per cycle (`basis` "recent"), or, with no assigned request to learn
    /// from, `minMaxFee` for the whole request (`basis` "minimum"). The fee is never below
    /// `minMaxFee`, the least a request may escrow.
    func estimateFee(programId: Hash32, input: [UInt8]) throws -> JSONValue {
        let state = chain.latestState()
        let store = MarketStore(state: state)
        let params = try state.params(chain.parameters)
        guard let elf = try store.elf(programId) else { throw RPCError.server("unknown program \(programId)") }
        guard UInt64(input.count) <= params.u64(MarketParameter.maxInputBytes) else {
            throw RPCError.server("input larger than maxInputBytes (\(params.u64(MarketParameter.maxInputBytes)))")
        }
        let cycles = try dryRun(elf: elf, input: input).get()
        let minimum = params[MarketParameter.minMaxFee]
        let recent = try recentClearing(store: store)
        let basis: String
        var fee: UInt256
        var perCycle: UInt256
        if recent.cycles.isZero {
            basis = "minimum"
            fee = minimum
            perCycle = cycles == 0 ? minimum : minimum.multipliedDivided(by: 1, dividedBy: UInt256(cycles)) ?? .zero
        } else {
            basis = "recent"
            perCycle = recent.fee.multipliedDivided(by: 1, dividedBy: recent.cycles) ?? .zero
            fee = UInt256(cycles).multipliedDivided(by: recent.fee, dividedBy: recent.cycles) ?? params[MarketParameter.maxMaxFee]
            fee = max(fee, minimum)
        }
        fee = min(fee, params[MarketParameter.maxMaxFee])
        return .object([
            ("cycles", RPCObjects.q(cycles)), ("pricePerCycle", RPCObjects.q(perCycle)), ("fee", RPCObjects.q(fee)),
            ("basis", .string(basis)),
        ])
    }
}
