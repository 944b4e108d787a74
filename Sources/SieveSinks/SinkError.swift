/// Why a sink cannot take events, the one error every sink throws.
///
/// At start (`open_failed`, `tls_files`) the daemon refuses to start and names the file. At run
/// time (`deliver`) the caller keeps the batch and calls again after `retryAfterMilliseconds`,
/// acknowledging the `deliveredEvents` the sink took whole. `code` is stable: it labels
/// `auditsieve_sink_write_errors_total{reason}` and is what code and alerts may match on;
/// `reason` is for people and may change.
public struct SinkError: Error, Sendable, CustomStringConvertible {
    public var code: Code
    public var sink: String
    public var reason: String
    /// When the caller should try again (run-time errors).
    public var retryAfterMilliseconds: Int
    /// How many events at the start of the batch the sink did take before it failed (written
    /// whole): the caller acknowledges them and retries only the rest, so a failure half way
    /// through a batch does not write its first events twice.
    public var deliveredEvents: Int
    /// The file that cannot be used (`open_failed`, `tls_files`).
    public var path: String?

    public init(_ code: Code, sink: String, reason: String, retryAfterMilliseconds: Int, deliveredEvents: Int = 0) {
        self.code = code
        self.sink = sink
        self.reason = reason
        self.retryAfterMilliseconds = retryAfterMilliseconds
        self.deliveredEvents = deliveredEvents
    }

    /// A run-time failure of a sink that does not say why (`write_failed`).
    public init(sink: String, reason: String, retryAfterMilliseconds: Int, deliveredEvents: Int = 0) {
        self.init(
            .writeFailed, sink: sink, reason: reason, retryAfterMilliseconds: retryAfterMilliseconds,
            deliveredEvents: deliveredEvents)
    }

    /// A file sink's file cannot be opened (`open_failed`).
    public init(sink: String, path: String, errno: Int32, operation: String) {
        self.init(
            .openFailed, sink: sink, reason: "cannot \(operation) \(path): \(String(cString: strerror(errno)))",
            retryAfterMilliseconds: 0)
        self.path = path
    }

    /// A syslog sink's TLS file cannot be used (`tls_files`): `role` says what it should hold
    /// ("CA certificate", "certificate", "private key").
    public init(sink: String, path: String, role: String, reason: String) {
        self.init(.tlsFiles, sink: sink, reason: "cannot use TLS \(role) \(path): \(reason)", retryAfterMilliseconds: 0)
        self.path = path
    }

    public var description: String {
        code.isAtStart ? "sink '\(sink)': \(reason)" : "sink '\(sink)' unavailable: \(reason)"
    }
}

/// The run-time failure's former name; every sink throws `SinkError`.
public typealias SinkUnavailable = SinkError

/// The TLS start-up failure's former name; every sink throws `SinkError` (`tls_files`).
public typealias SinkTLSError = SinkError

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
