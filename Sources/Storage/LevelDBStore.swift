import Locking
import CLevelDB
import Foundation

/// Tuning for a ``LevelDBStore``; the defaults suit a node's chain database.
public struct LevelDBOptions: Sendable, Hashable {
    /// Create the database if the directory holds none.
    public var createIfMissing = true
    /// Capacity in bytes of the LRU cache of uncompressed blocks.
    public var cacheSize = 64 << 20
    /// Bits per key of the bloom filter that lets point reads skip tables; `0` disables it.
    public var bloomBitsPerKey = 10
    /// Bytes buffered in the memtable (and its log) before it is written out as a table.
    public var writeBufferSize = 32 << 20
    /// Upper bound on table files LevelDB keeps open.
    public var maxOpenFiles = 500
    /// Compress blocks with Snappy (LevelDB silently stores them raw if built without it).
    public var compression = true
    /// Stop on any detected corruption instead of skipping damaged data.
    public var paranoidChecks = false

    /// Creates options with the default values, overridable per parameter.
    public init(
        createIfMissing: Bool = true, cacheSize: Int = 64 << 20, bloomBitsPerKey: Int = 10,
        writeBufferSize: Int = 32 << 20, maxOpenFiles: Int = 500, compression: Bool = true,
        paranoidChecks: Bool = false
    ) {
        self.createIfMissing = createIfMissing
        self.cacheSize = cacheSize
        self.bloomBitsPerKey = bloomBitsPerKey
        self.writeBufferSize = writeBufferSize
        self.maxOpenFiles = maxOpenFiles
        self.compression = compression
        self.paranoidChecks = paranoidChecks
    }
}

/// A ``KeyValueStore`` backed by LevelDB through its C API.
///
/// Thread-safe: LevelDB serialises writers internally, and every scan and snapshot uses its own
/// iterator or engine snapshot. The database is closed (and its directory lock released) by
/// ``close()`` or when the store is deallocated, but not before every snapshot taken from it has
/// been released too.
public final class LevelDBStore: KeyValueStore, @unchecked Sendable {
    /// The database directory.
    public let path: String
    private let handle: Locked<LevelDBHandle?>

    /// Opens (by default creating) the database in directory `path`.
    ///
    /// - Throws: ``StorageError/leveldb(operation:message:)`` with LevelDB's message, e.g. when
    ///   another store, in this or another process, holds the directory's lock.
    public init(path: String, options: LevelDBOptions = LevelDBOptions()) throws {
        self.path = path
        handle = Locked(try LevelDBHandle(path: path, options: options))
    }

    /// Closes the database. Later calls on this store throw ``StorageError/closed``; calls in
    /// flight on other threads, and snapshots already taken, stay valid: the files and lock are
    /// released when the last of them finishes. Idempotent.
    public func close() {
        let last = handle.withLock { h in defer { h = nil }; return h }
        _ = last  // released outside the lock: closing waits for background compaction
    }

    /// Whether ``close()`` has been called.
    public var isClosed: Bool { handle.withLock { $0 == nil } }

    private func liveHandle() throws -> LevelDBHandle {
        guard let h = handle.withLock({ $0 }) else { throw StorageError.closed }
        return h
    }

    public func get(_ key: [UInt8]) throws -> [UInt8]? {
        let h = try liveHandle()
        return try h.get(key, options: h.readOptions)
    }

    public func put(_ key: [UInt8], _ value: [UInt8]) throws {
        let h = try liveHandle()
        try withBytes(key) { k, kn in
            try withBytes(value) { v, vn in
                try leveldbCall("put") { leveldb_put(h.db, h.writeOptions, k, kn, v, vn, $0) }
            }
        }
    }

    public func delete(_ key: [UInt8]) throws {
        let h = try liveHandle()
        try withBytes(key) { k, kn in
            try leveldbCall("delete") { leveldb_delete(h.db, h.writeOptions, k, kn, $0) }
        }
    }

