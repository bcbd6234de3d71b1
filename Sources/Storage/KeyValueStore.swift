/// Read access shared by live stores and point-in-time snapshots.
///
/// Keys and values are arbitrary byte strings (`[UInt8]`); an empty value is a stored value,
/// distinct from a missing key. Iteration order is ascending byte-wise lexicographic order
/// (the order of `memcmp`, shorter key first on a common prefix).
public protocol KeyValueReader: Sendable {
    /// Returns the value stored under `key`, or `nil` if the key is absent.
    func get(_ key: [UInt8]) throws -> [UInt8]?

    /// Visits, in ascending key order, every entry whose key starts with `prefix`.
    ///
    /// - Parameters:
    ///   - prefix: Only keys beginning with these bytes are visited; `[]` visits every key.
    ///   - start: An absolute key (not relative to `prefix`) to start at, inclusive. Keys below it
    ///     are skipped; `nil`, or a key sorting before `prefix`, starts at the first matching key.
    ///   - body: Called with each key and value; return `false` to stop early.
    ///
    /// The scan observes a consistent point-in-time view: writes made while it runs (including
    /// from `body` itself) are not visited.
    func scan(prefix: [UInt8], from start: [UInt8]?, _ body: (_ key: [UInt8], _ value: [UInt8]) throws -> Bool) throws
}

extension KeyValueReader {
    /// Returns whether `key` is present (with any value, including an empty one).
    public func contains(_ key: [UInt8]) throws -> Bool {
        try get(key) != nil
    }

    /// Visits every entry whose key starts with `prefix`, in ascending key order, until `body` returns `false`.
    public func scan(prefix: [UInt8] = [], _ body: (_ key: [UInt8], _ value: [UInt8]) throws -> Bool) throws {
        try scan(prefix: prefix, from: nil, body)
    }

    /// Returns the entries whose key starts with `prefix` (from `start`, inclusive), in ascending key
    /// order, at most `limit` of them.
    public func entries(prefix: [UInt8] = [], from start: [UInt8]? = nil, limit: Int = .max) throws -> [(key: [UInt8], value: [UInt8])] {
        var result: [(key: [UInt8], value: [UInt8])] = []
        guard limit > 0 else { return result }
        try scan(prefix: prefix, from: start) { key, value in
            result.append((key, value))
            return result.count < limit
        }
        return result
    }
}

/// A frozen, read-only view of a store as it was when ``KeyValueStore/snapshot()`` was called.
///
/// Later writes to the store are invisible through it. Resources it pins (for LevelDB, an
/// engine snapshot) are released when the last reference to it goes away.
public protocol KeyValueSnapshot: KeyValueReader, AnyObject {}

/// A mutable, ordered key-value store: the persistence layer of the node (like geth's `ethdb`).
///
/// Implementations are safe to use from several threads at once. Single `put`s and `delete`s
/// are atomic; use ``write(_:sync:)`` to apply several changes atomically.
public protocol KeyValueStore: KeyValueReader {
    /// The snapshot type this store produces.
    associatedtype Snapshot: KeyValueSnapshot

    /// Stores `value` under `key`, replacing any previous value.
    func put(_ key: [UInt8], _ value: [UInt8]) throws

    /// Removes `key`; removing an absent key is not an error.
    func delete(_ key: [UInt8]) throws

    /// Applies every operation of `batch`, in order, as one atomic update: after a crash either
    /// all of it or none of it is visible.
    ///
    /// - Parameter sync: When `true`, the write is flushed to stable storage (`fsync`) before
    ///   returning, so it survives an OS crash or power loss; when `false` it survives a process
    ///   crash but the most recent writes may be lost if the machine goes down.
    func write(_ batch: WriteBatch, sync: Bool) throws

    /// Takes a point-in-time, read-only view of the store.
    func snapshot() throws -> Snapshot
}

extension KeyValueStore {
    /// Applies `batch` atomically without forcing it to stable storage.
    public func write(_ batch: WriteBatch) throws {
        try write(batch, sync: false)
    }
}
