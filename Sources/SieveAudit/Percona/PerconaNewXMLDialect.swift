/// The Percona `audit_log` plugin's NEW XML format (`audit_log_format=NEW`): one element per
/// field inside `<AUDIT_RECORD>`…`</AUDIT_RECORD>` (docs/FORMATS.md §2.3).
public struct PerconaNewXMLDialect: AuditDialect {
    public init() {}

    public var format: AuditFormat { .perconaNewXML }

    /// `<AUDIT_RECORD>` after optional whitespace.
    public func recognizes(_ message: UnsafeRawBufferPointer) -> Bool {
        NewXMLRecordParser.openerEnd(message) != nil
    }

    public func parse(_ message: UnsafeRawBufferPointer) -> Result<AuditRecord, AuditParseError> {
        var parser = NewXMLRecordParser(message)
        return Result { () throws(AuditParseError) in try parser.parse() }
    }
}
