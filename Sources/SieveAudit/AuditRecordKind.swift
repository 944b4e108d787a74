/// What a record is about. For the Percona `audit_log` plugin it is also the template the record
/// follows (docs/FORMATS.md §2.1); the other dialects set it from their own names (§3.1, §3.2, §4.2).
public enum AuditRecordKind: String, Sendable {
    /// `Query`, `Execute`, `Init DB`, `Ping`, … (any command name that is not below).
    case general
    /// `Connect`, `Quit`, `Change user` (failed logins are `Connect` with a non-zero status); the
    /// filter's `connection` class, MariaDB's CONNECT, DISCONNECT, FAILED_CONNECT, CHANGEUSER, PROXY_CONNECT.
    case connection
    /// `Audit`, `NoAudit` (plugin start and stop); the filter's `audit` class and its start and stop records.
    case audit
    /// A table the server reports a statement touched (MariaDB's READ, WRITE, CREATE, DROP, ALTER
    /// and RENAME lines, the audit log filter's `table_access` records): the table names come from
    /// the server, not from SQL text.
    case table

    /// The kind a Percona plugin record with this NAME value has. NAME is an open set; anything that
    /// is not a connection or audit name is a general record.
    public static func of(name: some Collection<UInt8>) -> AuditRecordKind {
        // By length first: nearly every record is a statement (`Query`, `Execute`, …) whose name
        // has the length of at most one of these.
        switch name.count {
        case 4: if name.elementsEqual("Quit".utf8) { return .connection }
        case 5: if name.elementsEqual("Audit".utf8) { return .audit }
        case 7:
            if name.elementsEqual("Connect".utf8) { return .connection }
            if name.elementsEqual("NoAudit".utf8) { return .audit }
        case 11: if name.elementsEqual("Change user".utf8) { return .connection }
        default: break
        }
        return .general
    }

    /// The record's fields in template order; in a complete Percona plugin record every one of them
    /// appears (other dialects emit the fields they hold, see `AuditRecord.emittedFields`).
    public var fields: [AuditField] {
        switch self {
        case .general: Self.generalFields
        case .connection: Self.connectionFields
        case .audit: Self.auditFields
        case .table: Self.tableFields
        }
    }

    /// `fields` as a bit set (bit n: the field whose raw value is n), so a record is checked
    /// against its template with two masks instead of comparing field by field.
    public var fieldMask: UInt32 {
        switch self {
        case .general: Self.generalMask
        case .connection: Self.connectionMask
        case .audit: Self.auditMask
        case .table: Self.tableMask
        }
    }

    private static let generalMask = AuditField.mask(generalFields)
    private static let connectionMask = AuditField.mask(connectionFields)
    private static let auditMask = AuditField.mask(auditFields)
    private static let tableMask = AuditField.mask(tableFields)

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
