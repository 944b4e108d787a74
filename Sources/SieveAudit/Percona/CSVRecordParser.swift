/// Parses a CSV record: `"v","v",…` with STATUS a bare integer (bare or quoted is accepted for
/// every field). NAME, the first field, decides the template: 6 fields for `Audit`/`NoAudit`,
/// 12 for connection and general records.
struct CSVRecordParser {
    private var cursor: ByteCursor
    private var builder: PerconaRecordBuilder

    init(_ message: UnsafeRawBufferPointer) {
        cursor = ByteCursor(message)
        builder = PerconaRecordBuilder(format: .perconaCSV, capacity: message.count)
    }

    /// Where the recognizer, the opening quote of NAME, is, if the message starts with it.
    static func openerStart(_ message: UnsafeRawBufferPointer) -> Int? {
        var cursor = ByteCursor(message)
        cursor.skipWhitespace(rsyslogEscapes: false)
        return cursor.current == UInt8(ascii: "\"") ? cursor.position : nil
    }

    mutating func parse() throws(AuditParseError) -> AuditRecord {
        guard let start = Self.openerStart(cursor.bytes) else {
            throw AuditParseError(.notAnAuditRecord, format: nil, offset: 0, "not a Percona CSV audit record")
        }
        cursor.position = start
        var template: [AuditField] = [.name]
        var count = 0
        while true {
            let field = template[count]
            let isLast = count == template.count - 1
            if let cut = try value(of: field, isLast: isLast) { return try builder.truncated(at: cut) }
            count += 1
            if count == 1, let kind = builder.record.kind { template = kind.fields }
            guard let byte = cursor.current else { break }
            guard byte == UInt8(ascii: ",") else {
                let before = cursor.position
                cursor.skipWhitespace(rsyslogEscapes: true)
                guard cursor.position > before else { throw syntax("expected ',' after field \(count)") }
                if cursor.isAtEnd { break }
                try checkCount(count, of: template)
                throw builder.error(.trailingData, at: cursor.position, "unexpected bytes after the end of the record")
            }
            if count == template.count {
                throw builder.error(
                    .fields, at: cursor.position, "CSV \(kindLabel) record has more than \(count) fields")
            }
            cursor.advance()
            if cursor.isAtEnd { return try builder.truncatedBetweenFields(at: cursor.position) }
        }
        try checkCount(count, of: template)
        return try builder.complete(at: cursor.position)
    }

    /// One value, quoted or bare. Returns the record when the message ends inside it.
    private mutating func value(of field: AuditField, isLast: Bool) throws(AuditParseError) -> RecordCut? {
        let offset = cursor.position
        guard let first = cursor.current else { return .betweenFields(at: offset) }
        if first == UInt8(ascii: "\"") {
            try builder.begin(field, at: offset)
            guard CSVFieldDecoder.decode(&cursor, into: &builder.record) else {
                return .inside(field, at: cursor.position)
            }
            builder.end(field)
            return nil
        }
        guard first == UInt8(ascii: "-") || BareInteger.isDigit(first) else {
            throw syntax("expected a quoted value or an integer, found \(DiagnosticText.byte(first))")
        }
        let digits = BareInteger.scan(&cursor)
        // A bare number ending the message is whole only if the record ends there anyway.
        if cursor.isAtEnd && !(isLast && digits != nil) {
            return .inside(field, at: cursor.position)
        }
        guard let digits else { throw syntax("'-' not followed by digits") }
        try builder.set(field, cursor.slice(digits), at: offset)
        return nil
    }

    private func checkCount(_ count: Int, of template: [AuditField]) throws(AuditParseError) {
        if count != template.count {
            throw builder.error(
                .fields, at: cursor.position,
                "CSV \(kindLabel) record has \(count) field\(count == 1 ? "" : "s"), expected \(template.count)")
        }
    }

    private var kindLabel: String {
        builder.record.value(.name).map { DiagnosticText.text($0) } ?? "audit"
    }

    private func syntax(_ reason: String) -> AuditParseError {
        builder.error(.syntax, at: cursor.position, reason)
    }
}
