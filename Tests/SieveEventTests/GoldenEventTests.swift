import Foundation
import NIOCore
import SieveAudit
import SieveEvent
import Testing

/// `auditsieve parse FIXTURE --received-at 1795000000 --peer -` matches `Fixtures/golden/*.jsonl`.
///
/// The golden files were made by running the binary and then checked by hand, record by record,
/// against the samples and docs/FORMATS.md §2.1–§2.6. Where the binary was wrong the golden file holds the
/// right line, and the line is listed in `knownIssues` until the code is fixed.
@Suite("Golden event files")
struct GoldenEventTests {
    static let fixtures = [
        "percona-plugin-json", "percona-plugin-new-xml", "percona-plugin-old-xml", "percona-plugin-csv",
        "percona-plugin-csv-mtr-masked", "percona-plugin-doc-malformed", "percona-plugin-syslog-replay-rsyslog-fwd",
        "mariadb-server-audit-file", "mariadb-server-audit-syslog-devlog",
        "mariadb-server-audit-rsyslog-fwd-rfc3164-tcp",
        "mariadb-server-audit-rsyslog-fwd-rfc5424-octet-counted", "percona-filter-json", "mysql-enterprise-json",
        "percona-filter-new-xml",
        "percona-filter-old-xml",
    ]

    /// Golden lines (1-based) the code does not produce yet, and why. None today.
    static let knownIssues: [String: [Int: String]] = [:]

    static let receivedAt = EventTime(seconds: 1_795_000_000, microseconds: 0)

    /// What `ParseCommand.run()` does, in process: split, build each event, encode.
    static func parseCommandOutput(_ input: [UInt8], peer: String = "-") -> [UInt8] {
        let parser = AuditParser()
        var encoder = EventJSONEncoder()
        var out: [UInt8] = []
        for message in MessageSplitter.split(input) {
            if message.dropped { continue }
            let event = AuditEvent(input: message, peer: peer, receivedAt: receivedAt, parser: parser)
            if case .failure(let error) = event.record, error.code == .framing { continue }
            encoder.encode(event, into: &out)
        }
        return out
    }

