import NIOConcurrencyHelpers

/// A clock that moves only when a test says so: the link's tests set the time, never sleep.
/// Copies share the time.
struct ManualClock: Clock {
    struct Instant: InstantProtocol {
        /// Since the clock was made.
        var offset: Duration

        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let current = NIOLockedValueBox(Instant(offset: .zero))

    var now: Instant { current.withLockedValue { $0 } }
    var minimumResolution: Duration { .nanoseconds(1) }

    func advance(by duration: Duration) {
        current.withLockedValue { $0 = $0.advanced(by: duration) }
    }

    /// Nothing here sleeps: a test that reaches this is wrong.
    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        preconditionFailure("ManualClock does not sleep")
    }
}
