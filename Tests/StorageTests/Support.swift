import Foundation
import Storage
import Testing

/// The backends every behavioural test runs against.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory, leveldb
    var testDescription: String { rawValue }
}

/// Runs `body` in a fresh temporary directory, removed afterwards.
func withTemporaryDirectory<R>(_ body: (String) throws -> R) throws -> R {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("storage-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url.path)
}

/// Runs `body` with a fresh, empty store of the given backend.
func withStore(_ backend: Backend, _ body: (any KeyValueStore) throws -> Void) throws {
    switch backend {
    case .memory:
        try body(MemoryStore())
    case .leveldb:
        try withTemporaryDirectory { dir in
            let store = try LevelDBStore(path: dir + "/db")
            defer { store.close() }
            try body(store)
        }
    }
}

/// Shorthand for an ASCII byte string.
func b(_ s: String) -> [UInt8] { Array(s.utf8) }

/// Every key of `reader` under `prefix` (from `start`), in scan order.
func keys(_ reader: some KeyValueReader, prefix: [UInt8] = [], from start: [UInt8]? = nil) throws -> [[UInt8]] {
    try reader.entries(prefix: prefix, from: start).map(\.key)
}

/// Thread-safe counter for concurrency tests.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func add(_ n: Int = 1) { lock.lock(); value += n; lock.unlock() }
    var current: Int { lock.lock(); defer { lock.unlock() }; return value }
}

/// A number as 8 bytes, big-endian (generation stamps in the concurrency tests).
func stamp(_ n: UInt64) -> [UInt8] { withUnsafeBytes(of: n.bigEndian) { Array($0) } }
