import Foundation
import Testing

extension ShippedRsyslog {
    static let shippedStateDirectory = #"statefile.directory="/var/spool/rsyslog""#

    /// A shipped `rsyslog/tail-*.conf` reading `path` instead of the server's default file, keeping
    /// imfile's state files in the test's rsyslog work directory, forwarding to 127.0.0.1:port.
    static func tail(_ file: String, shippedPath: String, path: String, in directory: TemporaryDirectory, to port: Int)
        -> DropIn
    {
        DropIn(
            file: file,
            replacing: [
                (#"File="\#(shippedPath)""#, #"File="\#(path)""#),
                (shippedStateDirectory, #"statefile.directory="\#(directory.path("rsyslog-work"))""#),
                (shippedTarget, #"target="127.0.0.1" port="\#(port)""#),
            ])
    }
}

/// Audit files as the servers write their FILE output, made from the samples in
/// Fixtures/audit-files (see its README.md), and what `auditsieve parse` reads from them.
enum AuditFiles {
    static func fixture(_ name: String) throws -> String {
        try String(contentsOf: Paths.fixtures.appendingPathComponent("audit-files/\(name)"), encoding: .utf8)
    }

    /// The parts of a sample between its `#### ` provenance lines (the whole text when it has none).
    static func blocks(_ name: String) throws -> [String] {
        var blocks: [String] = []
        var current: String?
        for line in try fixture(name).split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line.hasPrefix("#### ") {
                if let current { blocks.append(current) }
                current = ""
            } else {
                current = (current ?? "") + line + "\n"
            }
        }
        if let current { blocks.append(current) }
        return blocks
    }

    /// The pretty JSON records of a filter JSON file: each from its line `  {` to its line `  }`
    /// (the `,` after it is the file's separator, not the record's).
    static func prettyRecords(in file: String) -> [String] {
        var records: [String] = []
        var current: [Substring]?
        for line in file.split(separator: "\n") {
            if line == "  {" {
                current = [line]
            } else if current != nil, line == "  }" || line == "  }," {
                records.append((current! + ["  }"]).joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return records
    }

    /// Appends `text` to the file at `path` (created when missing) in one write, as a server does.
    static func append(_ text: String, to path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    /// What `auditsieve parse FILE` reads from a file: one event per record, in file order.
    static func parse(_ path: String, in directory: TemporaryDirectory, name: String) async throws -> [Event] {
        let result = try await runToCompletion(try Paths.auditsieve(), ["parse", path], in: directory, name: name)
        guard result.status == 0 else {
            throw TestFailure("auditsieve parse \(path): status \(result.status)\n\(result.stderr)")
        }
        return try EventFile(path: directory.path("\(name).stdout")).events()
    }

    /// Keys that `serve` and the transport add to an event (the record's own fields, `format` and
    /// `truncated` stay).
    static let addedKeys = envelopeKeys.subtracting(["format", "truncated"])

    static func recordFields(_ event: Event) -> [String: Any] { event.filter { !addedKeys.contains($0.key) } }

    static func json(_ object: [String: Any]) -> String {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).map {
            String(decoding: $0, as: UTF8.self)
        } ?? "\(object)"
    }

    /// Expects the forwarded events to be the records `auditsieve parse` reads from the files,
    /// one to one, in order, field for field.
    static func expectSameRecords(
        _ events: [Event], _ expected: [Event], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(
            events.count == expected.count, "\(events.count) events for \(expected.count) records",
            sourceLocation: sourceLocation)
        for (index, (event, record)) in zip(events, expected).enumerated() {
            let received = recordFields(event)
            let read = recordFields(record)
            #expect(
                json(received) == json(read),
                "record \(index + 1): forwarded \(json(received))\nin the file \(json(read))",
                sourceLocation: sourceLocation)
        }
    }
}

extension EndToEnd {
    @Suite("the shipped rsyslog/tail-audit-filter-file.conf and tail-mariadb-file.conf (imfile)")
    struct ShippedRsyslogFileTailing {
        /// One event per record, table records included (`table_records: separate`), so that each
        /// line or record of a file can be matched with one event.
        static func serverYAML(output: String) throws -> String {
            let yaml = AuditsieveServer.fileSinkYAML(output: output)
            let defaultCluster = "default_cluster:\n  sinks: [events]"
            guard yaml.contains(defaultCluster) else { throw TestFailure("fileSinkYAML has no \(defaultCluster)") }
            return yaml.replacingOccurrences(
                of: defaultCluster, with: "default_cluster:\n  table_records: separate\n  sinks: [events]")
        }

        @Test(
            "audit log filter files: pretty JSON, JSONL, NEW and OLD XML, each record one event in order, framing lines none, across rotations and a restart; beside forward-to-auditsieve.conf"
        )
        func auditFilterFiles() async throws {
            let directory = try TemporaryDirectory("tail-filter-file")
            defer { directory.remove() }
            let output = EventFile(path: directory.path("events.jsonl"))
            let server = try await AuditsieveServer.start(yaml: try Self.serverYAML(output: output.path), in: directory)
            defer { server.stop() }

            // The documented JSON file, byte for byte, is what the writer below produces.
            let jsonFile = try AuditFiles.blocks("percona-filter-json.txt")[0]
            let pretty = AuditFiles.prettyRecords(in: jsonFile)
            try #require(pretty.count == 7 && "[\n" + pretty.joined(separator: ",\n") + "\n]\n" == jsonFile)
            // MySQL Enterprise's lines (one record each, "," after all but the last), written as a JSONL file.
            let jsonl = try AuditFiles.fixture("mysql-enterprise-json.txt").split(separator: "\n")
                .map { $0.hasSuffix(",") ? String($0.dropLast()) : String($0) }
            try #require(jsonl.count == 31 && jsonl.allSatisfy { $0.hasPrefix("{ ") && $0.hasSuffix("}") })
            let newXML = try AuditFiles.blocks("percona-filter-new-xml.txt")
            let oldXML = try AuditFiles.blocks("percona-filter-old-xml.txt")
            try #require(
                newXML.count == 2 && oldXML.count == 1 && (newXML + oldXML).allSatisfy { $0.hasSuffix("\n</AUDIT>\n") })
            let expectedCount = 7 + 31 + 6 + 1 + 7
            // [ and ] of two JSON files; <?xml …?>, <AUDIT>, </AUDIT> of three XML files.
            let expectedFraming = 2 * 2 + 3 * 3

            let log = directory.path("audit_filter.log")
            var rotated: [String] = []
            func rotate() throws {
                // As the server rotates: the footer is written, the file renamed, a new one started.
                let name = directory.path("audit_filter.20261205T10000\(rotated.count).log")
                try FileManager.default.moveItem(atPath: log, toPath: name)
                rotated.append(name)
            }
            func fileEvents() throws -> [Event] {
                try output.events().filter { $0.syslog["app_name"] as? String == "audit-filter-file" }
            }
            func waitForFileEvents(_ count: Int, _ what: String) async throws {
                _ = try await eventually(
                    "\(count) events from the file (\(what))",
                    diagnostics: {
                        "\((try? fileEvents().count) ?? -1) so far\n" + server.stderrTail()
                    }
                ) { try fileEvents().count >= count ? true : nil }
            }

            // The pretty JSON file: its header and 3 records before rsyslog starts. The server writes
            // a record without a line end (the next one's ",\n" ends it), so the third waits.
            try AuditFiles.append("[\n" + pretty[0..<3].joined(separator: ",\n"), to: log)
            let dropIns = [
                ShippedRsyslog.forward(to: server.tcpPort),
                ShippedRsyslog.tail(
                    "tail-audit-filter-file.conf", shippedPath: "/var/lib/mysql/audit_filter.log", path: log,
                    in: directory,
                    to: server.tcpPort),
            ]
            var rsyslog = try await ShippedRsyslog.start(dropIns, in: directory)
            defer { rsyslog.stop() }
            // A plugin record over syslog at the same time: forward-to-auditsieve.conf carries it, once.
            let syslogRecord = "77_2026-12-05T10:00:00"
            try rsyslog.sendAsPlugin(
                PluginRecords.jsonQuery(record: syslogRecord, sql: "SELECT * FROM billing.invoices"))
            try await waitForFileEvents(2, "the pretty records already in the file")

            // A restart while a record is half written: imfile's state file keeps the offset and the
            // part read, and the record arrives whole, once.
            let half = pretty[3].split(separator: "\n", omittingEmptySubsequences: false)
            try AuditFiles.append(",\n" + half[..<4].joined(separator: "\n") + "\n", to: log)
            try await waitForFileEvents(3, "the record ended by the half-written one's separator")
            rsyslog.stop()
            rsyslog = try await ShippedRsyslog.start(dropIns, in: directory)
            try AuditFiles.append(half[4...].joined(separator: "\n"), to: log)

            // Tailing: records appended while rsyslog runs; then the rotation.
            for record in pretty[4...] { try AuditFiles.append(",\n" + record, to: log) }
            try await waitForFileEvents(6, "the appended pretty records")
            try AuditFiles.append("\n]\n", to: log)
            try rotate()

            // A JSONL file (MySQL Enterprise's records): "[", records joined by ",\n", "]".
            try AuditFiles.append("[\n" + jsonl.joined(separator: ",\n"), to: log)
            try await waitForFileEvents(7 + 30, "the JSONL records")
            try AuditFiles.append("\n]\n", to: log)
            try rotate()

            // NEW XML (the documented file, then the real component record), OLD XML: each record ends
            // with its line end and goes at once; the footer comes at rotation.
            var sent = 7 + 31
            for (index, file) in [newXML[0], newXML[1], oldXML[0]].enumerated() {
                let records =
                    file.components(separatedBy: "</AUDIT_RECORD>").count - 1
                    + file.components(separatedBy: "\"/>").count - 1
                try AuditFiles.append(String(file.dropLast("</AUDIT>\n".count)), to: log)
                sent += records
                try await waitForFileEvents(sent, "the XML records of file \(index + 1)")
                try AuditFiles.append("</AUDIT>\n", to: log)
                if index < 2 { try rotate() }
            }
            #expect(sent == expectedCount)

            _ = try await eventually(
                "\(expectedFraming) framing messages counted", diagnostics: { server.stderrTail() }
            ) {
                try MetricsScrape(httpPort: server.httpPort).value("auditsieve_framing_messages_total")
                    >= Double(expectedFraming) ? true : nil
            }
            let events = try output.events()
            let metrics = try MetricsScrape(httpPort: server.httpPort)
            #expect(
                metrics.value("auditsieve_framing_messages_total") == Double(expectedFraming),
                "framing lines are counted, each once")
            #expect(metrics.value("auditsieve_records_total", ["format": "unknown"]) == 0)
            #expect(
                !events.contains { $0.string("format") == "unknown" || $0["error"] != nil },
                "no unknown events, no errors")

            // Every record of every file arrived once, in order, as `auditsieve parse` reads the file.
            var expected: [Event] = []
            for (index, file) in (rotated + [log]).enumerated() {
                expected += try await AuditFiles.parse(file, in: directory, name: "parse-\(index)")
            }
            let fromFiles = try fileEvents()
            AuditFiles.expectSameRecords(fromFiles, expected)
            #expect(
                Dictionary(grouping: fromFiles, by: { $0.string("format") ?? "" }).mapValues(\.count)
                    == ["audit-filter-json": 38, "audit-filter-new-xml": 7, "audit-filter-old-xml": 7])
            for event in fromFiles {
                #expect(event.bool("truncated") == false)
                #expect(event.syslog["facility"] as? Int == 1 && event.syslog["severity"] as? Int == 6, "user.info")
                #expect(!(event.syslog["hostname"] as? String ?? "").isEmpty)
            }
            // A few fields, from the samples themselves.
            let create = try #require(fromFiles.first { $0.int("id") == 2 && $0.string("event") == "log" })
            #expect(create.string("sqltext") == "CREATE TABLE t1 (c1 INT)" && create.int("connection_id") == 11)
            #expect(
                create.string("command_class") == "create_table" && create.string("user") == "root[root] @ localhost []"
            )
            let insert = try #require(
                fromFiles.first { $0.string("class") == "table_access" && $0.string("event") == "insert" })
            #expect(insert.string("db") == "audit_test" && insert.string("table") == "audit_test_table")
            #expect(
                insert.string("sqltext") == "INSERT INTO audit_test_table values ('John', 'Smith')"
                    && insert.int("connection_id") == 16)
            #expect(
                fromFiles.filter { $0.string("class") == "audit" }.map { $0.string("event") } == [
                    nil, "startup", "shutdown",
                ])
            let newQuery = try #require(fromFiles.first { $0.string("record_id") == "2_2023-03-29T11:11:45" })
            #expect(
                newQuery.string("format") == "audit-filter-new-xml"
                    && newQuery.string("sqltext") == "CREATE TABLE t1 (c1 INT)")
            let message = try #require(fromFiles.first { $0.string("name") == "Message" })
            #expect(message.string("message") == "test_audit_api_message_internal" && message.string("os_login") == "")
            let oldQuery = try #require(fromFiles.first { $0.string("record_id") == "2_2023-03-29T11:15:53" })
            #expect(oldQuery.string("format") == "audit-filter-old-xml" && oldQuery.int("connection_id") == 11)

            // The syslog path beside it: its record once, nothing of the file on it.
            let others = events.filter { $0.syslog["app_name"] as? String != "audit-filter-file" }
            #expect(
                others.count == 1 && others.first?.string("record") == syslogRecord
                    && others.first?.syslog["app_name"] as? String == "percona-audit")
        }

        @Test(
            "MariaDB server_audit file: every line one event in order, at once, across a rotation; raw control bytes kept"
        )
        func mariadbFile() async throws {
            let directory = try TemporaryDirectory("tail-mariadb-file")
            defer { directory.remove() }
            let output = EventFile(path: directory.path("events.jsonl"))
            let server = try await AuditsieveServer.start(yaml: try Self.serverYAML(output: output.path), in: directory)
            defer { server.stop() }

            let lines = try AuditFiles.fixture("mariadb-server-audit-file.txt").split(separator: "\n").map {
                String($0) + "\n"
            }
            try #require(lines.count == 118)
            // server_audit does not escape control bytes other than \b \t \n \f \r (docs/FORMATS.md §4.3).
            let controlSQL = "SELECT 'a\u{01}b\u{1B}c' FROM shop.orders"
            let controlLine =
                #"20261205 10:00:00,vm,root,localhost,9,5,QUERY,shop,'SELECT \'a"# + "\u{01}b\u{1B}c"
                + #"\' FROM shop.orders',0"# + "\n"

            let log = directory.path("server_audit.log")
            func waitForEvents(_ count: Int, _ what: String) async throws {
                _ = try await eventually(
                    "\(count) events (\(what))",
                    diagnostics: { "\(output.lines().count) so far\n" + server.stderrTail() }
                ) {
                    output.lines().count >= count ? true : nil
                }
            }
            // The first 94 lines end with a CONNECT: no table line waits for its statement.
            try AuditFiles.append(lines[0..<94].joined(), to: log)
            let rsyslog = try await ShippedRsyslog.start(
                [
                    ShippedRsyslog.tail(
                        "tail-mariadb-file.conf", shippedPath: "/var/lib/mysql/server_audit.log", path: log,
                        in: directory,
                        to: server.tcpPort)
                ], in: directory)
            defer { rsyslog.stop() }
            // All 94, the last line too: a complete line goes at once (no next line awaited).
            try await waitForEvents(94, "the lines already in the file")

            // Lines appended, then the plugin's rotation at once (server_audit.log -> .1, a new file).
            // The table lines of query 39 are split by it: 107-110 in the old file, its QUERY in the new.
            try AuditFiles.append(lines[94..<110].joined(), to: log)
            let rotated = directory.path("server_audit.log.1")
            try FileManager.default.moveItem(atPath: log, toPath: rotated)
            try AuditFiles.append(lines[110...].joined() + controlLine, to: log)
            try await waitForEvents(119, "the lines before and after the rotation")

            let events = try output.events()
            #expect(
                !events.contains { $0.string("format") != "mariadb-audit" || $0["error"] != nil },
                "no unknown events, no errors")
            #expect(
                try MetricsScrape(httpPort: server.httpPort).value("auditsieve_records_total", ["format": "unknown"])
                    == 0)
            let expected =
                try await AuditFiles.parse(rotated, in: directory, name: "parse-rotated")
                + AuditFiles.parse(log, in: directory, name: "parse-current")
            AuditFiles.expectSameRecords(events, expected)
            for event in events {
                #expect(
                    event.syslog["app_name"] as? String == "mysql-server_auditing" && event.bool("truncated") == false)
            }
            // Each line's header fields, from the file's own text, in order.
            for (event, line) in zip(events, lines + [controlLine]) {
                let field = line.split(separator: ",", maxSplits: 7, omittingEmptySubsequences: false)
                #expect(event.string("timestamp") == String(field[0]) && event.int("connection_id") == Int(field[4]))
                #expect(
                    event.int("query_id") == Int(field[5]) && event.string("operation") == String(field[6]), "\(line)")
            }
            #expect(events[13].string("sqltext") == "INSERT INTO orders VALUES (3, 'multi\nline\tvalue with tab', 1)")
            #expect(events[17].string("sqltext") == "INSERT INTO orders VALUES (5, 'unicode: héllo ünïcödé 日本語 😀', 5)")
            #expect(
                events[3].string("table") == "orders" && events[3].string("db") == "shop"
                    && events[3].string("operation") == "CREATE")
            #expect(events.last?.string("sqltext") == controlSQL)
        }
    }
}