    static func lines(_ bytes: [UInt8]) -> [[UInt8]] {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) }
        if lines.last == [] { lines.removeLast() }
        return lines
    }

    @Test("auditsieve parse output matches the golden file", arguments: fixtures)
    func matchesGolden(_ name: String) throws {
        let input = try Fixture.bytes(name + ".txt")
        let golden = try Fixture.bytes(name + ".jsonl", subdirectory: "Fixtures/golden")
        #expect(golden.last == 0x0A, "the golden file ends with LF")
        let actual = Self.lines(Self.parseCommandOutput(input))
        let expected = Self.lines(golden)
        #expect(actual.count == expected.count, "\(name): \(actual.count) events, golden has \(expected.count)")

        let known = Self.knownIssues[name] ?? [:]
        var firstMismatch: Int?
        var mismatches = 0
        for (index, (got, want)) in zip(actual, expected).enumerated() {
            let line = index + 1
            if let reason = known[line] {
                let matches = got == want
                withKnownIssue(Comment(rawValue: reason)) {
                    #expect(matches, "\(name) line \(line)\n   got: \(got.text)\nwanted: \(want.text)")
                }
                continue
            }
            if got != want {
                mismatches += 1
                if firstMismatch == nil { firstMismatch = line }
            }
        }
        if let line = firstMismatch {
            Issue.record(
                """
                \(name): \(mismatches) line(s) differ from the golden file; first at line \(line)
                   got: \(actual[line - 1].text)
                wanted: \(expected[line - 1].text)
                """)
        }
    }

    @Test("every golden line has the documented keys, order and types", arguments: fixtures)
    func goldenLinesHaveTheDocumentedShape(_ name: String) throws {
        let golden = try Fixture.bytes(name + ".jsonl", subdirectory: "Fixtures/golden")
        for (index, line) in Self.lines(golden).enumerated() {
            let problems = eventShapeProblems(line + [0x0A])
            #expect(problems.isEmpty, "\(name) line \(index + 1): \(problems)")
        }
    }

    @Test("each golden file has one event per message, with the expected formats")
    func goldenCounts() throws {
        func formats(_ name: String) throws -> [String: Int] {
            let golden = try Fixture.bytes(name + ".jsonl", subdirectory: "Fixtures/golden")
            var counts: [String: Int] = [:]
            for line in Self.lines(golden) {
                counts[try OrderedJSON.parse(line)["format"]?.string ?? "?", default: 0] += 1
            }
            return counts
        }
        #expect(try formats("percona-plugin-json") == ["percona-json": 12])
        #expect(try formats("percona-plugin-new-xml") == ["percona-new-xml": 1])
        #expect(try formats("percona-plugin-old-xml") == ["percona-old-xml": 4])
        #expect(try formats("percona-plugin-csv") == ["percona-csv": 1])
        #expect(try formats("percona-plugin-csv-mtr-masked") == ["percona-csv": 793])
        #expect(try formats("percona-plugin-doc-malformed") == ["unknown": 10])
        #expect(
            try formats("percona-plugin-syslog-replay-rsyslog-fwd")
                == [
                    "percona-old-xml": 1, "percona-new-xml": 1, "percona-json": 2, "percona-csv": 2,
                    "audit-filter-json": 1, "unknown": 1,
                ])
        // The docs' file with its [ ] framing: 7 records; then audit_log_read()'s masked line (not JSON) and its null.
        #expect(try formats("percona-filter-json") == ["audit-filter-json": 7, "unknown": 2])
        #expect(try formats("mysql-enterprise-json") == ["audit-filter-json": 31])
        // Two documents' records; their <?xml?>, <AUDIT> and </AUDIT> lines are framing, no events.
        #expect(try formats("percona-filter-new-xml") == ["audit-filter-new-xml": 7])
        #expect(try formats("percona-filter-old-xml") == ["audit-filter-old-xml": 7])
        #expect(try formats("mariadb-server-audit-file") == ["mariadb-audit": 118])
        #expect(try formats("mariadb-server-audit-syslog-devlog") == ["mariadb-audit": 118])
        // Plus rsyslog's own start message, which is not an audit record.
        #expect(try formats("mariadb-server-audit-rsyslog-fwd-rfc3164-tcp") == ["mariadb-audit": 118, "unknown": 1])
        #expect(
            try formats("mariadb-server-audit-rsyslog-fwd-rfc5424-octet-counted") == [
                "mariadb-audit": 118, "unknown": 1,
            ])
    }

    /// A golden MariaDB event without the parts that depend on the transport.
    static func mariadbFields(_ name: String) throws -> [OrderedJSON] {
        try Self.lines(try Fixture.bytes(name + ".jsonl", subdirectory: "Fixtures/golden")).compactMap { line in
            let event = try OrderedJSON.parse(line)
            guard event["format"] == .string("mariadb-audit"), case .object(let pairs) = event else { return nil }
            return .object(pairs.filter { !["timestamp", "syslog", "peer", "received_at"].contains($0.0) })
        }
    }

    @Test(
        "audit log filter / Enterprise: account and login flattened, *_data members named, other members kept as JSON")
    func filterValues() throws {
        let startup = try Self.goldenEvent("mysql-enterprise-json", line: 1)
        #expect(
            startup["class"] == .string("audit") && startup["event"] == .string("startup")
                && startup["id"] == .number("0"))
        #expect(startup["user"] == .string("skip-grants user") && startup["login_user"] == .string(""))
        #expect(
            startup["startup_data"]?.description.hasPrefix("{server_id: 1,") == true,
            "startup_data is kept as an object")
        let connect = try Self.goldenEvent("mysql-enterprise-json", line: 2)
        #expect(connect["connection_type"] == .string("socket") && connect["status"] == .number("0"))
        #expect(
            connect["connection_attributes"]?.description.hasPrefix("{") == true, "connection_attributes is an object")
        let table = try Self.goldenEvent("mysql-enterprise-json", line: 25)
        #expect(
            table["class"] == .string("table_access") && table["db"] == .string("audit_test")
                && table["table"] == .string("audit_test_table"))
        let general = try Self.goldenEvent("percona-filter-json", line: 3)
        #expect(
            general["command_class"] == .string("create_table")
                && general["sqltext"] == .string("CREATE TABLE t1 (c1 INT)"))
        #expect(general["command"] == .string("Query"))
        let plugin80 = try Self.goldenEvent("percona-filter-json", line: 1)
        #expect(plugin80["server_id"] == .number("1") && plugin80["event"] == nil)
    }

    @Test("MariaDB: the file output and the syslog output of one workload are the same events, field for field")
    func mariadbFileEqualsSyslog() throws {
        let file = try Self.mariadbFields("mariadb-server-audit-file")
        #expect(file.count == 118)
        #expect(try Self.mariadbFields("mariadb-server-audit-syslog-devlog") == file)
        // rsyslog's traditional and RFC 5424 forwards of another run (query_log_limit raised) agree too.
        let traditional = try Self.mariadbFields("mariadb-server-audit-rsyslog-fwd-rfc3164-tcp")
        #expect(try Self.mariadbFields("mariadb-server-audit-rsyslog-fwd-rfc5424-octet-counted") == traditional)
        #expect(
            zip(traditional, file).filter { $0 != $1 }.count == 2,
            "only the two queries over the 1024-byte log limit differ")
    }

    @Test(
        "MariaDB: query escapes undone once, numbers as numbers, TABLE lines and RENAME split, the file timestamp kept")
    func mariadbValues() throws {
        let quoted = try Self.goldenEvent("mariadb-server-audit-file", line: 12)
        #expect(
            quoted["sqltext"]
                == .string(#"INSERT INTO orders VALUES (1, 'it''s quoted', 10.5), (2, "double \"quoted\"", 3)"#))
        #expect(quoted["timestamp"] == .string("20261122 01:29:03"))
        #expect(
            quoted["connection_id"] == .number("3") && quoted["query_id"] == .number("6")
                && quoted["status"] == .number("0"))
        let controls = try Self.goldenEvent("mariadb-server-audit-file", line: 14)
        #expect(controls["sqltext"] == .string("INSERT INTO orders VALUES (3, 'multi\nline\tvalue with tab', 1)"))
        let backslashes = try Self.goldenEvent("mariadb-server-audit-file", line: 16)
        #expect(backslashes["sqltext"] == .string(#"INSERT INTO orders VALUES (4, 'backslash \\ and \\n literal', 2)"#))
        let odd = try Self.goldenEvent("mariadb-server-audit-file", line: 6)
        #expect(
            odd["operation"] == .string("CREATE") && odd["db"] == .string("shop")
                && odd["table"] == .string("odd table"))
        let rename = try Self.goldenEvent("mariadb-server-audit-file", line: 34)
        #expect(rename["operation"] == .string("RENAME"))
        #expect(
            rename["table"] == .string("orders") && rename["new_db"] == .string("shop")
                && rename["new_table"] == .string("orders_old"))
        let failed = try Self.mariadbFields("mariadb-server-audit-file").first {
            $0["operation"] == .string("FAILED_CONNECT")
        }
        #expect(failed?["status"] == .number("1045") && failed?["user"] == .string("app"))
        let syslog = try Self.goldenEvent("mariadb-server-audit-syslog-devlog", line: 1)
        #expect(syslog["timestamp"] == nil, "the syslog form carries no timestamp of its own")
        #expect(syslog["serverhost"] == .string("vm"))
    }

    @Test("the corrected unclosed-record errors are what AuditParser.parse(_:in:) reports for those chunks")
    func unclosedErrorsComeFromTheChunkParser() throws {
        let input = try Fixture.bytes("percona-plugin-doc-malformed.txt")
        let golden = Self.lines(
            try Fixture.bytes("percona-plugin-doc-malformed.jsonl", subdirectory: "Fixtures/golden"))
        let parser = AuditParser()
        let errors: [String] = input.withUnsafeBytes { bytes in
            var errors: [String] = []
            var offset = 0
            while let chunk = AuditRecordSplitter.nextChunk(in: bytes, from: offset) {
                if chunk.unclosed, case .failure(let error) = parser.parse(chunk, in: bytes) {
                    errors.append(error.description)
                }
                offset = chunk.next
            }
            return errors
        }
        #expect(
            errors == [
                "percona-new-xml: record is not closed before the next record or comment at byte 385",
                "percona-json: record is not closed at the end of its line at byte 103",
            ])
        #expect(try OrderedJSON.parse(golden[3])["error"]?.string == errors.first)
        #expect(try OrderedJSON.parse(golden[5])["error"]?.string == errors.last)
    }

    // Spot checks of values the golden files must carry (docs/FORMATS.md §2.1–§2.6, EVENT.md).

    static func goldenEvent(_ name: String, line: Int) throws -> OrderedJSON {
        let golden = Self.lines(try Fixture.bytes(name + ".jsonl", subdirectory: "Fixtures/golden"))
        return try OrderedJSON.parse(golden[line - 1])
    }

    @Test("startup_optionsi is emitted as startup_options and a ' UTC' timestamp is kept as text")
    func startupOptions() throws {
        let audit = try Self.goldenEvent("percona-plugin-json", line: 11)
        #expect(audit["timestamp"] == .string("2019-01-22T09:54:38 UTC"))
        #expect(audit["startup_options"]?.string?.hasPrefix("--basedir=/usr ") == true)
        #expect(!audit.keys.contains("startup_optionsi"))
    }

    @Test("connection_id and status are numbers; a masked <CONN_ID> is text with a warning")
    func numbers() throws {
        let json = try Self.goldenEvent("percona-plugin-json", line: 1)
        #expect(json["connection_id"] == .number("988"))
        #expect(json["status"] == .number("1156"))
        let masked = try Self.goldenEvent("percona-plugin-csv-mtr-masked", line: 8)
        #expect(masked["connection_id"] == .string("<CONN_ID>"))
        #expect(masked["status"] == .number("1044"))
        #expect(masked["warnings"] == .array([.string("connection_id is not a number; kept as text")]))
    }

    @Test("multi-line CSV SQL keeps its LFs; rsyslog's #012 and #011 are undone in CSV")
    func csvControlCharacters() throws {
        let bare = try Self.goldenEvent("percona-plugin-csv-mtr-masked", line: 115)
        #expect(bare["sqltext"] == .string("CREATE PROCEDURE p1()\nBEGIN\nINSERT INTO t1 (a, b) VALUES (1, 1);\nEND"))
        let forwarded = try Self.goldenEvent("percona-plugin-syslog-replay-rsyslog-fwd", line: 4)
        #expect(forwarded["sqltext"] == bare["sqltext"])
        let tab = try Self.goldenEvent("percona-plugin-syslog-replay-rsyslog-fwd", line: 7)
        #expect(tab["sqltext"] == .string("use \t`db1`"))
    }

    @Test("the rsyslog-cut JSON record is truncated in sqltext, with the fields after the cut absent")
    func truncatedRecord() throws {
        let cut = try Self.goldenEvent("percona-plugin-syslog-replay-rsyslog-fwd", line: 5)
        #expect(cut["truncated"] == .bool(true))
        #expect(cut["truncated_field"] == .string("sqltext"))
        #expect(cut["user"] == nil)
        #expect(cut["sqltext"]?.string?.utf8.count == 7891)
        #expect(
            cut["syslog"]
                == .object([
                    ("facility", .number("1")), ("severity", .number("6")), ("timestamp", .string("Nov 22 01:30:19")),
                    ("hostname", .string("vm")), ("app_name", .string("percona-audit")),
                ]))
    }

    @Test("4-byte UTF-8 and CSV quote doubling come out unescaped")
    func unicodeAndQuotes() throws {
        let cjk = try Self.goldenEvent("percona-plugin-csv-mtr-masked", line: 45)
        #expect(cjk["sqltext"] == .string("INSERT IGNORE INTO t VALUES ('𦉘𦟌𦧲')"))
        #expect(cjk["db"] == .string("ฐานข้อมูล"))
        let quotes = try Self.goldenEvent("percona-plugin-csv-mtr-masked", line: 178)
        #expect(quotes["sqltext"] == .string("CREATE TABLE ```db3\"`.t (a INT)"))
    }
}
