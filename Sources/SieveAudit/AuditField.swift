/// Every field a record can carry: the Percona `audit_log` plugin's, across its three templates,
/// then MariaDB server_audit's own (`serverhost` … `new_table`), then the audit log filter's
/// (`id`, `class`, `event`).
///
/// `key` is the event's JSON key: the plugin's own JSON key, except that the plugin's misspelled
/// `startup_optionsi` is emitted as `startup_options`.
public enum AuditField: UInt8, Sendable, CaseIterable {
    case name, record, timestamp, commandClass, connectionID, status, sqltext, user, host, osUser, ip, db
    case privUser, osLogin, proxyUser, mysqlVersion, startupOptions, osVersion
    case serverhost, queryID, operation, object, table, newDB, newTable
    case id, recordClass, event

    public var key: String {
        switch self {
        case .name: "name"
        case .record: "record"
        case .timestamp: "timestamp"
        case .commandClass: "command_class"
        case .connectionID: "connection_id"
        case .status: "status"
        case .sqltext: "sqltext"
        case .user: "user"
        case .host: "host"
        case .osUser: "os_user"
        case .ip: "ip"
        case .db: "db"
        case .privUser: "priv_user"
        case .osLogin: "os_login"
        case .proxyUser: "proxy_user"
        case .mysqlVersion: "mysql_version"
        case .startupOptions: "startup_options"
        case .osVersion: "os_version"
        case .serverhost: "serverhost"
        case .queryID: "query_id"
        case .operation: "operation"
        case .object: "object"
        case .table: "table"
        case .newDB: "new_db"
        case .newTable: "new_table"
        case .id: "id"
        case .recordClass: "class"
        case .event: "event"
        }
    }

    /// The element/attribute name used by the XML formats (`NAME`, `COMMAND_CLASS`, …).
    public var xmlName: String { key.uppercased() }

    /// `connection_id`, `status`, `query_id` and `id` are integers in the event (when their text is
    /// one); everything else is text.
    public var isNumeric: Bool { self == .connectionID || self == .status || self == .queryID || self == .id }

    /// How many fields there are (the size of a record's inline field tables).
    public static let count = 28

    /// Looks a field up by its JSON key as the plugin writes it (accepting `startup_optionsi`).
    /// Only the Percona fields: a Percona record naming `table` or `operation` has a field it does
    /// not know.
    public static func byJSONKey(_ key: UnsafeRawBufferPointer) -> AuditField? {
        PackedFieldName(key).flatMap { perconaField(jsonKey: $0) }
    }

    /// Looks a field up by its XML element or attribute name (the Percona fields only).
    public static func byXMLName(_ name: UnsafeRawBufferPointer) -> AuditField? {
        PackedFieldName(name).flatMap { perconaField(xmlName: $0) }
    }

    /// The bit of this field in a field mask (`AuditRecord.presentMask`, `AuditRecordKind.fieldMask`).
    @inlinable @inline(__always)
    public var bit: UInt32 { 1 << UInt32(rawValue) }

    /// `fields` as a mask.
    static func mask(_ fields: some Sequence<AuditField>) -> UInt32 { fields.reduce(0) { $0 | $1.bit } }

    /// The fields a Percona plugin record can have (the cases before MariaDB's own).
    public var isPercona: Bool { rawValue <= AuditField.osVersion.rawValue }
}
