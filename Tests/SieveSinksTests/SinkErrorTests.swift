import Foundation
import Logging
import MetricsTestKit
import SieveSinkConfig
import SieveSinks
import Testing

@Suite("sink errors")
struct SinkErrorTests {
    @Test("codes are the lowercase words documented in docs/METRICS.md")
    func codes() {
        #expect(
            SinkError.Code.allCases.map(\.rawValue) == [
                "closed", "backing_off", "connect_failed", "tls_refused", "peer_gone", "write_failed", "write_timeout",
                "no_space", "open_failed", "tls_files",
            ])
        #expect(
            SinkError.Code.allCases.filter(\.isWriteError) == [
                .connectFailed, .tlsRefused, .peerGone, .writeFailed, .writeTimeout, .noSpace,
            ])
    }

    @Test("start-up errors name the file; run-time errors say the sink is unavailable")
    func descriptions() {
        let open = SinkError(sink: "out", path: "/nonexistent/x.log", errno: ENOENT, operation: "open")
        #expect(open.code == .openFailed && open.path == "/nonexistent/x.log")
        #expect(open.description == "sink 'out': cannot open /nonexistent/x.log: No such file or directory")
        let tls = SinkError(
            sink: "fwd", path: "/etc/ca.pem", role: "CA certificate", reason: "not a PEM CA certificate")
        #expect(tls.code == .tlsFiles)
        #expect(tls.description == "sink 'fwd': cannot use TLS CA certificate /etc/ca.pem: not a PEM CA certificate")
        let runtime = SinkError(.writeTimeout, sink: "fwd", reason: "peer took nothing", retryAfterMilliseconds: 200)
        #expect(runtime.description == "sink 'fwd' unavailable: peer took nothing")
        #expect(
            SinkUnavailable(sink: "x", reason: "down", retryAfterMilliseconds: 5).code == .writeFailed,
            "the former initializer still works")
    }

    @Test(
        "a file sink on a full disk fails with no_space, counted under that reason; once closed it fails with closed, not counted"
    )
    func fileSinkFullDisk() throws {
        let metrics = TestMetrics()
        var logger = Logger(label: "file-sink-test")
        logger.logLevel = .critical
        let sink = try FileSink(
            configuration: FileSinkConfiguration(name: "full", target: .file(path: "/dev/full")), logger: logger,
            metricsFactory: metrics
        )
        let failure = try #require(throws: SinkError.self) {
            try sink.deliver(EventBatch(events: [Array("{}\n".utf8)]))
        }
        #expect(failure.code == .noSpace && failure.deliveredEvents == 0)
        let counted = { (reason: String) in
            try metrics.expectCounter("auditsieve_sink_write_errors_total", [("sink", "full"), ("reason", reason)])
                .totalValue
        }
        #expect(try counted("no_space") == 1)
        #expect(try counted("write_failed") == 0)
        #expect(try metrics.expectGauge("auditsieve_sink_up", [("sink", "full")]).lastValue == 0)
        sink.close()
        let closed = try #require(throws: SinkError.self) { try sink.deliver(EventBatch(events: [Array("{}\n".utf8)])) }
        #expect(closed.code == .closed)
        #expect(try counted("no_space") == 1)
    }

    @Test("a syslog sink's failures carry their code and are counted under it; backing off is not counted")
    func syslogCodes() throws {
        let harness = try SinkHarness()
        defer { try? harness.shutdown() }
        try harness.server.stop()
        let sink = try harness.sink { $0.reconnectMaxMilliseconds = 60_000 }
        let failure = try #require(throws: SinkError.self) { try sink.deliver(SinkHarness.events(0..<5)) }
        #expect(failure.code == .connectFailed)
        #expect(try harness.counter("auditsieve_sink_write_errors_total", reason: .connectFailed) == 1)
        // The first backoff is 100 ms ± 20 %: a second delivery at once is refused without an attempt.
        let again = try #require(throws: SinkError.self) { try sink.deliver(SinkHarness.events(0..<5)) }
        if again.code == .backingOff {
            #expect(try harness.counter("auditsieve_sink_write_errors_total") == 1)
        }
    }

    @Test("a TLS receiver that refuses the sink's (missing) certificate: tls_refused, counted under it")
    func tlsRefused() throws {
        let harness = try SinkHarness(server: SyslogSinkTLSTests.mutualTLSServer())
        defer { try? harness.shutdown() }
        let tls = try SyslogSinkTLSTests.clientTLS(withCertificate: false)
        let sink = try harness.sink { $0.tls = tls }
        let failure = try #require(throws: SinkError.self) { try sink.deliver(SinkHarness.events(0..<10)) }
        #expect(failure.code == .tlsRefused)
        #expect(try harness.counter("auditsieve_sink_write_errors_total", reason: .tlsRefused) == 1)
        #expect(try harness.counter("auditsieve_sink_write_errors_total") == 1)
    }
}
