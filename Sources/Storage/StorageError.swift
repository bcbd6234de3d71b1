/// Errors raised by the storage layer.
public enum StorageError: Error, CustomStringConvertible, Sendable, Hashable {
    /// LevelDB reported a failure; `message` is LevelDB's own status text
    /// (e.g. `"IO error: lock /data/LOCK: already held by process"`).
    case leveldb(operation: String, message: String)
    /// The store was closed with ``LevelDBStore/close()``.
    case closed
    /// Stored data violates an invariant the caller relies on.
    case corrupted(String)

    /// A one-line, human-readable account of the failure, including LevelDB's message.
    public var description: String {
        switch self {
        case let .leveldb(operation, message): "leveldb \(operation) failed: \(message)"
        case .closed: "storage is closed"
        case let .corrupted(detail): "corrupted storage: \(detail)"
        }
    }
}
