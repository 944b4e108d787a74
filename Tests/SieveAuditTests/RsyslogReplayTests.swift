import SieveAudit
import Testing

/// Plugin records after glibc syslog(3) and rsyslog with default settings (docs/FORMATS.md §5).
@Suite("Records as rsyslog forwards them")
struct RsyslogReplayTests {
    static func messages() throws -> [[UInt8]] {
        try Fixture.syslogMessages("percona-plugin-syslog-replay-rsyslog-fwd.txt")
    }

    @Test("OLD XML with #012 between attributes parses")
    func oldXML() throws {
        let record = try parse(try Self.messages()[0]).get()
        #expect(record.format == .perconaOldXML)
        #expect(record.kind == .general)
        #expect(!record.truncated)
        #expect(record.string(.sqltext) == "show variables like 'audit%'")
        #expect(record.string(.db) == "")
    }

    @Test("NEW XML with #012 between elements parses")
    func newXML() throws {
        let record = try parse(try Self.messages()[1]).get()
        #expect(record.format == .perconaNewXML)
        #expect(record.string(.sqltext) == "CREATE DATABASE sample")
        #expect(record.string(.timestamp) == "2021-06-30T17:45:16 UTC")
    }

    @Test("JSON arrives untouched and parses")
    func json() throws {
        let record = try parse(try Self.messages()[2]).get()
        #expect(record.format == .perconaJSON)
        #expect(record.string(.status) == "1156")
    }

    @Test("CSV #012 inside SQL becomes LF and #011 becomes TAB")
    func csvEscapes() throws {
        let messages = try Self.messages()
        let procedure = try parse(messages[3]).get()
        #expect(procedure.string(.sqltext) == "CREATE PROCEDURE p1()\nBEGIN\nINSERT INTO t1 (a, b) VALUES (1, 1);\nEND")
        let use = try parse(messages[6]).get()
        #expect(use.string(.sqltext) == "use \t`db1`")
        #expect(use.string(.db) == "db1")
    }

    @Test("the JSON record rsyslog cut at 8096 bytes is truncated in sqltext, earlier fields intact")
    func truncatedJSON() throws {
        let message = try Self.messages()[4]
        let record = try parse(message).get()
        #expect(record.truncated)
        #expect(record.truncatedField == .sqltext)
        #expect(record.kind == .general)
        #expect(record.string(.name) == "Query")
        #expect(record.string(.record) == "9_1970-01-01T00:00:00")
        #expect(record.string(.timestamp) == "2024-01-01T00:00:00Z")
        #expect(record.string(.commandClass) == "insert")
        #expect(record.string(.connectionID) == "5")
        #expect(record.string(.status) == "0")
        let sql = try #require(record.string(.sqltext))
        #expect(sql.hasPrefix("INSERT INTO t VALUES ('xxxx"))
        #expect(!record.has(.user))
        #expect(record.emittedFields == [.name, .record, .timestamp, .commandClass, .connectionID, .status, .sqltext])
    }

    @Test(
        "the audit_log_filter's pretty-printed JSON (#012 between tokens) is a filter record; the control-character probe is no record"
    )
    func filterAndProbe() throws {
        let messages = try Self.messages()
        #expect(messages.count == 8)
        #expect(parse(messages[7]).error?.code == .notAnAuditRecord)
        let filter = try parse(messages[5]).get()
        #expect(
            filter.format == .auditFilterJSON && filter.kind == .general
                && filter.string(.sqltext) == "CREATE TABLE t1 (c1 INT)")
        // Without its audit-filter: prefix too.
        #expect(
            parse(Array(messages[5].drop { $0 != UInt8(ascii: "{") })).record?.string(.sqltext)
                == "CREATE TABLE t1 (c1 INT)")
    }
}
