/// The audit log filter's OLD XML (and MySQL Enterprise's): `<AUDIT_RECORD` with one attribute per
/// field, closed by `/>`, any attribute possibly missing (docs/FORMATS.md §3.3). Attributes that name a
/// field become it, as in the NEW XML; every other attribute is kept as text under its name in
/// lower case (`RECORD_ID` → `record_id`, `SERVER_ID` → `server_id`).
struct FilterOldXMLParser {
    private var cursor: ByteCursor
    private var record: AuditRecord

    init(_ message: UnsafeRawBufferPointer) {
        cursor = ByteCursor(message)
        record = AuditRecord(format: .auditFilterOldXML, capacity: message.count)
    }

    /// `<AUDIT_RECORD ` (after the component's `audit-filter:` prefix, if any) whose attributes,
    /// read as attributes (so a `RECORD_ID=` inside a quoted value does not count), include
    /// `RECORD_ID`: the plugin's own OLD XML has `RECORD` instead.
    static func recognizes(_ message: UnsafeRawBufferPointer) -> Bool {
        var cursor = ByteCursor(message)
        _ = FilterJSONParser.skipPrefix(&cursor)
        guard cursor.match("<AUDIT_RECORD") == .matched, let next = cursor.current, next != UInt8(ascii: ">"),
            !ByteCursor.isNameByte(next)
        else { return false }
        while true {
            cursor.skipWhitespace(rsyslogEscapes: true)
            let name = cursor.scanName()
            if name.isEmpty { return false }
            if cursor.slice(name).elementsEqual("RECORD_ID".utf8) { return true }
            cursor.skipWhitespace(rsyslogEscapes: true)
            guard cursor.match("=") == .matched else { return false }
            cursor.skipWhitespace(rsyslogEscapes: true)
            guard cursor.match("\"") == .matched else { return false }
            while let byte = cursor.current, byte != UInt8(ascii: "\"") { cursor.advance() }
            guard cursor.match("\"") == .matched else { return false }
        }
    }

    mutating func parse() throws(AuditParseError) -> AuditRecord {
        _ = FilterJSONParser.skipPrefix(&cursor)
        guard cursor.match("<AUDIT_RECORD") == .matched else { throw syntax("expected <AUDIT_RECORD") }
        while true {
            let before = cursor.position
            cursor.skipWhitespace(rsyslogEscapes: true)
            guard let byte = cursor.current else { return cut(nil) }
            if byte == UInt8(ascii: "/") { break }
            guard ByteCursor.isNameByte(byte) else {
                throw syntax("expected an attribute name or '/>', found \(DiagnosticText.byte(byte))")
            }
            guard cursor.position > before else { throw syntax("expected whitespace between attributes") }
            if let done = try attribute() { return done }
        }
        switch cursor.match("/>") {
        case .cut: return cut(nil)
        case .mismatch: throw syntax("expected '/>' closing the record")
        case .matched: break
        }
        cursor.skipWhitespace(rsyslogEscapes: true)
        guard cursor.isAtEnd else {
            throw AuditParseError(.trailingData, format: .auditFilterOldXML, offset: cursor.position, "data after '/>'")
        }
        record.kind = FilterNewXMLParser.kind(ofName: record.string(.name) ?? "")
        return record
    }

    private mutating func cut(_ field: AuditField?) -> AuditRecord {
        record.kind = FilterNewXMLParser.kind(ofName: record.string(.name) ?? "")
        record.markTruncated(in: field)
        return record
    }

    /// One `NAME="value"`; the record when the message ended inside it.
    private mutating func attribute() throws(AuditParseError) -> AuditRecord? {
        let nameRange = cursor.scanName()
        guard !cursor.isAtEnd else { return cut(nil) }
        let field = FilterNewXMLParser.field(named: cursor.slice(nameRange))
        var name: String { String(decoding: cursor.slice(nameRange), as: UTF8.self) }
        cursor.skipWhitespace(rsyslogEscapes: true)
        guard let equals = cursor.current else { return cut(field) }
        guard equals == UInt8(ascii: "=") else { throw syntax("expected '=' after \(name)") }
        cursor.advance()
        cursor.skipWhitespace(rsyslogEscapes: true)
        guard let quote = cursor.current else { return cut(field) }
        guard quote == UInt8(ascii: "\"") else { throw syntax("the value of \(name) must be in double quotes") }
        cursor.advance()
        // A field given twice keeps its first value; the second is read and dropped.
        let duplicate = field.map { record.has($0) } ?? false
        let start = record.storageEnd
        if let field, !duplicate { record.beginField(field) }
        let closed = try XMLTextDecoder.decode(
            &cursor, until: UInt8(ascii: "\""), into: &record, format: .auditFilterOldXML)
        guard closed else {
            if let field, !duplicate {
                // A number the cut went through is not its value.
                if field.isNumeric { record.discardField(field) } else { record.endField(field) }
                return cut(field)
            }
            return cut(nil)
        }
        cursor.advance()
        if let field {
            if !duplicate { record.endField(field) }
        } else {
            record.extraFields.append(
                .init(key: ReservedEventKeys.safe(name.lowercased()), range: start..<record.storageEnd))
        }
        return nil
    }

    private func syntax(_ reason: String) -> AuditParseError {
        AuditParseError(.syntax, format: .auditFilterOldXML, offset: cursor.position, reason)
    }
}
