/// Bytes on disk shared by several queues: a cluster's `max_bytes` bounds the queues of all its
/// sinks together, so one sink that is down may use the whole cluster allowance. Each queue
/// reports its byte changes here; admission checks the total. The bound can change on reload.
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

    /// Whether `extra` more bytes fit, counting what every queue holds now.
    func admits(_ extra: Int) -> Bool {
        lock.withLock { used + extra <= limit }
    }
}
