import Foundation
import Metrics
import SieveConfig
import SieveSinks
import SieveSpool

/// Opening a queue: its spool directory, recovery report, and the spools of queues the config
/// no longer has.
extension QueueRegistry {
    func open(
        _ key: QueueKey, cluster: ClusterSpoolConfig, sink: any EventSink, settings: SpoolSettings, budget: SpoolBudget
    ) throws -> Entry {
        var spoolQueue: SpoolQueue?
        if let directory = settings.directory {
            try secureDirectories(root: directory, key: key)
            let configuration = SpoolConfiguration(
                directory: directory + "/" + key.cluster + "/" + key.sink, maxBytes: 1 << 50,
                segmentBytes: cluster.segmentBytes ?? min(64 << 20, max(cluster.maxBytes / 8, 4 << 10)),
                fsync: settings.fsync, fsyncIntervalMilliseconds: settings.fsyncIntervalMilliseconds
            )
            let opened = try SpoolQueue(configuration: configuration, budget: budget)
            report(opened.recovery, key: key)
            spoolQueue = opened
        }
        return start(
            DeliveryQueue(
                key: key, sink: sink, settings: QueueSettings(cluster), spool: spoolQueue,
                metrics: QueueMetrics(cluster: key.cluster, sink: key.sink, factory: metricsFactory), logger: logger
            )
        )
    }

    /// Creates `ROOT/CLUSTER/SINK` and makes sure no one else may write in any of the three.
    private func secureDirectories(root: String, key: QueueKey) throws {
        let queueDirectory = root + "/" + key.cluster + "/" + key.sink
        try POSIXSpoolFileSystem().makeDirectory(queueDirectory)
        for path in [root, root + "/" + key.cluster, queueDirectory] {
            if case .tightened(let from, let to) = try SpoolDirectoryPermissions.secure(path) {
                logger.warning(
                    "spool directory was writable by others; tightened",
                    metadata: [
                        "path": "\(path)", "mode_was": "\(String(from, radix: 8))", "mode": "\(String(to, radix: 8))",
                    ]
                )
            }
        }
    }

    private func report(_ recovery: SpoolRecoveryReport, key: QueueKey) {
        if recovery.events > 0 {
            logger.info(
                "spool recovered: its events are delivered first",
                metadata: ["queue": "\(key)", "events": "\(recovery.events)", "bytes": "\(recovery.bytes)"]
            )
        }
        if recovery.corruptSegments > 0 || recovery.truncatedBytes > 0 || recovery.unreadableSegments > 0 {
            Counter(
                label: "auditsieve_spool_corrupt_segments_total",
                dimensions: [("cluster", key.cluster), ("sink", key.sink)],
                factory: metricsFactory
            ).increment(by: Int64(recovery.corruptSegments + recovery.unreadableSegments))
            logger.error(
                "spool damage repaired at start",
                metadata: [
                    "queue": "\(key)", "corrupt_segments": "\(recovery.corruptSegments)",
                    "unreadable_segments": "\(recovery.unreadableSegments)",
                    "corrupt_bytes": "\(recovery.corruptBytes)",
                    "torn_tail_bytes": "\(recovery.truncatedBytes)",
                    "moved_aside": "\(recovery.quarantinedFiles.joined(separator: ","))",
                ]
            )
        }
    }

    /// Spool directories `DIR/CLUSTER/SINK` the config has no queue for: drained when the sink
    /// still exists, otherwise left alone with a warning.
    func drainOrphans(
        in directory: String, config: AuditSieveConfig, sinks: [String: any EventSink], settings: SpoolSettings,
        state: inout State
    ) {
        let files = FileManager.default
        guard let clusters = try? files.contentsOfDirectory(atPath: directory) else { return }
        for cluster in clusters.sorted() {
            guard let sinkDirs = try? files.contentsOfDirectory(atPath: directory + "/" + cluster) else { continue }
            for sinkName in sinkDirs.sorted() {
                let key = QueueKey(cluster: cluster, sink: sinkName)
                guard state.live[key] == nil else { continue }
                let path = directory + "/" + cluster + "/" + sinkName
                guard let report = try? SpoolInspector.inspect(directory: path), let queueReport = report.first,
                    queueReport.events > 0
                else { continue }
                guard let sink = sinks[sinkName] else {
                    logger.warning(
                        "spool of a queue the config no longer has, and its sink is gone: left on disk",
                        metadata: ["path": "\(path)", "events": "\(queueReport.events)"]
                    )
                    continue
                }
                do {
                    var spoolConfig = ClusterSpoolConfig()
                    spoolConfig.maxBytes = max(queueReport.bytes, ClusterSpoolConfig().maxBytes)
                    let entry = try open(
                        key, cluster: spoolConfig, sink: sink, settings: settings,
                        budget: SpoolBudget(maxBytes: spoolConfig.maxBytes))
                    state.draining[ObjectIdentifier(entry.queue)] = entry
                    entry.queue.retire()
                    logger.info("draining the spool of a queue the config no longer has", metadata: ["queue": "\(key)"])
                } catch {
                    logger.error("cannot open a leftover spool", metadata: ["path": "\(path)", "error": "\(error)"])
                }
            }
        }
    }
}
