/// Percona's audit log filter (8.0 plugin, 8.4/9.x component) and MySQL Enterprise, JSON and JSONL
/// (docs/FORMATS.md §3.1): one record per message, pretty (LFs as rsyslog's `#012`) or on one line,
/// after an optional `audit-filter: ` prefix (the component's syslog tag, which is part of MSG),
/// with or without a file tailer's trailing `,`.
public struct AuditFilterJSONDialect: AuditDialect {
    public init() {}

    public var format: AuditFormat { .auditFilterJSON }

    /// `{` and then a `"timestamp"`, `"id"` or `"class"` key (the plugin's records start `{"audit_record"`).
    public func recognizes(_ message: UnsafeRawBufferPointer) -> Bool {
        if Self.isFraming(message) { return true }
        var cursor = ByteCursor(message)
        guard FilterJSONParser.skipPrefix(&cursor), cursor.current == UInt8(ascii: "{") else { return false }
        cursor.advance()
        cursor.skipWhitespace(rsyslogEscapes: true)
        for key: StaticString in ["\"timestamp\"", "\"id\"", "\"class\""] {
            var probe = cursor
            if probe.match(key) == .matched { return true }
        }
        return false
    }

    /// A bare `[` or `]` (a JSON file's first and last line), with the prefix, whitespace or a `,`.
    static func isFraming(_ message: UnsafeRawBufferPointer) -> Bool {
        var cursor = ByteCursor(message)
        guard FilterJSONParser.skipPrefix(&cursor), let byte = cursor.current,
            byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]")
        else { return false }
        cursor.advance()
        cursor.skipWhitespace(rsyslogEscapes: true)
        if cursor.current == UInt8(ascii: ",") { cursor.advance() }
        cursor.skipWhitespace(rsyslogEscapes: true)
        return cursor.isAtEnd
    }

    public func parse(_ message: UnsafeRawBufferPointer) -> Result<AuditRecord, AuditParseError> {
        if Self.isFraming(message) {
            return .failure(
                AuditParseError(
                    .framing, format: .auditFilterJSON, offset: 0,
                    "a JSON file's '[' or ']' line: framing, not a record"))
        }
        return Result { () throws(AuditParseError) in try FilterJSONParser.parse(message) }
    }
}
