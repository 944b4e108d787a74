/// Parses `{"audit_record":{"name":"Query",…,"status":0,…}}` byte by byte: strict JSON for this
/// one shape, with whitespace allowed between tokens.
struct JSONRecordParser {
    private var cursor: ByteCursor
    private var builder: PerconaRecordBuilder

    init(_ message: UnsafeRawBufferPointer) {
        cursor = ByteCursor(message)
        builder = PerconaRecordBuilder(format: .perconaJSON, capacity: message.count)
    }

    /// Where the recognizer `{"audit_record"` (whitespace allowed after `{`) ends, if it is there.
    static func openerEnd(_ message: UnsafeRawBufferPointer) -> Int? {
        var cursor = ByteCursor(message)
        cursor.skipWhitespace(rsyslogEscapes: false)
        guard cursor.match("{") == .matched else { return nil }
        cursor.skipWhitespace(rsyslogEscapes: false)
        guard cursor.match("\"audit_record\"") == .matched else { return nil }
        return cursor.position
    }

    mutating func parse() throws(AuditParseError) -> AuditRecord {
        guard let start = Self.openerEnd(cursor.bytes) else {
            throw AuditParseError(.notAnAuditRecord, format: nil, offset: 0, "not a Percona JSON audit record")
        }
        cursor.position = start
        guard try token(":", "':' after \"audit_record\""), try token("{", "'{' opening the fields") else {
            return try builder.truncatedBetweenFields(at: cursor.position)
        }
        cursor.skipWhitespace(rsyslogEscapes: false)
        if cursor.current == UInt8(ascii: "}") {
            cursor.advance()
        } else {
            while true {
                if let cut = try member() { return try builder.truncated(at: cut) }
                cursor.skipWhitespace(rsyslogEscapes: false)
                guard let byte = cursor.current else { return try builder.truncatedBetweenFields(at: cursor.position) }
                guard byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") else {
                    throw unexpected(byte, expecting: "',' or '}' after a value")
                }
                cursor.advance()
                if byte == UInt8(ascii: "}") { break }
            }
        }
        guard try token("}", "'}' closing the record") else {
            return try builder.truncatedBetweenFields(at: cursor.position)
        }
        let closed = cursor.position
        cursor.skipWhitespace(rsyslogEscapes: true)
        if !cursor.isAtEnd {
            throw builder.error(.trailingData, at: cursor.position, "unexpected bytes after the end of the record")
        }
        return try builder.complete(at: closed)
    }

    /// One `"key": value` pair. Returns where the message ended when it ends inside it.
    private mutating func member() throws(AuditParseError) -> RecordCut? {
        cursor.skipWhitespace(rsyslogEscapes: false)
        guard let byte = cursor.current else { return .betweenFields(at: cursor.position) }
        guard byte == UInt8(ascii: "\"") else { throw unexpected(byte, expecting: "a key in double quotes") }
        let keyOffset = cursor.position
        guard let key = try JSONStringDecoder.skip(&cursor) else {
            return .betweenFields(at: cursor.position)
        }
        guard let field = AuditField.byJSONKey(cursor.slice(key)) else {
            throw builder.error(.fields, at: keyOffset, "unknown key \"\(DiagnosticText.text(cursor.slice(key)))\"")
        }
        cursor.skipWhitespace(rsyslogEscapes: false)
        guard let colon = cursor.current else { return .inside(field, at: cursor.position) }
        guard colon == UInt8(ascii: ":") else { throw unexpected(colon, expecting: "':' after the key") }
        cursor.advance()
        cursor.skipWhitespace(rsyslogEscapes: false)
        guard let first = cursor.current else { return .inside(field, at: cursor.position) }
        if first == UInt8(ascii: "\"") {
            try builder.begin(field, at: keyOffset)
            guard try JSONStringDecoder.decode(&cursor, into: &builder.record) else {
                return .inside(field, at: cursor.position)
            }
            builder.end(field)
            return nil
        }
        guard first == UInt8(ascii: "-") || BareInteger.isDigit(first) else {
            throw unexpected(first, expecting: "a string or an integer as the value of \(builder.label(field))")
        }
        let digits = BareInteger.scan(&cursor)
        guard !cursor.isAtEnd else { return .inside(field, at: cursor.position) }
        guard let digits else {
            throw builder.error(.syntax, at: cursor.position, "'-' not followed by digits in \(builder.label(field))")
        }
        try builder.set(field, cursor.slice(digits), at: keyOffset)
        return nil
    }

    /// Skips whitespace and the expected one-byte token; `false` when the message ends first.
    private mutating func token(_ expected: Unicode.Scalar, _ description: String) throws(AuditParseError) -> Bool {
        cursor.skipWhitespace(rsyslogEscapes: false)
        guard let byte = cursor.current else { return false }
        guard byte == UInt8(ascii: expected) else { throw unexpected(byte, expecting: description) }
        cursor.advance()
        return true
    }

    private func unexpected(_ byte: UInt8, expecting what: String) -> AuditParseError {
        builder.error(.syntax, at: cursor.position, "expected \(what), found \(DiagnosticText.byte(byte))")
    }
}
