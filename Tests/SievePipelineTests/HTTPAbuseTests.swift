import Foundation
import MetricsTestKit
import NIOPosix
import Prometheus
import SieveConfig
import SieveHTTPRouting
import Testing

@testable import SievePipeline

/// docs/HOSTILE.md D4 and D9: the HTTP endpoint bounds connections, request time and bodies.
@Suite("HTTP endpoint under abuse", .serialized)
struct HTTPAbuseTests {
    static func server(_ extra: String) throws -> TestServer {
        try TestServer(http: "http:\n  address: 127.0.0.1:0\n\(extra)", registry: PrometheusCollectorRegistry())
    }

    /// The registry as /metrics renders it, read in process: a scrape over HTTP would itself be
    /// subject to the short request timeouts these tests set, and late on a loaded machine.
    static func metrics(_ server: TestServer) async throws -> ScrapedMetrics {
        var bytes: [UInt8] = []
        server.registry!.emit(into: &bytes)
        return try ScrapedMetrics(String(decoding: bytes, as: UTF8.self))
    }

    /// A metric's value as the registry would render it now, without an HTTP request.
    static func registryValue(_ server: TestServer, _ name: String, _ labels: [String: String] = [:]) throws -> Double?
    {
        var bytes: [UInt8] = []
        server.registry!.emit(into: &bytes)
        return try ScrapedMetrics(String(decoding: bytes, as: UTF8.self)).value(name, labels)
    }

    @Test("a client sending its request a byte at a time (slowloris) gets 408 and is closed at request_timeout")
    func slowloris() async throws {
        let server = try Self.server("  request_timeout: 500ms")
        try await server.start()
        let connection = try HTTPTestConnection(port: server.httpPort)
        let clock = ContinuousClock()
        let started = clock.now
        // The client trickles a byte every 50 ms for up to 30 s (a loaded machine delays timers) and
        // never finishes its headers: the
        // server must close it while it is still sending (not when the client gives up).
        var closedWhileSending = false
        let request = Array("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ".utf8) + [UInt8](repeating: 97, count: 1000)
        for byte in request {
            if !connection.sendRaw([byte]) || connection.closedNow() {
                closedWhileSending = true
                break
            }
            try await Task.sleep(for: .milliseconds(50))
            if clock.now - started > .seconds(30) { break }
        }
        let (ended, response) = await connection.waitUntilClosed(timeout: .seconds(5))
        let metrics = try await Self.metrics(server)
        await server.stop()
        #expect(ended && closedWhileSending, "closed at the timeout, not when the client stopped")
        #expect(response?.status == 408)
        #expect(metrics.value("auditsieve_http_refused_total", ["reason": "request_timeout"]) == 1)
    }

    @Test(
        "beyond max_connections a new connection is closed at once; idle ones go at request_timeout, then requests are served"
    )
    func connectionCap() async throws {
        // A request_timeout long enough that a loaded machine cannot time the idle four out (and so
        // free a slot) before the fifth connection is looked at.
        let server = try Self.server("  max_connections: 4\n  request_timeout: 4s")
        try await server.start()
        let idle = try (0..<4).map { _ in try HTTPTestConnection(port: server.httpPort) }
        // connect() returns once the kernel queued the connection; wait until the server accepted all
        // four (read from the registry: a scrape would take a slot itself).
        let deadline = ContinuousClock.now + .seconds(10)
        while try Self.registryValue(server, "auditsieve_http_open_connections") != 4 && ContinuousClock.now < deadline
        {
            try await Task.sleep(for: .milliseconds(10))
        }
        let extra = try HTTPTestConnection(port: server.httpPort)
        let refused = await extra.waitUntilClosed(timeout: .seconds(3))
        #expect(refused.closed && refused.response == nil, "closed without an answer")
        for connection in idle {
            let timedOut = await connection.waitUntilClosed(timeout: .seconds(10))
            #expect(timedOut.closed && timedOut.response?.status == 408)
        }
        let metrics = try await Self.metrics(server)
        await server.stop()
        #expect(metrics.value("auditsieve_http_refused_total", ["reason": "max_connections"]) == 1)
        #expect(metrics.value("auditsieve_http_refused_total", ["reason": "request_timeout"]) == 4)
    }

