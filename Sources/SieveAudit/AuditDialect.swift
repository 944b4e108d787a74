/// One record dialect. The Percona plugin's four formats are dialects; audit_log_filter, MySQL
/// Enterprise and MariaDB slot in later as further dialects without touching the others.
///
/// A dialect is handed the syslog MSG (leading spaces already trimmed) exactly as it arrived: it
/// may still carry rsyslog's `#ooo` control-character escapes, raw LFs, or a trailing LF, and each
/// dialect undoes the escapes its own way (FORMATS.md §2.1).
public protocol AuditDialect: Sendable {
    var format: AuditFormat { get }
    /// A cheap look at the first bytes: does this message claim to be in this dialect?
    func recognizes(_ message: UnsafeRawBufferPointer) -> Bool
    /// Parses a message this dialect recognizes. A message that ends before the record is complete
    /// (while everything before the end is well-formed) is a record with `truncated == true`.
    func parse(_ message: UnsafeRawBufferPointer) -> Result<AuditRecord, AuditParseError>
}
