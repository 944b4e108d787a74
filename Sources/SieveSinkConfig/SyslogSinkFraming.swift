/// How a syslog sink delimits its frames (`framing:`): octet counting (`LEN SP MSG`, RFC 6587) or
/// an LF after each message.
public enum SyslogSinkFraming: String, Sendable, CaseIterable {
    case octetCounted = "octet-counted"
    case lf
}
