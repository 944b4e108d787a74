/// The audit log filter's NEW XML (and MySQL Enterprise's): `<AUDIT_RECORD>`, elements by name in
/// any order, any of them missing (docs/FORMATS.md §3.2). Elements with a field become it; every other
/// element is kept as text under its name in lower case (`RECORD_ID` → `record_id`,
/// `CONNECTION_TYPE` → `connection_type`).
struct FilterNewXMLParser {
    private var cursor: ByteCursor
    private var record: AuditRecord

    init(_ message: UnsafeRawBufferPointer) {
        cursor = ByteCursor(message)
        record = AuditRecord(format: .auditFilterNewXML, capacity: message.count)
    }

    /// `<AUDIT_RECORD>` (after the component's `audit-filter:` prefix, if any) and a `<RECORD_ID>`
    /// before its closer: the plugin's own NEW XML has `<RECORD>` instead.
    /// Built once: every Percona NEW XML record is looked at here first (a malloc per record).
    private static let recordIDOpener = Array("<RECORD_ID>".utf8)

    static func recognizes(_ message: UnsafeRawBufferPointer) -> Bool {
        var cursor = ByteCursor(message)
        _ = FilterJSONParser.skipPrefix(&cursor)
        guard cursor.match("<AUDIT_RECORD>") == .matched else { return false }
        let window = UnsafeRawBufferPointer(
            rebasing: message[cursor.position..<min(message.count, cursor.position + 1024)])
        let needle = recordIDOpener
        guard window.count >= needle.count else { return false }
        return (0...(window.count - needle.count)).contains { at in
            window[at] == UInt8(ascii: "<") && needle.indices.allSatisfy { window[at + $0] == needle[$0] }
        }
    }

    /// The plugin's element names that are fields here too (looked up on bytes, as the plugin's
    /// parser does), and `TABLE`.
    private static let fields: Set<AuditField> = [
        .name, .timestamp, .commandClass, .connectionID, .status, .sqltext, .user, .privUser, .osLogin, .proxyUser,
        .host, .ip, .db, .osUser,
    ]

    static func field(named name: UnsafeRawBufferPointer) -> AuditField? {
        if name.elementsEqual("TABLE".utf8) { return .table }
        return AuditField.byXMLName(name).flatMap { fields.contains($0) ? $0 : nil }
    }

    mutating func parse() throws(AuditParseError) -> AuditRecord {
        _ = FilterJSONParser.skipPrefix(&cursor)
        guard cursor.match("<AUDIT_RECORD>") == .matched else { throw syntax("expected <AUDIT_RECORD>") }
        while true {
            cursor.skipWhitespace(rsyslogEscapes: true)
            guard let byte = cursor.current else { return cut(nil) }
            guard byte == UInt8(ascii: "<") else { throw syntax("expected an element or </AUDIT_RECORD>") }
            cursor.advance()
            if cursor.current == UInt8(ascii: "/") { break }
            if let done = try element() { return done }
        }
        switch cursor.match("/AUDIT_RECORD>") {
        case .cut: return cut(nil)
        case .mismatch: throw syntax("expected </AUDIT_RECORD>")
        case .matched: break
        }
        cursor.skipWhitespace(rsyslogEscapes: true)
        guard cursor.isAtEnd else {
            throw AuditParseError(
                .trailingData, format: .auditFilterNewXML, offset: cursor.position, "data after </AUDIT_RECORD>")
        }
        setKind()
        return record
    }

    private mutating func cut(_ field: AuditField?) -> AuditRecord {
        setKind()
        record.markTruncated(in: field)
        return record
    }

    private mutating func setKind() {
        record.kind = Self.kind(ofName: record.string(.name) ?? "")
    }

    /// The record kind of a filter XML record's NAME (NEW and OLD alike).
    static func kind(ofName name: String) -> AuditRecordKind {
        switch name {
        case "Connect", "Disconnect", "Change user", "Pre Authenticate": .connection
        case "Audit", "NoAudit", "Startup", "Shutdown": .audit
        case "TableRead", "TableInsert", "TableUpdate", "TableDelete": .table
        default: .general
        }
    }

