import NIOConcurrencyHelpers

/// A burst being read on a helper thread: the connection waits for it before it hands over
/// anything that came after it.
final class BurstTicket: Sendable {
    private let done = ConditionLock(value: false)

    /// Called by the helper once the burst's events are in their queues.
    func finish() {
        done.lock()
        done.unlock(withValue: true)
    }

    /// Returns once `finish()` was called; what the helper wrote is visible to the caller.
    func wait() {
        done.lock(whenValue: true)
        done.unlock()
    }
}
