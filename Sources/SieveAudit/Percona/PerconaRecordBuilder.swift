/// Collects one record's fields while a dialect parses it, then decides whether the record is
/// complete, cut short by the sender, or malformed. The four Percona dialects share it so that they
/// agree on what "truncated" and "missing" mean.
struct PerconaRecordBuilder {
    let format: AuditFormat
    var record: AuditRecord
    /// The field whose value is being appended (between `begin` and `end`).
    private var openField: AuditField?
    private var lastComplete: AuditField?

    init(format: AuditFormat, capacity: Int) {
        self.format = format
        // Unescaping never makes a value longer than its escaped form: one allocation suffices.
        self.record = AuditRecord(format: format, capacity: capacity)
    }

    /// A builder whose record starts as a copy of `message`: values are marked where they lie
    /// (`mark`), only values to unescape are appended.
    init(format: AuditFormat, copying message: UnsafeRawBufferPointer, room: Int) {
        self.format = format
        self.record = AuditRecord(format: format, copying: message, room: room)
    }

    func error(_ code: AuditParseError.Code, at offset: Int, _ reason: String) -> AuditParseError {
        AuditParseError(code, format: format, offset: offset, reason)
    }

    /// The field's name as this format spells it, for error reasons.
    func label(_ field: AuditField) -> String {
        format == .perconaJSON ? "\"\(field.key)\"" : field.xmlName
    }

    /// Starts `field`'s value; append its bytes to `record`, then call `end`. A field given twice
    /// is an error: the plugin never does it, and a second value would hide the first.
    mutating func begin(_ field: AuditField, at offset: Int) throws(AuditParseError) {
        if record.has(field) { throw error(.fields, at: offset, "field \(label(field)) appears twice") }
        record.beginField(field)
        openField = field
    }

    mutating func end(_ field: AuditField) {
        record.endField(field)
        openField = nil
        completed(field)
    }

    /// `field`'s value is whole: the last complete field, and NAME gives the record its kind.
    @inline(__always)
    private mutating func completed(_ field: AuditField) {
        lastComplete = field
        if field == .name, let name = record.value(.name) { record.kind = AuditRecordKind.of(name: name) }
    }

    /// Adds a whole value that needs no unescaping and lies in the record's storage at `range`
    /// (a builder made with `init(format:copying:)`).
    @inline(__always)
    mutating func mark(_ field: AuditField, _ range: Range<Int>, at offset: Int) throws(AuditParseError) {
        if record.has(field) { throw error(.fields, at: offset, "field \(label(field)) appears twice") }
        record.setField(field, at: range)
        completed(field)
    }

    /// Adds a whole value that needed no unescaping.
    mutating func set(_ field: AuditField, _ bytes: UnsafeRawBufferPointer, at offset: Int) throws(AuditParseError) {
        try begin(field, at: offset)
        record.append(contentsOf: bytes)
        end(field)
    }

    /// The message ended inside `field`: in its value, or after its name. A text value keeps the
    /// bytes seen so far; a number cut short is dropped, as its digits would be a different number.
    mutating func truncated(inside field: AuditField, at offset: Int) throws(AuditParseError) -> AuditRecord {
        if openField == field {
            if field.isNumeric { record.discardField(field) } else { record.endField(field) }
            openField = nil
        }
        try checkTemplate(at: offset)
        record.markTruncated(in: field)
        return record
    }

    /// The message ended between fields (or inside a field's name): the cut field is the template's
    /// next field after the last complete one, `nil` when NAME is unknown or every field is there.
    mutating func truncatedBetweenFields(at offset: Int) throws(AuditParseError) -> AuditRecord {
        try checkTemplate(at: offset)
        record.markTruncated(in: nextField())
        return record
    }

    /// The truncated record for a message that ended at `cut`.
    mutating func truncated(at cut: RecordCut) throws(AuditParseError) -> AuditRecord {
        switch cut {
        case .inside(let field, let offset): return try truncated(inside: field, at: offset)
        case .betweenFields(let offset): return try truncatedBetweenFields(at: offset)
        }
    }

    /// The record's closer was read: every template field must be there.
    mutating func complete(at offset: Int) throws(AuditParseError) -> AuditRecord {
        guard record.kind != nil else { throw error(.fields, at: offset, "record has no \(label(.name)) field") }
        try checkTemplate(at: offset)
        let missing = record.missingFields
        if !missing.isEmpty {
            let names = missing.map(label).joined(separator: ", ")
            throw error(
                .fields, at: offset, "\(recordLabel) record lacks \(missing.count == 1 ? "field" : "fields") \(names)")
        }
        return record
    }

    /// "Query", as in "a Query record", for error reasons.
    var recordLabel: String {
        guard let name = record.value(.name) else { return "the" }
        return "the " + DiagnosticText.text(name)
    }

    private func checkTemplate(at offset: Int) throws(AuditParseError) {
        guard let kind = record.kind else { return }
        // The lowest raw value first, as the fields are declared.
        let strays = record.presentMask & ~kind.fieldMask
        if strays != 0, let stray = AuditField(rawValue: UInt8(strays.trailingZeroBitCount)) {
            throw error(.fields, at: offset, "field \(label(stray)) does not belong in \(recordLabel) record")
        }
    }

    private func nextField() -> AuditField? {
        guard let kind = record.kind else { return nil }
        let template = kind.fields
        if let last = lastComplete, let index = template.firstIndex(of: last),
            let next = template[(index + 1)...].first(where: { !record.has($0) })
        {
            return next
        }
        return template.first { !record.has($0) }
    }
}
