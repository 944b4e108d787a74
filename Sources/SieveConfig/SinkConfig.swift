import SieveEvent
import SieveRedact
import SieveSinks

/// One entry of `sinks:`.
public struct SinkConfig: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case file, stdout, syslog
    }

    /// `tls:` of a syslog sink (`ca`, `cert`, `key`, `server_name`): the sink's own settings type.
    public typealias TLS = SyslogSinkConfiguration.TLS

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
    /// `redact:`: what is masked in each event this sink gets, before it is encoded (and spooled);
    /// `nil`: the events as received. Only with `encoding: json`.
    public var redaction: Redaction?
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
