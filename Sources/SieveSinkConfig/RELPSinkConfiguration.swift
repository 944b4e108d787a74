import SieveEvent

/// Where and how a `RELPSink` forwards events: one RELP session to `host:port` (rsyslog's
/// `imrelp`, another auditsieve's RELP listener). Each event is one `syslog` frame (a syslog
/// header around the event); it leaves its queue only once the receiver answered it.
public struct RELPSinkConfiguration: Sendable, Equatable {
    public var name: String
    public var host: String
    public var port: Int
    public var encoding: EventEncoding
    public var header: SyslogSinkHeader
    /// Frames sent and not yet answered, at most (librelp's default is 128).
    public var window: Int
    public var reconnectMaxMilliseconds: Int
    /// No answer (or no progress writing) for this long: the session is given up and the
    /// unanswered events are sent again on a new one.
    public var writeTimeoutMilliseconds: Int
    public var connectTimeoutMilliseconds: Int
    /// HOSTNAME in the headers we send; nil: this machine's hostname.
    public var hostname: String?

    public init(
        name: String, host: String, port: Int, encoding: EventEncoding = .json, header: SyslogSinkHeader = .rfc5424,
        window: Int = 1024, reconnectMaxMilliseconds: Int = 2000, writeTimeoutMilliseconds: Int = 10_000,
        connectTimeoutMilliseconds: Int = 3000, hostname: String? = nil
    ) {
        self.name = name
        self.host = host
        self.port = port
        self.encoding = encoding
        self.header = header
        self.window = window
        self.reconnectMaxMilliseconds = reconnectMaxMilliseconds
        self.writeTimeoutMilliseconds = writeTimeoutMilliseconds
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.hostname = hostname
    }
}
