/// Bytes on disk shared by several queues: a cluster's `max_bytes` bounds the queues of all its
/// sinks together, so one sink that is down may use the whole cluster allowance. Each queue
/// reports its byte changes and its open block's reservation here; admission checks the total.
/// The bound can change on reload.
public final class SpoolBudget: @unchecked Sendable {
    private let lock = SpoolLock()
    private var limit: Int
    private var used = 0

    public init(maxBytes: Int) {
        limit = max(maxBytes, SpoolConfiguration.minimumMaxBytes)
    }

    public var maxBytes: Int {
        get { lock.withLock { limit } }
        set { lock.withLock { limit = max(newValue, SpoolConfiguration.minimumMaxBytes) } }
    }

    public var usedBytes: Int { lock.withLock { used } }

    func add(_ delta: Int) {
        lock.withLock { used += delta }
    }

    /// Whether `extra` more bytes fit, counting what every queue holds now and every open block.
    func admits(_ extra: Int) -> Bool {
        lock.withLock { used + reserved + extra <= limit }
    }

    /// Bytes the queues' open blocks may still add when written out (their uncompressed size
    /// plus framing: a bound on the compressed size). Counting them keeps the queues of a cluster
    /// together within `max_bytes`, where counting written bytes only would let each queue's open
    /// block pass it.
    private var reserved = 0

    /// Grows (or shrinks) one queue's open-block reservation from `current` to `proposed` bytes if
    /// everything then still fits; returns whether it did.
    func reserve(from current: Int, to proposed: Int) -> Bool {
        lock.withLock {
            guard used + reserved - current + proposed <= limit else { return false }
            reserved += proposed - current
            return true
        }
    }

    /// Gives back a reservation (its block was written out, or dropped).
    func release(_ amount: Int) {
        lock.withLock { reserved -= amount }
    }
}
