import Foundation
import Logging
import MetricsTestKit
import NIOPosix
import SieveSinkConfig
import SieveSinks
import SieveSyslog
import Testing

/// A test syslog server, an event loop group for sinks, in-memory metrics, and the helpers the
/// syslog sink tests share: numbered events, frames parsed back, patient polling.
final class SinkHarness {
    let server: SyslogTestServer
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let metrics = TestMetrics()
    private var sinks: [SyslogSink] = []

    init(server: SyslogTestServer? = nil) throws {
        self.server = try server ?? SyslogTestServer()
    }

    /// A sink to the server (127.0.0.1, its port), with test-sized timeouts unless `configure` changes them.
    func sink(_ configure: (inout SyslogSinkConfiguration) -> Void = { _ in }) throws -> SyslogSink {
        var configuration = SyslogSinkConfiguration(
            name: "forward", host: "127.0.0.1", port: server.port, hostname: "sieve-test"
        )
        configure(&configuration)
        var logger = Logger(label: "syslog-sink-test")
        logger.logLevel = .critical
        let sink = try SyslogSink(configuration: configuration, group: group, logger: logger, metricsFactory: metrics)
        sinks.append(sink)
        return sink
    }

    func shutdown() throws {
        for sink in sinks { sink.close() }
        try server.shutdown()
        try group.syncShutdownGracefully()
    }

    /// The sink's counter `label`, summed over its other labels (`reason` of the write errors).
    func counter(_ label: String) throws -> Int64 {
        let series = metrics.counters(label: label, dimensions: [("sink", "forward")])
        guard !series.isEmpty else {
            throw TestMetricsError.missingMetric(label: label, dimensions: [("sink", "forward")])
        }
        return series.map(\.totalValue).reduce(0, +)
    }

    /// The sink's counter `label` with exactly `reason`.
    func counter(_ label: String, reason: SinkError.Code) throws -> Int64 {
        try metrics.expectCounter(label, [("sink", "forward"), ("reason", reason.rawValue)]).totalValue
    }

    func gauge(_ label: String) throws -> Double? {
        try metrics.expectGauge(label, [("sink", "forward")]).lastValue
    }

    /// Events `range`, each a distinct line of about `size` bytes ending in LF.
    static func events(_ range: Range<Int>, size: Int = 120) -> EventBatch {
        var batch = EventBatch()
        for index in range {
            let head = #"{"n":\#(index),"sqltext":"SELECT * FROM t WHERE c = '"#
            let letter = Character(UnicodeScalar(UInt8(ascii: "a") + UInt8(index % 26)))
            let pad = String(repeating: letter, count: max(0, size - head.utf8.count - 4))
            batch.append(Array((head + pad + #"'"}"# + "\n").utf8))
        }
        return batch
    }

    /// The messages of the complete frames the server received, connection by connection (a
    /// frame cut by a closed connection is left out), with their headers.
    func frames() throws -> [[(header: SyslogMessage, message: [UInt8])]] {
        try server.received.map { bytes in
            try SyslogFrameEncoderTests.roundTrip(bytes).map { (header: $0.0, message: $0.1) }
        }
    }

    /// Each complete frame's MSG part: the event as sent, without its LF.
    func messages() throws -> [[UInt8]] {
        try frames().joined().map { Array($0.message[$0.header.msg]) }
    }

    /// Waits (up to 10 s) until the server holds `count` complete frames; returns their messages.
    func messages(count: Int) throws -> [[UInt8]] {
        _ = try Self.eventually { try messages().count >= count }
        return try messages()
    }

    /// Polls `condition` every 10 ms for up to `seconds`: whether it came true.
    static func eventually(seconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return try condition()
    }

    /// Delivers `batch`, waiting out each `SinkUnavailable` as the queue would, for up to 10 s.
    /// Returns how many attempts failed.
    @discardableResult
    static func deliverRetrying(_ batch: EventBatch, to sink: SyslogSink) throws -> Int {
        let deadline = Date(timeIntervalSinceNow: 10)
        var failures = 0
        while true {
            do {
                try sink.deliver(batch)
                return failures
            } catch {
                failures += 1
                guard Date() < deadline else { throw error }
                Thread.sleep(forTimeInterval: Double(error.retryAfterMilliseconds) / 1000)
            }
        }
    }

    /// The MSG each event of `batch` should arrive as.
    static func messages(of batch: EventBatch) -> [[UInt8]] {
        (0..<batch.count).map { Array(batch.event($0).dropLast()) }
    }

    static func fixture(_ name: String) throws -> String {
        try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/tls")).path
    }
}
