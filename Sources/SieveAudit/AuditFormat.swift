/// The record dialect a message was recognized as. The raw value is the event's `format` field.
public enum AuditFormat: String, Sendable, CaseIterable {
    case perconaJSON = "percona-json"
    case perconaNewXML = "percona-new-xml"
    case perconaOldXML = "percona-old-xml"
    case perconaCSV = "percona-csv"
    /// MariaDB's server_audit plugin: one comma-separated line per event (file or syslog form).
    case mariadbAudit = "mariadb-audit"
    /// Percona's audit log filter (8.0 plugin, 8.4/9.x component) and MySQL Enterprise: JSON or
    /// JSONL records, one per message.
    case auditFilterJSON = "audit-filter-json"
    /// The audit log filter's NEW XML (`<AUDIT_RECORD>` with `<RECORD_ID>`), and MySQL Enterprise's.
    case auditFilterNewXML = "audit-filter-new-xml"
    /// The audit log filter's OLD XML (`<AUDIT_RECORD … />` with `RECORD_ID`), and MySQL Enterprise's.
    case auditFilterOldXML = "audit-filter-old-xml"
    case unknown = "unknown"

    /// The Percona plugin's formats follow fixed templates (every field present); the others
    /// carry the fields their record had.
    public var hasTemplates: Bool {
        switch self {
        case .perconaJSON, .perconaNewXML, .perconaOldXML, .perconaCSV: true
        default: false
        }
    }
}
