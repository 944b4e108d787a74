import Foundation
import Prometheus
import Testing

@testable import SievePipeline

/// `/tail` on real sockets: token, filters, and a stuck client that must not slow the pipeline.
@Suite("live tail", .serialized)
struct TailTests {
    static let token = "s3cret-tail-token"

    /// A server whose `http:` has a tail token file (and `extra` keys).
    static func server(extra: String = "", clusters: String? = RulesEndToEndTests.billingRules) throws -> TestServer {
        let tokenPath = FileManager.default.temporaryDirectory.appendingPathComponent("tail-token-\(UUID().uuidString)")
            .path
        try "\(token)\n".write(toFile: tokenPath, atomically: true, encoding: .utf8)
        return try TestServer(
            clusters: clusters,
            http: "http:\n  address: 127.0.0.1:0\n  tail_token_file: \(tokenPath)\n\(extra)",
            registry: PrometheusCollectorRegistry()
        )
    }

    /// Opens `/tail?query` with the token and waits for the 200 head (the client is subscribed then).
    static func follow(_ server: TestServer, _ query: String = "", receiveBuffer: Int32? = nil) async throws
        -> HTTPTestConnection
    {
        let connection = try HTTPTestConnection(port: server.httpPort, receiveBuffer: receiveBuffer)
        try connection.send("/tail\(query.isEmpty ? "" : "?" + query)", headers: [("Authorization", "Bearer \(token)")])
        let head = try await connection.read { _ in true }
        guard head.status == 200 else { throw HTTPTestError("/tail answered \(head.status): \(head.text)") }
        #expect(head.headers["transfer-encoding"] == "chunked")
        return connection
    }

