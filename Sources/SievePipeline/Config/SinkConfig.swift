import SieveEvent
import SieveSinks

/// One entry of `sinks:`.
public struct SinkConfig: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case file, stdout, syslog
    }

    /// `tls:` of a syslog sink: PEM files. With `cert` and `key` the sink authenticates itself.
    public struct TLS: Sendable, Equatable {
        public var ca: String?
        public var cert: String?
        public var key: String?
        /// Name checked against the server's certificate; default: the host of `address`.
        public var serverName: String?

        public init(ca: String? = nil, cert: String? = nil, key: String? = nil, serverName: String? = nil) {
            self.ca = ca
            self.cert = cert
            self.key = key
            self.serverName = serverName
        }
    }

    public var name: String
    public var kind: Kind
    /// `file` only.
    public var path: String?
    public var encoding: EventEncoding
    /// `file`/`stdout`: how long a small batch may wait for more before it is written.
    public var flushIntervalMilliseconds: Int
    /// `syslog` only: HOST:PORT (IPv6 as [::1]:6514).
    public var host: String?
    public var port: Int?
    public var framing: SyslogFrameEncoder.Framing = .octetCounted
    public var header: SyslogFrameEncoder.Header = .rfc5424
    public var reconnectMaxMilliseconds = 2000
    /// A write the peer has not taken within this time marks it stalled: the connection is closed
    /// and the batch retried on a new one.
    public var writeTimeoutMilliseconds = 10_000
    /// HOSTNAME in the headers we send; nil: this machine's hostname.
    public var hostname: String?
    public var tls: TLS?
    public var line: Int

    public init(
        name: String, kind: Kind, path: String? = nil, encoding: EventEncoding = .json,
        flushIntervalMilliseconds: Int = 200, line: Int = 0
    ) {
        self.name = name
        self.kind = kind
        self.path = path
        self.encoding = encoding
        self.flushIntervalMilliseconds = flushIntervalMilliseconds
        self.line = line
    }
}
