import Foundation
import Logging
import MetricsTestKit
import NIOCore
import SieveConfig
@testable import SieveDelivery
import SieveSyslog

@testable import SievePipeline

/// The routing side of the pipeline without a socket, built the way the server builds it: a
/// config parsed from YAML, its (cluster, sink) queues from the queue registry (with their
/// delivery threads), the routing table and the ingest context, all counting into in-memory
/// metrics. Every sink of the config is replaced by a `ControlledSink` of the same name, so a
/// test reads what each sink received and can hold a sink to fill its queue.
final class IngestFixture {
    let metrics = TestMetrics()
    let config: AuditSieveConfig
    let sinks: [String: ControlledSink]
    let registry: QueueRegistry
    let ingest: IngestContext
    let logger: Logger

    /// `clusters` and `limits` are whole top-level sections; the default cluster feeds `archive`.
    /// Sinks `archive` and `audit` exist (file sinks in the config; never opened).
    init(clusters: String = "", limits: String = "", defaultCluster: String = "sinks: [archive]") throws {
        let yaml = """
            listeners:
              - {protocol: tcp, address: 127.0.0.1:0}
            \(clusters)
            \(limits)
            default_cluster:
              \(defaultCluster)
            sinks:
              archive: {type: file, path: /nonexistent/auditsieve-test/archive.jsonl}
              audit: {type: file, path: /nonexistent/auditsieve-test/audit.jsonl}
            """
        config = try AuditSieveConfig.parse(yaml: yaml, file: "ingest-fixture.yml")
        var logger = Logger(label: "ingest-test")
        logger.logLevel = .critical
        self.logger = logger
        sinks = Dictionary(uniqueKeysWithValues: config.sinks.map { ($0.name, ControlledSink(name: $0.name)) })
        registry = QueueRegistry(logger: logger, metricsFactory: metrics)
        let queues = try registry.prepare(config, sinks: sinks)
        ingest = IngestContext(
            table: try RoutingTable(config: config, queues: queues, metricsFactory: metrics),
            metrics: PipelineMetrics(factory: metrics),
            sources: SourceTracker(factory: metrics, limits: config.limits, logger: logger), logger: logger,
            tail: TailHub(factory: metrics), tableRecordLimits: config.limits.tableRecordLimits,
            heldTableRecordBytesLimit: config.limits.tableRecordsHeldBytes
        )
    }

    func sink(_ name: String) -> ControlledSink { sinks[name]! }

    /// Releases held sinks and stops the queues as the server does (call at the end of a test).
    func stop() async {
        for sink in sinks.values { sink.release() }
        await registry.shutdown(deliverFor: .seconds(5), orUpTo: .seconds(5), sinks: Array(sinks.values))
    }

    /// A listener's counters on these metrics.
    func listenerMetrics(_ name: String = "tcp://test") -> ListenerMetrics {
        ListenerMetrics(listener: name, factory: metrics)
    }

    func counter(_ label: String, _ dimensions: [(String, String)] = []) -> Int64 {
        metrics.counterTotal(label: label, dimensions: dimensions)
    }

    /// Events handed to `sink`'s queues (all clusters): counted when the batch is handed over.
    func enqueued(_ sink: String) -> Int64 { counter("auditsieve_enqueued_events_total", [("sink", sink)]) }

    /// What `sink` received, parsed, once it received `count` events (waits up to 15 s).
    func received(_ sink: String, count: Int) -> [[String: Any]] {
        self.sink(sink).waitFor(count).map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    /// What `sink` received once it has taken everything handed to its queues (waits up to 15 s).
    func settled(_ sink: String) -> [[String: Any]] {
        received(sink, count: Int(enqueued(sink)))
    }

    /// Percona JSON record `n` from `host`, in an RFC 3164 header.
    static func query(_ n: Int, sql: String = "SELECT * FROM billing.invoices", host: String = "db1") -> ByteBuffer {
        ByteBuffer(string: Records.rfc3164(Records.query(n, sql: sql), host: host))
    }

    /// A MariaDB server_audit line (`db1,user,host,connection,query_id,OPERATION,…`) from `host`.
    static func mariadb(_ line: String, host: String = "db-maria-1") -> ByteBuffer {
        ByteBuffer(string: "<14>Nov 22 01:28:43 \(host) mysql-server_auditing:  \(line)")
    }

    /// An audit log filter message as a file tailer forwards a JSON file's line.
    static func filter(_ line: String, host: String = "db1") -> ByteBuffer {
        ByteBuffer(string: "<14>Dec  5 03:10:56 \(host) mysqld: audit-filter: \(line)")
    }

    static func frame(_ message: ByteBuffer, truncated: Bool = false) -> SyslogFrame {
        .message(message, SyslogFrameInfo(framing: .lf, oversizeTruncated: truncated))
    }

    /// The number in a Percona `record` ("7_1970-…" → 7).
    static func number(_ event: [String: Any]) -> Int? {
        (event["record"] as? String)?.split(separator: "_").first.flatMap { Int($0) }
    }
}
