import Foundation
import Testing

extension EndToEnd {
    @Suite("auditsieve tables and explain")
    struct TablesAndExplain {
        @Test(
            "tables: one line per input line, in order, with status and routines; a bad line is an error line and exit 1"
        )
        func tables() async throws {
            let binary = try Paths.auditsieve()
            let directory = try TemporaryDirectory("tables")
            defer { directory.remove() }
            let input =
                [
                    #"{"sql": "SELECT * FROM t JOIN billing.inv USING (id) WHERE x IN (SELECT y FROM `odd``name`)", "db": "app"}"#,
                    #"{"sql": "SELECT * FROM \"t1\"", "db": "app", "sql_mode": "ANSI_QUOTES"}"#,
                    #"{"sql": "SELECT * FROM \"t1\"", "db": "app"}"#,
                    #"{"sql": "CALL billing.close_month(1)", "db": "app"}"#,
                    #"{"sql": "/*!50700 SELECT * FROM new_t */", "db": "app", "server_version": 50600}"#,
                    #"not json"#,
                ].joined(separator: "\n") + "\n"
            try input.write(toFile: directory.path("in.jsonl"), atomically: true, encoding: .utf8)
            let result = try await runToCompletion(
                binary, ["tables", directory.path("in.jsonl")], in: directory, name: "tables")
            #expect(result.status == 1)
            #expect(
                result.stdout.split(separator: "\n").map(String.init) == [
                    #"{"tables":[["app","odd`name"],["app","t"],["billing","inv"]],"status":"complete"}"#,
                    #"{"tables":[["app","t1"]],"status":"complete"}"#,
                    #"{"tables":[],"status":"unparsed"}"#,
                    #"{"tables":[],"status":"partial","routines":[["billing","close_month"]]}"#,
                    #"{"tables":[],"status":"complete"}"#,
                    #"{"error":"expected a JSON object with a string \"sql\""}"#,
                ])
            #expect(result.stderr.contains("tables: line 6:"))
        }

        @Test("explain: cluster, decision, the step and pattern that decided, for captured records")
        func explain() async throws {
            let binary = try Paths.auditsieve()
            let directory = try TemporaryDirectory("explain")
            defer { directory.remove() }
            let config = """
                listeners:
                  - {protocol: tcp, address: 127.0.0.1:0}
                clusters:
                  - name: billing
                    match: {hostnames: ["db-billing-*"]}
                    keep_tables: ["billing.*"]
                    keep_other: false
                    sinks: [out]
                default_cluster:
                  sinks: [out]
                sinks:
                  out: {type: stdout}
                """
            try config.write(toFile: directory.path("rules.yml"), atomically: true, encoding: .utf8)
            func record(_ n: Int, _ sql: String) -> String {
                #"{"audit_record":{"name":"Query","record":"\#(n)_x","timestamp":"2026-11-22T01:02:03Z","command_class":"select","connection_id":"7","status":0,"sqltext":"\#(sql)","user":"u","host":"h","os_user":"","ip":"","db":"billing"}}"#
            }
            let capture =
                [
                    "<14>Nov 22 01:30:19 db-billing-01 percona-audit: " + record(1, "SELECT * FROM invoices"),
                    "<14>Nov 22 01:30:19 db-billing-01 percona-audit: " + record(2, "SELECT * FROM blog.posts"),
                    "<14>Nov 22 01:30:19 db-billing-01 percona-audit: " + record(3, "SELECT NOW()"),
                    "<14>Nov 22 01:30:19 db-web-01 percona-audit: " + record(4, "SELECT * FROM blog.posts"),
                    // MariaDB: the server's own table line (the view's base table), then its statement,
                    // whose SQL names only the view.
                    "<14>Nov 22 01:30:19 db-billing-02 mysql-server_auditing:  db2,u,h,7,5,READ,billing,invoices,",
                    "<14>Nov 22 01:30:19 db-billing-02 mysql-server_auditing:  db2,u,h,7,5,QUERY,reports,'SELECT * FROM v_due',0",
                ].joined(separator: "\n") + "\n"
            try capture.write(toFile: directory.path("capture.log"), atomically: true, encoding: .utf8)
            let result = try await runToCompletion(
                binary, ["explain", "--config", directory.path("rules.yml"), directory.path("capture.log")],
                in: directory, name: "explain")
            #expect(result.status == 0, "\(result.stderr)")
            let lines = try result.stdout.split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            // The table line is joined to its statement (table_records: merge): one line, message 6.
            #expect(lines.map { $0["message"] as? Int } == [1, 2, 3, 4, 6])
            #expect(lines.map { $0["cluster"] as? String } == ["billing", "billing", "billing", "default", "billing"])
            #expect(lines.map { $0["decision"] as? String } == ["kept", "filtered", "filtered", "kept", "kept"])
            #expect(
                lines.map { $0["step"] as? String } == [
                    "keep_tables", "tables_filtered", "other", "keep_tables", "keep_tables",
                ])
            #expect(lines.map { $0["tables_source"] as? String } == ["sql", "sql", "sql", "sql", "server"])
            #expect(
                lines.last?["format"] as? String == "mariadb-audit" && lines.last?["table_records"] as? [Int] == [5])
            #expect(
                lines.last?["tables"] as? [[String]] == [["billing", "invoices"]],
                "the server's table, not the view the SQL names")
            #expect(lines.first?["reason"] as? String == "billing.*")
            #expect(lines.first?["matched_tables"] as? [[String]] == [["billing", "invoices"]])
            #expect(lines[1]["tables"] as? [[String]] == [["blog", "posts"]])
        }
    }
}
