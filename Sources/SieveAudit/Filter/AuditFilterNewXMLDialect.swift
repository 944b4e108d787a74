/// The audit log filter's NEW XML and MySQL Enterprise's XML: `<AUDIT_RECORD>` with a
/// `<RECORD_ID>` (the Percona plugin's NEW XML has `<RECORD>`).
public struct AuditFilterNewXMLDialect: AuditDialect {
    public init() {}

    public var format: AuditFormat { .auditFilterNewXML }

    public func recognizes(_ message: UnsafeRawBufferPointer) -> Bool {
        Self.isFraming(message) || FilterNewXMLParser.recognizes(message)
    }

    /// An XML audit file's `<?xml …?>`, `<AUDIT>` or `</AUDIT>` line, forwarded by a tailer.
    static func isFraming(_ message: UnsafeRawBufferPointer) -> Bool {
        var cursor = ByteCursor(message)
        guard FilterJSONParser.skipPrefix(&cursor) else { return false }
        let start = cursor.position
        var end = message.count
        while end > start, [0x20, 0x09, 0x0A, 0x0D].contains(message[end - 1]) { end -= 1 }
        let line = UnsafeRawBufferPointer(rebasing: message[start..<end])
        if line.elementsEqual("<AUDIT>".utf8) || line.elementsEqual("</AUDIT>".utf8) { return true }
        return line.starts(with: "<?xml ".utf8) && line.last == UInt8(ascii: ">") && !line.contains(UInt8(ascii: "\n"))
    }

    public func parse(_ message: UnsafeRawBufferPointer) -> Result<AuditRecord, AuditParseError> {
        if Self.isFraming(message) {
            return .failure(
                AuditParseError(
                    .framing, format: .auditFilterNewXML, offset: 0,
                    "an XML audit file's header or footer line: framing, not a record"))
        }
        var parser = FilterNewXMLParser(message)
        return Result { () throws(AuditParseError) in try parser.parse() }
    }
}
