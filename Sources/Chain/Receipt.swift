import Primitives
import RLP
import Transactions

/// A transaction's receipt: the consensus fields (status, cumulative gas, bloom, logs) plus what
/// the node records for JSON-RPC (gas used, effective gas price, sender).
public struct Receipt: Sendable, Hashable {
    public var type: TransactionType
    /// True for success (status 1), false for a reverted call (status 0).
    public var status: Bool
    public var cumulativeGasUsed: UInt64
    public var gasUsed: UInt64
    public var effectiveGasPrice: UInt256
    public var logs: [Log]
    public var logsBloom: Bloom
    public var from: Address
    /// Revert data (`Error(string)`) of a failed system call; not part of consensus.
    public var revertData: [UInt8]

    public init(type: TransactionType, status: Bool, cumulativeGasUsed: UInt64, gasUsed: UInt64,
                effectiveGasPrice: UInt256, logs: [Log], from: Address, revertData: [UInt8] = []) {
        self.type = type
        self.status = status
        self.cumulativeGasUsed = cumulativeGasUsed
        self.gasUsed = gasUsed
        self.effectiveGasPrice = effectiveGasPrice
        self.logs = logs
        var bloom = Bloom.empty
        for l in logs { bloom.add(l) }
        self.logsBloom = bloom
        self.from = from
        self.revertData = revertData
    }

    /// The consensus encoding (EIP-2718): rlp([status, cumulativeGas, bloom, logs]), prefixed by
    /// the type byte for typed transactions. The receipts root commits to these.
    public var consensusEncoding: [UInt8] {
        let logItems = logs.isEmpty ? [] : logs.map(\.rlpItem)
        let logsPayload = logItems.reduce(0) { $0 + $1.rlpLength }
        let payload = 1 + RLPLength.uint(cumulativeGasUsed) + 259 + RLPLength.list(payload: logsPayload)
        var w = RLPWriter(capacity: 1 + RLPLength.list(payload: payload))
        if type != .legacy { w.writeRaw(CollectionOfOne(type.rawValue)) }
        w.writeListHeader(payloadLength: payload)
        w.write(status ? UInt64(1) : 0)
        w.write(cumulativeGasUsed)
        w.write(bytes: logsBloom.bytes)
        w.writeListHeader(payloadLength: logsPayload)
        for l in logItems { l.encode(to: &w) }
        return w.bytes
    }

    /// The storage encoding: consensus fields plus gas used, price, sender and revert data.
    var storageItem: RLPItem {
        .list([.bytes(type == .legacy ? [] : [type.rawValue]), .bytes(status ? [1] : []), .bytes(UInt256(cumulativeGasUsed).minimalBigEndianBytes),
               .bytes(UInt256(gasUsed).minimalBigEndianBytes), .bytes(effectiveGasPrice.minimalBigEndianBytes),
               .list(logs.map(\.rlpItem)), .bytes(from.bytes), .bytes(revertData)])
    }

    init(decodingStorage d: inout RLPDecoder) throws {
        var l = try d.readList()
        // The type as one byte; legacy (0) is written empty, and read as [0x00] too (older layout).
        let tb = Array(try l.readBytes())
        guard tb.count <= 1, let type = TransactionType(rawValue: tb.first ?? 0) else {
            throw StateError.corrupt("receipt type \(Hex.encode(tb))")
        }
        let status = try l.readUInt64() == 1
        let cumulative = try l.readUInt64()
        let used = try l.readUInt64()
        let price = try l.readUInt256()
        var ls = try l.readList()
        var logs: [Log] = []
        while !ls.isAtEnd { logs.append(try Log(decoding: &ls)) }
        let from = try l.readAddress()
        let revert = Array(try l.readBytes())
        try l.finish()
        self.init(type: type, status: status, cumulativeGasUsed: cumulative, gasUsed: used, effectiveGasPrice: price,
                  logs: logs, from: from, revertData: revert)
    }

    /// Encodes a block's receipts for storage (the same bytes as a list of ``storageItem``s,
    /// written straight into one buffer).
    public static func encodeList(_ receipts: [Receipt]) -> [UInt8] {
        var payloads: [(receipt: Int, logs: [RLPItem], logsPayload: Int)] = []
        payloads.reserveCapacity(receipts.count)
        var total = 0
        for r in receipts {
            let logItems = r.logs.isEmpty ? [] : r.logs.map(\.rlpItem)
            let logsPayload = logItems.reduce(0) { $0 + $1.rlpLength }
            // Type and status are one byte each (a type byte is below 0x80; legacy is empty).
            let p = 1 + 1 + RLPLength.uint(r.cumulativeGasUsed) + RLPLength.uint(r.gasUsed) + RLPLength.uint(r.effectiveGasPrice)
                + RLPLength.list(payload: logsPayload) + 21 + RLPLength.string(r.revertData)
            payloads.append((p, logItems, logsPayload))
            total += RLPLength.list(payload: p)
        }
        var w = RLPWriter(capacity: RLPLength.list(payload: total))
        w.writeListHeader(payloadLength: total)
        for (r, p) in zip(receipts, payloads) {
            w.writeListHeader(payloadLength: p.receipt)
            if r.type == .legacy { w.write(bytes: EmptyCollection<UInt8>()) } else { w.write(bytes: CollectionOfOne(r.type.rawValue)) }
            w.write(r.status ? UInt64(1) : 0)
            w.write(r.cumulativeGasUsed)
            w.write(r.gasUsed)
            w.write(r.effectiveGasPrice)
            w.writeListHeader(payloadLength: p.logsPayload)
            for l in p.logs { l.encode(to: &w) }
            w.write(r.from)
            w.write(bytes: r.revertData)
        }
        return w.bytes
    }

    /// Decodes a block's stored receipts.
    public static func decodeList(_ bytes: [UInt8]) throws -> [Receipt] {
        var d = RLPDecoder(bytes)
        var l = try d.readList()
        try d.finish()
        var out: [Receipt] = []
        while !l.isAtEnd { out.append(try Receipt(decodingStorage: &l)) }
        return out
    }
}
