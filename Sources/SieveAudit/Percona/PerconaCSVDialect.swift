/// The Percona `audit_log` plugin's CSV format (`audit_log_format=CSV`). A record spans several
/// lines when its SQL does; after rsyslog those LFs read `#012` (docs/FORMATS.md §2.5, §5.2).
public struct PerconaCSVDialect: AuditDialect {
    public init() {}

    public var format: AuditFormat { .perconaCSV }

    /// A `"` after optional whitespace: the opening quote of NAME.
    public func recognizes(_ message: UnsafeRawBufferPointer) -> Bool {
        CSVRecordParser.openerStart(message) != nil
    }

    public func parse(_ message: UnsafeRawBufferPointer) -> Result<AuditRecord, AuditParseError> {
        var parser = CSVRecordParser(message)
        return Result { () throws(AuditParseError) in try parser.parse() }
    }
}
