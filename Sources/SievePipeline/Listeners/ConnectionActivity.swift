import NIOCore
import Synchronization

/// What the listener and the buffer budget need to know about one TCP connection: whether it is
/// paused (a queue it feeds is full; it is not idle then), and how many bytes of unfinished
/// frames it holds. Written by the connection's own event loop, read by others.
final class ConnectionActivity: Sendable {
    /// True while the connection is paused because a queue it feeds is full: it is not idle
    /// then, and the idle timeout leaves it open.
    let paused = Atomic<Bool>(false)
    /// Bytes of unfinished frames the connection's framer holds now.
    let buffered = Atomic<Int>(0)
    /// Set once the buffer budget chose to close this connection (counted once).
    let closedForBudget = Atomic<Bool>(false)
    let channel: any Channel
    let metrics: ListenerMetrics

    init(channel: any Channel, metrics: ListenerMetrics) {
        self.channel = channel
        self.metrics = metrics
    }
}
