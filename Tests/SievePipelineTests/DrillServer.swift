import Foundation
import Logging
import MetricsTestKit
import NIOCore
import SieveConfig
import SievePipeline

/// A server with a spool directory, a syslog sink to a `TestDownstream` and a file sink, for
/// outage tests. `spool` is the default cluster's `spool:` mapping, `siem` extra keys of the
/// syslog sink.
final class DrillServer {
    let server: AuditSieveServer
    let metrics = TestMetrics()
    let directory: URL
    let archivePath: String
    let spoolPath: String
    private(set) var tcpPort = 0

    init(
        downstreamPort: Int, spool: String, siem: String = "", fsync: String = "interval", directory: URL? = nil,
        segmentBytes: String? = nil
    ) throws {
        self.directory =
            directory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("auditsieve-drill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        archivePath = self.directory.appendingPathComponent("archive.jsonl").path
        spoolPath = self.directory.appendingPathComponent("spool").path
        let yaml = """
            listeners:
              - {protocol: tcp, address: 127.0.0.1:0}
            spool:
              directory: \(spoolPath)
              fsync: \(fsync)
              fsync_interval_ms: 50
            default_cluster:
              spool: \(segmentBytes.map { spool.dropLast() + ", segment_bytes: \($0)}" } ?? spool)
              sinks: [siem, archive]
            sinks:
              siem:
                type: syslog
                address: 127.0.0.1:\(downstreamPort)
                framing: lf
                header: rfc5424
                reconnect_max_ms: 200
            \(siem)
              archive: {type: file, path: \(archivePath), flush_interval_ms: 10}
            """
        let path = self.directory.appendingPathComponent("auditsieve.yml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        var logger = Logger(label: "drill")
        logger.logLevel = .critical
        server = try AuditSieveServer(
            config: try AuditSieveConfig.load(file: path), configPath: path, logger: logger, metricsFactory: metrics
        )
    }

    func start() async throws {
        tcpPort = try await server.start()[0].port!
    }

    func stop() async { await server.shutdown() }

    func removeFiles() { try? FileManager.default.removeItem(at: directory) }

    func counter(_ label: String, _ dimensions: [(String, String)] = []) -> Int64 {
        dimensions.isEmpty
            ? metrics.counterTotal(label: label) : metrics.counterTotal(label: label, dimensions: dimensions)
    }

    func gauge(_ label: String, sink: String) -> Int64 {
        Int64((try? metrics.expectGauge(label, [("cluster", "default"), ("sink", sink)]).lastValue) ?? 0)
    }

    /// kept + recovered = forwarded + queued + dropped for `sink`, read from the metrics.
    func accountingHolds(sink: String) -> Bool {
        let s = [("cluster", "default"), ("sink", sink)]
        let kept = counter("auditsieve_kept_events_total", [("cluster", "default")])
        let recovered = counter("auditsieve_recovered_events_total", s)
        let forwarded = counter("auditsieve_forwarded_events_total", s)
        let dropped = counter("auditsieve_dropped_events_total", s)
        let queued = gauge("auditsieve_queued_events", sink: sink)
        let enqueued = counter("auditsieve_enqueued_events_total", s)
        return kept == enqueued && enqueued + recovered == forwarded + queued + dropped
    }

    /// The archive file's record numbers, in order.
    var archived: [Int] {
        guard let data = FileManager.default.contents(atPath: archivePath) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
            TestDownstream.recordNumber(String($0))
        }
    }
}

/// Sends records `range` over one connection at about `perSecond`, in chunks.
func sendSteadily(_ range: Range<Int>, port: Int, perSecond: Int) async throws {
    let channel = try await TestClient.connect(port: port)
    let chunk = max(1, perSecond / 50)
    var n = range.lowerBound
    while n < range.upperBound {
        let end = min(n + chunk, range.upperBound)
        var bytes: [UInt8] = []
        for i in n..<end { bytes += Records.octetCounted(Records.rfc3164(Records.json(i))) }
        try await TestClient.send(bytes, on: channel)
        n = end
        try await Task.sleep(for: .milliseconds(20))  // kept: the pacing is the point (about `perSecond`)
    }
    try await channel.close()
}
