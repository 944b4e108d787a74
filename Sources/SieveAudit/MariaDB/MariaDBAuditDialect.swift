/// MariaDB's server_audit plugin (docs/FORMATS.md §4): one line per event,
/// `[TIMESTAMP,]SERVERHOST,USER,HOST,CONNECTIONID,QUERYID,OPERATION,DATABASE,OBJECT,RETCODE`.
/// The file form starts with the timestamp; the syslog form has none, and may start with the
/// plugin's `server_audit_syslog_info` and a space.
public struct MariaDBAuditDialect: AuditDialect {
    public init() {}

    public var format: AuditFormat { .mariadbAudit }

    /// `,NUMBER,NUMBER,OPERATION,` within the first 4 KiB.
    public func recognizes(_ message: UnsafeRawBufferPointer) -> Bool {
        MariaDBLineAnchor.find(in: message) != nil
    }

    public func parse(_ message: UnsafeRawBufferPointer) -> Result<AuditRecord, AuditParseError> {
        Result { () throws(AuditParseError) in try MariaDBLineParser.parse(message) }
    }
}
