import SieveEvent

/// Where encoded events go. `append` is called from many event-loop threads with batches of
/// already-encoded events and must not block on I/O.
public protocol EventSink: AnyObject, Sendable {
    var name: String { get }
    var encoding: EventEncoding { get }
    /// Takes a batch of encoded events (each ending in LF).
    func append(_ bytes: [UInt8], events: Int)
    /// Reopens the output (the file sink after logrotate moved it; SIGHUP).
    func reopen()
    /// Writes out everything taken so far and returns when it is written.
    func flush()
    /// Flushes, then stops. `append` after `close` drops and counts.
    func close()
}