    /// One element, its `<` read; the record when the message ended inside it.
    private mutating func element() throws(AuditParseError) -> AuditRecord? {
        let nameRange = cursor.scanName()
        guard !cursor.isAtEnd else { return cut(nil) }
        guard !nameRange.isEmpty else { throw syntax("expected an element name after '<'") }
        let field = Self.field(named: cursor.slice(nameRange))
        // Text only for an extra's key and for error reasons, not per element.
        var name: String { String(decoding: cursor.slice(nameRange), as: UTF8.self) }
        cursor.skipWhitespace(rsyslogEscapes: false)
        let start = record.storageEnd
        switch cursor.current {
        case nil: return cut(field)
        case UInt8(ascii: "/"):
            switch cursor.match("/>") {
            case .cut: return cut(field)
            case .mismatch: throw syntax("expected '/>' or '>' after <\(name)")
            case .matched: keep(field, nameRange, start)
            }
            return nil
        case UInt8(ascii: ">"): cursor.advance()
        default: throw syntax("expected '>' after <\(name)")
        }
        if field == nil, let inner = nestedContent(nameRange) {
            // An element holding elements (a Message record's <MAP>): kept as its markup, as text.
            Self.appendMarkup(cursor.slice(inner), to: &record)
            keep(nil, nameRange, start)
            return nil
        }
        if let field { record.beginField(field) }
        let closed = try XMLTextDecoder.decode(
            &cursor, until: UInt8(ascii: "<"), into: &record, format: .auditFilterNewXML)
        guard closed else {
            if let field {
                if field.isNumeric { record.discardField(field) } else { record.endField(field) }
            }
            return cut(field)
        }
        keep(field, nameRange, start)
        switch cursor.match("</") {
        case .cut: return cut(nil)
        case .mismatch: throw syntax("expected </\(name)>")
        case .matched: break
        }
        switch cursor.match(cursor.slice(nameRange)) {
        case .cut: return cut(nil)
        case .mismatch: throw syntax("expected </\(name)>")
        case .matched: break
        }
        cursor.skipWhitespace(rsyslogEscapes: false)
        guard let byte = cursor.current else { return cut(nil) }
        guard byte == UInt8(ascii: ">") else { throw syntax("expected '>' closing </\(name)") }
        cursor.advance()
        return nil
    }

    /// Copies an element's inner markup, undoing rsyslog's `#011` `#012` `#015` where they stand
    /// between tags (a run of only whitespace and escapes); text inside the children is kept as is.
    static func appendMarkup(_ markup: UnsafeRawBufferPointer, to record: inout AuditRecord) {
        var index = 0
        while index < markup.count {
            // A run up to the next '<' (or the end): decoded when it is only whitespace and escapes.
            var end = index
            var blank = true
            while end < markup.count, markup[end] != UInt8(ascii: "<") {
                switch markup[end] {
                case 0x20, 0x09, 0x0A, 0x0D: end += 1
                case UInt8(ascii: "#"):
                    if case .escape = RsyslogEscape.whitespace(in: markup, at: end) {
                        end += 4
                    } else {
                        blank = false
                        end += 1
                    }
                default:
                    blank = false
                    end += 1
                }
            }
            var at = index
            while at < end {
                if blank, markup[at] == UInt8(ascii: "#"),
                    case .escape(let byte) = RsyslogEscape.whitespace(in: markup, at: at)
                {
                    record.append(byte)
                    at += 4
                } else {
                    record.append(markup[at])
                    at += 1
                }
            }
            // The tag itself, up to and including '>'.
            while at < markup.count {
                let byte = markup[at]
                record.append(byte)
                at += 1
                if byte == UInt8(ascii: ">") { break }
            }
            index = at
        }
    }

    /// When the element's content starts with a child element: the content's range up to its
    /// `</NAME>`, the cursor moved past that; nil otherwise (or when it never closes).
    private mutating func nestedContent(_ nameRange: Range<Int>) -> Range<Int>? {
        var probe = cursor
        probe.skipWhitespace(rsyslogEscapes: true)
        guard probe.current == UInt8(ascii: "<"), probe.position + 1 < probe.end,
            probe.bytes[probe.position + 1] != UInt8(ascii: "/")
        else {
            return nil
        }
        let closer = Array("</".utf8) + Array(cursor.slice(nameRange)) + [UInt8(ascii: ">")]
        let bytes = cursor.bytes
        var index = cursor.position
        while index + closer.count <= bytes.count {
            if bytes[index] == UInt8(ascii: "<"), closer.indices.allSatisfy({ bytes[index + $0] == closer[$0] }) {
                let content = cursor.position..<index
                cursor.position = index + closer.count
                return content
            }
            index += 1
        }
        return nil
    }

    private mutating func keep(_ field: AuditField?, _ nameRange: Range<Int>, _ start: Int) {
        guard let field else {
            let key = ReservedEventKeys.safe(String(decoding: cursor.slice(nameRange), as: UTF8.self).lowercased())
            record.extraFields.append(.init(key: key, range: start..<record.storageEnd))
            return
        }
        // A self-closed element was not begun: begin it here, unless the field has a value already
        // (then that value stays). An element with text was begun again in `element()`, so one
        // given twice keeps its later value (the OLD XML parser keeps the first).
        if !record.has(field) {
            record.beginField(field)
        } else if record.range(of: field)?.lowerBound != start {
            return
        }
        record.endField(field)
    }

    private func syntax(_ reason: String) -> AuditParseError {
        AuditParseError(.syntax, format: .auditFilterNewXML, offset: cursor.position, reason)
    }
}