    /// Writes the batch as one LevelDB write batch (one log record), so it is atomic across crashes.
    public func write(_ batch: WriteBatch, sync: Bool) throws {
        let h = try liveHandle()
        let wb = leveldb_writebatch_create()
        defer { leveldb_writebatch_destroy(wb) }
        for op in batch.operations {
            switch op {
            case let .put(key, value):
                withBytes(key) { k, kn in withBytes(value) { v, vn in leveldb_writebatch_put(wb, k, kn, v, vn) } }
            case let .delete(key):
                withBytes(key) { k, kn in leveldb_writebatch_delete(wb, k, kn) }
            }
        }
        try leveldbCall("write") { leveldb_write(h.db, sync ? h.syncWriteOptions : h.writeOptions, wb, $0) }
    }

    public func scan(prefix: [UInt8], from start: [UInt8]?, _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        let h = try liveHandle()
        try h.scan(prefix: prefix, from: start, options: h.readOptions, body)
    }

    public func snapshot() throws -> LevelDBSnapshot {
        LevelDBSnapshot(handle: try liveHandle())
    }

    /// Returns a LevelDB property such as `"leveldb.stats"`, `"leveldb.sstables"` or
    /// `"leveldb.num-files-at-level0"`, or `nil` for an unknown name.
    public func property(_ name: String) throws -> String? {
        let h = try liveHandle()
        guard let value = leveldb_property_value(h.db, name) else { return nil }
        defer { leveldb_free(value) }
        return String(cString: value)
    }

    /// Compacts the key range `[start, end]` (`nil` means unbounded), reclaiming space held by
    /// overwritten and deleted entries.
    public func compact(start: [UInt8]? = nil, end: [UInt8]? = nil) throws {
        let h = try liveHandle()
        withOptionalBytes(start) { s, sn in
            withOptionalBytes(end) { e, en in leveldb_compact_range(h.db, s, sn, e, en) }
        }
    }
}

/// A LevelDB engine snapshot: reads see the database as of its creation. Released on deinit.
public final class LevelDBSnapshot: KeyValueSnapshot, @unchecked Sendable {
    private let handle: LevelDBHandle
    private let snapshot: OpaquePointer
    private let readOptions: OpaquePointer

    fileprivate init(handle: LevelDBHandle) {
        self.handle = handle
        snapshot = leveldb_create_snapshot(handle.db)
        readOptions = leveldb_readoptions_create()
        leveldb_readoptions_set_snapshot(readOptions, snapshot)
    }

    deinit {
        leveldb_readoptions_destroy(readOptions)
        leveldb_release_snapshot(handle.db, snapshot)
    }

    public func get(_ key: [UInt8]) throws -> [UInt8]? {
        try handle.get(key, options: readOptions)
    }

    public func scan(prefix: [UInt8], from start: [UInt8]?, _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        try handle.scan(prefix: prefix, from: start, options: readOptions, body)
    }
}

/// Owns the database and every C object configured for it; closes and frees them on deinit.
private final class LevelDBHandle: @unchecked Sendable {
    let db: OpaquePointer
    let readOptions: OpaquePointer
    let writeOptions: OpaquePointer
    let syncWriteOptions: OpaquePointer
    private let options: OpaquePointer
    private let cache: OpaquePointer?
    private let filterPolicy: OpaquePointer?

    init(path: String, options config: LevelDBOptions) throws {
        let options = leveldb_options_create()!
        let cache = config.cacheSize > 0 ? leveldb_cache_create_lru(config.cacheSize) : nil
        let filterPolicy = config.bloomBitsPerKey > 0 ? leveldb_filterpolicy_create_bloom(Int32(config.bloomBitsPerKey)) : nil
        leveldb_options_set_create_if_missing(options, config.createIfMissing ? 1 : 0)
        leveldb_options_set_paranoid_checks(options, config.paranoidChecks ? 1 : 0)
        leveldb_options_set_write_buffer_size(options, config.writeBufferSize)
        leveldb_options_set_max_open_files(options, Int32(clamping: config.maxOpenFiles))
        leveldb_options_set_compression(options, Int32(config.compression ? leveldb_snappy_compression : leveldb_no_compression))
        if let cache { leveldb_options_set_cache(options, cache) }
        if let filterPolicy { leveldb_options_set_filter_policy(options, filterPolicy) }
        let db: OpaquePointer?
        do {
            db = try leveldbCall("open") { leveldb_open(options, path, $0) }
        } catch {
            Self.free(options: options, cache: cache, filterPolicy: filterPolicy)
            throw error
        }
        guard let db else {
            Self.free(options: options, cache: cache, filterPolicy: filterPolicy)
            throw StorageError.leveldb(operation: "open", message: "leveldb_open returned no database")
        }
        self.db = db
        self.options = options
        self.cache = cache
        self.filterPolicy = filterPolicy
        readOptions = leveldb_readoptions_create()
        writeOptions = leveldb_writeoptions_create()
        syncWriteOptions = leveldb_writeoptions_create()
        leveldb_writeoptions_set_sync(syncWriteOptions, 1)
    }

