import Chain
import Primitives
import Secp256k1
import Transactions

/// Proof of authority: one driver of the ABCI-shaped seam. The genesis names one sealer; it
/// proposes every block (`prepareProposal` → `finalizeBlock` → seal → `commit`) and signs the
/// block hash. A node importing its blocks checks the seal, then lets the application
/// re-execute them against their full headers (`finalizeBlock` → `commit`; a decided block
/// needs no separate `processProposal`).
///
/// The seal is a 65-byte secp256k1 signature (r ‖ s ‖ recovery id, low s) over the header
/// hash, stored as the block's certificate beside the header, so `extraData` stays 32 bytes.
public struct ProofOfAuthority: Sendable {
    /// The genesis sealer: the only address whose blocks are valid.
    public let authority: Address
    /// Its key, on the node that seals (nil on a node that only imports).
    public let key: PrivateKey?

    /// A driver for `authority`; `key`, when given, must be its key.
    public init(authority: Address, key: PrivateKey? = nil) throws {
        if let key, key.address != authority {
            throw ChainError.invalidSeal(number: 0, reason: "key \(key.address) is not the genesis sealer \(authority)")
        }
        self.authority = authority
        self.key = key
    }

    // MARK: Seals

    /// The seal of a header: the certificate stored with the block.
    public static func seal(_ header: Header, key: PrivateKey) -> [UInt8] {
        let s = key.sign(hash: header.hash)
        return s.r.bigEndianBytes + s.s.bigEndianBytes + [s.recoveryID]
    }

    /// The address that sealed `block`, recovered from its certificate.
    public static func sealer(of block: CertifiedBlock) throws -> Address {
        let n = block.number
        let c = block.certificate
        guard !c.isEmpty else { throw ChainError.invalidSeal(number: n, reason: "missing seal") }
        guard c.count == 65 else { throw ChainError.invalidSeal(number: n, reason: "seal of \(c.count) bytes") }
        guard c[64] <= 1 else { throw ChainError.invalidSeal(number: n, reason: "seal recovery id \(c[64])") }
        guard let r = UInt256(bigEndian: c[0..<32]), let sv = UInt256(bigEndian: c[32..<64]) else {
            throw ChainError.invalidSeal(number: n, reason: "malformed signature")
        }
        let sig = RecoverableSignature(r: r, s: sv, recoveryID: c[64])
        guard sig.isLowS else { throw ChainError.invalidSeal(number: n, reason: "high s") }
        do { return try ECRecover.address(hash: block.hash, signature: sig) } catch {
            throw ChainError.invalidSeal(number: n, reason: "\(error)")
        }
    }

    /// Checks that the authority sealed `block` and is its coinbase.
    public func checkSeal(_ block: CertifiedBlock) throws {
        let signer = try ProofOfAuthority.sealer(of: block)
        guard signer == authority else { throw ChainError.wrongSealer(number: block.number, expected: authority, got: signer) }
        if block.header.coinbase != authority {
            throw ChainError.mismatch(number: block.number, field: "coinbase", expected: authority.description,
                                      got: block.header.coinbase.description)
        }
    }

    // MARK: Driving the application

    /// Proposes, executes, seals and commits the next block at `timestamp` (never before the
    /// parent's): the application picks the transactions (from its pool, and `transactions`).
    @discardableResult
    public func produceBlock(_ app: some ABCIApplication, timestamp: UInt64,
                             transactions: [SignedTransaction] = []) throws -> CommittedBlock {
        guard let key else { throw ChainError.invalidSeal(number: 0, reason: "this node has no sealer key") }
        let info = try app.info()
        var proposal = BlockProposal(height: info.lastBlockHeight + 1, time: timestamp, proposer: authority,
                                     transactions: transactions)
        proposal.transactions = try app.prepareProposal(proposal, maxTxBytes: .max)
        let result = try app.finalizeBlock(proposal)
        return try app.commit(certificate: ProofOfAuthority.seal(result.header, key: key), expecting: result.header.hash)
    }

    /// Checks and commits a block the authority sealed elsewhere (import, replay, a follower):
    /// its seal, then re-execution against every header field. Nothing is written unless every
    /// check passes.
    @discardableResult
    public func importBlock(_ block: CertifiedBlock, into app: some ABCIApplication) throws -> CommittedBlock {
        try checkSeal(block)
        let h = block.header
        let proposal = BlockProposal(height: h.number, time: h.timestamp, proposer: h.coinbase,
                                     transactions: block.transactions, header: h)
        _ = try app.finalizeBlock(proposal)
        return try app.commit(certificate: block.certificate, expecting: block.hash)
    }
}

extension Blockchain {
    /// Builds a block from `candidates` (in priority order, senders recovered; those that
    /// cannot be included are skipped), seals it with `key` and commits it: proof of
    /// authority's production path without a mempool (benchmarks, tests, tools).
    @discardableResult
    public func sealNext(candidates: [(tx: SignedTransaction, sender: Address)], key: PrivateKey,
                         timestamp: UInt64) throws -> (block: Block, receipts: [Receipt], skipped: [SkippedTransaction]) {
        let executed = try execute(parent: head, transactions: candidates,
                                   context: ExecutionContext(timestamp: timestamp, coinbase: genesis.sealer,
                                                             extraData: genesis.extraData, skipsInvalid: true))
        try commit(executed, certificate: ProofOfAuthority.seal(executed.header, key: key))
        return (executed.block, executed.receipts, executed.skipped)
    }

    /// Checks a block's proof-of-authority seal against the genesis sealer and commits it
    /// after re-execution (``verify(_:)``).
    @discardableResult
    public func importBlock(_ block: CertifiedBlock) throws -> ExecutedBlock {
        try ProofOfAuthority(authority: genesis.sealer).checkSeal(block)
        return try verifyAndCommit(block.block, certificate: block.certificate)
    }
}