    @Test("a client that asks and never reads its answer is closed at request_timeout, its slot given back")
    func neverReads() async throws {
        var config = HTTPConfig(port: 0)
        config.requestTimeoutMilliseconds = 500
        let metrics = TestMetrics()
        // A 16 MiB /metrics answer: more than loopback's socket buffers can hold for a client that does not read.
        let endpoint = HTTPEndpoint(
            config: config,
            responder: HTTPResponder(
                router: HTTPRequestRouter(tailToken: nil), registry: PrometheusCollectorRegistry(),
                readiness: { ReadinessReport(ready: true, listeners: [], spoolRecovered: true, sinks: []) },
                tail: TailHub(), tailBufferBytes: 1 << 20,
                appendMetrics: { $0.append(contentsOf: repeatElement(UInt8(ascii: "#"), count: 16 << 20)) },
                metrics: HTTPMetrics(factory: metrics)
            )
        )
        let port = try #require(try await endpoint.bind(on: MultiThreadedEventLoopGroup.singleton).port)
        let stalled = try HTTPTestConnection(port: port, receiveBuffer: 4096)
        try stalled.send("/metrics")
        let clock = ContinuousClock()
        let started = clock.now
        while metrics.counterTotal(label: "auditsieve_http_refused_total", dimensions: [("reason", "response_timeout")])
            == 0,
            clock.now - started < .seconds(10)
        {
            try await Task.sleep(for: .milliseconds(20))
        }
        // The timeout is counted before the connection's close completes and gives its slot back.
        var open = (try? metrics.expectGauge("auditsieve_http_open_connections").lastValue) ?? -1
        while open != 0, clock.now - started < .seconds(10) {
            try await Task.sleep(for: .milliseconds(20))
            open = (try? metrics.expectGauge("auditsieve_http_open_connections").lastValue) ?? -1
        }
        // Another client is served meanwhile and afterwards.
        let health = try await HTTPTestConnection.get(port: port, "/healthz")
        await endpoint.stop()
        stalled.close()
        #expect(
            metrics.counterTotal(label: "auditsieve_http_refused_total", dimensions: [("reason", "response_timeout")])
                == 1)
        #expect(open == 0, "the stalled connection gave its slot back")
        #expect(health.status == 200)
    }

    @Test("a request announcing a 10 GB body is answered 413 at once, not read")
    func hugeBody() async throws {
        let server = try Self.server("")
        try await server.start()
        let connection = try HTTPTestConnection(port: server.httpPort)
        try connection.send("/metrics", headers: [("Content-Length", "10000000000")])
        let (closed, response) = await connection.waitUntilClosed(timeout: .seconds(3))
        await server.stop()
        #expect(closed && response?.status == 413)
    }

    @Test("a 64 KiB bearer token is refused (401) before it is parsed")
    func hugeToken() async throws {
        let tokenPath = FileManager.default.temporaryDirectory.appendingPathComponent("tail-token-\(UUID().uuidString)")
            .path
        try "short-token\n".write(toFile: tokenPath, atomically: true, encoding: .utf8)
        let router = HTTPRequestRouter(tailToken: "short-token")
        let huge = "Bearer " + String(repeating: "x", count: 64 << 10)
        guard case .reply(let status, _, _) = router.route(method: .GET, target: "/tail", authorization: huge) else {
            Issue.record("expected a reply")
            return
        }
        #expect(status == .unauthorized)
        guard case .tail = router.route(method: .GET, target: "/tail", authorization: "Bearer   short-token  ") else {
            Issue.record("the right token is still accepted")
            return
        }
    }
}
