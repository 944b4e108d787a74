/// One record dialect: the Percona plugin's four formats, the audit log filter's (and MySQL
/// Enterprise's) JSON, NEW XML and OLD XML, and MariaDB's server_audit lines are one each
/// (`AuditParser.all`); another dialect slots in without touching the others.
///
/// A dialect is handed the syslog MSG (after a header, its leading spaces trimmed; a message without
/// a `<PRI>` whole) exactly as it arrived: it
/// may still carry rsyslog's `#ooo` control-character escapes, raw LFs, or a trailing LF, and each
/// dialect undoes the escapes its own way (docs/FORMATS.md §5.2).
public protocol AuditDialect: Sendable {
    var format: AuditFormat { get }
    /// A cheap look at the first bytes: does this message claim to be in this dialect?
    func recognizes(_ message: UnsafeRawBufferPointer) -> Bool
    /// Parses a message this dialect recognizes. A message that ends before the record is complete
    /// (while everything before the end is well-formed) is a record with `truncated == true`.
    func parse(_ message: UnsafeRawBufferPointer) -> Result<AuditRecord, AuditParseError>
}
