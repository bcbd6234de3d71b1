import Foundation
import Storage
import Testing

@Suite("LevelDBStore")
struct LevelDBStoreTests {
    @Test func reopenPersists() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/db"
            do {
                let store = try LevelDBStore(path: path, options: LevelDBOptions(cacheSize: 1 << 20, writeBufferSize: 1 << 20))
                try store.put(b("a"), b("1"))
                try store.put(b("gone"), b("x"))
                try store.delete(b("gone"))
                var batch = WriteBatch()
                for i in 0..<2000 { batch.put(b("n") + stamp(UInt64(i)), [UInt8](repeating: UInt8(i & 0xFF), count: 32)) }
                try store.write(batch, sync: true)
                try store.compact()
                store.close()
            }
            let store = try LevelDBStore(path: path)
            #expect(try store.get(b("a")) == b("1"))
            #expect(try store.get(b("gone")) == nil)
            let canonical = try store.entries(prefix: b("n"))
            #expect(canonical.count == 2000)
            #expect(canonical.map { Array($0.key.dropFirst()) } == (0..<2000).map { stamp(UInt64($0)) })
            #expect(try store.get(b("n") + stamp(1999)) == [UInt8](repeating: UInt8(1999 & 0xFF), count: 32))
            #expect(try store.property("leveldb.stats") != nil)
            #expect(try store.property("no.such.property") == nil)
        }
    }

    @Test func secondOpenReportsLevelDBLockError() throws {
        try withTemporaryDirectory { dir in
            let first = try LevelDBStore(path: dir)
            defer { first.close() }
            let error = try #require(throws: StorageError.self) { try LevelDBStore(path: dir) }
            guard case let .leveldb(operation, message) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(operation == "open")
            #expect(message.lowercased().contains("lock"), "message: \(message)")
            #expect(error.description.contains(message))
        }
    }

    @Test func openingMissingDatabaseWithoutCreateFails() throws {
        try withTemporaryDirectory { dir in
            let error = try #require(throws: StorageError.self) {
                try LevelDBStore(path: dir + "/absent", options: LevelDBOptions(createIfMissing: false))
            }
            #expect(error.description.contains("does not exist"), "\(error)")
        }
    }

    @Test func closeReleasesLockAndRejectsCalls() throws {
        try withTemporaryDirectory { dir in
            let store = try LevelDBStore(path: dir)
            try store.put(b("a"), b("1"))
            let snapshot = try store.snapshot()
            store.close()
            #expect(store.isClosed)
            #expect(throws: StorageError.closed) { try store.get(b("a")) }
            #expect(throws: StorageError.closed) { try store.put(b("a"), b("2")) }
            #expect(throws: StorageError.closed) { try store.write(WriteBatch()) }
            #expect(throws: StorageError.closed) { try store.snapshot() }
            #expect(try snapshot.get(b("a")) == b("1"))  // snapshots outlive close
            store.close()  // idempotent
            _ = consume snapshot
            let reopened = try LevelDBStore(path: dir)  // lock released with the last snapshot
            #expect(try reopened.get(b("a")) == b("1"))
        }
    }
}
