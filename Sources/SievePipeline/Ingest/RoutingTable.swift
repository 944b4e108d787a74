import Metrics
import SieveConfig
import SieveDelivery
import Synchronization
import SieveEvent
import SieveRedact
import SieveRules
import SieveSQL
import SieveSinks

/// An immutable snapshot of where records go: the clusters in match order, each cluster's SQL
/// options, (cluster, sink) queues and counters. A reload builds a new table and swaps it in whole.
public final class RoutingTable: Sendable {
    public let clusters: ClusterTable
    let queues: [DeliveryQueue]
    /// Per cluster index (`clusters.all` order): indices into `queues`.
    let queuesOfCluster: [[Int]]
    let sqlOptions: [SQLOptions]
    /// Per cluster: `ignore_server_tables`.
    let ignoredServerTables: [TablePatternSet]
    /// Per cluster: `table_records`.
    let tableRecordsModes: [TableRecordsMode]
    let metrics: [ClusterMetrics]
    let queueWantsJSON: [Bool]
    /// The distinct `redact:` lists of the JSON sinks and of `/tail`: equal lists share one
    /// encoding of each event.
    let redactions: [Redaction]
    /// Per queue: 0 for the event as received, k for the event redacted by `redactions[k - 1]`.
    let queueRedaction: [Int]
    /// The same for `/tail` (`http: tail_redact`).
    let tailRedaction: Int
    /// Batches that took this table and have not handed their events over yet. A reload retires
    /// the queues this table had only once it is 0 after the swap, so no batch of the old table
    /// reaches a queue that stopped (docs/HOSTILE.md D10).
    let activeBatches = Atomic<Int>(0)

    /// For `explain`, which only decides: no queues.
    public convenience init(config: AuditSieveConfig, metricsFactory: any MetricsFactory) throws(RulesError) {
        try self.init(config: config, queues: [], metricsFactory: metricsFactory)
    }

    /// `queues` are the open (cluster, sink) queues.
    init(config: AuditSieveConfig, queues: [DeliveryQueue], metricsFactory: any MetricsFactory) throws(RulesError) {
        var policies: [ClusterPolicy] = []
        for cluster in config.clusters { policies.append(try cluster.policy()) }
        let table = ClusterTable(clusters: policies, defaultCluster: try config.defaultCluster.policy())
        let configs = config.clusters + [config.defaultCluster]
        self.clusters = table
        self.queues = queues
        self.queuesOfCluster = configs.map { cluster in
            cluster.sinks.compactMap { name in
                queues.firstIndex { $0.key == QueueKey(cluster: cluster.name, sink: name) }
            }
        }
        self.sqlOptions = configs.map(\.sqlOptions)
        var ignored: [TablePatternSet] = []
        for cluster in configs {
            ignored.append(try TablePatternSet(cluster.ignoreServerTables, caseSensitive: cluster.caseSensitive))
        }
        self.ignoredServerTables = ignored
        self.tableRecordsModes = configs.map { $0.tableRecords ?? .merge }
        self.metrics = configs.map { ClusterMetrics(cluster: $0.name, factory: metricsFactory) }
        self.queueWantsJSON = queues.map { $0.sink.encoding == .json }
        var redactions: [Redaction] = []
        func variant(_ redaction: Redaction?) -> Int {
            guard let redaction else { return 0 }
            if let index = redactions.firstIndex(of: redaction) { return index + 1 }
            redactions.append(redaction)
            return redactions.count
        }
        var sinkRedaction: [String: Int] = [:]
        for sink in config.sinks { sinkRedaction[sink.name] = variant(sink.redaction) }
        self.queueRedaction = queues.map { sinkRedaction[$0.key.sink] ?? 0 }
        self.tailRedaction = variant(config.http.tailRedaction)
        self.redactions = redactions
    }

    /// Picks the record's cluster, reads its tables with that cluster's SQL options, and decides.
    /// The event gets its `tables` and, when kept, its verdict.
    public func judge(_ event: inout AuditEvent, senderAddress: [UInt8]?) -> (cluster: Int, decision: Decision) {
        let index = clusterIndex(of: event, senderAddress: senderAddress)
        return (index, judge(&event, cluster: index))
    }

    /// The index in `clusters.all` of the cluster that takes the event (by its HOSTNAME, or the
    /// host its certificate names, its APP-NAME and its sender).
    public func clusterIndex(of event: borrowing AuditEvent, senderAddress: [UInt8]?) -> Int {
        if clusters.clusters.isEmpty { return 0 }
        // Read into locals first: a closure over `event` itself would copy the whole event.
        let header = event.header
        let hostOverride = event.sourceHostOverride
        return event.message.withUnsafeReadableBytes { bytes in
            func view(_ range: Range<Int>?) -> UnsafeRawBufferPointer {
                range.map { UnsafeRawBufferPointer(rebasing: bytes[$0]) }
                    ?? UnsafeRawBufferPointer(start: nil, count: 0)
            }
            if let host = hostOverride {
                return host.withUnsafeBytes { host in
                    clusters.index(
                        for: RecordOrigin(hostname: host, appName: view(header.appName), senderAddress: senderAddress))
                }
            }
            return clusters.index(
                for: RecordOrigin(
                    hostname: view(header.hostname), appName: view(header.appName), senderAddress: senderAddress)
            )
        }
    }

    /// Reads the event's tables with cluster `index`'s SQL options and decides by its rules.
    public func judge(_ event: inout AuditEvent, cluster index: Int) -> Decision {
        let policy = clusters.all[index]
        readTables(&event, cluster: index)
        let decision = policy.decide(RecordFacts(event))
        event.verdict = EventVerdict(
            cluster: policy.name, kept: decision.kept, step: decision.step.rawValue, reason: decision.reason,
            matchedTables: decision.matchedTables
        )
        return decision
    }

    /// The event's tables with the cluster's SQL options, without the server's bookkeeping tables.
    func readTables(_ event: inout AuditEvent, cluster index: Int) {
        event.extractTables(options: sqlOptions[index])
        if event.tablesFromServer, !ignoredServerTables[index].isEmpty, var tables = event.tables {
            tables.tables.removeAll { ignoredServerTables[index].firstMatch($0) != nil }
            event.tables = tables
        }
    }

    /// With `table_records: separate`, the statement's joined table records as events of their own
    /// (each with its own table), decided with their statement; the statement keeps only its
    /// `tables`. With `merge` (or none joined): nothing, and the statement is unchanged.
    public func separateTableRecords(of statement: inout AuditEvent, cluster index: Int) -> [AuditEvent] {
        guard !statement.tableRecords.isEmpty, tableRecordsModes[index] == .separate else { return [] }
        var records = statement.tableRecords
        statement.tableRecords = []
        for position in records.indices {
            readTables(&records[position], cluster: index)
            records[position].verdict = statement.verdict
        }
        return records
    }
}
