/// Which template of the Percona `audit_log` plugin a record follows (FORMATS.md §1.2).
public enum AuditRecordKind: String, Sendable {
    /// `Query`, `Execute`, `Init DB`, `Ping`, … (any command name that is not below).
    case general
    /// `Connect`, `Quit`, `Change user` (failed logins are `Connect` with a non-zero status).
    case connection
    /// `Audit`, `NoAudit` (plugin start and stop).
    case audit
    /// A table the server reports a statement touched (MariaDB's READ, WRITE, CREATE, DROP, ALTER
    /// and RENAME lines): the table names come from the server, not from SQL text.
    case table

    /// The kind a record with this NAME value has. NAME is an open set; anything that is not a
    /// connection or audit name is a general record.
    public static func of(name: some Collection<UInt8>) -> AuditRecordKind {
        if name.elementsEqual("Connect".utf8) || name.elementsEqual("Quit".utf8)
            || name.elementsEqual("Change user".utf8)
        {
            return .connection
        }
        if name.elementsEqual("Audit".utf8) || name.elementsEqual("NoAudit".utf8) { return .audit }
        return .general
    }

    /// The record's fields in template order; every one of them appears in a complete record.
    public var fields: [AuditField] {
        switch self {
        case .general: Self.generalFields
        case .connection: Self.connectionFields
        case .audit: Self.auditFields
        case .table: Self.tableFields
        }
    }

    private static let generalFields: [AuditField] = [
        .name, .record, .timestamp, .commandClass, .connectionID, .status, .sqltext, .user, .host, .osUser, .ip, .db,
    ]
    private static let connectionFields: [AuditField] = [
        .name, .record, .timestamp, .connectionID, .status, .user, .privUser, .osLogin, .proxyUser, .host, .ip, .db,
    ]
    /// MariaDB's order (its records use the fields they hold, see `AuditRecord.emittedFields`).
    private static let tableFields: [AuditField] = [
        .timestamp, .serverhost, .user, .host, .connectionID, .queryID, .operation, .db, .table,
    ]
    private static let auditFields: [AuditField] = [
        .name, .record, .timestamp, .mysqlVersion, .startupOptions, .osVersion,
    ]
}
