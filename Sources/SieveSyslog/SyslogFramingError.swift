/// Framing errors that end a connection. Every other framing problem is handled inside the frame.
public enum SyslogFramingError: Error, Sendable, Equatable {
    /// An octet count above `max_frame_bytes`; the stream cannot be trusted after it.
    case frameTooLarge(count: Int, limit: Int)

    /// A stable label for metrics and logs.
    public var code: String {
        switch self {
        case .frameTooLarge: "frame_too_large"
        }
    }
}
