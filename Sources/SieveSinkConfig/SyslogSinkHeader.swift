/// The header a syslog sink writes before each event (`header:`).
public enum SyslogSinkHeader: String, Sendable, CaseIterable {
    case rfc5424, rfc3164
}
