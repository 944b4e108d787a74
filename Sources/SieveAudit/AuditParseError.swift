/// Why a message is not a (well-formed) audit record. The event of such a message has
/// `format: "unknown"` and `error` set to `description`.
public struct AuditParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The message does not start like any known dialect.
        case notAnAuditRecord = "not_an_audit_record"
        /// It starts like a dialect but breaks its syntax.
        case syntax
        /// It is well-formed but lacks a field its template requires, or has an unknown one.
        case fields
        /// A record followed by more bytes than whitespace.
        case trailingData = "trailing_data"
        /// The record was never closed, and more input followed (bare-record mode only).
        case unclosed
        /// A file's framing, not a record: the `[` or `]` line of an audit log filter JSON file
        /// that a tailer forwarded as a message of its own. Counted, never an event.
        case framing
    }

    public var code: Code
    /// The dialect the message looked like, if any.
    public var format: AuditFormat?
    /// Byte offset in the message where the problem was found.
    public var offset: Int
    public var reason: String

    public init(_ code: Code, format: AuditFormat?, offset: Int, _ reason: String) {
        self.code = code
        self.format = format
        self.offset = offset
        self.reason = reason
    }

    public var description: String {
        if let format { return "\(format.rawValue): \(reason) at byte \(offset)" }
        return "\(reason) at byte \(offset)"
    }
}
