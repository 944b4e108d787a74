/// Recognizes statements that change the audit log itself (`SET GLOBAL audit_log_…`,
/// `SET @@global.audit_log_…`, `SET PERSIST audit_log_…`): they are always kept, whatever the
/// table rules say, so nobody can switch auditing off unseen.
public enum AuditLogStatement {
    public static func setsAuditLog(_ sql: some Collection<UInt8>) -> Bool {
        let lowered = sql.prefix(4096).map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        guard let start = lowered.firstIndex(where: { !isSpace($0) }),
            lowered[start...].starts(with: Array("set".utf8)),
            lowered.count > start + 3, isSpace(lowered[start + 3])
        else { return false }
        let rest = String(decoding: lowered[(start + 3)...], as: UTF8.self)
        return rest.contains("audit_log")
            && (rest.contains("global") || rest.contains("persist") || rest.contains("@@"))
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
}
