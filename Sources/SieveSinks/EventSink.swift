import SieveEvent

/// Where encoded events go. Each (cluster, sink) queue has one delivery thread that calls
/// `deliver` with the queue's oldest events; several queues may call one sink at once, so a sink
/// serialises its own writes. `deliver` blocks until the sink has taken the whole batch, and an
/// event leaves its queue only after that, so a sink never holds events of its own.
public protocol EventSink: AnyObject, Sendable {
    var name: String { get }
    var encoding: EventEncoding { get }
    /// How long a delivery thread may wait to gather more events before delivering a small batch
    /// (fewer syscalls at low rates); 0 delivers at once.
    var gatherMilliseconds: Int { get }
    /// Writes the batch and returns once all of it is taken (file: write(2) returned for every
    /// byte; syslog: every frame is in the kernel's socket buffer). Throws when the sink cannot
    /// take it now; the caller keeps the batch and calls again later (after `SinkError.retryAfterMilliseconds`).
    /// A failed batch may have been taken in part: delivery is at least once.
    func deliver(_ batch: EventBatch) throws(SinkError)
    /// Reopens the output (the file sink after logrotate moved it; SIGHUP).
    func reopen()
    /// Stops: closes files and connections. A `deliver` in progress fails; later ones fail at once.
    func close()
}
