import Chain
import Dispatch
import Locking

/// The node's one event path for committed blocks. The committing thread hands each block
/// (with its receipts and end-of-block logs) over once; every listener (filters,
/// subscriptions, metrics, the console line, the prover agent) receives it on the feed's own
/// serial queue, in commit order, so no listener runs on the sealer's critical path and none
/// misses the end-of-block logs.
public final class BlockFeed: Sendable {
    private let queue = DispatchQueue(label: "provernet.block-feed")
    private let listeners = Locked<[@Sendable (CommittedBlock) -> Void]>([])

    public init() {}

    /// Calls `listener` with every block committed from now on, in order, off the committing
    /// thread.
    public func subscribe(_ listener: @escaping @Sendable (CommittedBlock) -> Void) {
        listeners.withLock { $0.append(listener) }
    }

    /// The blocks committed from now on as an async sequence (the newest `buffer` are kept for
    /// a consumer that falls behind; it can catch up from the store by number).
    public func stream(buffer: Int = 1024) -> AsyncStream<CommittedBlock> {
        let (stream, continuation) = AsyncStream<CommittedBlock>.makeStream(bufferingPolicy: .bufferingNewest(buffer))
        subscribe { continuation.yield($0) }
        return stream
    }

    /// Hands a committed block to every listener (asynchronously).
    public func publish(_ block: CommittedBlock) {
        let ls = listeners.get()
        guard !ls.isEmpty else { return }
        queue.async { for l in ls { l(block) } }
    }

    /// Returns once every block published so far has reached every listener.
    public func drain() { queue.sync {} }
}
