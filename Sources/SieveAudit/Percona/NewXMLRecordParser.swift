/// Parses a NEW-format record: `<AUDIT_RECORD>`, elements `<NAME>v</NAME>` in any order, then
/// `</AUDIT_RECORD>`. Between elements any whitespace, including rsyslog's `#012` `#011` `#015`.
struct NewXMLRecordParser {
    private var cursor: ByteCursor
    private var builder: PerconaRecordBuilder

    init(_ message: UnsafeRawBufferPointer) {
        cursor = ByteCursor(message)
        builder = PerconaRecordBuilder(format: .perconaNewXML, capacity: message.count)
    }

    /// Where the recognizer `<AUDIT_RECORD>` ends, if the message starts with it.
    static func openerEnd(_ message: UnsafeRawBufferPointer) -> Int? {
        var cursor = ByteCursor(message)
        cursor.skipWhitespace(rsyslogEscapes: false)
        return cursor.match("<AUDIT_RECORD>") == .matched ? cursor.position : nil
    }

    mutating func parse() throws(AuditParseError) -> AuditRecord {
        guard let start = Self.openerEnd(cursor.bytes) else {
            throw AuditParseError(.notAnAuditRecord, format: nil, offset: 0, "not a Percona NEW XML audit record")
        }
        cursor.position = start
        while true {
            cursor.skipWhitespace(rsyslogEscapes: true)
            guard let byte = cursor.current else { return try builder.truncatedBetweenFields(at: cursor.position) }
            guard byte == UInt8(ascii: "<") else {
                throw syntax("expected an element or </AUDIT_RECORD>, found \(DiagnosticText.byte(byte))")
            }
            let tagOffset = cursor.position
            cursor.advance()
            if cursor.current == UInt8(ascii: "/") { break }
            if let cut = try element(at: tagOffset) { return try builder.truncated(at: cut) }
        }
        switch cursor.match("/AUDIT_RECORD>") {
        case .cut: return try builder.truncatedBetweenFields(at: cursor.end)
        case .mismatch: throw syntax("expected </AUDIT_RECORD>")
        case .matched: break
        }
        let closed = cursor.position
        cursor.skipWhitespace(rsyslogEscapes: true)
        if !cursor.isAtEnd {
            throw builder.error(.trailingData, at: cursor.position, "unexpected bytes after </AUDIT_RECORD>")
        }
        return try builder.complete(at: closed)
    }

    /// One element, its `<` already read. Returns the record when the message ends inside it.
    private mutating func element(at tagOffset: Int) throws(AuditParseError) -> RecordCut? {
        let name = cursor.scanName()
        guard !cursor.isAtEnd else { return .betweenFields(at: cursor.position) }
        guard !name.isEmpty else { throw syntax("expected an element name after '<'") }
        guard let field = AuditField.byXMLName(cursor.slice(name)) else {
            throw builder.error(.fields, at: tagOffset, "unknown element <\(DiagnosticText.text(cursor.slice(name)))>")
        }
        cursor.skipWhitespace(rsyslogEscapes: false)
        switch cursor.current {
        case nil:
            return .inside(field, at: cursor.position)
        case UInt8(ascii: "/"):
            switch cursor.match("/>") {
            case .cut: return .inside(field, at: cursor.end)
            case .mismatch: throw syntax("expected '/>' or '>' after <\(field.xmlName)")
            case .matched: try builder.set(field, cursor.slice(0..<0), at: tagOffset)
            }
            return nil
        case UInt8(ascii: ">"):
            cursor.advance()
        default:
            throw syntax("expected '>' after <\(field.xmlName) (elements have no attributes)")
        }
        try builder.begin(field, at: tagOffset)
        let text = try XMLTextDecoder.decode(
            &cursor, until: UInt8(ascii: "<"), into: &builder.record, format: .perconaNewXML)
        guard text else { return .inside(field, at: cursor.position) }
        // The value ended at '<': what follows must close this element.
        builder.end(field)
        guard try closingTag(name) else { return .betweenFields(at: cursor.end) }
        return nil
    }

    /// `</NAME>` matching the element's name, with optional whitespace before `>`. `false` when the
    /// message ends inside it.
    private mutating func closingTag(_ name: Range<Int>) throws(AuditParseError) -> Bool {
        let opening = cursor.match("</")
        guard opening == .matched else {
            if opening == .cut { return false }
            throw syntax("expected </\(DiagnosticText.text(cursor.slice(name)))>")
        }
        let named = cursor.match(cursor.slice(name))
        guard named == .matched else {
            if named == .cut { return false }
            throw syntax("expected </\(DiagnosticText.text(cursor.slice(name)))>")
        }
        cursor.skipWhitespace(rsyslogEscapes: false)
        guard let byte = cursor.current else { return false }
        guard byte == UInt8(ascii: ">") else {
            throw syntax("expected '>' closing </\(DiagnosticText.text(cursor.slice(name)))")
        }
        cursor.advance()
        return true
    }

    private func syntax(_ reason: String) -> AuditParseError {
        builder.error(.syntax, at: cursor.position, reason)
    }
}
