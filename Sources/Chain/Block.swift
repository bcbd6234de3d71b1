import Primitives
import RLP
import StateTree
import Transactions

/// A block as the state machine sees it: header and transactions. How consensus agreed on it
/// (a proof-of-authority seal, a BFT commit) is not part of it: see ``CertifiedBlock``.
public struct Block: Sendable, Hashable {
    public var header: Header
    public var transactions: [SignedTransaction]

    public init(header: Header, transactions: [SignedTransaction]) {
        self.header = header
        self.transactions = transactions
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

    static func txLength(_ tx: SignedTransaction) -> Int {
        tx.transaction.type == .legacy ? tx.encoded.count : RLPLength.string(tx.encoded)
    }
}

/// A block with the certificate its consensus driver attached: the bytes that are stored and
/// exported. The chain keeps the certificate opaque (at most ``maxCertificateSize`` bytes);
/// the driver that wrote it checks it (proof of authority: a 65-byte seal over the block hash;
/// blocks committed through the ABCI seam carry none, CometBFT keeps its commits itself).
///
/// The seal travels beside the header rather than inside `extraData` (as Clique does), so the
/// header keeps the 32-byte `extraData` that web3.py and other libraries insist on.
public struct CertifiedBlock: Sendable, Hashable {
    public var block: Block
    public var certificate: [UInt8]

    /// Largest certificate a stored or imported block may carry.
    public static let maxCertificateSize = 64 * 1024

    public init(block: Block, certificate: [UInt8]) {
        self.block = block
        self.certificate = certificate
    }

    public var header: Header { block.header }
    public var hash: Hash32 { block.header.hash }
    public var number: UInt64 { block.header.number }
    public var transactions: [SignedTransaction] { block.transactions }

    /// rlp([header, [transactions…], [], certificate]); typed transactions appear as byte strings
    /// of their canonical encoding, as in Ethereum blocks.
    public var encoded: [UInt8] {
        let transactions = block.transactions
        var w = RLPWriter(capacity: 1024 + certificate.count + transactions.reduce(0) { $0 + $1.encoded.count + 4 })
        let headerBytes = block.header.encoded
        let txPayload = transactions.reduce(0) { $0 + Block.txLength($1) }
        let payload = headerBytes.count + RLPLength.list(payload: txPayload) + 1 + RLPLength.string(certificate)
        w.writeListHeader(payloadLength: payload)
        w.writeRaw(headerBytes)
        w.writeListHeader(payloadLength: txPayload)
        for tx in transactions {
            if tx.transaction.type == .legacy { w.writeRaw(tx.encoded) } else { w.write(bytes: tx.encoded) }
        }
        w.writeListHeader(payloadLength: 0)
        w.write(bytes: certificate)
        return w.bytes
    }

    /// Decodes one block from `d`, strictly.
    public init(decoding d: inout RLPDecoder) throws {
        var l = try d.readList()
        let header = try Header(decoding: &l)
        var txs = try l.readList()
        var transactions: [SignedTransaction] = []
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
        certificate = Array(try l.readBytes())
        try l.finish()
        guard certificate.count <= CertifiedBlock.maxCertificateSize else {
            throw ChainError.malformedBlock("certificate of \(certificate.count) bytes")
        }
        block = Block(header: header, transactions: transactions)
    }

    public init(decoding bytes: [UInt8]) throws {
        var d = RLPDecoder(bytes)
        try self.init(decoding: &d)
        try d.finish()
    }
}
