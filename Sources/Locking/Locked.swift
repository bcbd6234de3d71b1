#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A mutual-exclusion lock over a pthread mutex: the project's one lock type (no Foundation,
/// so the zkVM modules can use it too; `Synchronization.Mutex` needs macOS 15).
public final class Lock: @unchecked Sendable {
    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init() {
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` holding the lock.
    @inlinable
    public func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}

/// A value reachable only while holding its lock: the way shared mutable state is made
/// `Sendable` here (instead of `@unchecked Sendable` classes with a lock on the side).
public final class Locked<Value>: @unchecked Sendable {
    @usableFromInline var value: Value
    @usableFromInline let lock = Lock()

    public init(_ value: Value) { self.value = value }

    /// Runs `body` with the value, holding the lock.
    @inlinable
    public func withLock<T, E: Error>(_ body: (inout Value) throws(E) -> T) throws(E) -> T {
        pthread_mutex_lock(lock.mutex)
        defer { pthread_mutex_unlock(lock.mutex) }
        return try body(&value)
    }

    /// A copy of the value.
    @inlinable
    public func get() -> Value { withLock { $0 } }

    /// Replaces the value.
    @inlinable
    public func set(_ newValue: Value) { withLock { $0 = newValue } }
}

/// Carries a value (typically an unsafe pointer into a buffer the caller keeps alive) into
/// `@Sendable` work items. The caller guarantees that concurrent users touch disjoint memory.
public struct UnsafeTransfer<Value>: @unchecked Sendable {
    /// The carried value.
    public let value: Value
    @inlinable public init(_ value: Value) { self.value = value }
}
