import Foundation
import Logging
import MetricsTestKit
import SieveConfig
import Testing

@testable import SievePipeline

/// Damaged spools and reloads through the whole server: recovery never refuses to start and
/// counts what it lost; a cluster removed by a reload still delivers what its queue holds.
@Suite("spool recovery and reload draining", .serialized)
struct SpoolRecoveryAndReloadTests {
    @Test(
        "flipped bytes in one segment and a torn tail on another: the server starts, counts the damage, delivers the rest in order"
    )
    func damagedSegments() async throws {
        let downstream = try await TestDownstream()
        await downstream.down()
        // The smallest segments: the 3000 events take about 32 KB on disk, right at two 16 KiB
        // segments, so with 16 KiB a third segment came or not from run to run (nine of 4 KiB).
        let first = try DrillServer(
            downstreamPort: downstream.port, spool: "{max_bytes: 64MiB, memory_bytes: 64KiB}", segmentBytes: "4KiB"
        )
        defer { first.removeFiles() }
        try await first.start()
        try await sendSteadily(0..<3000, port: first.tcpPort, perSecond: 30_000)
        let deadline = Date().addingTimeInterval(15)
        while first.counter("auditsieve_kept_events_total") < 3000 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        await first.stop()

        let queueDirectory = first.spoolPath + "/default/siem"
        let segments = try FileManager.default.contentsOfDirectory(atPath: queueDirectory).filter {
            $0.hasSuffix(".seg")
        }.sorted()
        try #require(
            segments.count >= 3,
            "several segments to damage: \((try? FileManager.default.subpathsOfDirectory(atPath: first.spoolPath)) ?? [])"
        )
        // Flip bytes in the middle of the second segment.
        let middle = queueDirectory + "/" + segments[1]
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: middle)))
        for offset in stride(from: bytes.count / 2, to: min(bytes.count / 2 + 64, bytes.count), by: 7) {
            bytes[offset] ^= 0xA5
        }
        try Data(bytes).write(to: URL(fileURLWithPath: middle))
        // Tear the tail of the last one, as a crash mid-write would.
        let last = queueDirectory + "/" + segments[segments.count - 1]
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: last))
        let size = try handle.seekToEnd()
        try handle.truncate(atOffset: size - 37)
        try handle.close()

        try await downstream.up()
        let second = try DrillServer(
            downstreamPort: downstream.port, spool: "{max_bytes: 64MiB, memory_bytes: 64KiB}",
            directory: first.directory,
            segmentBytes: "4KiB"
        )
        try await second.start()
        let recovered = second.counter("auditsieve_recovered_events_total", [("sink", "siem")])
        #expect(recovered > 0 && recovered < 3000, "some events were lost to the damage, the rest recovered")
        #expect(second.counter("auditsieve_spool_corrupt_segments_total") >= 1, "the damaged segment is counted")
        let arrived = await downstream.waitFor(Int(recovered))
        try await Task.sleep(for: .milliseconds(200))
        #expect(downstream.recordNumbers.count == Int(recovered))
        #expect(zip(arrived, arrived.dropFirst()).allSatisfy { $0 < $1 }, "in order, no duplicates")
        #expect(arrived.first == 0, "the undamaged first segment is delivered")
        #expect(second.accountingHolds(sink: "siem"))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: queueDirectory).contains { $0.hasSuffix(".corrupt") })
        await second.stop()
        await downstream.stop()
    }

    @Test("a cluster removed by a reload (its sink too) still delivers everything its queue held")
    func removedClusterDrains() async throws {
        let downstream = try await TestDownstream()
        await downstream.down()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "auditsieve-reload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let archive = directory.appendingPathComponent("archive.jsonl").path
        let head = """
            listeners:
              - {protocol: tcp, address: 127.0.0.1:0}
            spool: {directory: \(directory.path)/spool, fsync_interval_ms: 50}
            """
        let withBilling =
            head + """

                clusters:
                  - name: billing
                    match: {hostnames: ["db1"]}
                    spool: {memory_bytes: 64KiB}
                    sinks: [siem]
                default_cluster: {sinks: [archive]}
                sinks:
                  siem: {type: syslog, address: "127.0.0.1:\(downstream.port)", framing: lf, reconnect_max_ms: 200}
                  archive: {type: file, path: \(archive), flush_interval_ms: 10}
                """
        let withoutBilling =
            head + """

                default_cluster: {sinks: [archive]}
                sinks:
                  archive: {type: file, path: \(archive), flush_interval_ms: 10}
                """
        let metrics = TestMetrics()
        var logger = Logger(label: "reload")
        logger.logLevel = .critical
        let server = try AuditSieveServer(
            config: try AuditSieveConfig.parse(yaml: withBilling, file: "with-billing.yml"), logger: logger,
            metricsFactory: metrics
        )
        let port = try await server.start()[0].port!
        try await sendSteadily(0..<1500, port: port, perSecond: 30_000)
        let deadline = Date().addingTimeInterval(15)
        while metrics.counterTotal(label: "auditsieve_kept_events_total") < 1500 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await server.reload(try AuditSieveConfig.parse(yaml: withoutBilling, file: "without-billing.yml"))
        // New records now go to the default cluster (the archive file).
        try await sendSteadily(1500..<1600, port: port, perSecond: 30_000)
        try await downstream.up()
        let arrived = await downstream.waitFor(1500)
        #expect(arrived == Array(0..<1500), "the retired queue delivered everything it held, in order")
        try await Task.sleep(for: .milliseconds(200))
        #expect(downstream.recordNumbers.count == 1500)
        await server.shutdown()
        await downstream.stop()
    }

    @Test(
        "reloads that keep removing and re-adding a sink while senders stream (HOSTILE D10): no event is dropped as shutdown, the accounting holds"
    )
    func reloadStorm() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "auditsieve-storm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let head = """
            listeners:
              - {protocol: tcp, address: 127.0.0.1:0}
            spool: {directory: \(directory.path)/spool, fsync_interval_ms: 50}
            sinks:
              archive: {type: file, path: \(directory.path)/archive.jsonl, flush_interval_ms: 10}
              archive2: {type: file, path: \(directory.path)/archive2.jsonl, flush_interval_ms: 10}

            """
        let one = try AuditSieveConfig.parse(yaml: head + "default_cluster: {sinks: [archive]}", file: "one.yml")
        let two = try AuditSieveConfig.parse(
            yaml: head + "default_cluster: {sinks: [archive, archive2]}", file: "two.yml")
        let metrics = TestMetrics()
        var logger = Logger(label: "storm")
        logger.logLevel = .critical
        let server = try AuditSieveServer(config: two, logger: logger, metricsFactory: metrics)
        let port = try await server.start()[0].port!
        let senders = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for k in 0..<4 {
                    group.addTask {
                        try await sendSteadily(k * 10_000..<k * 10_000 + 8000, port: port, perSecond: 1000)
                    }
                }
                try await group.waitForAll()
            }
        }
        for cycle in 0..<16 {
            try await server.reload(cycle % 2 == 0 ? one : two)
            try await Task.sleep(for: .milliseconds(100))
        }
        try await senders.value
        // The senders' last bytes may still be in socket buffers when they finish: wait for ingest, then delivery.
        let deadline = Date().addingTimeInterval(30)
        func total(_ label: String, _ sink: String) -> Int64 {
            metrics.counterTotal(label: label, dimensions: [("sink", sink)])
        }
        while (metrics.counterTotal(label: "auditsieve_kept_events_total") < 32_000 || server.queuedEvents > 0
            || total("auditsieve_forwarded_events_total", "archive") < 32_000) && Date() < deadline
        {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(metrics.counterTotal(label: "auditsieve_kept_events_total") == 32_000)
        for sink in ["archive", "archive2"] {
            #expect(
                total("auditsieve_dropped_events_total", sink) == 0, "\(sink): nothing dropped while the process runs")
            #expect(
                total("auditsieve_enqueued_events_total", sink) == total("auditsieve_forwarded_events_total", sink),
                "\(sink): every event handed over was written")
        }
        #expect(total("auditsieve_forwarded_events_total", "archive") == 32_000)
        #expect(total("auditsieve_enqueued_events_total", "archive2") > 0)
        await server.shutdown()
    }
}
