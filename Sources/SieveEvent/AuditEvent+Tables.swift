import SieveAudit
import SieveSQL

extension AuditEvent {
    /// Fills `tables`: with the tables of the table records joined to this statement, or the table a
    /// table record names (both as the server named them, `tablesFromServer`); otherwise from the
    /// SQL of a general record, `db` being the default for unqualified names (other kinds have no
    /// SQL: `nil`). A truncated record's SQL is read as far as it got and is at best `partial`.
    public mutating func extractTables(options: SQLOptions) {
        if !tableRecords.isEmpty {
            tables = Self.serverTables(tableRecords)
            tablesFromServer = true
            return
        }
        // `parsed` is read in place throughout (a local copy of the record would cost reference counts).
        if isParsed, parsed.kind == .table {
            tables = Self.serverTables(parsed)
            tablesFromServer = true
            return
        }
        tablesFromServer = false
        guard isParsed, parsed.kind == .general || (parsed.kind == nil && parsed.has(.sqltext)),
            let range = parsed.range(of: .sqltext)
        else {
            tables = nil
            return
        }
        tables = Self.sqlTables(parsed, sqltext: range, options: options)
    }

    /// The tables of a record's SQL text (`range` in its storage).
    private static func sqlTables(_ record: AuditRecord, sqltext range: Range<Int>, options: SQLOptions)
        -> TableExtraction
    {
        let db = record.string(.db).flatMap { $0.isEmpty ? nil : $0 }
        var extraction = record.storage.withUnsafeBytes { storage in
            TableExtractor.extract(UnsafeRawBufferPointer(rebasing: storage[range]), defaultDB: db, options: options)
        }
        if record.truncated && extraction.status == .complete { extraction.status = .partial }
        return extraction
    }

    /// The tables of the table records joined to a statement, in order, each once: complete
    /// unless a record was cut short.
    static func serverTables(_ records: [AuditEvent]) -> TableExtraction {
        var union = TableExtraction(tables: [], status: .complete)
        for event in records {
            guard case .success(let record) = event.record else { continue }
            let one = serverTables(record)
            for table in one.tables where !union.tables.contains(table) { union.tables.append(table) }
            if one.status != .complete { union.status = .partial }
        }
        union.tables.sort()
        return union
    }

    /// The table a server reported (a MariaDB TABLE line, RENAME naming both sides; a filter table_access record): complete, as
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
