/// An ordered list of puts and deletes that a ``KeyValueStore`` applies atomically.
///
/// A plain value type, independent of any backend: build it, then pass it to
/// ``KeyValueStore/write(_:sync:)``. Operations apply in the order they were added, so a later
/// operation on the same key wins.
public struct WriteBatch: Sendable, Hashable {
    /// One change in a batch.
    public enum Operation: Sendable, Hashable {
        /// Store `value` under `key`.
        case put(key: [UInt8], value: [UInt8])
        /// Remove `key`.
        case delete(key: [UInt8])
    }

    /// The operations, in application order.
    public private(set) var operations: [Operation] = []

    /// Total bytes of keys and values added so far: a cheap measure for deciding when to flush
    /// a growing batch (like geth's `ValueSize`).
    public private(set) var byteCount = 0

    /// Creates an empty batch.
    public init() {}

    /// The number of operations.
    public var count: Int { operations.count }

    /// Whether the batch has no operations.
    public var isEmpty: Bool { operations.isEmpty }

    /// Appends a put of `value` under `key`.
    public mutating func put(_ key: [UInt8], _ value: [UInt8]) {
        operations.append(.put(key: key, value: value))
        byteCount += key.count + value.count
    }

    /// Appends a delete of `key`.
    public mutating func delete(_ key: [UInt8]) {
        operations.append(.delete(key: key))
        byteCount += key.count
    }

    /// Removes every operation, e.g. to reuse the batch after writing it.
    public mutating func removeAll(keepingCapacity: Bool = true) {
        operations.removeAll(keepingCapacity: keepingCapacity)
        byteCount = 0
    }
}
