/// A sink could not take a batch now (file write failed, downstream unreachable or stalled).
public struct SinkUnavailable: Error, Sendable, CustomStringConvertible {
    public var sink: String
    public var reason: String
    /// When the caller should try again.
    public var retryAfterMilliseconds: Int

    public init(sink: String, reason: String, retryAfterMilliseconds: Int) {
        self.sink = sink
        self.reason = reason
        self.retryAfterMilliseconds = retryAfterMilliseconds
    }

    public var description: String { "sink '\(sink)' unavailable: \(reason)" }
}
