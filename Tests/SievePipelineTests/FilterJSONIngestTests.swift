import Foundation
import Testing

@testable import SievePipeline

/// Audit log filter records over a real socket: the component's `mysqld: audit-filter:` form, a
/// file tailer's JSONL lines, and the `[` `]` framing lines, which are counted and never events.
@Suite("audit log filter JSON through the listener", .serialized)
struct FilterJSONIngestTests {
    @Test(
        "a tailed JSONL file: '[' and ']' are counted as framing, the records are events; table_access carries the server's table"
    )
    func tailedFile() async throws {
        let server = try TestServer()
        try await server.start()
        let record =
            #"{ "timestamp": "2026-12-05 03:10:56", "id": 8, "class": "table_access", "event": "read", "connection_id": 11, "account": { "user": "root", "host": "localhost" }, "login": { "user": "root", "os": "", "ip": "", "proxy": "" }, "table_access_data": { "db": "shop", "table": "orders", "query": "SELECT * FROM orders", "sql_command": "select" } }"#
        let messages = ["[", record + ",", record.replacingOccurrences(of: "\"id\": 8", with: "\"id\": 9"), "]"]
        let bytes = messages.flatMap { Array("<14>Dec  5 03:10:56 db1 mysqld: audit-filter: \($0)\n".utf8) }
        try await TestClient.sendTCP(bytes, port: server.tcpPort)
        try await server.waitFor("auditsieve_framing_messages_total", [], toReach: 2)
        _ = try await server.events(count: 2)
        await server.settle(decided: 2)
        let events = try await server.events(count: 0, timeout: 0)
        let framing = server.counter("auditsieve_framing_messages_total")
        await server.stop()
        #expect(framing == 2)
        #expect(events.map { $0["id"] as? Int } == [8, 9])
        #expect(
            events.allSatisfy {
                $0["format"] as? String == "audit-filter-json" && $0["tables"] as? [[String]] == [["shop", "orders"]]
            })
        #expect(events.first?["tables_source"] as? String == "server")
        #expect(server.counter("auditsieve_records_total", [("format", "unknown")]) == 0)
    }
}
