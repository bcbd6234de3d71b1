import Chain
import JSON
import Primitives
import Transactions

/// The JSON-RPC shapes of blocks, transactions, receipts and logs, with every field web3.py,
/// ethers v6, viem and alloy parse. Quantities are `0x`-hex without leading zeros.
public enum RPCObjects {
    @inline(__always) static func q(_ v: UInt64) -> JSONValue { .string(quantityHex(v)) }
    @inline(__always) static func q(_ v: UInt256) -> JSONValue { .string(v.hexString) }
    @inline(__always) static func q(_ v: Int) -> JSONValue { .string(quantityHex(UInt64(v))) }
    @inline(__always) static func data(_ b: [UInt8]) -> JSONValue { .string(Hex.encode(b)) }
    @inline(__always) static func hash(_ h: Hash32) -> JSONValue { .string(h.description) }
    @inline(__always) static func address(_ a: Address) -> JSONValue { .string(a.lowercaseHex) }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// `0x`-hex of a 64-bit quantity without leading zeros (`0x0` for zero).
    public static func quantityHex(_ v: UInt64) -> String {
        if v == 0 { return "0x0" }
        let nibbles = (64 - v.leadingZeroBitCount + 3) / 4
        return String(unsafeUninitializedCapacity: nibbles + 2) { buf in
            buf[0] = 0x30
            buf[1] = 0x78
            for i in 0..<nibbles {
                buf[2 + i] = hexDigits[Int((v >> UInt64(4 * (nibbles - 1 - i))) & 0xf)]
            }
            return nibbles + 2
        }
    }

    /// The header fields, in geth's order (what `newHeads` notifications carry).
    public static func headerFields(_ h: Header, hash blockHash: Hash32) -> [(String, JSONValue)] {
        [
            ("number", q(h.number)),
            ("hash", hash(blockHash)),
            ("parentHash", hash(h.parentHash)),
            ("nonce", .string(Hex.encode(withUnsafeBytes(of: h.nonce.bigEndian) { Array($0) }))),
            ("sha3Uncles", hash(h.ommersHash)),
            ("logsBloom", data(h.logsBloom.bytes)),
            ("transactionsRoot", hash(h.transactionsRoot)),
            ("stateRoot", hash(h.stateRoot)),
            ("receiptsRoot", hash(h.receiptsRoot)),
            ("miner", address(h.coinbase)),
            ("difficulty", q(h.difficulty)),
            ("totalDifficulty", q(h.difficulty)),
            ("extraData", data(h.extraData)),
            ("gasLimit", q(h.gasLimit)),
            ("gasUsed", q(h.gasUsed)),
            ("timestamp", q(h.timestamp)),
            ("baseFeePerGas", q(h.baseFeePerGas)),
            ("mixHash", hash(h.mixHash)),
        ]
    }

    /// A `newHeads` notification's header object.
    public static func header(_ h: Header) -> JSONValue { .object(headerFields(h, hash: h.hash)) }

    /// A block object: transactions as hashes, or as full objects when `full`.
    public static func block(_ b: Block, size: Int, full: Bool) -> JSONValue {
        let blockHash = b.hash
        var f = headerFields(b.header, hash: blockHash)
        f.append(("size", q(size)))
        let txs: [JSONValue]
        if full {
            txs = b.transactions.enumerated().map { i, tx in
                transaction(tx, sender: nil, location: (blockHash, b.number, i), baseFee: b.header.baseFeePerGas)
            }
        } else {
            txs = b.transactions.map { hash($0.hash) }
        }
        f.append(("transactions", .array(txs)))
        f.append(("uncles", .array([])))
        return .object(f)
    }

