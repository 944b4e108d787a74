import SieveAudit
import Testing

/// Every record of the valid sample files parses, with values checked by hand against the files.
@Suite("Percona plugin sample records")
struct SampleRecordTests {
    @Test("all 12 JSON samples parse as complete JSON records")
    func jsonSamples() throws {
        let records = try Fixture.records("percona-plugin-json.txt")
        #expect(records.count == 12)
        for record in records {
            #expect(record.format == .perconaJSON)
            #expect(!record.truncated)
            #expect(record.missingFields.isEmpty)
        }
        #expect(records.map(\.kind) == Array(repeating: .connection, count: 10) + [.audit, .general])
    }

    @Test("a failed Charmed MySQL login keeps status 1156, empty user and the Z timestamp")
    func jsonFailedLogin() throws {
        let record = try #require(try Fixture.records("percona-plugin-json.txt").first)
        #expect(record.string(.name) == "Connect")
        #expect(record.string(.record) == "17_2024-09-03T01:52:14")
        #expect(record.string(.timestamp) == "2024-09-03T01:53:14Z")
        #expect(record.string(.connectionID) == "988")
        #expect(record.string(.status) == "1156")
        #expect(record.string(.user) == "")
        #expect(record.string(.privUser) == "")
        #expect(record.string(.osLogin) == "")
        #expect(record.string(.proxyUser) == "")
        #expect(record.string(.host) == "juju-da2225-8")
        #expect(record.string(.ip) == "10.207.85.214")
        #expect(record.string(.db) == "")
        #expect(record.emittedFields == AuditRecordKind.connection.fields)
    }

    @Test("the 5.7 Audit record's startup_optionsi key reads as startup options, with a UTC timestamp")
    func jsonAuditRecord() throws {
        let record = try Fixture.records("percona-plugin-json.txt")[10]
        #expect(record.kind == .audit)
        #expect(record.string(.name) == "Audit")
        #expect(record.string(.record) == "1_2019-01-22T09:54:38")
        #expect(record.string(.timestamp) == "2019-01-22T09:54:38 UTC")
        #expect(record.string(.mysqlVersion) == "5.7.23-23-57-log")
        let options = try #require(record.string(.startupOptions))
        #expect(options.hasPrefix("--basedir=/usr --datadir=/var/lib/mysql --plugin-dir=/usr/lib/mysql/plugin"))
        #expect(record.string(.osVersion) == "x86_64-debian-linux-gnu")
        #expect(record.order == AuditRecordKind.audit.fields)
    }

    @Test("the JSON Query record has its general fields, status bare and connection_id quoted")
    func jsonQuery() throws {
        let record = try Fixture.records("percona-plugin-json.txt")[11]
        #expect(record.kind == .general)
        #expect(record.string(.commandClass) == "show_databases")
        #expect(record.string(.connectionID) == "2")
        #expect(record.string(.status) == "0")
        #expect(record.string(.sqltext) == "show databases")
        #expect(record.string(.user) == "root[root] @ localhost []")
        #expect(record.string(.osUser) == "")
    }

    @Test("the NEW XML sample parses field by field")
    func newXML() throws {
        let records = try Fixture.records("percona-plugin-new-xml.txt")
        let record = try #require(records.first)
        #expect(records.count == 1)
        #expect(record.format == .perconaNewXML)
        #expect(record.kind == .general)
        let expected: [AuditField: String] = [
            .name: "Query", .record: "24320_2021-06-30T17:44:46", .timestamp: "2021-06-30T17:45:16 UTC",
            .commandClass: "create_db", .connectionID: "2", .status: "0", .sqltext: "CREATE DATABASE sample",
            .user: "root[root] @ localhost []", .host: "localhost", .osUser: "", .ip: "", .db: "",
        ]
        for (field, value) in expected { #expect(record.string(field) == value, "\(field)") }
    }

    @Test("the four OLD XML samples parse: Audit, Quit, two Queries, UTC and Z timestamps")
    func oldXML() throws {
        let records = try Fixture.records("percona-plugin-old-xml.txt")
        #expect(records.map(\.kind) == [.audit, .connection, .general, .general])
        #expect(records.allSatisfy { $0.format == .perconaOldXML && !$0.truncated })
        #expect(records[0].string(.startupOptions) == "--daemonize --pid-file=/var/run/mysqld/mysqld.pid")
        #expect(records[0].string(.osVersion) == "x86_64-debian-linux-gnu")
        #expect(records[1].string(.timestamp) == "2021-06-29T19:34:38Z")
        #expect(records[1].string(.privUser) == "root")
        #expect(records[2].string(.sqltext) == "show variables like 'audit%'")
        #expect(records[3].string(.timestamp) == "2021-06-30T11:57:14 UTC")
        #expect(
            records[3].string(.sqltext) == "select * from information_schema.PLUGINS where PLUGIN_NAME like '%audit%'")
    }

    @Test("the CSV documentation sample parses with STATUS bare")
    func csvDoc() throws {
        let record = try #require(try Fixture.records("percona-plugin-csv.txt").first)
        #expect(record.format == .perconaCSV)
        #expect(record.kind == .general)
        #expect(record.string(.record) == "22567_2021-06-30T16:10:09")
        #expect(record.string(.connectionID) == "2")
        #expect(record.string(.status) == "0")
        #expect(record.string(.sqltext) == "select count(*) from one")
        #expect(record.string(.db) == "")
    }
}
