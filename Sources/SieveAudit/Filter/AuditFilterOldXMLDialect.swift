/// The audit log filter's OLD XML and MySQL Enterprise's: `<AUDIT_RECORD … />` with a `RECORD_ID`
/// attribute (the Percona plugin's OLD XML has `RECORD`).
public struct AuditFilterOldXMLDialect: AuditDialect {
    public init() {}

    public var format: AuditFormat { .auditFilterOldXML }

    public func recognizes(_ message: UnsafeRawBufferPointer) -> Bool {
        FilterOldXMLParser.recognizes(message)
    }

    public func parse(_ message: UnsafeRawBufferPointer) -> Result<AuditRecord, AuditParseError> {
        var parser = FilterOldXMLParser(message)
        return Result { () throws(AuditParseError) in try parser.parse() }
    }
}
