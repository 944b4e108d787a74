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
        "timestamp", "syslog", "peer", "received_at", "tables", "tables_status", "tables_source", "routines", "matched_tables",
        "cluster", "decision", "decision_reason",
    ]

    static func recordFields(_ event: Event) -> NSDictionary {
        NSDictionary(dictionary: event.filter { !transportKeys.contains($0.key) })
    }
}

extension EndToEnd {
    @Suite(
        "a live MariaDB server_audit (mariadb-server, private rsyslogd)", .serialized,
        .enabled(if: LiveMariaDB.available, "needs Debian's mariadb-server (make test-deps) and root for the mount namespace"))
    struct LiveMariaDBServer {
        @Test("every line the server wrote to its file arrives through syslog and rsyslog as an event, field for field; rules keep by the server's tables")
        func workload() async throws {
            let directory = try TemporaryDirectory("mariadb")
            defer { directory.remove() }
            let output = EventFile(path: directory.path("events.jsonl"))
            let server = try await AuditsieveServer.start(
                yaml: AuditsieveServer.fileSinkYAML(output: output.path, tcpOptions: "max_message_bytes: 256KiB"), in: directory)
            defer { server.stop() }
            let rsyslog = try await ShippedRsyslog.start(forwardingTo: server.tcpPort, in: directory)
            defer { rsyslog.stop() }
            let script = Paths.packageRoot.appendingPathComponent("scripts/mariadb-live-capture")
            let mariadb = directory.path("mariadb")
            let viaSyslog = try await runToCompletion(
                script, [mariadb, "syslog", "\(try unusedPort())", rsyslog.socketPath], in: directory, name: "capture-syslog",
                timeout: .seconds(180))
            #expect(viaSyslog.status == 0, "\(viaSyslog.stderr)")
            let viaFile = try await runToCompletion(
                script, [mariadb, "file", "\(try unusedPort())"], in: directory, name: "capture-file", timeout: .seconds(180))
            #expect(viaFile.status == 0, "\(viaFile.stderr)")

            // The server's file, read by `auditsieve parse`.
            let auditLog = mariadb + "/server_audit.log"
            let parsed = try await runToCompletion(try Paths.auditsieve(), ["parse", auditLog], in: directory, name: "parse")
            #expect(parsed.status == 0, "every line of the server's file is read: \(parsed.stderr.prefix(2000))")
            let fileEvents = try parsed.stdout.split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            let lineCount = (try String(contentsOfFile: auditLog, encoding: .isoLatin1)).split(separator: "\n").count
            #expect(fileEvents.count == lineCount && lineCount > 100)
            #expect(fileEvents.allSatisfy { $0.string("format") == "mariadb-audit" && $0["warnings"] == nil })

            // The same lines through syslog(3), rsyslog and the listener.
            var received: [Event] = []
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                received = try output.events().filter { $0.syslog["app_name"] as? String == "mysql-server_auditing" }
                if received.count >= fileEvents.count { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(received.count == fileEvents.count, "\(server.stderrTail())\n\(rsyslog.stderrTail())")
            #expect(received.allSatisfy { $0.string("format") == "mariadb-audit" }, "no unknown among them")
            var differing = 0
            for (got, want) in zip(received, fileEvents) where LiveMariaDB.recordFields(got) != LiveMariaDB.recordFields(want) {
                differing += 1
                if differing == 1 { Issue.record("first difference:\n   got \(got)\nwanted \(want)") }
            }
            #expect(differing == 0)

            // What the workload must have produced, as the server reported it.
            func lines(_ operation: String) -> [Event] { fileEvents.filter { $0.string("operation") == operation } }
            #expect(lines("FAILED_CONNECT").map { $0.int("status") } == [1045, 1045], "wrong password, unknown user")
            let rename = lines("RENAME").first
            #expect(rename?.string("table") == "customers" && rename?.string("new_db") == "shop" && rename?.string("new_table") == "clients")
            #expect(lines("QUERY").contains { $0.string("sqltext") == "INSERT INTO orders VALUES (1, 'it''s quoted', 10.5), (2, \"double \\\"quoted\\\"\", 3)" })
            #expect(lines("QUERY").contains { $0.string("sqltext") == "INSERT INTO orders VALUES (3, 'multi\nline\tvalue with tab', 1)" })
            #expect(lines("QUERY").contains { $0.string("sqltext") == "INSERT INTO shop.orders VALUES (8, 'caf\u{FFFD}', 8)" }, "latin1 é kept as a byte")
            // The plugin cuts at its limit counted on the escaped text (60,000 bytes: the escaped
            // opening quote takes one), leaves no mark, and still closes the line with ',RETCODE'.
            let big = lines("QUERY").first { ($0.string("sqltext") ?? "").hasPrefix("SELECT 'AAAA") }
            #expect(big?.string("sqltext")?.utf8.count == 59_999 && big?.bool("truncated") == false,
                "the plugin cut the 70 KB query at its limit")
            // A view never appears by name: the server reports its base table.
            let viewQuery = try #require(lines("QUERY").first { $0.string("sqltext") == "SELECT * FROM v_orders WHERE amount > 2" })
            let viewTables = lines("READ").filter { $0.int("query_id") == viewQuery.int("query_id") && $0.int("connection_id") == viewQuery.int("connection_id") }
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
                try Paths.auditsieve(), ["explain", "--config", directory.path("rules.yml"), auditLog], in: directory, name: "explain")
            let verdicts = try explained.stdout.split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            #expect(verdicts.count == fileEvents.count)
            for (verdict, event) in zip(verdicts, fileEvents) {
                let operation = event.string("operation") ?? ""
                let touchesOrders: Bool
                switch operation {
                case "READ", "WRITE", "CREATE", "DROP", "ALTER", "RENAME":
                    touchesOrders = event.string("db") == "shop" && (event.string("table") == "orders" || event.string("new_table") == "orders")
                    #expect(verdict.string("tables_source") == "server")
                case "QUERY":
                    let tables = verdict["tables"] as? [[String]] ?? []
                    touchesOrders = tables.contains(["shop", "orders"])
                    #expect(verdict.string("tables_source") == "sql")
                default:
                    touchesOrders = operation == "FAILED_CONNECT"
                }
                #expect((verdict.string("decision") == "kept") == touchesOrders, "\(operation) \(event) → \(verdict)")
            }
            #expect(verdicts.contains { $0.string("decision") == "kept" && $0.string("tables_source") == "server" })
        }
    }
}