    /// A transaction object; `location` nil for a pending one (block fields null). The sender
    /// is recovered when not given.
    public static func transaction(_ s: SignedTransaction, sender: Address?,
                                   location: (blockHash: Hash32, blockNumber: UInt64, index: Int)?,
                                   baseFee: UInt256?) -> JSONValue {
        let tx = s.transaction
        let from = sender ?? (try? s.recoverSender()) ?? .zero
        var f: [(String, JSONValue)] = []
        f.reserveCapacity(20)
        f.append(("blockHash", location.map { hash($0.blockHash) } ?? .null))
        f.append(("blockNumber", location.map { q($0.blockNumber) } ?? .null))
        f.append(("from", address(from)))
        f.append(("gas", q(tx.gasLimit)))
        // gasPrice: what was paid once mined (EIP-1559), else the cap.
        if tx.type == .dynamicFee {
            f.append(("gasPrice", q(baseFee.map { tx.effectiveGasPrice(baseFee: $0) } ?? tx.maxFeePerGas)))
            f.append(("maxFeePerGas", q(tx.maxFeePerGas)))
            f.append(("maxPriorityFeePerGas", q(tx.maxPriorityFeePerGas)))
        } else {
            f.append(("gasPrice", q(tx.gasPrice)))
        }
        f.append(("hash", hash(s.hash)))
        f.append(("input", data(tx.data)))
        f.append(("nonce", q(tx.nonce)))
        f.append(("to", tx.to.map(address) ?? .null))
        f.append(("transactionIndex", location.map { q($0.index) } ?? .null))
        f.append(("value", q(tx.value)))
        f.append(("type", q(UInt64(tx.type.rawValue))))
        if tx.type != .legacy {
            f.append(("accessList", .array(tx.accessList.map { e in
                .object([("address", address(e.address)), ("storageKeys", .array(e.storageKeys.map(hash)))])
            })))
        }
        if let id = tx.chainID { f.append(("chainId", q(id))) }
        f.append(("v", q(s.v)))
        f.append(("r", q(s.signature.r)))
        f.append(("s", q(s.signature.s)))
        if tx.type != .legacy { f.append(("yParity", q(UInt64(s.signature.recoveryID)))) }
        return .object(f)
    }

    /// A receipt object. `firstLogIndex` is the block-wide index of its first log.
    public static func receipt(_ r: Receipt, tx: SignedTransaction, blockHash: Hash32, blockNumber: UInt64,
                               index: Int, firstLogIndex: Int) -> JSONValue {
        var logs: [JSONValue] = []
        logs.reserveCapacity(r.logs.count)
        for (k, l) in r.logs.enumerated() {
            logs.append(log(l, blockHash: blockHash, blockNumber: blockNumber, txHash: tx.hash, txIndex: index,
                            logIndex: firstLogIndex + k))
        }
        return .object([
            ("blockHash", hash(blockHash)),
            ("blockNumber", q(blockNumber)),
            ("contractAddress", .null),
            ("cumulativeGasUsed", q(r.cumulativeGasUsed)),
            ("effectiveGasPrice", q(r.effectiveGasPrice)),
            ("from", address(r.from)),
            ("gasUsed", q(r.gasUsed)),
            ("logs", .array(logs)),
            ("logsBloom", data(r.logsBloom.bytes)),
            ("status", q(UInt64(r.status ? 1 : 0))),
            ("to", tx.transaction.to.map(address) ?? .null),
            ("transactionHash", hash(tx.hash)),
            ("transactionIndex", q(index)),
            ("type", q(UInt64(r.type.rawValue))),
        ])
    }

    /// A log object.
    public static func log(_ l: Log, blockHash: Hash32, blockNumber: UInt64, txHash: Hash32, txIndex: Int,
                           logIndex: Int) -> JSONValue {
        .object([
            ("address", address(l.address)),
            ("topics", .array(l.topics.map(hash))),
            ("data", data(l.data)),
            ("blockNumber", q(blockNumber)),
            ("transactionHash", hash(txHash)),
            ("transactionIndex", q(txIndex)),
            ("blockHash", hash(blockHash)),
            ("logIndex", q(logIndex)),
            ("removed", .bool(false)),
        ])
    }

    /// A log object from a located log.
    public static func log(_ l: LocatedLog) -> JSONValue {
        log(l.log, blockHash: l.blockHash, blockNumber: l.blockNumber, txHash: l.transactionHash,
            txIndex: l.transactionIndex, logIndex: l.logIndex)
    }
}
