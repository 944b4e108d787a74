import Foundation
import Testing

/// Debian's MariaDB with server_audit, driven by `scripts/mariadb-live-capture`: its syslog(3)
/// output goes through a private rsyslogd running the shipped forward config to auditsieve, and
/// the same workload on a fresh copy of the server writes the file output, the server's own word.
enum LiveMariaDB {
    static var available: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/mariadbd")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare")
            && ["/usr/lib/mysql/plugin/server_audit.so", "/usr/lib/x86_64-linux-gnu/mariadb19/plugin/server_audit.so"]
                .contains { FileManager.default.fileExists(atPath: $0) }
    }

    /// What a line says, without what the transport adds (`timestamp` is the file form's own).
    static let transportKeys: Set<String> = [
        "timestamp", "syslog", "peer", "received_at", "tables", "tables_status", "tables_source", "table_records",
        "routines", "matched_tables",
        "cluster", "decision", "decision_reason",
    ]

    static func recordFields(_ event: Event) -> NSDictionary {
        NSDictionary(dictionary: event.filter { !transportKeys.contains($0.key) })
    }

    /// `ignore_server_tables`' default: MariaDB's own bookkeeping.
    static let ignoredByDefault: Set<String> = [
        "mysql.table_stats", "mysql.column_stats", "mysql.index_stats", "mysql.proc", "mysql.event",
        "mysql.global_priv",
        "mysql.db", "mysql.tables_priv", "mysql.columns_priv", "mysql.procs_priv", "mysql.proxies_priv",
        "mysql.roles_mapping",
    ]

    static let tableOperations: Set<String> = ["READ", "WRITE", "CREATE", "DROP", "ALTER", "RENAME"]

    static func isTableLine(_ event: Event) -> Bool { tableOperations.contains(event.string("operation") ?? "") }

    /// What identifies a table line within its statement's `table_records`.
    static func tableEntry(_ event: Event) -> [String] {
        ["operation", "db", "table", "new_db", "new_table"].map { event.string($0) ?? "-" }
    }

    static func statementKey(_ event: Event) -> [Int] {
        [event.int("connection_id") ?? -1, event.int("query_id") ?? -1]
    }
}

