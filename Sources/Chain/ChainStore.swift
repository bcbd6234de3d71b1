import Locking
import Foundation
import Locking
import Primitives
import RLP
import StateTree
import Storage
import Transactions

/// State-tree pages read from the key-value store (`t` + page root hash), through a cache of
/// decoded pages.
struct StorePageSource: TreePageSource {
    let store: any KeyValueReader
    let cache: PageCache

    func page(_ hash: Hash32) throws -> TreePage? {
        if let p = cache.get(hash) { return p }
        guard let raw = try store.get(ChainSchema.treePageKey(hash.bytes)) else { return nil }
        let p: TreePage
        do { p = try TreePage(encoded: raw) } catch { throw ChainError.corrupt("state tree page \(hash): \(error.reason)") }
        guard p.rootHash == hash else { throw ChainError.corrupt("state tree page stored under \(hash) has root \(p.rootHash)") }
        cache.put(hash, p)
        return p
    }
}

/// Decoded state-tree pages kept in memory. Pages are immutable (content-addressed), so a
/// cached page is never stale. An open-addressing table indexed by the page hash's first word
/// (already uniformly random, so no further hashing): a lookup on the sealing path costs a
/// probe or two. It grows to `capacity` slots, and is emptied when half of them are used or
/// the decoded pages it holds reach `byteBudget` bytes (about; values included).
final class PageCache: @unchecked Sendable {
    /// Guards every field below.
    private let lock = Lock()
    private var keys: [Hash32]
    private var values: [TreePage?]
    private var count = 0
    private var bytes = 0
    let capacity: Int
    let byteBudget: Int

    init(initialSlots: Int = 1 << 14, capacity: Int = 1 << 18, byteBudget: Int = 256 << 20) {
        self.capacity = capacity
        self.byteBudget = byteBudget
        keys = [Hash32](repeating: .zero, count: initialSlots)
        values = [TreePage?](repeating: nil, count: initialSlots)
    }

    func get(_ h: Hash32) -> TreePage? {
        lock.withLock {
            let mask = keys.count - 1
            var i = Int(truncatingIfNeeded: h.a) & mask
            while values[i] != nil {
                if keys[i] == h { return values[i] }
                i = (i + 1) & mask
            }
            return nil
        }
    }

    func put(_ h: Hash32, _ p: TreePage) {
        lock.withLock { insert(h, p) }
    }

    func put(_ batch: [Hash32: TreePage]) {
        lock.withLock { for (h, p) in batch { insert(h, p) } }
    }

    private func insert(_ h: Hash32, _ p: TreePage) {
        if (count + 1) * 2 > keys.count {
            if keys.count < capacity { grow() } else { clear() }
        }
        let size = p.approximateMemorySize
        if bytes + size > byteBudget { clear() }
        let mask = keys.count - 1
        var i = Int(truncatingIfNeeded: h.a) & mask
        while values[i] != nil {
            if keys[i] == h { return }
            i = (i + 1) & mask
        }
        keys[i] = h
        values[i] = p
        count += 1
        bytes += size
    }

    private func grow() {
        let oldKeys = keys, oldValues = values
        keys = [Hash32](repeating: .zero, count: oldKeys.count * 2)
        values = [TreePage?](repeating: nil, count: oldKeys.count * 2)
        count = 0
        bytes = 0
        for i in oldKeys.indices { if let v = oldValues[i] { insert(oldKeys[i], v) } }
    }

    private func clear() {
        for i in values.indices { values[i] = nil }
        count = 0
        bytes = 0
    }
}

/// The flat latest state read from the key-value store (`s` + raw key), accounts through the
/// cache of those recent blocks wrote.
struct StoreStateReader: StateReader {
    let store: any KeyValueReader
    var accounts: AccountCache?

    func stateValue(_ key: [UInt8]) throws -> [UInt8]? { try store.get(ChainSchema.stateKey(key)) }

    func account(_ a: Address) throws -> Account? {
        if let cached = accounts?.get(a) { return cached.isEmpty ? nil : cached }
        return try decodedAccount(a)
    }
}

/// Accounts as the latest committed block left them, for the accounts recent blocks wrote
/// (the ones the next block, the mempool and wallets are most likely to read). Filled only
/// from committed blocks: a block's accounts are dropped before its batch is written and filled
/// in after, before the head moves, so a cached entry is never older than the store. Emptied
/// when it reaches `capacity` entries.
final class AccountCache: @unchecked Sendable {
    /// Guards `map`.
    private let lock = Lock()
    private var map: [Address: Account] = [:]
    let capacity: Int

    init(capacity: Int = 1 << 18) { self.capacity = capacity }

    /// The cached account (an empty one when it was deleted), or nil when not cached.
    func get(_ a: Address) -> Account? { lock.withLock { map[a] } }

    /// Forgets accounts a block is about to write (readers fall through to the store).
    func invalidate(_ accounts: [Address: Account]) {
        lock.withLock { for a in accounts.keys { map[a] = nil } }
    }

    /// Records what a committed block wrote.
    func update(_ accounts: [Address: Account]) {
        lock.withLock {
            if map.count + accounts.count > capacity { map.removeAll(keepingCapacity: true) }
            map.merge(accounts) { _, new in new }
        }
    }
}

/// Where a transaction was included.
public struct TxLocation: Sendable, Equatable {
    public var blockNumber: UInt64
    public var blockHash: Hash32
    public var index: Int

    public init(blockNumber: UInt64, blockHash: Hash32, index: Int) {
        self.blockNumber = blockNumber
        self.blockHash = blockHash
        self.index = index
    }
}

