import Primitives
import Storage

/// Crash-consistency harness for ``LevelDBStore``: one process writes generation-stamped batches
/// until it is killed; another then checks that no batch was applied partially.
public enum CrashHarness {
    /// Key holding the generation of the last batch written (8-byte big-endian).
    public static let generationKey = Array("gen".utf8)

    /// Bytes of filler after the 8-byte generation in each value, so a batch spans a few KB.
    public static let padding = 56

    /// Opens the store at `path` and writes batches forever, generation after generation,
    /// resuming after the generation already stored.
    ///
    /// Batch `g` puts keys `"k0"`, `"k1"`, … `"k\(keysPerBatch - 1)"`, each with value
    /// `g` (8-byte big-endian) + ``padding`` filler bytes, plus ``generationKey`` = `g`, written
    /// atomically with `sync: false`. Only returns by throwing.
    ///
    /// - Parameter started: Called once, with its generation, after the first batch of this run is
    ///   written (e.g. to tell a supervising test that killing the process is now meaningful).
    public static func writeBatchesForever(
        path: String, keysPerBatch: Int, started: (UInt64) -> Void = { _ in }
    ) throws -> Never {
        precondition(keysPerBatch > 0, "keysPerBatch must be positive")
        let store = try LevelDBStore(path: path)
        let keys = (0..<keysPerBatch).map { Array("k\($0)".utf8) }
        var generation = try store.get(generationKey).flatMap { decodeNumber($0) } ?? 0
        var batch = WriteBatch()
        var first = true
        while true {
            generation += 1
            let stamp = encode(generation)
            let value = stamp + [UInt8](repeating: UInt8(truncatingIfNeeded: generation), count: padding)
            batch.removeAll()
            for key in keys { batch.put(key, value) }
            batch.put(generationKey, stamp)
            try store.write(batch, sync: false)
            if first {
                first = false
                started(generation)
            }
        }
    }

    /// Reopens the store at `path` and verifies that every `"k…"` key holds exactly the stored
    /// generation (the last batch was applied entirely or not at all).
    ///
    /// - Returns: The stored generation (`0` for an empty database).
    /// - Throws: ``StorageError/corrupted(_:)`` describing the first inconsistency found.
    public static func checkConsistency(path: String) throws -> UInt64 {
        let store = try LevelDBStore(path: path, options: LevelDBOptions(createIfMissing: false))
        defer { store.close() }
        guard let stamp = try store.get(generationKey) else {
            if try store.entries(prefix: Array("k".utf8), limit: 1).isEmpty { return 0 }
            throw StorageError.corrupted("keys present but no \"gen\" key")
        }
        guard let generation = decodeNumber(stamp) else {
            throw StorageError.corrupted("\"gen\" holds \(stamp.count) bytes, expected 8")
        }
        var count = 0
        var failure: String?
        try store.scan(prefix: Array("k".utf8)) { key, value in
            let name = String(decoding: key, as: UTF8.self)
            guard Int(name.dropFirst()).map({ $0 >= 0 }) == true else {
                failure = "unexpected key \(name)"
                return false
            }
            let stored = value.count == 8 + padding ? decodeNumber(value[..<8]) : nil
            guard stored == generation else {
                failure = "key \(name) holds generation \(stored.map(String.init) ?? "(malformed value of \(value.count) bytes)"), \"gen\" is \(generation)"
                return false
            }
            count += 1
            return true
        }
        if let failure { throw StorageError.corrupted(failure) }
        for index in 0..<count where try store.get(Array("k\(index)".utf8)) == nil {
            throw StorageError.corrupted("\(count) keys, but k\(index) is missing")
        }
        if generation > 0, count == 0 { throw StorageError.corrupted("generation \(generation) but no keys") }
        return generation
    }
}

extension CrashHarness {
    /// A generation as 8 bytes, big-endian.
    public static func encode(_ n: UInt64) -> [UInt8] { n.bigEndianBytes }

    /// An 8-byte big-endian generation; nil for any other length.
    public static func decodeNumber<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt64? { UInt64(bigEndianBytes: bytes) }
}
