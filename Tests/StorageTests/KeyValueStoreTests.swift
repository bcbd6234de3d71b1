import Foundation
import Storage
import Testing
import TestSupport

@Suite("KeyValueStore behaviour (both backends)")
struct KeyValueStoreTests {
    @Test(arguments: Backend.allCases)
    func getPutDelete(_ backend: Backend) throws {
        try withStore(backend) { store in
            #expect(try store.get(b("a")) == nil)
            try store.put(b("a"), b("1"))
            #expect(try store.get(b("a")) == b("1"))
            #expect(try store.contains(b("a")))
            try store.delete(b("a"))
            #expect(try store.get(b("a")) == nil)
            try store.delete(b("never-there"))  // deleting a missing key is fine
        }
    }

    @Test(arguments: Backend.allCases)
    func overwrite(_ backend: Backend) throws {
        try withStore(backend) { store in
            try store.put(b("k"), b("first"))
            try store.put(b("k"), b("second, longer"))
            try store.put(b("k"), b("3"))
            #expect(try store.get(b("k")) == b("3"))
            #expect(try keys(store) == [b("k")])
        }
    }

    @Test(arguments: Backend.allCases)
    func emptyValueIsNotMissing(_ backend: Backend) throws {
        try withStore(backend) { store in
            try store.put(b("empty"), [])
            #expect(try store.get(b("empty")) == [])
            #expect(try store.get(b("missing")) == nil)
            #expect(try store.contains(b("empty")))
            #expect(try !store.contains(b("missing")))
            try store.put([], b("empty key"))
            #expect(try store.get([]) == b("empty key"))
            #expect(try store.entries().map(\.key) == [[], b("empty")])
        }
    }

    @Test(arguments: Backend.allCases)
    func binaryKeysAndValues(_ backend: Backend) throws {
        try withStore(backend) { store in
            let key: [UInt8] = [0, 0xFF, 0, 0x80]
            let value = (0..<4096).map { UInt8(truncatingIfNeeded: $0 * 7) }
            try store.put(key, value)
            #expect(try store.get(key) == value)
            #expect(try store.get([0, 0xFF, 0]) == nil)
        }
    }

    @Test(arguments: Backend.allCases)
    func batchAppliesInOrder(_ backend: Backend) throws {
        try withStore(backend) { store in
            try store.put(b("old"), b("x"))
            var batch = WriteBatch()
            batch.put(b("a"), b("1"))
            batch.put(b("b"), b("2"))
            batch.delete(b("a"))
            batch.put(b("c"), b("3"))
            batch.put(b("b"), b("4"))
            batch.delete(b("old"))
            batch.put(b("d"), b("5"))
            batch.delete(b("d"))
            batch.put(b("d"), [])
            #expect(batch.count == 9)
            #expect(batch.byteCount == 16)
            #expect(try store.get(b("c")) == nil)  // nothing applied before write
            try store.write(batch, sync: true)
            #expect(try store.entries().map { [$0.key, $0.value] } == [[b("b"), b("4")], [b("c"), b("3")], [b("d"), []]])
            try store.write(WriteBatch())  // empty batch is a no-op
            batch.removeAll()
            #expect(batch.isEmpty && batch.byteCount == 0)
        }
    }

    @Test(arguments: Backend.allCases)
    func batchesAreAtomicToConcurrentReaders(_ backend: Backend) throws {
        try withStore(backend) { store in
            let keys = (0..<16).map { b("k\($0)") }
            let torn = Counter(), failures = Counter(), rounds = 1500
            DispatchQueue.concurrentPerform(iterations: 2) { worker in
                do {
                    if worker == 0 {
                        for g in 1...rounds {
                            var batch = WriteBatch()
                            for key in keys { batch.put(key, stamp(UInt64(g))) }
                            try store.write(batch)
                        }
                    } else {
                        for _ in 0..<rounds {
                            let snapshot = try store.snapshot()
                            let values = try keys.map { try snapshot.get($0) }
                            let scanned = try snapshot.entries(prefix: b("k")).map(\.value)
                            if Set(values).count != 1 || Set(scanned).count > 1 { torn.add() }
                        }
                    }
                } catch {
                    failures.add()
                }
            }
            #expect(failures.current == 0)
            #expect(torn.current == 0)
            let final = try store.get(b("k0"))
            #expect(final == stamp(UInt64(rounds)))
        }
    }