/// Reads of the stored chain; the layout is `Storage.Schema`'s.
public struct ChainReader: Sendable {
    let store: any KeyValueStore

    public func canonicalHash(_ number: UInt64) throws -> Hash32? {
        try store.get(ChainSchema.canonicalHashKey(number)).flatMap { Hash32($0) }
    }

    public func block(hash: Hash32) throws -> Block? { try certifiedBlock(hash: hash)?.block }

    /// The block with the certificate its consensus driver stored (what `export` writes).
    public func certifiedBlock(hash: Hash32) throws -> CertifiedBlock? {
        guard let raw = try store.get(ChainSchema.bodyKey(hash.bytes)) else { return nil }
        do { return try CertifiedBlock(decoding: raw) } catch { throw ChainError.corrupt("block \(hash): \(error)") }
    }

    /// Bytes of the stored block (header, transactions, certificate): JSON-RPC's `size`.
    public func storedBlockSize(hash: Hash32) throws -> Int? {
        try store.get(ChainSchema.bodyKey(hash.bytes))?.count
    }

    public func certifiedBlock(number: UInt64) throws -> CertifiedBlock? {
        guard let h = try canonicalHash(number) else { return nil }
        return try certifiedBlock(hash: h)
    }

    public func block(number: UInt64) throws -> Block? {
        guard let h = try canonicalHash(number) else { return nil }
        return try block(hash: h)
    }

    public func header(hash: Hash32) throws -> Header? {
        guard let raw = try store.get(ChainSchema.headerKey(hash.bytes)) else { return nil }
        var d = RLPDecoder(raw)
        do { return try Header(decoding: &d) } catch { throw ChainError.corrupt("header \(hash): \(error)") }
    }

    public func header(number: UInt64) throws -> Header? {
        guard let h = try canonicalHash(number) else { return nil }
        return try header(hash: h)
    }

    public func number(ofBlock hash: Hash32) throws -> UInt64? {
        try store.get(ChainSchema.headerNumberKey(hash.bytes)).flatMap { ChainSchema.decodeNumber($0) }
    }

    public func receipts(blockHash: Hash32) throws -> [Receipt]? {
        guard let raw = try store.get(ChainSchema.receiptsKey(blockHash.bytes)) else { return nil }
        do { return try Receipt.decodeList(raw) } catch { throw ChainError.corrupt("receipts of \(blockHash): \(error)") }
    }

    /// Logs the system contracts emitted at the end of the block (after its transactions).
    public func blockLogs(blockHash: Hash32) throws -> [Log] {
        guard let raw = try store.get(ChainSchema.blockLogsKey(blockHash.bytes)) else { return [] }
        do {
            var d = RLPDecoder(raw)
            var l = try d.readList()
            try d.finish()
            var out: [Log] = []
            while !l.isAtEnd { out.append(try Log(decoding: &l)) }
            return out
        } catch { throw ChainError.corrupt("end-of-block logs of \(blockHash): \(error)") }
    }

    public func transactionLocation(_ txHash: Hash32) throws -> TxLocation? {
        guard let raw = try store.get(ChainSchema.txLookupKey(txHash.bytes)), let (n, i) = ChainSchema.decodeTxLookup(raw),
              let h = try canonicalHash(n) else { return nil }
        return TxLocation(blockNumber: n, blockHash: h, index: Int(i))
    }

    public func headHash() throws -> Hash32? { try store.get(ChainSchema.headBlockKey).flatMap { Hash32($0) } }
    public func genesisHash() throws -> Hash32? { try store.get(ChainSchema.genesisHashKey).flatMap { Hash32($0) } }
}


/// Everything one block writes, as one atomic batch.
struct BlockCommit {
    var batch = WriteBatch()

    mutating func add(block: CertifiedBlock, receipts: [Receipt], blockLogs: [Log] = [], changes: [(key: [UInt8], value: [UInt8]?)],
                      pages: [Hash32: TreePage]) {
        let hash = block.hash
        let hb = hash.bytes
        batch.put(ChainSchema.headerKey(hb), block.header.encoded)
        batch.put(ChainSchema.headerNumberKey(hb), ChainSchema.encode(block.number))
        batch.put(ChainSchema.canonicalHashKey(block.number), hb)
        batch.put(ChainSchema.bodyKey(hb), block.encoded)
        batch.put(ChainSchema.receiptsKey(hb), Receipt.encodeList(receipts))
        for (i, tx) in block.transactions.enumerated() {
            batch.put(ChainSchema.txLookupKey(tx.hash.bytes), ChainSchema.txLookupValue(blockNumber: block.number, index: UInt32(i)))
        }
        if !blockLogs.isEmpty { batch.put(ChainSchema.blockLogsKey(hb), RLPItem.list(blockLogs.map(\.rlpItem)).rlpEncoded) }
        var addresses = Set<Address>(), topics = Set<Hash32>()
        for l in receipts.flatMap(\.logs) + blockLogs {
            addresses.insert(l.address)
            topics.formUnion(l.topics)
        }
        for a in addresses { batch.put(ChainSchema.logAddressIndexKey(a.bytes, block.number), [1]) }
        for t in topics { batch.put(ChainSchema.logTopicIndexKey(t.bytes, block.number), [1]) }
        for (h, p) in pages { batch.put(ChainSchema.treePageKey(h.bytes), p.encoded) }
        for (k, v) in changes {
            if let v { batch.put(ChainSchema.stateKey(k), v) } else { batch.delete(ChainSchema.stateKey(k)) }
        }
        batch.put(ChainSchema.headBlockKey, hb)
    }
}