extension EndToEnd {
    @Suite(
        "a live MariaDB server_audit (mariadb-server, private rsyslogd)", .serialized,
        .enabled(
            if: LiveMariaDB.available, "needs Debian's mariadb-server (make test-deps) and root for the mount namespace"
        ))
    struct LiveMariaDBServer {
        @Test(
            "every line the server wrote to its file arrives through syslog and rsyslog as an event, field for field; rules keep by the server's tables"
        )
        func workload() async throws {
            let directory = try TemporaryDirectory("mariadb")
            defer { directory.remove() }
            let output = EventFile(path: directory.path("events.jsonl"))
            let server = try await AuditsieveServer.start(
                yaml: AuditsieveServer.fileSinkYAML(output: output.path, tcpOptions: "max_message_bytes: 256KiB"),
                in: directory)
            defer { server.stop() }
            let rsyslog = try await ShippedRsyslog.start(forwardingTo: server.tcpPort, in: directory)
            defer { rsyslog.stop() }
            let script = Paths.packageRoot.appendingPathComponent("scripts/mariadb-live-capture")
            let mariadb = directory.path("mariadb")
            let viaSyslog = try await runToCompletion(
                script, [mariadb, "syslog", "\(try unusedPort())", rsyslog.socketPath], in: directory,
                name: "capture-syslog",
                timeout: .seconds(180))
            #expect(viaSyslog.status == 0, "\(viaSyslog.stderr)")
            let viaFile = try await runToCompletion(
                script, [mariadb, "file", "\(try unusedPort())"], in: directory, name: "capture-file",
                timeout: .seconds(180))
            #expect(viaFile.status == 0, "\(viaFile.stderr)")

            // The server's file, read by `auditsieve parse`.
            let auditLog = mariadb + "/server_audit.log"
            let parsed = try await runToCompletion(
                try Paths.auditsieve(), ["parse", auditLog], in: directory, name: "parse")
            #expect(parsed.status == 0, "every line of the server's file is read: \(parsed.stderr.prefix(2000))")
            let fileEvents = try parsed.stdout.split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            let lineCount = (try String(contentsOfFile: auditLog, encoding: .isoLatin1)).split(separator: "\n").count
            #expect(fileEvents.count == lineCount && lineCount > 100)
            #expect(fileEvents.allSatisfy { $0.string("format") == "mariadb-audit" && $0["warnings"] == nil })

            // The same lines through syslog(3), rsyslog and the listener: each statement with the
            // table lines the server wrote before it in its `table_records` (table_records: merge).
            let statements = fileEvents.filter { !LiveMariaDB.isTableLine($0) }
            let tableLines = fileEvents.filter(LiveMariaDB.isTableLine)
            #expect(tableLines.count > 20)
            var received: [Event] = []
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                received = try output.events().filter { $0.syslog["app_name"] as? String == "mysql-server_auditing" }
                if received.count >= statements.count { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(received.count == statements.count, "\(server.stderrTail())\n\(rsyslog.stderrTail())")
            #expect(received.allSatisfy { $0.string("format") == "mariadb-audit" }, "no unknown among them")
            #expect(!received.contains(where: LiveMariaDB.isTableLine), "every table line was joined to its statement")
            var differing = 0
            for (got, want) in zip(received, statements)
            where LiveMariaDB.recordFields(got) != LiveMariaDB.recordFields(want) {
                differing += 1
                if differing == 1 { Issue.record("first difference:\n   got \(got)\nwanted \(want)") }
            }
            #expect(differing == 0)
            // Every table line is in its statement's table_records, field for field, and the
            // statement's tables are the server's.
            var joined: [[Int]: [[String]]] = [:]
            for event in received {
                let records = event["table_records"] as? [[String: Any]] ?? []
                joined[LiveMariaDB.statementKey(event), default: []] += records.map(LiveMariaDB.tableEntry)
                #expect(
                    records.isEmpty == (event.string("tables_source") != "server")
                        || event.string("operation") != "QUERY", "\(event)")
            }
            var expectedJoined: [[Int]: [[String]]] = [:]
            for line in tableLines {
                expectedJoined[LiveMariaDB.statementKey(line), default: []].append(LiveMariaDB.tableEntry(line))
            }
            #expect(joined.filter { !$0.value.isEmpty } == expectedJoined)
            for (event, line) in zip(received, statements) where event["table_records"] != nil {
                #expect(
                    event.string("serverhost") == line.string("serverhost")
                        && event.string("user") == line.string("user"))
            }

