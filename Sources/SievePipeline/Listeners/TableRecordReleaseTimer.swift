import NIOCore

/// Wakes an ingest handler when the oldest table record it holds has waited long enough for its
/// statement, so records held on a connection that fell quiet still go out. At most one wake-up
/// is pending: a later-held record's time is never earlier.
struct TableRecordReleaseTimer {
    private var scheduled: Scheduled<Void>?

    /// Schedules `fire` at `deadline` (uptime nanoseconds) unless a wake-up is pending or `deadline` is nil.
    mutating func arm(deadline: UInt64?, on loop: any EventLoop, _ fire: @escaping @Sendable () -> Void) {
        guard scheduled == nil, let deadline else { return }
        scheduled = loop.scheduleTask(deadline: .uptimeNanoseconds(deadline), fire)
    }

    /// The wake-up ran (call first thing in `fire`).
    mutating func fired() { scheduled = nil }

    mutating func cancel() {
        scheduled?.cancel()
        scheduled = nil
    }
}
