import SieveAudit
import Testing

/// The 793 CSV records of the plugin's own mtr results (values masked by the test harness).
@Suite("Percona mtr CSV records")
struct MTRSampleTests {
    static let file = "percona-plugin-csv-mtr-masked.txt"

    @Test("all 793 mtr records split and parse without a failure")
    func allRecords() throws {
        let records = try Fixture.records(Self.file)
        #expect(records.count == 793)
        for record in records {
            #expect(record.format == .perconaCSV)
            #expect(!record.truncated)
            #expect(record.kind == AuditRecordKind.of(name: try #require(record.value(.name))))
        }
        let names = Set(records.compactMap { $0.string(.name) })
        #expect(names.isSuperset(of: ["Query", "Connect", "Quit", "Change user", "Init DB", "Ping"]))
    }

    @Test("masked values stay text: <CONN_ID> is not a number")
    func maskedValues() throws {
        let record = try Fixture.records(Self.file)[0]
        #expect(record.string(.record) == "<ID>")
        #expect(record.string(.timestamp) == "<DATETIME>")
        #expect(record.string(.connectionID) == "<CONN_ID>")
        #expect(record.string(.sqltext) == "INSTALL PLUGIN audit_log SONAME 'audit_log.so'")
    }

    @Test("failed logins keep their status: Change user 1044, Connect 1045 with no priv_user")
    func failedLogins() throws {
        let records = try Fixture.records(Self.file)
        let changeUser = try #require(records.first { $0.string(.name) == "Change user" })
        #expect(changeUser.kind == .connection)
        #expect(changeUser.string(.status) == "1044")
        #expect(changeUser.string(.user) == "user2")
        let denied = try #require(records.first { $0.string(.status) == "1045" && $0.string(.user) == "user3" })
        #expect(denied.string(.privUser) == "")
        #expect(denied.string(.host) == "localhost")
        #expect(denied.string(.db) == "")
    }

    @Test("a raw TAB inside SQL is kept")
    func rawTab() throws {
        let records = try Fixture.records(Self.file)
        #expect(records.contains { $0.string(.sqltext) == "use \t`db1`" })
    }

    @Test("a multi-line CREATE PROCEDURE keeps its raw LFs")
    func rawLF() throws {
        let records = try Fixture.records(Self.file)
        let procedure = try #require(records.first { $0.string(.commandClass) == "create_procedure" })
        #expect(procedure.string(.sqltext) == "CREATE PROCEDURE p1()\nBEGIN\nINSERT INTO t1 (a, b) VALUES (1, 1);\nEND")
        #expect(procedure.string(.db) == "db1")
    }

    @Test("doubled quotes read as one, in SQL and in DB")
    func doubledQuotes() throws {
        let records = try Fixture.records(Self.file)
        #expect(records.contains { $0.string(.sqltext) == "SET GLOBAL audit_log_include_databases= 'db1,```db3\"`'" })
        #expect(
            records.contains {
                $0.string(.sqltext)
                    == "CREATE TABLE `some_very_long,database_na'me``some_very_long_database_n\"ame____q`.t (a INT)"
            })
        let use = try #require(records.first { $0.string(.sqltext) == "USE ```db3\"`" })
        #expect(use.string(.db) == "``db3\"")
    }

    @Test("Thai, CJK-extension 4-byte UTF-8 and the unconvertible cp1256 text survive")
    func unicode() throws {
        let records = try Fixture.records(Self.file)
        let thai = try #require(records.first { $0.string(.sqltext) == "CREATE DATABASE `ฐานข้อมูล`" })
        #expect(thai.string(.db) == "test")
        #expect(records.contains { $0.string(.db) == "ฐานข้อมูล" })
        let fourByte = try #require(records.first { $0.string(.sqltext) == "INSERT IGNORE INTO t VALUES ('𦉘𦟌𦧲')" })
        #expect(fourByte.value(.sqltext)?.contains(0xF0) == true)
        #expect(records.contains { $0.string(.sqltext) == "use 𦉘𦟌𦧲" && $0.string(.db) == "???" })
        let cp1256 = try #require(records.first { $0.string(.status) == "1064" })
        #expect(cp1256.string(.commandClass) == "error")
        #expect(cp1256.string(.sqltext)?.hasPrefix(#"CREATE t \217\355ف?"#) == true)
    }

    @Test("the 20 KB REPEAT insert parses in one piece")
    func longRecord() throws {
        let records = try Fixture.records(Self.file)
        let long = try #require(records.max { ($0.value(.sqltext)?.count ?? 0) < ($1.value(.sqltext)?.count ?? 0) })
        let sql = try #require(long.string(.sqltext))
        #expect(long.storage.count > 12_000)
        #expect(sql.hasPrefix("INSERT INTO t VALUES ('กงเกวียนกำเกวียน   กงเกวียนกำเกวียน"))
        #expect(sql.hasSuffix("')"))
        #expect(long.string(.db) == "ฐานข้อมูล")
    }
}
