import SieveAudit
import SieveSQL

extension AuditEvent {
    /// Reads the tables of the record's SQL (general records only; other kinds have no SQL).
    /// `db` is the default for unqualified names. A truncated record's SQL is read as far as it got
    /// and is at best `partial`.
    public mutating func extractTables(options: SQLOptions) {
        if case .success(let record) = record, record.kind == .table {
            tables = Self.serverTables(record)
            return
        }
        guard case .success(let record) = record, record.kind == .general || (record.kind == nil && record.has(.sqltext)),
            let range = record.range(of: .sqltext)
        else {
            tables = nil
            return
        }
        let db = record.string(.db).flatMap { $0.isEmpty ? nil : $0 }
        var extraction = record.storage.withUnsafeBytes { storage in
            TableExtractor.extract(UnsafeRawBufferPointer(rebasing: storage[range]), defaultDB: db, options: options)
        }
        if record.truncated && extraction.status == .complete { extraction.status = .partial }
        tables = extraction
    }

    /// The tables came from the server (a MariaDB TABLE line), not from reading SQL text.
    public var tablesFromServer: Bool {
        if case .success(let record) = record { return record.kind == .table }
        return false
    }

    /// The table a server reported (MariaDB TABLE lines; RENAME names both sides): complete, as
    /// the server resolved it (views to base tables, unqualified names to their database).
    static func serverTables(_ record: AuditRecord) -> TableExtraction {
        guard let name = record.string(.table) else {
            return TableExtraction(tables: [], status: .unparsed)
        }
        var tables = [TableRef(db: record.string(.db) ?? "", name: name)]
        if let newName = record.string(.newTable) {
            tables.append(TableRef(db: record.string(.newDB) ?? record.string(.db) ?? "", name: newName))
        }
        return TableExtraction(tables: tables, status: record.truncated ? .partial : .complete)
    }
}
