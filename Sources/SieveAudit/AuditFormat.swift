/// The record dialect a message was recognized as. The raw value is the event's `format` field.
public enum AuditFormat: String, Sendable, CaseIterable {
    case perconaJSON = "percona-json"
    case perconaNewXML = "percona-new-xml"
    case perconaOldXML = "percona-old-xml"
    case perconaCSV = "percona-csv"
    /// MariaDB's server_audit plugin: one comma-separated line per event (file or syslog form).
    case mariadbAudit = "mariadb-audit"
    case unknown = "unknown"
}
