import Foundation
import NIOCore
import NIOPosix
import Prometheus
import MetricsTestKit
import SieveConfig
import SieveHTTPRouting
import Testing

@testable import SievePipeline

/// The HTTP endpoint on real sockets (127.0.0.1 port 0): /metrics, /healthz, /readyz.
@Suite("HTTP endpoint", .serialized)
struct HTTPEndpointTests {
    static let http = """
        http:
          address: 127.0.0.1:0
        """

    /// Ten records for `RulesEndToEndTests.billingRules` on host db-billing-01: seven kept, three filtered.
    static let tenRecords = [
        Records.audit(1),  // kept: audit_record
        Records.connect(2, status: 1045),  // kept: failed login
        Records.connect(3, status: 0),  // filtered: login
        Records.query(4, sql: "SELECT * FROM billing.invoices"),  // kept
        Records.query(5, sql: "SELECT * FROM users.accounts"),  // kept
        Records.query(6, sql: "SELECT * FROM blog.posts"),  // filtered
        Records.query(7, sql: "SELECT NOW()"),  // filtered: keep_other false
        Records.query(8, sql: "INSERT INTO billing.payments VALUES (1)", commandClass: "insert"),  // kept
        Records.query(9, sql: "SELECT * FROM pay_eu.ledger_1"),  // kept: re: pattern
        Records.query(10, sql: "GRANT SELECT ON blog.posts TO x", commandClass: "grant"),  // kept: always_keep
    ]

    @Test("a scrape of /metrics shows exact counters for a known input: 10 received, 7 kept, 3 filtered, 7 forwarded")
    func metricsScrape() async throws {
        let server = try TestServer(
            clusters: RulesEndToEndTests.billingRules, http: Self.http, registry: PrometheusCollectorRegistry())
        try await server.start()
        try await RulesEndToEndTests.send(server, Self.tenRecords)
        _ = try await server.events(count: 7)
        let cluster = ["cluster": "billing"]
        let queue = ["cluster": "billing", "sink": "archive"]
        // Counters reflect processed events within a second.
        var metrics = try await Self.scrape(server)
        let deadline = ContinuousClock.now + .seconds(1)
        while metrics.value("auditsieve_forwarded_events_total", queue) != 7 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            metrics = try await Self.scrape(server)
        }
        await server.stop()