    static func records(in lines: [String]) -> [String] {
        lines.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["record"] as? String
        }.map { String($0.prefix { $0 != "_" }) }
    }

    @Test("with the token, /tail streams kept events live as JSON lines; cluster, table and user filters apply")
    func streamsAndFilters() async throws {
        let server = try Self.server()
        try await server.start()
        let everything = try await Self.follow(server)
        let invoices = try await Self.follow(server, "table=billing.INVOICES")
        let billingGlob = try await Self.follow(server, "cluster=billing&table=billing.%2A")
        let otherCluster = try await Self.follow(server, "cluster=default")
        let failedLogins = try await Self.follow(server, "user=app")
        try await RulesEndToEndTests.send(server, HTTPEndpointTests.tenRecords)

        let all = try await everything.read { $0.lines.count >= 7 }
        let onlyInvoices = try await invoices.read { $0.lines.count >= 1 }
        let glob = try await billingGlob.read { $0.lines.count >= 2 }
        let logins = try await failedLogins.read { $0.lines.count >= 1 }
        _ = try await server.events(count: 7)
        // kept: proves nothing reaches the cluster=default stream meanwhile
        try await Task.sleep(for: .milliseconds(200))
        let none = try await otherCluster.read { _ in true }
        let settledAll = try await everything.read { _ in true }
        await server.stop()

        #expect(
            Self.records(in: settledAll.lines) == ["1", "2", "4", "5", "8", "9", "10"], "the kept events, in order")
        #expect(all.lines.allSatisfy { $0.hasPrefix(#"{"format":"percona-json""#) })
        #expect(Self.records(in: onlyInvoices.lines) == ["4"], "table patterns are case-insensitive")
        #expect(Self.records(in: glob.lines) == ["4", "8"])
        #expect(
            Self.records(in: logins.lines) == ["2"],
            "the Connect record's user is 'app'; queries' are 'app[app] @ web1 [10.0.0.5]'")
        #expect(none.lines.isEmpty)
    }

    @Test("/tail refuses a missing or wrong token (401) and a bad filter (400); without a token file it is off (404)")
    func refusals() async throws {
        let server = try Self.server()
        try await server.start()
        let missing = try await HTTPTestConnection.get(port: server.httpPort, "/tail")
        let wrong = try await HTTPTestConnection.get(
            port: server.httpPort, "/tail", headers: [("Authorization", "Bearer nope")])
        let badFilter = try await HTTPTestConnection.get(
            port: server.httpPort, "/tail?table=re:(", headers: [("Authorization", "Bearer \(Self.token)")]
        )
        let unknown = try await HTTPTestConnection.get(
            port: server.httpPort, "/tail?host=x", headers: [("Authorization", "Bearer \(Self.token)")]
        )
        await server.stop()
        #expect(missing.status == 401 && missing.headers["www-authenticate"] == "Bearer")
        #expect(wrong.status == 401)
        #expect(badFilter.status == 400)
        #expect(unknown.status == 400 && unknown.text.contains("unknown parameter 'host'"))

        let off = try TestServer(http: HTTPEndpointTests.http, registry: PrometheusCollectorRegistry())
        try await off.start()
        let disabled = try await HTTPTestConnection.get(
            port: off.httpPort, "/tail", headers: [("Authorization", "Bearer \(Self.token)")])
        await off.stop()
        #expect(disabled.status == 404 && disabled.text.hasPrefix("tail disabled"))
    }

    @Test(
        "a stuck tail client does not slow the pipeline; when it reads again it gets what waited, then a notice of the drops"
    )
    func stuckClient() async throws {
        let server = try Self.server(extra: "  tail_buffer_bytes: 64KiB", clusters: nil)
        try await server.start()
        let stuck = try await Self.follow(server, receiveBuffer: 4096)
        let total = 20_000
        let clock = ContinuousClock()
        let started = clock.now
        let lines = (1...total).flatMap { Array((Records.rfc3164(Records.json($0)) + "\n").utf8) }
        try await TestClient.sendTCP(lines, port: server.tcpPort)
        let delivered = try await server.events(count: total, timeout: 30)
        let elapsed = clock.now - started
        #expect(delivered.count == total, "the file sink gets every event while the tail client is stuck")
        #expect(elapsed < .seconds(20), "and promptly: \(elapsed)")

        // Reading again: whatever waited, and for each run of drops one notice, exactly where the
        // dropped events would have been. Drops can come in several runs (the kernel takes bursts
        // while its send buffer grows), so events may follow a notice; but walking the lines in
        // order, each event's record number is the next one once the notices' counts are added.
        let notice = #"{"notice":"dropped "#
        func recordNumber(_ line: String) -> Int? {
            guard let field = line.range(of: #""record":""#) else { return nil }
            return Int(line[field.upperBound...].prefix { $0.isNumber })
        }
        func walk(_ lines: [String]) -> (next: Int, dropped: Int, notices: Int, misplaced: [String]) {
            var next = 1
            var dropped = 0
            var notices = 0
            var misplaced: [String] = []
            for line in lines {
                if line.hasPrefix(notice) {
                    let count = Int(line.dropFirst(notice.count).prefix { $0.isNumber }) ?? 0
                    if !line.hasSuffix(#" events: this client was too slow"}"#) || count == 0 { misplaced.append(line) }
                    notices += 1
                    dropped += count
                    next += count
                } else if let number = recordNumber(line) {
                    if number != next { misplaced.append("record \(number) where \(next) was due") }
                    next = number + 1
                } else {
                    misplaced.append(line)
                }
            }
            return (next, dropped, notices, misplaced)
        }
        let response = try await stuck.read(timeout: .seconds(30)) { response in
            // The stream is complete when its last line is the last event or a notice reaching past it.
            guard let last = response.lines.last else { return false }
            return recordNumber(last) == total || (last.hasPrefix(notice) && walk(response.lines).next > total)
        }
        let metrics = try await HTTPEndpointTests.scrape(server)
        await server.stop()
        let result = walk(response.lines)
        #expect(
            metrics.value("auditsieve_tail_missed_events_total") == Double(result.dropped),
            "the metric counts what the notices say")
        #expect(metrics.value("auditsieve_tail_clients") == 1)
        #expect(result.next == total + 1, "every event was either sent or counted in a notice")
        #expect(result.dropped > 0 && result.notices >= 1)
        #expect(
            result.misplaced.isEmpty,
            "each notice stands exactly where its dropped events were: \(result.misplaced.prefix(3))")
    }

    @Test(
        "a /tail filter whose regex backtracks exponentially (HOSTILE D5) costs ingest nothing; its limit hits are counted as no match"
    )
    func redosFilterOffIngest() async throws {
        let server = try Self.server(clusters: nil)
        try await server.start()
        let redos = try await Self.follow(server, "table=re:%5E(a%7Caa)%2B%24")
        let plain = try await Self.follow(server, "table=aaaa*.x1")
        let total = 5000
        let table = String(repeating: "a", count: 28)
        var lines: [UInt8] = []
        for n in 1...total {
            lines += Array((Records.rfc3164(Records.query(n, sql: "SELECT * FROM \(table).x\(n % 3)")) + "\n").utf8)
        }
        let clock = ContinuousClock()
        let started = clock.now
        try await TestClient.sendTCP(lines, port: server.tcpPort)
        let delivered = try await server.events(count: total, timeout: 30)
        let elapsed = clock.now - started
        let expected = (1...total).filter { $0 % 3 == 1 }.count
        let plainLines = try await plain.read(timeout: .seconds(30)) { $0.lines.count >= expected }
        let metrics = try await HTTPEndpointTests.scrape(server)
        let redosLines = try await redos.read { _ in true }
        await server.stop()
        #expect(delivered.count == total)
        // Before, the filter ran on the ingest thread: 3,000 such events took 23 s.
        #expect(elapsed < .seconds(10), "ingest took \(elapsed)")
        #expect(
            redosLines.lines.filter { !$0.hasPrefix(#"{"notice""#) }.isEmpty, "a match the limit stopped is no match")
        #expect(plainLines.lines.count == expected, "another client's plain filter sees every event of its table")
        #expect((metrics.value("auditsieve_regex_limit_hits_total", ["use": "tail"]) ?? 0) > 0)
    }
}
