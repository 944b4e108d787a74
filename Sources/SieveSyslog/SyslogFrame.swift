import NIOCore

/// What the framer produces: a message, or the news that one was dropped for its size.
public enum SyslogFrame: Sendable, Equatable {
    case message(ByteBuffer, SyslogFrameInfo)
    /// A message over `max_message_bytes` under `oversize: drop`; `length` is as far as it was seen
    /// (the full count for octet-counted frames).
    case oversizeDropped(length: Int, framing: SyslogFraming)
}

public struct SyslogFrameInfo: Sendable, Equatable {
    /// `.octetCounted` or `.lf`: how this frame was delimited.
    public var framing: SyslogFraming
    /// The message was longer than `max_message_bytes` and was cut to it.
    public var oversizeTruncated: Bool
    /// The connection closed before the frame was complete.
    public var incomplete: Bool

    public init(framing: SyslogFraming, oversizeTruncated: Bool = false, incomplete: Bool = false) {
        self.framing = framing
        self.oversizeTruncated = oversizeTruncated
        self.incomplete = incomplete
    }
}