            // What the workload must have produced, as the server reported it.
            func lines(_ operation: String) -> [Event] { fileEvents.filter { $0.string("operation") == operation } }
            #expect(lines("FAILED_CONNECT").map { $0.int("status") } == [1045, 1045], "wrong password, unknown user")
            let rename = lines("RENAME").first
            #expect(
                rename?.string("table") == "customers" && rename?.string("new_db") == "shop"
                    && rename?.string("new_table") == "clients")
            #expect(
                lines("QUERY").contains {
                    $0.string("sqltext")
                        == "INSERT INTO orders VALUES (1, 'it''s quoted', 10.5), (2, \"double \\\"quoted\\\"\", 3)"
                })
            #expect(
                lines("QUERY").contains {
                    $0.string("sqltext") == "INSERT INTO orders VALUES (3, 'multi\nline\tvalue with tab', 1)"
                })
            #expect(
                lines("QUERY").contains {
                    $0.string("sqltext") == "INSERT INTO shop.orders VALUES (8, 'caf\u{FFFD}', 8)"
                }, "latin1 é kept as a byte")
            // The plugin cuts at its limit counted on the escaped text (60,000 bytes: the escaped
            // opening quote takes one), leaves no mark, and still closes the line with ',RETCODE'.
            let big = lines("QUERY").first { ($0.string("sqltext") ?? "").hasPrefix("SELECT 'AAAA") }
            #expect(
                big?.string("sqltext")?.utf8.count == 59_999 && big?.bool("truncated") == false,
                "the plugin cut the 70 KB query at its limit")
            // A view never appears by name: the server reports its base table.
            let viewQuery = try #require(
                lines("QUERY").first { $0.string("sqltext") == "SELECT * FROM v_orders WHERE amount > 2" })
            let viewTables = lines("READ").filter {
                $0.int("query_id") == viewQuery.int("query_id")
                    && $0.int("connection_id") == viewQuery.int("connection_id")
            }
            #expect(viewTables.map { "\($0.string("db") ?? "").\($0.string("table") ?? "")" }.contains("shop.orders"))

            // The rules on the server's file: keep_tables shop.orders keeps the table lines the server
            // attributed to orders (the view's included) and the statements whose SQL names it.
            let rules = """
                listeners:
                  - {protocol: tcp, address: 127.0.0.1:0}
                clusters:
                  - name: shop
                    match: {app_names: ["*"]}
                    keep_tables: ["shop.orders"]
                    keep_connections: failed
                    keep_other: false
                    keep_unparsed: false
                    sinks: [out]
                default_cluster: {sinks: [out]}
                sinks: {out: {type: stdout}}
                """
            try rules.write(toFile: directory.path("rules.yml"), atomically: true, encoding: .utf8)
            let explained = try await runToCompletion(
                try Paths.auditsieve(), ["explain", "--config", directory.path("rules.yml"), auditLog], in: directory,
                name: "explain")
            let verdicts = try explained.stdout.split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            // table_records: merge: one line per statement, listing its table lines' message numbers;
            // a statement is kept when a table the server named (its view's base table included) or,
            // without table lines, its SQL names shop.orders.
            let messageOf = Dictionary(
                uniqueKeysWithValues: fileEvents.enumerated().map { ($0.offset + 1, $0.element) })
            #expect(verdicts.count == statements.count)
            for verdict in verdicts {
                let event = try #require(messageOf[verdict.int("message") ?? 0])
                let operation = event.string("operation") ?? ""
                let members = (verdict["table_records"] as? [Int] ?? []).compactMap { messageOf[$0] }
                let touchesOrders: Bool
                if operation == "QUERY" {
                    let tables = verdict["tables"] as? [[String]] ?? []
                    touchesOrders = tables.contains(["shop", "orders"])
                    #expect(verdict.string("tables_source") == (members.isEmpty ? "sql" : "server"), "\(verdict)")
                    if !members.isEmpty {
                        let named = Set(
                            members.flatMap { line -> [[String]] in
                                [[line.string("db") ?? "", line.string("table") ?? ""]]
                                    + (line.string("new_table").map { [[line.string("new_db") ?? "", $0]] } ?? [])
                            }.filter { !LiveMariaDB.ignoredByDefault.contains("\($0[0]).\($0[1])") })
                        #expect(Set(tables) == named, "the statement's tables are the server's: \(verdict)")
                    }
                } else {
                    #expect(members.isEmpty)
                    touchesOrders = operation == "FAILED_CONNECT"
                }
                #expect((verdict.string("decision") == "kept") == touchesOrders, "\(operation) \(event) → \(verdict)")
            }
            // The view's statement is kept by its base table, which its SQL never names.
            let viewVerdict = verdicts.first {
                messageOf[$0.int("message") ?? 0]?.string("sqltext") == viewQuery.string("sqltext")
            }
            #expect(viewVerdict?.string("decision") == "kept" && viewVerdict?.string("tables_source") == "server")

            // table_records: separate: every line has its own verdict, a table line its statement's.
            try rules.replacingOccurrences(
                of: "keep_other: false", with: "keep_other: false\n    table_records: separate"
            )
            .write(toFile: directory.path("separate.yml"), atomically: true, encoding: .utf8)
            let separate = try await runToCompletion(
                try Paths.auditsieve(), ["explain", "--config", directory.path("separate.yml"), auditLog],
                in: directory, name: "explain-separate")
            let separateVerdicts = try separate.stdout.split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            #expect(separateVerdicts.map { $0.int("message") ?? 0 } == Array(1...fileEvents.count))
            let decisionOfStatement = Dictionary(
                verdicts.map {
                    (LiveMariaDB.statementKey(messageOf[$0.int("message") ?? 0]!), $0.string("decision") ?? "")
                },
                uniquingKeysWith: { first, _ in first })
            for (verdict, event) in zip(separateVerdicts, fileEvents) where LiveMariaDB.isTableLine(event) {
                #expect(
                    verdict.string("decision") == decisionOfStatement[LiveMariaDB.statementKey(event)],
                    "\(event) → \(verdict)")
                #expect(verdict.string("tables_source") == "server")
            }
        }
    }
}
