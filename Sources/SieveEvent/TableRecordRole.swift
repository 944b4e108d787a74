import SieveAudit

/// What a record does when statements are joined with the table records the server wrote before
/// them (MariaDB TABLE lines, the audit log filter's table_access records).
enum TableRecordRole {
    /// A table record: held until its statement arrives.
    case table
    /// A statement: takes its connection's held table records when they are its own.
    case statement
    /// Another record of the statement's own course (the filter's query and command classes):
    /// the held records stay held.
    case bystander
    /// Any other record of the connection (connect, disconnect): the statement did not come, so
    /// the held records go out on their own.
    case other
    /// Not part of any connection's statements (audit start and stop, unparsed messages, the
    /// Percona plugin, which reports no tables).
    case unrelated

    static func of(_ record: AuditRecord) -> TableRecordRole {
        switch record.format {
        case .mariadbAudit, .auditFilterJSON, .auditFilterNewXML, .auditFilterOldXML: break
        default: return .unrelated
        }
        guard record.has(.connectionID), let kind = record.kind else { return .unrelated }
        switch kind {
        case .table: return .table
        case .connection: return .other
        case .audit: return .unrelated
        case .general: break
        }
        switch record.format {
        case .mariadbAudit:
            return .statement
        case .auditFilterJSON:
            // `general` (its `status` event) closes a statement; `query`, `command`, … are its course.
            return record.value(.recordClass).map { $0.elementsEqual("general".utf8) } ?? true ? .statement : .bystander
        default:
            // XML: the query and command classes are named "Query Start", "Command End", …
            guard let name = record.value(.name) else { return .statement }
            return name.starts(with: "Query ".utf8) || name.starts(with: "Command ".utf8) ? .bystander : .statement
        }
    }
}
