/// A sink could not take a batch now (file write failed, downstream unreachable or stalled).
public struct SinkUnavailable: Error, Sendable, CustomStringConvertible {
    public var sink: String
    public var reason: String
    /// When the caller should try again.
    public var retryAfterMilliseconds: Int
    /// How many events at the start of the batch the sink did take before it failed (written
    /// whole): the caller acknowledges them and retries only the rest, so a failure half way
    /// through a batch does not write its first events twice.
    public var deliveredEvents: Int

    public init(sink: String, reason: String, retryAfterMilliseconds: Int, deliveredEvents: Int = 0) {
        self.sink = sink
        self.reason = reason
        self.retryAfterMilliseconds = retryAfterMilliseconds
        self.deliveredEvents = deliveredEvents
    }

    public var description: String { "sink '\(sink)' unavailable: \(reason)" }
}