        #expect(metrics.value("auditsieve_received_events_total", cluster) == 10)
        #expect(metrics.value("auditsieve_kept_events_total", cluster) == 7)
        #expect(metrics.value("auditsieve_filtered_events_total", cluster) == 3)
        #expect(metrics.value("auditsieve_forwarded_events_total", queue) == 7)
        #expect(metrics.value("auditsieve_queued_events", queue) == 0)
        #expect(metrics.value("auditsieve_dropped_events_total", queue.merging(["reason": "queue_full"]) { $1 }) == 0)
        #expect(metrics.value("auditsieve_records_total", ["format": "percona-json"]) == 10)
        #expect(
            metrics.value(
                "auditsieve_decisions_total",
                cluster.merging(["step": "tables_filtered", "outcome": "filtered"]) { $1 }) == 1)
        #expect(metrics.value("auditsieve_listener_frames_total", ["listener": "tcp://127.0.0.1:0"]) == 10)
        #expect(metrics.value("auditsieve_sink_up", ["sink": "archive"]) == 1)
        #expect(
            metrics.samples.filter { $0.name == "auditsieve_listener_up" }.map(\.value) == [1, 1], "both listeners up")
        #expect(metrics.types["auditsieve_kept_events_total"] == "counter")
        #expect(metrics.types["auditsieve_queued_events"] == "gauge")
    }

    @Test("every metric name keeps one set of label names, and every name is documented in docs/METRICS.md")
    func oneLabelSetPerName() async throws {
        let server = try TestServer(
            clusters: RulesEndToEndTests.billingRules, http: Self.http, registry: PrometheusCollectorRegistry())
        try await server.start()
        try await RulesEndToEndTests.send(server, Self.tenRecords)
        _ = try await server.events(count: 7)
        let metrics = try await Self.scrape(server)
        await server.stop()
        let documented = try String(
            contentsOf: ShippedFilesTests.root.appendingPathComponent("docs/METRICS.md"), encoding: .utf8
        )
        let byName = Dictionary(grouping: metrics.samples, by: \.name)
        #expect(byName.count > 20)
        for (name, samples) in byName {
            let labelSets = Set(samples.map { $0.labels.keys.sorted() })
            #expect(labelSets.count == 1, "\(name) has several label sets: \(labelSets)")
            #expect(documented.contains("`\(name)`"), "\(name) is not in docs/METRICS.md")
        }
    }

    @Test("/healthz says ok; /readyz lists the bound listeners, the spool and the sinks; others 404, non-GET 405")
    func healthAndReadiness() async throws {
        let server = try TestServer(http: Self.http, registry: PrometheusCollectorRegistry())
        try await server.start()
        let health = try await HTTPTestConnection.get(port: server.httpPort, "/healthz")
        let ready = try await HTTPTestConnection.get(port: server.httpPort, "/readyz")
        let missing = try await HTTPTestConnection.get(port: server.httpPort, "/nothing-here")
        let post = try await HTTPTestConnection.get(port: server.httpPort, "/metrics", method: "POST")
        let metrics = try await HTTPTestConnection.get(port: server.httpPort, "/metrics")
        await server.stop()

        #expect(health.status == 200 && health.text == "ok\n")
        #expect(ready.status == 200)
        #expect(ready.headers["content-type"] == "application/json")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(ready.body)) as? [String: Any])
        #expect(report["ready"] as? Bool == true)
        #expect(report["spool_recovered"] as? Bool == true)
        #expect(report["sinks"] as? [String] == ["archive", "evidence"])
        let listeners = try #require(report["listeners"] as? [[String: String]])
        #expect(listeners.map { $0["address"] } == ["127.0.0.1:\(server.tcpPort)", "127.0.0.1:\(server.udpPort)"])
        #expect(listeners.map { $0["listener"] } == ["tcp://127.0.0.1:0", "udp://127.0.0.1:0"])
        #expect(missing.status == 404)
        #expect(post.status == 405 && post.headers["allow"] == "GET")
        #expect(
            metrics.status == 200 && metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
    }

    @Test("/readyz answers 503 until the listeners are bound")
    func notReadyBeforeBind() async throws {
        let endpoint = HTTPEndpoint(
            config: HTTPConfig(port: 0),
            responder: HTTPResponder(
                router: HTTPRequestRouter(tailToken: nil), registry: PrometheusCollectorRegistry(),
                readiness: { ReadinessReport(ready: false, listeners: [], spoolRecovered: true, sinks: ["out"]) },
                tail: TailHub(), tailBufferBytes: 1 << 20, appendMetrics: { _ in },
                metrics: HTTPMetrics(factory: TestMetrics())
            )
        )
        let address = try await endpoint.bind(on: MultiThreadedEventLoopGroup.singleton)
        let port = try #require(address.port)
        let ready = try await HTTPTestConnection.get(port: port, "/readyz")
        let health = try await HTTPTestConnection.get(port: port, "/healthz")
        await endpoint.stop()
        #expect(ready.status == 503)
        #expect(ready.text.contains(#""ready":false"#))
        #expect(health.status == 200, "alive even when not ready")
    }

    @Test("a taken HTTP address fails the start with a message naming it")
    func bindFailure() async throws {
        let first = try TestServer(http: Self.http, registry: PrometheusCollectorRegistry())
        try await first.start()
        let taken = "http:\n  address: 127.0.0.1:\(first.httpPort)"
        let second = try TestServer(http: taken, registry: PrometheusCollectorRegistry())
        await #expect {
            try await second.start()
        } throws: { error in
            "\(error)".contains("cannot serve HTTP on http://127.0.0.1:\(first.httpPort) (config line")
        }
        await first.stop()
        await second.stop()
    }

    static func scrape(_ server: TestServer) async throws -> ScrapedMetrics {
        let response = try await HTTPTestConnection.get(port: server.httpPort, "/metrics")
        guard response.status == 200 else { throw HTTPTestError("/metrics answered \(response.status)") }
        return try ScrapedMetrics(response.text)
    }
}
