import SieveRedact

/// What the config file adds to a sink's own configuration.
public struct SinkOptions: Sendable, Equatable {
    /// `redact:`; nil: the events as received.
    public var redaction: Redaction?
    /// The config line, for messages (0: not from a file).
    public var line: Int

    public init(redaction: Redaction? = nil, line: Int = 0) {
        self.redaction = redaction
        self.line = line
    }
}
