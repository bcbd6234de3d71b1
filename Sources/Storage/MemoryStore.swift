import Locking

/// An in-memory ``KeyValueStore`` with the same semantics as ``LevelDBStore``: byte-wise ordered
/// scans, atomic batches and O(1) copy-on-write snapshots. For tests and ephemeral nodes.
public final class MemoryStore: KeyValueStore, @unchecked Sendable {
    private let table = Locked(MemoryTable())

    /// Creates an empty store.
    public init() {}

    /// The number of stored keys.
    public var count: Int { table.withLock { $0.values.count } }

    public func get(_ key: [UInt8]) throws -> [UInt8]? {
        table.withLock { $0.values[key] }
    }

    public func put(_ key: [UInt8], _ value: [UInt8]) throws {
        table.withLock { $0.put(key, value) }
    }

    public func delete(_ key: [UInt8]) throws {
        table.withLock { $0.delete(key) }
    }

    /// Applies the batch under one lock acquisition, so readers see all of it or none of it.
    /// `sync` has no effect in memory.
    public func write(_ batch: WriteBatch, sync: Bool) throws {
        table.withLock { table in
            for op in batch.operations {
                switch op {
                case let .put(key, value): table.put(key, value)
                case let .delete(key): table.delete(key)
                }
            }
        }
    }

    /// Scans a copy-on-write copy of the table taken under the lock, so `body` may freely call back
    /// into the store.
    public func scan(prefix: [UInt8], from start: [UInt8]?, _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        try frozen().scan(prefix: prefix, from: start, body)
    }

    public func snapshot() throws -> MemorySnapshot {
        MemorySnapshot(table: frozen())
    }

    /// Sorts pending keys into the index and returns a (copy-on-write) copy of the table.
    private func frozen() -> MemoryTable {
        table.withLock { table in
            table.normalize()
            return table
        }
    }
}

/// A frozen view of a ``MemoryStore``, sharing storage with it until the store is next modified.
public final class MemorySnapshot: KeyValueSnapshot {
    private let table: MemoryTable

    fileprivate init(table: MemoryTable) { self.table = table }

    public func get(_ key: [UInt8]) throws -> [UInt8]? {
        table.values[key]
    }

    public func scan(prefix: [UInt8], from start: [UInt8]?, _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        try table.scan(prefix: prefix, from: start, body)
    }
}

/// Hash map for point access plus a lazily maintained sorted key index for scans (like geth's
/// memorydb, but sorting only the keys inserted since the last scan).
private struct MemoryTable: Sendable {
    var values: [[UInt8]: [UInt8]] = [:]
    /// Sorted keys; may still hold keys deleted since the last `normalize()`.
    var sorted: [[UInt8]] = []
    /// Keys inserted since the last `normalize()`, unsorted (may repeat after delete + re-put).
    var pending: [[UInt8]] = []
    /// Deletions since the last `normalize()`.
    var deletions = 0

    mutating func put(_ key: [UInt8], _ value: [UInt8]) {
        if values.updateValue(value, forKey: key) == nil { pending.append(key) }
    }

    mutating func delete(_ key: [UInt8]) {
        if values.removeValue(forKey: key) != nil { deletions += 1 }
    }

    /// Merges `pending` into `sorted` and drops deleted keys, so `sorted` is exactly the live keys.
    mutating func normalize() {
        guard !pending.isEmpty || deletions > 0 else { return }
        if pending.isEmpty, deletions > 0 {
            sorted.removeAll { values[$0] == nil }
            deletions = 0
            return
        }
        pending.sort { compareBytes($0, $1) < 0 }
        var merged: [[UInt8]] = []
        merged.reserveCapacity(values.count)
        let checkLive = deletions > 0
        var i = 0, j = 0
        while i < sorted.count || j < pending.count {
            let key: [UInt8]
            if j == pending.count || (i < sorted.count && compareBytes(sorted[i], pending[j]) <= 0) {
                key = sorted[i]; i += 1
            } else {
                key = pending[j]; j += 1
            }
            if let last = merged.last, last == key { continue }
            if checkLive, values[key] == nil { continue }
            merged.append(key)
        }
        sorted = merged
        pending = []
        deletions = 0
    }

    /// Index of the first key in `sorted` that is `>= key`.
    func lowerBound(_ key: [UInt8]) -> Int {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if compareBytes(sorted[mid], key) < 0 { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Requires a normalized table.
    func scan(prefix: [UInt8], from start: [UInt8]?, _ body: ([UInt8], [UInt8]) throws -> Bool) rethrows {
        let seek = if let start, compareBytes(start, prefix) > 0 { start } else { prefix }
        var i = lowerBound(seek)
        while i < sorted.count {
            let key = sorted[i]
            guard key.hasBytePrefix(prefix) else { return }
            if let value = values[key] {
                guard try body(key, value) else { return }
            }
            i += 1
        }
    }
}
