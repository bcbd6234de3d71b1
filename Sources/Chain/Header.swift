import Keccak
import Primitives
import RLP

/// An Ethereum-shaped (London) block header. The hash is keccak256(rlp(header)).
public struct Header: Sendable, Hashable {
    public var parentHash: Hash32
    public var ommersHash: Hash32
    /// The sealer: tips are paid here.
    public var coinbase: Address
    public var stateRoot: Hash32
    public var transactionsRoot: Hash32
    public var receiptsRoot: Hash32
    public var logsBloom: Bloom
    public var difficulty: UInt256
    public var number: UInt64
    public var gasLimit: UInt64
    public var gasUsed: UInt64
    public var timestamp: UInt64
    public var extraData: [UInt8]
    public var mixHash: Hash32
    public var nonce: UInt64
    public var baseFeePerGas: UInt256

    /// keccak256(rlp([])): the ommers hash of a block without ommers.
    public static let emptyOmmersHash = Hash32.keccak256([0xc0])

    public init(parentHash: Hash32, coinbase: Address, stateRoot: Hash32, transactionsRoot: Hash32,
                receiptsRoot: Hash32, logsBloom: Bloom, number: UInt64, gasLimit: UInt64, gasUsed: UInt64,
                timestamp: UInt64, extraData: [UInt8], baseFeePerGas: UInt256) {
        self.parentHash = parentHash
        self.ommersHash = Header.emptyOmmersHash
        self.coinbase = coinbase
        self.stateRoot = stateRoot
        self.transactionsRoot = transactionsRoot
        self.receiptsRoot = receiptsRoot
        self.logsBloom = logsBloom
        self.difficulty = .zero
        self.number = number
        self.gasLimit = gasLimit
        self.gasUsed = gasUsed
        self.timestamp = timestamp
        self.extraData = extraData
        self.mixHash = .zero
        self.nonce = 0
        self.baseFeePerGas = baseFeePerGas
    }

    var payloadLength: Int {
        33 * 5 + 21 + 259 + RLPLength.uint(difficulty) + RLPLength.uint(number) + RLPLength.uint(gasLimit)
            + RLPLength.uint(gasUsed) + RLPLength.uint(timestamp) + RLPLength.string(extraData) + 33 + 9
            + RLPLength.uint(baseFeePerGas)
    }

    /// rlp(header).
    public var encoded: [UInt8] {
        var w = RLPWriter(capacity: RLPLength.list(payload: payloadLength))
        encode(to: &w)
        return w.bytes
    }

    func encode(to w: inout RLPWriter) {
        w.writeListHeader(payloadLength: payloadLength)
        w.write(parentHash)
        w.write(ommersHash)
        w.write(coinbase)
        w.write(stateRoot)
        w.write(transactionsRoot)
        w.write(receiptsRoot)
        w.write(bytes: logsBloom.bytes)
        w.write(difficulty)
        w.write(number)
        w.write(gasLimit)
        w.write(gasUsed)
        w.write(timestamp)
        w.write(bytes: extraData)
        w.write(mixHash)
        w.write(bytes: withUnsafeBytes(of: nonce.bigEndian) { Array($0) })
        w.write(baseFeePerGas)
    }

    /// The block hash.
    public var hash: Hash32 { Hash32.keccak256(encoded) }

    /// Decodes rlp(header) strictly.
    public init(decoding d: inout RLPDecoder) throws(RLPError) {
        var l = try d.readList()
        parentHash = try l.readHash()
        ommersHash = try l.readHash()
        coinbase = try l.readAddress()
        stateRoot = try l.readHash()
        transactionsRoot = try l.readHash()
        receiptsRoot = try l.readHash()
        logsBloom = Bloom(bytes: Array(try l.readFixed(count: 256)))
        difficulty = try l.readUInt256()
        number = try l.readUInt64()
        gasLimit = try l.readUInt64()
        gasUsed = try l.readUInt64()
        timestamp = try l.readUInt64()
        let at = l.position
        extraData = Array(try l.readBytes())
        if extraData.count > 32 { throw .wrongLength(offset: at, expected: 32, actual: extraData.count) }
        mixHash = try l.readHash()
        nonce = try Array(l.readFixed(count: 8)).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        baseFeePerGas = try l.readUInt256()
        try l.finish()
    }

    /// EIP-1559: the base fee of the block after `parent` (target half the gas limit, change
    /// at most 1/8 per block).
    public static func nextBaseFee(parent: Header) -> UInt256 {
        let target = parent.gasLimit / 2
        let base = parent.baseFeePerGas
        if target == 0 || parent.gasUsed == target { return base }
        if parent.gasUsed > target {
            let delta = base.multipliedDivided(by: UInt256(parent.gasUsed - target), dividedBy: UInt256(target))! / 8
            return base.checkedAdd(max(delta, .one)) ?? .max
        }
        let delta = base.multipliedDivided(by: UInt256(target - parent.gasUsed), dividedBy: UInt256(target))! / 8
        return base.checkedSub(delta) ?? .zero
    }
}

/// The 2048-bit log bloom: for the address and each topic of every log, three bits chosen by
/// the low 11 bits of the first three byte pairs of its keccak256 (Ethereum's `bloom9`).
public struct Bloom: Sendable, Hashable {
    public private(set) var bytes: [UInt8]

    public init() { self = Bloom.empty }

    /// The all-zero bloom (shared storage, so empty blooms cost no allocation).
    public static let empty = Bloom(bytes: [UInt8](repeating: 0, count: 256))

    public init(bytes: [UInt8]) {
        precondition(bytes.count == 256, "a bloom is 256 bytes")
        self.bytes = bytes
    }

    /// Adds an address or topic.
    public mutating func add<Bytes: Sequence>(_ item: Bytes) where Bytes.Element == UInt8 {
        let h = Keccak256.hash(item)
        for i in 0..<3 {
            let bit = (Int(h[2 * i]) << 8 | Int(h[2 * i + 1])) & 2047
            bytes[255 - bit / 8] |= UInt8(1 << (bit % 8))
        }
    }

    public mutating func add(_ log: Log) {
        add(log.address.bytes)
        for t in log.topics { add(t.bytes) }
    }

    public mutating func formUnion(_ other: Bloom) {
        if other.isEmpty { return }
        for i in 0..<256 { bytes[i] |= other.bytes[i] }
    }

    /// True when no bit is set.
    public var isEmpty: Bool { bytes.allSatisfy { $0 == 0 } }

    /// Whether the bloom may contain `item` (no false negatives).
    public func mayContain<Bytes: Sequence>(_ item: Bytes) -> Bool where Bytes.Element == UInt8 {
        var probe = Bloom()
        probe.add(item)
        for i in 0..<256 where probe.bytes[i] & bytes[i] != probe.bytes[i] { return false }
        return true
    }
}

/// A Solidity-style event log.
public struct Log: Sendable, Hashable {
    public var address: Address
    public var topics: [Hash32]
    public var data: [UInt8]

    public init(address: Address, topics: [Hash32], data: [UInt8]) {
        self.address = address
        self.topics = topics
        self.data = data
    }

    var rlpItem: RLPItem { .list([.bytes(address.bytes), .list(topics.map { .bytes($0.bytes) }), .bytes(data)]) }

    init(decoding d: inout RLPDecoder) throws(RLPError) {
        var l = try d.readList()
        address = try l.readAddress()
        var t = try l.readList()
        topics = []
        while !t.isAtEnd { topics.append(try t.readHash()) }
        data = Array(try l.readBytes())
        try l.finish()
    }
}
