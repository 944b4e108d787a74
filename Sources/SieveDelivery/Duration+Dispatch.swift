import Dispatch

extension Duration {
    /// In seconds, as a `Double`.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }

    /// This long from now on Dispatch's clock (uptime: monotonic, like `ContinuousClock` between
    /// suspends); a negative duration is now.
    var fromNow: DispatchTime {
        let (seconds, attoseconds) = components
        return .now() + .nanoseconds(max(0, Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)))
    }
}
