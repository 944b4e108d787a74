import Foundation
import Testing

@testable import SievePipeline

/// Records sent to a server with billing rules produce exactly the expected events in the file sink.
@Suite("table rules end to end", .serialized)
struct RulesEndToEndTests {
    static let billingRules = """
        clusters:
          - name: billing
            match:
              hostnames: ["db-billing-*"]
            keep_tables: ["billing.*", "users.accounts", "re:^pay_[a-z]+\\\\.ledger_\\\\d+$"]
            drop_tables: ["billing.heartbeat"]
            keep_connections: failed
            keep_other: false
            keep_unparsed: true
            keep_unrecognized: false
            sinks: [archive]
        """

    static func send(_ server: TestServer, host: String = "db-billing-01", _ records: [String]) async throws {
        let bytes = records.flatMap { Array((Records.rfc3164($0, host: host) + "\n").utf8) }
        try await TestClient.sendTCP(bytes, port: server.tcpPort)
    }

    @Test("every decision step keeps or filters exactly what the rules say, and the event says why")
    func everyStep() async throws {
        let server = try TestServer(clusters: Self.billingRules)
        try await server.start()
        try await Self.send(
            server,
            [
                Records.audit(1),  // 1 audit_record: kept
                Records.query(2, sql: "GRANT SELECT ON blog.posts TO x", commandClass: "grant"),  // 2 always_keep: kept
                Records.query(3, sql: "SET GLOBAL audit_log_policy = NONE", commandClass: "set_option"),  // 2: kept
                Records.connect(4, status: 1045),  // 3 failed login: kept
                Records.connect(5, status: 0),  // 3 login: filtered
                "this is not an audit record",  // 4 unrecognized: filtered
                // 5 keep_tables: kept
                Records.query(6, sql: "SELECT * FROM invoices i JOIN blog.posts p ON p.id = i.id"),
                Records.query(7, sql: "SELECT * FROM pay_eu.ledger_2026"),  // 5 re: pattern: kept
                Records.query(8, sql: "SELECT * FROM 'unterminated"),  // 6 unparsed: kept
                Records.query(9, sql: "UPDATE heartbeat SET ts = NOW()"),  // 7 dropped table: filtered
                Records.query(10, sql: "SELECT * FROM blog.posts"),  // 7 unmatched: filtered
                Records.query(11, sql: "SELECT NOW()"),  // 8 keep_other false: filtered
            ])
        let expected: [String: (String, [[String]])] = [
            "1": ("audit_record", []), "2": ("always_keep_command", []), "3": ("always_keep_command", []),
            "4": ("connection", []), "6": ("keep_tables", [["billing", "invoices"]]),
            "7": ("keep_tables", [["pay_eu", "ledger_2026"]]), "8": ("unparsed", []),
        ]
        let events = try await server.events(count: expected.count)
        await server.settle(decided: 12)
        let settled = try await server.events(count: 0, timeout: 0)
        await server.stop()
        #expect(settled.count == expected.count)
        for event in settled {
            let id = (event["record"] as? String)?.split(separator: "_").first.map(String.init) ?? "?"
            let want = try #require(expected[id], "record \(id) should have been filtered")
            #expect(event["cluster"] as? String == "billing")
            #expect(event["decision"] as? String == want.0, "record \(id)")
            #expect((event["matched_tables"] as? [[String]] ?? []) == want.1, "record \(id)")
        }
        let six = try #require(events.first { $0["record"] as? String == "6_1970-01-01T00:00:00" })
        #expect(six["tables"] as? [[String]] == [["billing", "invoices"], ["blog", "posts"]])
        #expect(six["tables_status"] as? String == "complete")
        #expect(six["decision_reason"] as? String == "billing.*")
        let dims: [(String, String)] = [("cluster", "billing")]
        #expect(server.counter("auditsieve_received_events_total", dims) == 12)
        #expect(server.counter("auditsieve_kept_events_total", dims) == 7)
        #expect(server.counter("auditsieve_filtered_events_total", dims) == 5)
        #expect(
            server.counter("auditsieve_decisions_total", dims + [("step", "tables_filtered"), ("outcome", "filtered")])
                == 2)
    }

    @Test("records from hosts no cluster matches go to the default cluster, which keeps everything")
    func defaultCluster() async throws {
        let server = try TestServer(clusters: Self.billingRules)
        try await server.start()
        try await Self.send(
            server, host: "db-blog-01",
            [Records.query(1, sql: "SELECT * FROM blog.posts"), Records.connect(2, status: 0)])
        let events = try await server.events(count: 2)
        await server.stop()
        #expect(events.count == 2)
        #expect(events.allSatisfy { $0["cluster"] as? String == "default" })
        #expect(events.last?["tables_status"] as? String == "none")
    }

    @Test("SIGHUP reload swaps the rules atomically: the open connection stays, new records follow the new rules")
    func reload() async throws {
        let server = try TestServer(clusters: Self.billingRules)
        try await server.start()
        let channel = try await TestClient.connect(port: server.tcpPort)
        try await TestClient.send(
            Array((Records.rfc3164(Records.connect(1, status: 0), host: "db-billing-01") + "\n").utf8), on: channel)
        // Record 1 must be judged under the old rules before the reload.
        try await server.waitFor("auditsieve_filtered_events_total", [("cluster", "billing")], toReach: 1)
        var config = try String(contentsOfFile: server.configPath, encoding: .utf8)
        config = config.replacingOccurrences(of: "keep_connections: failed", with: "keep_connections: all")
        try config.write(toFile: server.configPath, atomically: true, encoding: .utf8)
        await server.server.handleHangup()
        try await TestClient.send(
            Array((Records.rfc3164(Records.connect(2, status: 0), host: "db-billing-01") + "\n").utf8), on: channel)
        let events = try await server.events(count: 1)
        #expect(channel.isActive)

        // An invalid config is refused; the running rules stay.
        try "clusters: [oops".write(toFile: server.configPath, atomically: true, encoding: .utf8)
        await server.server.handleHangup()
        try await TestClient.send(
            Array((Records.rfc3164(Records.connect(3, status: 0), host: "db-billing-01") + "\n").utf8), on: channel)
        let after = try await server.events(count: 2)
        try await channel.close()
        await server.stop()
        #expect(events.map { $0["record"] as? String } == ["2_1970-01-01T00:00:00"])
        #expect(after.map { $0["record"] as? String } == ["2_1970-01-01T00:00:00", "3_1970-01-01T00:00:00"])
    }

    @Test("reloads under load: a steady sender's connection stays open and every record arrives")
    func reloadUnderLoad() async throws {
        let server = try TestServer(clusters: Self.billingRules)
        try await server.start()
        let channel = try await TestClient.connect(port: server.tcpPort)
        let original = try String(contentsOfFile: server.configPath, encoding: .utf8)
        for round in 0..<10 {
            var batch: [UInt8] = []
            for n in (round * 200)..<((round + 1) * 200) {
                batch += Array(
                    (Records.rfc3164(Records.query(n, sql: "SELECT * FROM blog.posts"), host: "db-web-01") + "\n").utf8)
            }
            try await TestClient.send(batch, on: channel)
            let flipped =
                round % 2 == 0
                ? original.replacingOccurrences(of: "keep_other: false", with: "keep_other: true") : original
            try flipped.write(toFile: server.configPath, atomically: true, encoding: .utf8)
            await server.server.handleHangup()
        }
        let events = try await server.events(count: 2000, timeout: 30)
        #expect(channel.isActive)
        try await channel.close()
        await server.stop()
        #expect(events.count == 2000)
        #expect(Set(events.compactMap { $0["record"] as? String }).count == 2000)
        #expect(server.counter("auditsieve_listener_connections_total") == 1)
    }
}
