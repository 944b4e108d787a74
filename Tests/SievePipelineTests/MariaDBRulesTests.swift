import Foundation
import Testing

@testable import SievePipeline

/// MariaDB server_audit lines through a real socket and the rules: table lines are judged by the
/// table the server named, queries by their SQL, connections by keep_connections.
@Suite("MariaDB server_audit through the rules", .serialized)
struct MariaDBRulesTests {
    static let rules = """
        clusters:
          - name: shop
            match:
              hostnames: ["db-maria-*"]
            keep_tables: ["shop.orders", "shop.orders_old"]
            keep_connections: failed
            keep_other: false
            sinks: [archive]
        """

    @Test("server-named tables (tables_source: server) and SQL-read tables (sql) both decide; failed logins kept")
    func decisions() async throws {
        let server = try TestServer(clusters: Self.rules)
        try await server.start()
        let lines = [
            "db1,root,localhost,3,0,CONNECT,,,0",                                        // login: filtered
            "db1,app,localhost,4,0,FAILED_CONNECT,,,1045",                              // failed login: kept
            "db1,root,localhost,3,6,WRITE,shop,orders,",                                // server table: kept
            "db1,root,localhost,3,6,READ,mysql,table_stats,",                           // internal table: filtered
            "db1,root,localhost,3,6,QUERY,shop,'INSERT INTO orders VALUES (1, \\'it\\'\\'s\\')',0", // SQL: kept
            "db1,root,localhost,3,7,QUERY,shop,'SELECT * FROM customers',0",            // SQL, other table: filtered
            "db1,root,localhost,3,8,RENAME,shop,customers|shop.orders_old,",            // new name matches: kept
            "db1,root,localhost,3,9,QUERY,,'SELECT 1',0",                               // no table: filtered
        ]
        let bytes = lines.flatMap { Array("<14>Nov 22 01:28:43 db-maria-1 mysql-server_auditing:  \($0)\n".utf8) }
        try await TestClient.sendTCP(bytes, port: server.tcpPort)
        _ = try await server.events(count: 4)
        try await Task.sleep(for: .milliseconds(200))
        let events = try await server.events(count: 0, timeout: 0)
        await server.stop()
        func key(_ event: [String: Any]) -> String { "\(event["query_id"] ?? "?")/\(event["operation"] ?? "?")" }
        #expect(events.map(key) == ["0/FAILED_CONNECT", "6/WRITE", "6/QUERY", "8/RENAME"])
        guard events.count == 4 else { return }
        #expect(events.allSatisfy { $0["format"] as? String == "mariadb-audit" && $0["cluster"] as? String == "shop" })
        #expect(events[0]["decision"] as? String == "connection" && events[0]["status"] as? Int == 1045)
        #expect(events[1]["tables"] as? [[String]] == [["shop", "orders"]] && events[1]["tables_source"] as? String == "server")
        #expect(events[1]["decision"] as? String == "keep_tables")
        #expect(events[2]["tables"] as? [[String]] == [["shop", "orders"]] && events[2]["tables_source"] as? String == "sql")
        #expect(events[2]["sqltext"] as? String == "INSERT INTO orders VALUES (1, 'it''s')")
        #expect(events[3]["tables"] as? [[String]] == [["shop", "customers"], ["shop", "orders_old"]])
        #expect(events[3]["matched_tables"] as? [[String]] == [["shop", "orders_old"]])
    }

    @Test("ignore_server_tables: MariaDB's statistics and privilege tables are dropped from server-named tables by default; [] keeps them")
    func ignoredServerTables() async throws {
        func kept(_ extra: String) async throws -> [String] {
            let server = try TestServer(clusters: """
                clusters:
                  - name: sys
                    match: {hostnames: ["db-maria-*"]}
                    keep_tables: ["mysql.*"]
                    keep_other: false
                \(extra)
                    sinks: [archive]
                """)
            try await server.start()
            let lines = ["db1,root,localhost,3,6,READ,mysql,table_stats,", "db1,root,localhost,3,7,WRITE,mysql,user,"]
            let bytes = lines.flatMap { Array("<14>Nov 22 01:28:43 db-maria-1 mysql-server_auditing:  \($0)\n".utf8) }
            try await TestClient.sendTCP(bytes, port: server.tcpPort)
            _ = try await server.events(count: 1)
            try await Task.sleep(for: .milliseconds(200))
            let events = try await server.events(count: 0, timeout: 0)
            await server.stop()
            return events.map { "\($0["db"] ?? "").\($0["table"] ?? "")" }
        }
        #expect(try await kept("") == ["mysql.user"])
        #expect(try await kept("    ignore_server_tables: []") == ["mysql.table_stats", "mysql.user"])
    }
}
