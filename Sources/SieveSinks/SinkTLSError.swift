/// A syslog sink's TLS settings cannot be used (a PEM file missing, unreadable or malformed, a key
/// that does not match its certificate): the daemon refuses to start and names the file.
public struct SinkTLSError: Error, Sendable, CustomStringConvertible {
    public var sink: String
    public var path: String
    /// What the file should hold: "CA certificate", "certificate", "private key".
    public var role: String
    public var reason: String

    public init(sink: String, path: String, role: String, reason: String) {
        self.sink = sink
        self.path = path
        self.role = role
        self.reason = reason
    }

    public var description: String { "sink '\(sink)': cannot use TLS \(role) \(path): \(reason)" }
}
