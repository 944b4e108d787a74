import Foundation
import Prometheus
import SieveConfig
import SieveSpool
import SieveTestSupport
import Testing

@testable import SievePipeline

/// `redact:` over real sockets: one cluster feeding a sink that redacts and one that does not; each
/// gets its own encoding of the same events.
@Suite("redaction end to end", .serialized)
struct RedactionEndToEndTests {
    /// Every record goes to `archive` (as received) and `masked` (redacted).
    static func server(redact: String) throws -> (TestServer, maskedPath: String) {
        let maskedPath = FileManager.default.temporaryDirectory.appendingPathComponent(
            "masked-\(UUID().uuidString).jsonl"
        ).path
        let server = try TestServer(
            clusters: """
                clusters:
                  - name: all
                    match: {hostnames: ["*"]}
                    sinks: [archive, masked]
                """,
            sinks: """
                  masked:
                    type: file
                    path: \(maskedPath)
                    flush_interval_ms: 20
                    redact: \(redact)
                """
        )
        return (server, maskedPath)
    }

    static func lines(_ path: String, count: Int) async throws -> [[String: Any]] {
        let deadline = ContinuousClock.now + .seconds(15)
        while true {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            let lines = text.split(separator: "\n").map(String.init)
            if lines.count >= count || ContinuousClock.now > deadline {
                return try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test("the redacting sink gets masked sqltext and redacted; the other sink the original text, without redacted")
    func twoSinks() async throws {
        let (server, maskedPath) = try Self.server(redact: #"[passwords, literals, "re:(?i)\\bsecret_[a-z]+\\b"]"#)
        defer { try? FileManager.default.removeItem(atPath: maskedPath) }
        try await server.start()
        let sqls = [
            "CREATE USER 'app'@'%' IDENTIFIED WITH caching_sha2_password BY 'Tr0ub4dor&3'",
            "SELECT * FROM billing.invoices WHERE customer = 'Ada Lovelace' AND total > -12.5",
            "SELECT * FROM billing.invoices",
            "SELECT secret_sauce FROM billing.recipes",
        ]
        try await RulesEndToEndTests.send(
            server, sqls.enumerated().map { Records.query($0 + 1, sql: $1) } + ["not an audit record: 'pw' 42"])
        let archive = try await server.events(count: 5)
        let masked = try await Self.lines(maskedPath, count: 5)
        await server.stop()

        #expect(archive.map { $0["sqltext"] as? String } == sqls.map(Optional.some) + [nil])
        #expect(archive.allSatisfy { $0["redacted"] == nil }, "a sink without redact carries the original text")
        #expect(archive.last?["raw"] as? String == "not an audit record: 'pw' 42")
        #expect(
            masked.map { $0["sqltext"] as? String } == [
                "CREATE USER ?@'%' IDENTIFIED WITH caching_sha2_password BY ?",
                "SELECT * FROM billing.invoices WHERE customer = ? AND total > ?",
                "SELECT * FROM billing.invoices",
                "SELECT ? FROM billing.recipes",
                nil,
            ])
        #expect(
            masked.map { $0["redacted"] as? [String] } == [
                ["passwords", "literals"], ["literals"], nil, [#"re:(?i)\bsecret_[a-z]+\b"#], ["literals"],
            ])
        #expect(masked.last?["raw"] as? String == "not an audit record: ? ?")
        // Everything else is the same event: tables were read from the original text.
        #expect(masked[1]["tables"] as? [[String]] == [["billing", "invoices"]])
        #expect(masked.map { $0["record"] as? String } == archive.map { $0["record"] as? String })
        #expect(!(try String(contentsOfFile: maskedPath, encoding: .utf8)).contains("Tr0ub4dor"))
    }

    @Test("the spool of a redacting sink holds the redacted events, the file sink's the original")
    func spool() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("redact-spool-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let server = try TestServer(
            clusters: """
                spool: {directory: \(root)}
                clusters:
                  - name: all
                    match: {hostnames: ["*"]}
                    spool: {durability: disk}
                    sinks: [archive, siem]
                """,
            sinks: """
                  siem:
                    type: syslog
                    address: 127.0.0.1:\(portOutsideEphemeralRange())
                    redact: [passwords]
                """
        )
        try await server.start()
        let sql = "SET PASSWORD FOR app = 'correct horse'"
        try await RulesEndToEndTests.send(server, [Records.query(1, sql: sql, commandClass: "set_password")])
        let archive = try await server.events(count: 1)
        await server.server.shutdown()
        let queue = try SpoolQueue(
            configuration: SpoolConfiguration(directory: root + "/all/siem", maxBytes: 1 << 30, segmentBytes: 1 << 20))
        let spooled = queue.peek(maxEvents: 10).map { String(decoding: $0, as: UTF8.self) }
        queue.close()
        try? FileManager.default.removeItem(at: server.directory)
        #expect(archive.first?["sqltext"] as? String == sql)
        #expect(spooled.count == 1)
        #expect(spooled.first?.contains(#""sqltext":"SET PASSWORD FOR app = '***'""#) == true, "\(spooled)")
        #expect(spooled.first?.contains(#""redacted":["passwords"]"#) == true)
        #expect(spooled.allSatisfy { !$0.contains("correct horse") })
    }

    @Test("a reload that changes redact applies to the events kept after it")
    func reload() async throws {
        let (server, maskedPath) = try Self.server(redact: "[passwords]")
        defer { try? FileManager.default.removeItem(atPath: maskedPath) }
        try await server.start()
        let sql = "CREATE USER u IDENTIFIED BY 'pw' PASSWORD HISTORY 5"
        try await RulesEndToEndTests.send(server, [Records.query(1, sql: sql)])
        _ = try await Self.lines(maskedPath, count: 1)
        let yaml = try String(contentsOfFile: server.configPath, encoding: .utf8)
        try yaml.replacingOccurrences(of: "redact: [passwords]", with: "redact: [literals]")
            .write(toFile: server.configPath, atomically: true, encoding: .utf8)
        try await server.server.reload(AuditSieveConfig.load(file: server.configPath))
        try await RulesEndToEndTests.send(server, [Records.query(2, sql: sql)])
        let masked = try await Self.lines(maskedPath, count: 2)
        await server.stop()
        #expect(
            masked.map { $0["sqltext"] as? String } == [
                "CREATE USER u IDENTIFIED BY '***' PASSWORD HISTORY 5",
                "CREATE USER u IDENTIFIED BY ? PASSWORD HISTORY ?",
            ])
        #expect(masked.map { $0["redacted"] as? [String] } == [["passwords"], ["literals"]])
    }

    @Test("/tail with tail_redact streams the redacted events; the sinks keep theirs")
    func tail() async throws {
        let server = try TailTests.server(extra: "  tail_redact: [passwords]", clusters: nil)
        try await server.start()
        let follower = try await TailTests.follow(server)
        let filtered = try await TailTests.follow(server, "table=mysql.user")
        let sql = "ALTER USER 'app'@'%' IDENTIFIED BY 'hunter2'; UPDATE mysql.user SET x = 1"
        try await RulesEndToEndTests.send(server, [Records.query(1, sql: sql, commandClass: "alter_user")])
        let streamed = try await follower.read { $0.lines.count >= 1 }
        let matched = try await filtered.read { $0.lines.count >= 1 }
        let archive = try await server.events(count: 1)
        await server.stop()
        let line = try #require(streamed.lines.first)
        let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(event["sqltext"] as? String == "ALTER USER 'app'@'%' IDENTIFIED BY '***'; UPDATE mysql.user SET x = 1")
        #expect(event["redacted"] as? [String] == ["passwords"])
        #expect(matched.lines.count == 1, "filters read the event's tables, not its redacted text")
        #expect(!streamed.text.contains("hunter2"))
        #expect(archive.first?["sqltext"] as? String == sql)
        #expect(archive.first?["redacted"] == nil)
    }

    @Test("a pattern that reaches the regex match limit: that sink gets sqltext ? and the hit is counted")
    func limitHit() async throws {
        let (server, maskedPath) = try Self.server(redact: #"["re:(a|aa)*[bc]"]"#)
        defer { try? FileManager.default.removeItem(atPath: maskedPath) }
        try await server.start()
        let sql = "SELECT '" + String(repeating: "a", count: 40) + "' FROM t"
        try await RulesEndToEndTests.send(server, [Records.query(1, sql: sql), Records.query(2, sql: "SELECT 1")])
        let archive = try await server.events(count: 2)
        let masked = try await Self.lines(maskedPath, count: 2)
        try await server.waitFor("auditsieve_regex_limit_hits_total", [("use", "redact")], toReach: 1)
        let hits = server.counter("auditsieve_regex_limit_hits_total", [("use", "redact")])
        await server.stop()
        #expect(archive.first?["sqltext"] as? String == sql)
        #expect(masked.map { $0["sqltext"] as? String } == ["?", "SELECT 1"])
        #expect(masked.first?["redacted"] as? [String] == ["re:(a|aa)*[bc]"])
        #expect(hits == 1)
    }
}
