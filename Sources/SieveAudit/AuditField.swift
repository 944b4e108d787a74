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
    public static func byJSONKey(_ key: some Collection<UInt8>) -> AuditField? {
        if key.elementsEqual("startup_optionsi".utf8) { return .startupOptions }
        return lookUp(key, in: keyBytes)
    }

    /// Looks a field up by its XML element or attribute name.
    public static func byXMLName(_ name: some Collection<UInt8>) -> AuditField? {
        lookUp(name, in: xmlNameBytes)
    }

    /// The fields a Percona plugin record can have (the cases before MariaDB's own).
    public var isPercona: Bool { rawValue <= AuditField.osVersion.rawValue }

    // Built once: parsers look names up for every field of every record. Only the Percona fields
    // (a Percona record naming `table` or `operation` has a field it does not know).
    private static let keyBytes: [[UInt8]] = allCases.filter(\.isPercona).map { Array($0.key.utf8) }
    private static let xmlNameBytes: [[UInt8]] = allCases.filter(\.isPercona).map { Array($0.xmlName.utf8) }

    private static func lookUp(_ name: some Collection<UInt8>, in table: [[UInt8]]) -> AuditField? {
        let count = name.count
        for (index, candidate) in table.enumerated() where candidate.count == count && name.elementsEqual(candidate) {
            return AuditField(rawValue: UInt8(index))
        }
        return nil
    }
}
