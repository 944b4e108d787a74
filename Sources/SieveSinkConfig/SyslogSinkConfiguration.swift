import SieveEvent

/// Where and how a `SyslogSink` forwards events: one TCP (or TLS) connection to `host:port`.
public struct SyslogSinkConfiguration: Sendable, Equatable {
    /// PEM files for TLS. With `certPath` and `keyPath` the sink authenticates itself to the
    /// server; with `caPath` the server's certificate must chain to that CA (otherwise to the
    /// system's roots). The server's certificate must name `serverName`, or `host` when it is nil.
    public struct TLS: Sendable, Equatable {
        public var caPath: String?
        public var certPath: String?
        public var keyPath: String?
        public var serverName: String?

        public init(caPath: String? = nil, certPath: String? = nil, keyPath: String? = nil, serverName: String? = nil) {
            self.caPath = caPath
            self.certPath = certPath
            self.keyPath = keyPath
            self.serverName = serverName
        }
    }

    public var name: String
    public var host: String
    public var port: Int
    public var encoding: EventEncoding
    public var header: SyslogSinkHeader
    public var framing: SyslogSinkFraming
    /// The longest wait between reconnection attempts (they start at 100 ms and double).
    public var reconnectMaxMilliseconds: Int
    /// A batch the peer has not taken within this time marks it stalled: the connection is closed
    /// and `deliver` throws, so the queue keeps the batch and sends it again on a new connection.
    public var writeTimeoutMilliseconds: Int
    /// How long a TCP connect (and the TLS handshake after it) may take.
    public var connectTimeoutMilliseconds: Int
    /// HOSTNAME in the headers we send; nil: this machine's hostname.
    public var hostname: String?
    public var tls: TLS?

    public init(
        name: String, host: String, port: Int, encoding: EventEncoding = .json,
        header: SyslogSinkHeader = .rfc5424, framing: SyslogSinkFraming = .octetCounted,
        reconnectMaxMilliseconds: Int = 2000, writeTimeoutMilliseconds: Int = 10_000,
        connectTimeoutMilliseconds: Int = 3000, hostname: String? = nil, tls: TLS? = nil
    ) {
        self.name = name
        self.host = host
        self.port = port
        self.encoding = encoding
        self.header = header
        self.framing = framing
        self.reconnectMaxMilliseconds = reconnectMaxMilliseconds
        self.writeTimeoutMilliseconds = writeTimeoutMilliseconds
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.hostname = hostname
        self.tls = tls
    }
}
