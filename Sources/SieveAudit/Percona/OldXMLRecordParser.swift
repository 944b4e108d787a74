/// Parses an OLD-format record: `<AUDIT_RECORD`, attributes `NAME="v"` separated by whitespace
/// (including rsyslog's `#012` `#011` `#015`), then `/>`.
struct OldXMLRecordParser {
    private var cursor: ByteCursor
    private var builder: PerconaRecordBuilder

    init(_ message: UnsafeRawBufferPointer) {
        cursor = ByteCursor(message)
        builder = PerconaRecordBuilder(format: .perconaOldXML, capacity: message.count)
    }

    /// Where `<AUDIT_RECORD` ends, if the message starts with it and the next byte shows that it is
    /// not `<AUDIT_RECORD>` (NEW) or a longer element name.
    static func openerEnd(_ message: UnsafeRawBufferPointer) -> Int? {
        var cursor = ByteCursor(message)
        cursor.skipWhitespace(rsyslogEscapes: false)
        guard cursor.match("<AUDIT_RECORD") == .matched, let next = cursor.current,
            next != UInt8(ascii: ">"), !ByteCursor.isNameByte(next)
        else { return nil }
        return cursor.position
    }

    mutating func parse() throws(AuditParseError) -> AuditRecord {
        guard let start = Self.openerEnd(cursor.bytes) else {
            throw AuditParseError(.notAnAuditRecord, format: nil, offset: 0, "not a Percona OLD XML audit record")
        }
        cursor.position = start
        while true {
            let before = cursor.position
            cursor.skipWhitespace(rsyslogEscapes: true)
            guard let byte = cursor.current else { return try builder.truncatedBetweenFields(at: cursor.position) }
            if byte == UInt8(ascii: "/") { break }
            guard ByteCursor.isNameByte(byte) else { throw unexpected(byte) }
            guard cursor.position > before else { throw syntax("expected whitespace between attributes") }
            if let cut = try attribute() { return try builder.truncated(at: cut) }
        }
        switch cursor.match("/>") {
        case .cut: return try builder.truncatedBetweenFields(at: cursor.end)
        case .mismatch: throw syntax("expected '/>' closing the record")
        case .matched: break
        }
        let closed = cursor.position
        cursor.skipWhitespace(rsyslogEscapes: true)
        if !cursor.isAtEnd {
            throw builder.error(.trailingData, at: cursor.position, "unexpected bytes after the end of the record")
        }
        return try builder.complete(at: closed)
    }

    /// One `NAME="value"`. Returns the record when the message ends inside it.
    private mutating func attribute() throws(AuditParseError) -> RecordCut? {
        let nameOffset = cursor.position
        let name = cursor.scanName()
        guard !cursor.isAtEnd else { return .betweenFields(at: cursor.position) }
        guard let field = AuditField.byXMLName(cursor.slice(name)) else {
            throw builder.error(.fields, at: nameOffset, "unknown attribute \(DiagnosticText.text(cursor.slice(name)))")
        }
        cursor.skipWhitespace(rsyslogEscapes: true)
        guard let equals = cursor.current else { return .inside(field, at: cursor.position) }
        guard equals == UInt8(ascii: "=") else { throw syntax("expected '=' after attribute name") }
        cursor.advance()
        cursor.skipWhitespace(rsyslogEscapes: true)
        guard let quote = cursor.current else { return .inside(field, at: cursor.position) }
        guard quote == UInt8(ascii: "\"") else { throw syntax("attribute values must be in double quotes") }
        cursor.advance()
        try builder.begin(field, at: nameOffset)
        let value = try XMLTextDecoder.decode(
            &cursor, until: UInt8(ascii: "\""), into: &builder.record, format: .perconaOldXML)
        guard value else { return .inside(field, at: cursor.position) }
        cursor.advance()
        builder.end(field)
        return nil
    }

    private func unexpected(_ byte: UInt8) -> AuditParseError {
        switch byte {
        case UInt8(ascii: "\""): syntax("attribute names must not be quoted")
        case UInt8(ascii: ">"): syntax("an OLD record closes with '/>', not '>'")
        default: syntax("expected an attribute name or '/>', found \(DiagnosticText.byte(byte))")
        }
    }

    private func syntax(_ reason: String) -> AuditParseError {
        builder.error(.syntax, at: cursor.position, reason)
    }
}
