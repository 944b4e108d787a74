/// The Percona `audit_log` plugin's JSON format (`audit_log_format=JSON`): one line per record,
/// `{"audit_record":{…}}`, control characters already escaped by the plugin (docs/FORMATS.md §2.2).
public struct PerconaJSONDialect: AuditDialect {
    public init() {}

    public var format: AuditFormat { .perconaJSON }

    /// `{"audit_record"` after optional whitespace. The audit_log_filter's pretty-printed JSON
    /// (`{#012    "timestamp": …`) does not match.
    public func recognizes(_ message: UnsafeRawBufferPointer) -> Bool {
        JSONRecordParser.openerEnd(message) != nil
    }

    public func parse(_ message: UnsafeRawBufferPointer) -> Result<AuditRecord, AuditParseError> {
        var parser = JSONRecordParser(message)
        return Result { () throws(AuditParseError) in try parser.parse() }
    }
}
