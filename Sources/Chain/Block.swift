import Primitives
import RLP
import Secp256k1
import StateTree
import Transactions

/// A sealed block: header, transactions, and the sealer's signature over the block hash.
///
/// The seal travels beside the header rather than inside `extraData` (as Clique does), so the
/// header keeps the 32-byte `extraData` that web3.py and other libraries insist on.
public struct Block: Sendable, Hashable {
    public var header: Header
    public var transactions: [SignedTransaction]
    /// secp256k1 signature by the sealer over ``Header/hash``; empty for genesis.
    public var seal: RecoverableSignature?

    public init(header: Header, transactions: [SignedTransaction], seal: RecoverableSignature?) {
        self.header = header
        self.transactions = transactions
        self.seal = seal
    }

    public var hash: Hash32 { header.hash }
    public var number: UInt64 { header.number }

    /// The transactions root: the sparse Merkle root of (rlp(index) → canonical encoding). The
    /// value hashes are the transaction hashes, already known.
    public static func transactionsRoot(_ txs: [SignedTransaction]) -> Hash32 {
        SparseMerkleTree.root(ofHashed: txs.enumerated().map { (indexKeyHash($0.offset), $0.element.hash) })
    }

    /// The receipts root: the sparse Merkle root of (rlp(index) → consensus receipt encoding).
    public static func receiptsRoot(_ receipts: [Receipt]) -> Hash32 {
        SparseMerkleTree.root(ofHashed: receipts.enumerated().map { (indexKeyHash($0.offset), Hash32.keccak256($0.element.consensusEncoding)) })
    }

    /// keccak256(rlp(i)), precomputed for the indexes a block can hold.
    static let indexKeyHashes: [Hash32] = (0..<2_048).map { Hash32.keccak256(RLPItem.bytes(UInt256(UInt64($0)).minimalBigEndianBytes).rlpEncoded) }

    static func indexKeyHash(_ i: Int) -> Hash32 {
        i < indexKeyHashes.count ? indexKeyHashes[i] : Hash32.keccak256(RLPItem.bytes(UInt256(UInt64(i)).minimalBigEndianBytes).rlpEncoded)
    }

    /// The address that sealed the block, recovered from the seal.
    public func sealer() throws -> Address {
        guard let seal else { throw ChainError.invalidSeal(number: number, reason: "missing seal") }
        guard seal.isLowS else { throw ChainError.invalidSeal(number: number, reason: "high s") }
        do { return try ECRecover.address(hash: hash, signature: seal) } catch {
            throw ChainError.invalidSeal(number: number, reason: "\(error)")
        }
    }

    /// rlp([header, [transactions…], [], seal]); typed transactions appear as byte strings of
    /// their canonical encoding, as in Ethereum blocks.
    public var encoded: [UInt8] {
        var w = RLPWriter(capacity: 1024 + transactions.reduce(0) { $0 + $1.encoded.count + 4 })
        let headerBytes = header.encoded
        let txPayload = transactions.reduce(0) { $0 + Block.txLength($1) }
        let sealBytes = seal.map { $0.r.bigEndianBytes + $0.s.bigEndianBytes + [$0.recoveryID] } ?? []
        let payload = headerBytes.count + RLPLength.list(payload: txPayload) + 1 + RLPLength.string(sealBytes)
        w.writeListHeader(payloadLength: payload)
        w.writeRaw(headerBytes)
        w.writeListHeader(payloadLength: txPayload)
        for tx in transactions {
            if tx.transaction.type == .legacy { w.writeRaw(tx.encoded) } else { w.write(bytes: tx.encoded) }
        }
        w.writeListHeader(payloadLength: 0)
        w.write(bytes: sealBytes)
        return w.bytes
    }

    static func txLength(_ tx: SignedTransaction) -> Int {
        tx.transaction.type == .legacy ? tx.encoded.count : RLPLength.string(tx.encoded)
    }

    /// Decodes one block from `d`, strictly.
    public init(decoding d: inout RLPDecoder) throws {
        var l = try d.readList()
        header = try Header(decoding: &l)
        var txs = try l.readList()
        transactions = []
        while !txs.isAtEnd {
            if try txs.peekIsList() {
                transactions.append(try SignedTransaction(decoding: Array(try txs.readRawItem())))
            } else {
                let raw = Array(try txs.readBytes())
                guard let first = raw.first, first < 0x80 else {
                    throw ChainError.malformedBlock("a transaction string must hold a typed transaction")
                }
                transactions.append(try SignedTransaction(decoding: raw))
            }
        }
        let ommers = try l.readList()
        guard ommers.isAtEnd else { throw ChainError.malformedBlock("ommers are not allowed") }
        let sealBytes = Array(try l.readBytes())
        try l.finish()
        switch sealBytes.count {
        case 0: seal = nil
        case 65:
            guard sealBytes[64] <= 1 else { throw ChainError.malformedBlock("seal recovery id \(sealBytes[64])") }
            seal = RecoverableSignature(r: UInt256(bigEndian: sealBytes[0..<32])!, s: UInt256(bigEndian: sealBytes[32..<64])!,
                                        recoveryID: sealBytes[64])
        default: throw ChainError.malformedBlock("seal of \(sealBytes.count) bytes")
        }
    }

    public init(decoding bytes: [UInt8]) throws {
        var d = RLPDecoder(bytes)
        try self.init(decoding: &d)
        try d.finish()
    }
}
