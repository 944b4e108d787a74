/// The Percona `audit_log` plugin's OLD XML format (`audit_log_format=OLD`, the default): one
/// attribute per field on `<AUDIT_RECORD … />` (docs/FORMATS.md §2.4).
public struct PerconaOldXMLDialect: AuditDialect {
    public init() {}

    public var format: AuditFormat { .perconaOldXML }

    /// `<AUDIT_RECORD` after optional whitespace, followed by neither `>` nor a name byte.
    public func recognizes(_ message: UnsafeRawBufferPointer) -> Bool {
        OldXMLRecordParser.openerEnd(message) != nil
    }

    public func parse(_ message: UnsafeRawBufferPointer) -> Result<AuditRecord, AuditParseError> {
        var parser = OldXMLRecordParser(message)
        return Result { () throws(AuditParseError) in try parser.parse() }
    }
}
