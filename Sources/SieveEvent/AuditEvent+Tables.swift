import SieveAudit
import SieveSQL

extension AuditEvent {
    /// Reads the tables of the record's SQL (general records only; other kinds have no SQL).
    /// `db` is the default for unqualified names. A truncated record's SQL is read as far as it got
    /// and is at best `partial`.
    public mutating func extractTables(options: SQLOptions) {
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
}
