/// How a sink writes an event.
public enum EventEncoding: String, Sendable, CaseIterable {
    /// One flat JSON object per line (docs/EVENT.md).
    case json
    /// The original syslog message, byte for byte, then LF: evidence for auditors.
    case raw
}
