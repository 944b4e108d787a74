/// How a TCP listener splits its byte stream into messages (RFC 6587).
public enum SyslogFraming: String, Sendable, CaseIterable {
    /// Decided per frame: octet-counted when the frame starts with `[1-9][0-9]{0,9} <`, else LF.
    case auto
    /// Every frame is `LEN SP MSG`.
    case octetCounted = "octet-counted"
    /// Every frame ends at LF (non-transparent framing).
    case lf
}

/// What to do with a message longer than `max_message_bytes`.
public enum OversizePolicy: String, Sendable, CaseIterable {
    /// Keep its first `max_message_bytes` bytes; the rest is skipped, never read as a new message.
    case truncate
    /// Skip it whole (counted).
    case drop
}

/// The framer's limits.
public struct SyslogFramerConfiguration: Sendable, Equatable {
    public var framing: SyslogFraming
    public var maxMessageBytes: Int
    public var oversize: OversizePolicy
    /// An octet count above this closes the connection: no real sender means it.
    public var maxFrameBytes: Int

    public init(
        framing: SyslogFraming = .auto,
        maxMessageBytes: Int = 256 * 1024,
        oversize: OversizePolicy = .truncate,
        maxFrameBytes: Int = 64 * 1024 * 1024
    ) {
        self.framing = framing
        self.maxMessageBytes = maxMessageBytes
        self.oversize = oversize
        self.maxFrameBytes = maxFrameBytes
    }
}
