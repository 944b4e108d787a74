/// A parsed syslog header. Every part is a byte range into the message it was parsed from, so
/// parsing allocates nothing; `msg` is the payload with its leading spaces trimmed.
public struct SyslogMessage: Sendable, Equatable {
    public enum HeaderFormat: String, Sendable {
        case rfc3164
        case rfc5424
        /// No `<PRI>`: the whole message is MSG.
        case none
    }

    public var headerFormat: HeaderFormat
    /// `nil` when there was no valid `<PRI>`.
    public var facility: Int?
    public var severity: Int?
    public var timestamp: Range<Int>?
    public var hostname: Range<Int>?
    /// The RFC 3164 TAG without its `[pid]` and `:`, or the RFC 5424 APP-NAME.
    public var appName: Range<Int>?
    public var procID: Range<Int>?
    public var msgID: Range<Int>?
    public var structuredData: Range<Int>?
    public var msg: Range<Int>

    public init(
        headerFormat: HeaderFormat, facility: Int? = nil, severity: Int? = nil, timestamp: Range<Int>? = nil,
        hostname: Range<Int>? = nil, appName: Range<Int>? = nil, procID: Range<Int>? = nil,
        msgID: Range<Int>? = nil, structuredData: Range<Int>? = nil, msg: Range<Int>
    ) {
        self.headerFormat = headerFormat
        self.facility = facility
        self.severity = severity
        self.timestamp = timestamp
        self.hostname = hostname
        self.appName = appName
        self.procID = procID
        self.msgID = msgID
        self.structuredData = structuredData
        self.msg = msg
    }
}
