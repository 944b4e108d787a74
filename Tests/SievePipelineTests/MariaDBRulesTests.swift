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

    static let lines = [
        "db1,root,localhost,3,0,CONNECT,,,0",  // login: filtered
        "db1,app,localhost,4,0,FAILED_CONNECT,,,1045",  // failed login: kept
        "db1,root,localhost,3,6,WRITE,shop,orders,",  // joined to query 6
        "db1,root,localhost,3,6,READ,mysql,table_stats,",  // joined; ignored as a table
        "db1,root,localhost,3,6,QUERY,shop,'INSERT INTO orders VALUES (1, \\'it\\'\\'s\\')',0",  // server tables: kept
        "db1,root,localhost,3,7,QUERY,shop,'SELECT * FROM customers',0",  // SQL, other table: filtered
        "db1,root,localhost,3,8,RENAME,shop,customers|shop.orders_old,",  // no statement: alone at close, kept
        "db1,root,localhost,3,9,QUERY,,'SELECT 1',0",  // no table: filtered
    ]

    static func send(_ lines: [String], to server: TestServer) async throws {
        let bytes = lines.flatMap { Array("<14>Nov 22 01:28:43 db-maria-1 mysql-server_auditing:  \($0)\n".utf8) }
        try await TestClient.sendTCP(bytes, port: server.tcpPort)
    }

    static func key(_ event: [String: Any]) -> String { "\(event["query_id"] ?? "?")/\(event["operation"] ?? "?")" }

    @Test(
        "table_records: merge: a QUERY is judged by the tables its server named and lists its table lines; lines without a statement go out alone; failed logins kept"
    )
    func decisions() async throws {
        let server = try TestServer(clusters: Self.rules)
        try await server.start()
        try await Self.send(Self.lines, to: server)
        _ = try await server.events(count: 3)
        try await server.waitFor("auditsieve_table_records_total", [("outcome", "alone")], toReach: 1)
        await server.settle(decided: 6)  // 8 lines, 2 of them merged into their statement
        let events = try await server.events(count: 0, timeout: 0)
        let merged = server.counter("auditsieve_table_records_total", [("outcome", "merged")])
        let alone = server.counter("auditsieve_table_records_total", [("outcome", "alone")])
        await server.stop()
        #expect(events.map(Self.key) == ["0/FAILED_CONNECT", "6/QUERY", "8/RENAME"])
        #expect(merged == 2 && alone == 1)
        guard events.count == 3 else { return }
        #expect(events.allSatisfy { $0["format"] as? String == "mariadb-audit" && $0["cluster"] as? String == "shop" })
        #expect(events[0]["decision"] as? String == "connection" && events[0]["status"] as? Int == 1045)
        #expect(
            events[1]["tables"] as? [[String]] == [["shop", "orders"]]
                && events[1]["tables_source"] as? String == "server")
        #expect(events[1]["decision"] as? String == "keep_tables")
        #expect(events[1]["sqltext"] as? String == "INSERT INTO orders VALUES (1, 'it''s')")
        let records = events[1]["table_records"] as? [[String: String]]
        #expect(
            records == [
                ["operation": "WRITE", "db": "shop", "table": "orders"],
                ["operation": "READ", "db": "mysql", "table": "table_stats"],
            ])
        #expect(events[2]["tables"] as? [[String]] == [["shop", "customers"], ["shop", "orders_old"]])
        #expect(events[2]["matched_tables"] as? [[String]] == [["shop", "orders_old"]])
    }

    @Test(
        "table_records: separate (the default with a raw sink): each table line is its own event, before its statement, with its statement's decision"
    )
    func separate() async throws {
        let server = try TestServer(
            clusters: Self.rules.replacingOccurrences(of: "sinks: [archive]", with: "sinks: [archive, evidence]"))
        try await server.start()
        try await Self.send(Self.lines, to: server)
        _ = try await server.events(count: 5)
        await server.settle(decided: 8)  // every line is an event of its own
        let events = try await server.events(count: 0, timeout: 0)
        let raw = server.rawLines()
        await server.stop()
        // The raw sink gets every kept original line, one per line.
        #expect(
            raw.map { $0.components(separatedBy: "mysql-server_auditing:  ").last ?? "" }
                == [1, 2, 3, 4, 6].map { Self.lines[$0] })
        #expect(events.map(Self.key) == ["0/FAILED_CONNECT", "6/WRITE", "6/READ", "6/QUERY", "8/RENAME"])
        guard events.count == 5 else { return }
        #expect(
            events[2]["tables"] as? [[String]] == [] && events[2]["decision"] as? String == "keep_tables",
            "kept with its statement")
        #expect(events[1]["tables"] as? [[String]] == [["shop", "orders"]] && events[3]["table_records"] == nil)
        #expect(events[1...3].allSatisfy { $0["tables_source"] as? String == "server" })
    }

    @Test(
        "limits.table_records_held_bytes bounds what all connections hold: past it, a table line goes out alone at once"
    )
    func heldBytes() async throws {
        let server = try TestServer(
            clusters: Self.rules + "\nlimits: {table_records_held_bytes: 1KiB, table_record_hold: 10m}")
        try await server.start()
        let channel = try await TestClient.connect(port: server.tcpPort)
        var bytes: [UInt8] = []
        for queryID in 1...20 {
            bytes += Array(
                "<14>Nov 22 01:28:43 db-maria-1 mysql-server_auditing:  db1,root,localhost,3,\(queryID),WRITE,shop,orders,\n"
                    .utf8)
        }
        try await TestClient.send(bytes, on: channel)
        // About 400 bytes per held line: two fit, the rest push the oldest out.
        let events = try await server.events(count: 17)
        let open = channel.isActive
        try await channel.close()
        _ = try await server.events(count: 20)
        await server.stop()
        #expect(
            events.count >= 17 && events.count < 20 && open, "\(events.count) went out before the connection closed")
        #expect(events.map { $0["query_id"] as? Int ?? 0 } == Array(1...events.count), "oldest first")
    }

    @Test(
        "table lines whose statement does not come within limits.table_record_hold go out alone while the connection stays open"
    )
    func holdTime() async throws {
        let server = try TestServer(clusters: Self.rules + "\nlimits: {table_record_hold: 300ms}")
        try await server.start()
        let channel = try await TestClient.connect(port: server.tcpPort)
        try await TestClient.send(
            Array(
                "<14>Nov 22 01:28:43 db-maria-1 mysql-server_auditing:  db1,root,localhost,3,6,WRITE,shop,orders,\n"
                    .utf8), on: channel)
        let events = try await server.events(count: 1)
        let alone = server.counter("auditsieve_table_records_total", [("outcome", "alone")])
        let open = channel.isActive
        try await channel.close()
        await server.stop()
        #expect(events.map(Self.key) == ["6/WRITE"] && alone == 1 && open)
        #expect(
            events.first?["tables_source"] as? String == "server"
                && events.first?["decision"] as? String == "keep_tables")
    }

    @Test(
        "ignore_server_tables: MariaDB's statistics and privilege tables are dropped from server-named tables by default; [] keeps them"
    )
    func ignoredServerTables() async throws {
        func kept(_ extra: String) async throws -> [String] {
            let server = try TestServer(
                clusters: """
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
            await server.settle(decided: 2)
            let events = try await server.events(count: 0, timeout: 0)
            await server.stop()
            return events.map { "\($0["db"] ?? "").\($0["table"] ?? "")" }
        }
        #expect(try await kept("") == ["mysql.user"])
        #expect(try await kept("    ignore_server_tables: []") == ["mysql.table_stats", "mysql.user"])
    }
}
