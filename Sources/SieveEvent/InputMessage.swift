import NIOCore

/// One message read from a capture file by `MessageSplitter`.
public struct InputMessage: Sendable {
    public var bytes: ByteBuffer
    /// It came in a syslog frame (else it is a bare record, without header).
    public var framed: Bool
    /// A bare record that was not closed before the next record or comment began.
    public var unclosed: Bool
    public var oversizeTruncated: Bool
    /// For frames over `max_message_bytes` under `oversize: drop`: nothing to parse.
    public var dropped: Bool

    public init(
        bytes: ByteBuffer, framed: Bool, unclosed: Bool = false, oversizeTruncated: Bool = false, dropped: Bool = false
    ) {
        self.bytes = bytes
        self.framed = framed
        self.unclosed = unclosed
        self.oversizeTruncated = oversizeTruncated
        self.dropped = dropped
    }
}
