/// A RELP stream that cannot be read on: the connection is closed (the sender re-sends what was
/// not acknowledged on its next session).
public enum RELPFramingError: Error, Sendable, Equatable {
    /// A header that is not `TXNR SP COMMAND SP DATALEN`, or a frame not ended by LF.
    case malformed(String)
    /// DATALEN above the listener's `max_frame_bytes`.
    case frameTooLarge(count: Int, limit: Int)

    /// A stable label for metrics and logs.
    public var code: String {
        switch self {
        case .malformed: "relp_malformed"
        case .frameTooLarge: "frame_too_large"
        }
    }
}