    deinit {
        leveldb_close(db)  // first: the database still uses the cache and filter policy
        leveldb_readoptions_destroy(readOptions)
        leveldb_writeoptions_destroy(writeOptions)
        leveldb_writeoptions_destroy(syncWriteOptions)
        Self.free(options: options, cache: cache, filterPolicy: filterPolicy)
    }

    private static func free(options: OpaquePointer, cache: OpaquePointer?, filterPolicy: OpaquePointer?) {
        leveldb_options_destroy(options)
        if let cache { leveldb_cache_destroy(cache) }
        if let filterPolicy { leveldb_filterpolicy_destroy(filterPolicy) }
    }

    func get(_ key: [UInt8], options: OpaquePointer) throws -> [UInt8]? {
        var length = 0
        let value = try withBytes(key) { k, kn in
            try leveldbCall("get") { leveldb_get(db, options, k, kn, &length, $0) }
        }
        guard let value else { return nil }
        defer { leveldb_free(value) }
        return copyBytes(value, length)
    }

    func scan(prefix: [UInt8], from start: [UInt8]?, options: OpaquePointer, _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        let it = leveldb_create_iterator(db, options)
        defer { leveldb_iter_destroy(it) }
        let seek = if let start, compareBytes(start, prefix) > 0 { start } else { prefix }
        withBytes(seek) { leveldb_iter_seek(it, $0, $1) }
        try prefix.withUnsafeBytes { prefixBytes in
            var keyLength = 0, valueLength = 0
            while leveldb_iter_valid(it) != 0 {
                let key = leveldb_iter_key(it, &keyLength)!
                guard keyLength >= prefixBytes.count,
                      prefixBytes.isEmpty || memcmp(key, prefixBytes.baseAddress!, prefixBytes.count) == 0
                else { return }
                let value = leveldb_iter_value(it, &valueLength)
                guard try body(copyBytes(key, keyLength), copyBytes(value, valueLength)) else { return }
                leveldb_iter_next(it)
            }
        }
        try leveldbCall("iterate") { leveldb_iter_get_error(it, $0) }
    }
}

/// Calls a LevelDB function taking `char** errptr`; turns a reported error into
/// ``StorageError/leveldb(operation:message:)`` and frees LevelDB's message.
@inline(__always)
private func leveldbCall<R>(_ operation: String, _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> R) throws -> R {
    var error: UnsafeMutablePointer<CChar>?
    let result = body(&error)
    if let error {
        defer { leveldb_free(error) }
        throw StorageError.leveldb(operation: operation, message: String(cString: error))
    }
    return result
}

/// A byte that stands in for an empty array's missing base address, so LevelDB never sees NULL.
nonisolated(unsafe) private let emptyBytes = UnsafeMutablePointer<CChar>.allocate(capacity: 1)

/// Passes `bytes` to a C function as `(const char*, size_t)` without copying.
@inline(__always)
private func withBytes<R>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>, Int) throws -> R) rethrows -> R {
    try bytes.withUnsafeBytes { raw in
        try body(raw.baseAddress?.assumingMemoryBound(to: CChar.self) ?? UnsafePointer(emptyBytes), raw.count)
    }
}

/// Like ``withBytes(_:_:)``, passing `(NULL, 0)` for `nil` (LevelDB's "unbounded").
@inline(__always)
private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafePointer<CChar>?, Int) throws -> R) rethrows -> R {
    guard let bytes else { return try body(nil, 0) }
    return try withBytes(bytes) { try body($0, $1) }
}

/// Copies `count` bytes at `pointer` (which may be NULL when `count` is 0) into an array.
@inline(__always)
private func copyBytes(_ pointer: UnsafePointer<CChar>?, _ count: Int) -> [UInt8] {
    guard let pointer, count > 0 else { return [] }
    return Array(UnsafeRawBufferPointer(start: pointer, count: count))
}