    @Test(arguments: Backend.allCases)
    func prefixScansAreOrderedAndBounded(_ backend: Backend) throws {
        try withStore(backend) { store in
            let all: [[UInt8]] = [
                [0x00], [0x01], [0x01, 0x00], [0x01, 0xFF], [0x01, 0xFF, 0xFF], [0x02],
                [0xFE, 0xFF], [0xFF], [0xFF, 0x00], [0xFF, 0xFF], [0xFF, 0xFF, 0x00], [0xFF, 0xFF, 0xFF],
            ]
            var batch = WriteBatch()
            for key in all.shuffled() { batch.put(key, key + key) }
            try store.write(batch)

            #expect(try keys(store) == all)  // empty prefix: everything, byte-wise ascending
            #expect(try keys(store, prefix: [0x01]) == [[0x01], [0x01, 0x00], [0x01, 0xFF], [0x01, 0xFF, 0xFF]])
            #expect(try keys(store, prefix: [0xFF]) == [[0xFF], [0xFF, 0x00], [0xFF, 0xFF], [0xFF, 0xFF, 0x00], [0xFF, 0xFF, 0xFF]])
            #expect(try keys(store, prefix: [0xFF, 0xFF]) == [[0xFF, 0xFF], [0xFF, 0xFF, 0x00], [0xFF, 0xFF, 0xFF]])
            #expect(try keys(store, prefix: [0x03]) == [])
            #expect(try keys(store, prefix: [0x01, 0xFF, 0xFF, 0xFF]) == [])
            for entry in try store.entries() { #expect(entry.value == entry.key + entry.key) }

            // start is an absolute, inclusive key
            #expect(try keys(store, prefix: [0x01], from: [0x01, 0x00]) == [[0x01, 0x00], [0x01, 0xFF], [0x01, 0xFF, 0xFF]])
            #expect(try keys(store, prefix: [0x01], from: [0x01, 0x80]) == [[0x01, 0xFF], [0x01, 0xFF, 0xFF]])
            #expect(try keys(store, prefix: [0x01], from: [0x00]) == keys(store, prefix: [0x01]))  // before prefix
            #expect(try keys(store, prefix: [0x01], from: [0x02]) == [])  // past prefix
            #expect(try keys(store, prefix: [], from: [0xFF, 0xFF]) == [[0xFF, 0xFF], [0xFF, 0xFF, 0x00], [0xFF, 0xFF, 0xFF]])

            // early stop and limit
            var visited = 0
            try store.scan(prefix: []) { _, _ in visited += 1; return visited < 3 }
            #expect(visited == 3)
            #expect(try store.entries(prefix: [0xFF], limit: 2).map(\.key) == [[0xFF], [0xFF, 0x00]])
            #expect(try store.entries(limit: 0).isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func scanSeesStartOfScanViewWhileBodyWrites(_ backend: Backend) throws {
        try withStore(backend) { store in
            for i in 0..<10 { try store.put([UInt8(i)], [1]) }
            var seen: [[UInt8]] = []
            try store.scan(prefix: []) { key, _ in
                seen.append(key)
                try store.delete(key)           // may call back into the store
                try store.put([0x80] + key, [2])  // not visited: after the scan began
                return true
            }
            #expect(seen == (0..<10).map { [UInt8($0)] })
            #expect(try keys(store) == (0..<10).map { [0x80, UInt8($0)] })
        }
    }

    @Test(arguments: Backend.allCases)
    func scanPropagatesBodyErrors(_ backend: Backend) throws {
        struct Stop: Error {}
        try withStore(backend) { store in
            try store.put(b("a"), b("1"))
            #expect(throws: Stop.self) { try store.scan(prefix: []) { _, _ in throw Stop() } }
        }
    }

    @Test(arguments: Backend.allCases)
    func snapshotIgnoresLaterWrites(_ backend: Backend) throws {
        try withStore(backend) { store in
            try store.put(b("a"), b("1"))
            try store.put(b("b"), b("2"))
            let snapshot = try store.snapshot()
            try store.put(b("a"), b("changed"))
            try store.delete(b("b"))
            try store.put(b("c"), b("3"))
            var batch = WriteBatch()
            batch.put(b("d"), b("4"))
            try store.write(batch)

            #expect(try snapshot.get(b("a")) == b("1"))
            #expect(try snapshot.get(b("b")) == b("2"))
            #expect(try snapshot.get(b("c")) == nil)
            #expect(try snapshot.entries().map(\.key) == [b("a"), b("b")])
            #expect(try store.entries().map(\.key) == [b("a"), b("c"), b("d")])
            #expect(try keys(snapshot, prefix: b("b")) == [b("b")])
            let later = try store.snapshot()
            #expect(try later.get(b("a")) == b("changed"))
        }
    }

    /// Random operations over a tiny alphabet (0x00, 0x7F, 0xFF), checked against a model.
    @Test(arguments: Backend.allCases)
    func matchesReferenceModel(_ backend: Backend) throws {
        var rng = SplitMix64(seed: 42)
        try withStore(backend) { store in
            var model: [[UInt8]: [UInt8]] = [:]
            let alphabet: [UInt8] = [0x00, 0x7F, 0xFF]
            func randomKey() -> [UInt8] { (0..<rng.below(4)).map { _ in alphabet[rng.below(3)] } }
            for step in 0..<3000 {
                switch rng.below(10) {
                case 0..<5:
                    let (key, value) = (randomKey(), [UInt8(step & 0xFF)])
                    try store.put(key, value); model[key] = value
                case 5..<8:
                    let key = randomKey()
                    try store.delete(key); model[key] = nil
                case 8:
                    var batch = WriteBatch()
                    for _ in 0..<rng.below(8) {
                        let key = randomKey()
                        if rng.below(2) == 0 { batch.put(key, [1]); model[key] = [1] } else { batch.delete(key); model[key] = nil }
                    }
                    try store.write(batch)
                default:
                    let prefix = randomKey()
                    let expected = model.keys.filter { $0.starts(with: prefix) }.sorted { $0.lexicographicallyPrecedes($1) }
                    let scanned = try store.entries(prefix: prefix)
                    #expect(scanned.map(\.key) == expected, "step \(step), prefix \(prefix)")
                    #expect(scanned.allSatisfy { model[$0.key] == $0.value })
                }
            }
            #expect(try store.entries().count == model.count)
        }
    }
}
