/// Recognizes statements that change the audit log itself (`SET GLOBAL audit_log_…`,
/// `SET @@global.audit_log_…`, `SET PERSIST audit_log_…`): they are always kept, whatever the
/// table rules say, so nobody can switch auditing off unseen.
///
/// Runs on every record's SQL, so it allocates nothing and gives up at the first bytes that are
/// not `SET` (after whitespace and comments).
public enum AuditLogStatement {
    public static func setsAuditLog(_ sql: UnsafeRawBufferPointer) -> Bool {
        var index = skipSpaceAndComments(sql, from: 0)
        guard index + 3 < sql.count, lower(sql[index]) == UInt8(ascii: "s"), lower(sql[index + 1]) == UInt8(ascii: "e"),
            lower(sql[index + 2]) == UInt8(ascii: "t"), isSpace(sql[index + 3]) || sql[index + 3] == UInt8(ascii: "/")
        else { return false }
        index += 3
        let end = min(sql.count, index + 4096)
        var sawScope = false
        var sawAuditLog = false
        while index < end {
            if matches(sql, at: index, "global") || matches(sql, at: index, "persist")
                || (sql[index] == UInt8(ascii: "@") && index + 1 < sql.count && sql[index + 1] == UInt8(ascii: "@"))
            {
                sawScope = true
            }
            if matches(sql, at: index, "audit_log") { sawAuditLog = true }
            if sawScope && sawAuditLog { return true }
            index += 1
        }
        return false
    }

    public static func setsAuditLog(_ sql: some Collection<UInt8>) -> Bool {
        Array(sql).withUnsafeBytes { setsAuditLog($0) }
    }

    private static func skipSpaceAndComments(_ sql: UnsafeRawBufferPointer, from start: Int) -> Int {
        var index = start
        while index < sql.count {
            if isSpace(sql[index]) {
                index += 1
            } else if index + 1 < sql.count, sql[index] == UInt8(ascii: "/"), sql[index + 1] == UInt8(ascii: "*"),
                index + 2 >= sql.count || sql[index + 2] != UInt8(ascii: "!")
            {
                index += 2
                while index + 1 < sql.count && !(sql[index] == UInt8(ascii: "*") && sql[index + 1] == UInt8(ascii: "/"))
                {
                    index += 1
                }
                index += 2
            } else {
                return index
            }
        }
        return index
    }

    @inline(__always)
    private static func matches(_ sql: UnsafeRawBufferPointer, at index: Int, _ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= sql.count else { return false }
        let bytes = word.utf8Start
        for offset in 0..<count where lower(sql[index + offset]) != bytes[offset] { return false }
        return true
    }

    @inline(__always)
    private static func lower(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte + 32 : byte }

    @inline(__always)
    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
}
