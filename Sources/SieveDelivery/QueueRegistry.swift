import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers
import SieveConfig
import SieveSinks
import SieveSpool

/// The (cluster, sink) queues, their delivery threads, spools and fsync timers. A reload keeps a
/// queue whose cluster still names its sink (new bounds apply at once, a changed sink is swapped
/// in), creates new ones, and retires the rest: a retired queue goes on delivering until it is
/// empty, so a cluster removed by a reload still drains its spool. At start, spool directories of
/// queues the config no longer has are drained too when their sink still exists.
package final class QueueRegistry: @unchecked Sendable {
    private struct Entry {
        let queue: DeliveryQueue
        let worker: DeliveryWorker
        let timer: SpoolFlushTimer?
    }

    private let lock = NIOLock()
    private var live: [QueueKey: Entry] = [:]
    private var draining: [ObjectIdentifier: Entry] = [:]
    /// Queues the last reload dropped, kept running until no batch holds the old routing table
    /// (`retirePending`), so a batch that took the old table still finds its queue accepting.
    private var pendingRetirement: [QueueKey: Entry] = [:]
    private var budgets: [String: SpoolBudget] = [:]
    /// Sinks a reload removed, closed once no queue uses them.
    private var sinksToClose: [ObjectIdentifier: any EventSink] = [:]
    private var spool: SpoolSettings?
    private let logger: Logger
    private let metricsFactory: any MetricsFactory

    package init(logger: Logger, metricsFactory: any MetricsFactory) {
        self.logger = logger
        self.metricsFactory = metricsFactory
    }

    /// The queues for `config`, in the order (cluster, then its sinks). Throws when a spool
    /// directory cannot be created or is locked by another process; nothing changes then.
    package func prepare(_ config: AuditSieveConfig, sinks: [String: any EventSink]) throws -> [DeliveryQueue] {
        // A retired queue this config wants again that has already drained cannot come back: its
        // worker is closing its spool. Wait for that (outside the lock, which the worker's exit
        // takes) so the new queue can lock the spool directory.
        let wanted = Set((config.clusters + [config.defaultCluster]).flatMap { cluster in
            cluster.sinks.map { QueueKey(cluster: cluster.name, sink: $0) }
        })
        let closing = lock.withLock { draining.values.filter { wanted.contains($0.queue.key) && $0.queue.isDrained } }
        for entry in closing { _ = entry.worker.join(deadline: .now() + .seconds(5)) }
        return try lock.withLock {
            let first = spool == nil
            if let spool, spool != config.spool {
                logger.warning("spool settings changed; they take effect at the next restart")
            }
            let settings = spool ?? config.spool
            var next: [QueueKey: Entry] = [:]
            var created: [Entry] = []
            var ordered: [DeliveryQueue] = []
            var revived: Set<ObjectIdentifier> = []
            var previousSinks: [(DeliveryQueue, any EventSink)] = []
            do {
                for cluster in config.clusters + [config.defaultCluster] {
                    let budget = budgets[cluster.name] ?? SpoolBudget(maxBytes: cluster.spool.maxBytes)
                    budget.maxBytes = cluster.spool.maxBytes
                    budgets[cluster.name] = budget
                    for sinkName in cluster.sinks {
                        guard let sink = sinks[sinkName] else { continue }
                        let key = QueueKey(cluster: cluster.name, sink: sinkName)
                        if next[key] != nil { continue }
                        if let entry = live[key] ?? reclaim(key, revived: &revived) {
                            previousSinks.append((entry.queue, entry.queue.sink))
                            entry.queue.sink = sink
                            entry.queue.update(settings: QueueSettings(cluster.spool))
                            next[key] = entry
                        } else {
                            let entry = try open(key, cluster: cluster.spool, sink: sink, settings: settings, budget: budget)
                            created.append(entry)
                            next[key] = entry
                        }
                        ordered.append(next[key]!.queue)
                    }
                }
            } catch {
                for entry in created { stop(entry, deadline: .now()) }
                // The reload is refused: queues kept from before deliver to their sinks as before.
                for (queue, sink) in previousSinks { queue.sink = sink }
                // Queues taken back from retirement go back to it; one revived from draining (the
                // table in force does not route to it) drains again at once.
                for (key, entry) in next where live[key] == nil && !created.contains(where: { $0.queue === entry.queue }) {
                    if revived.contains(ObjectIdentifier(entry.queue)) {
                        draining[ObjectIdentifier(entry.queue)] = entry
                        entry.queue.retire()
                    } else {
                        pendingRetirement[key] = entry
                    }
                }
                throw error
            }
            for (key, entry) in live where next[key] == nil { pendingRetirement[key] = entry }
            live = next
            spool = settings
            if first, let directory = settings.directory {
                drainOrphans(in: directory, config: config, sinks: sinks, settings: settings)
            }
            return ordered
        }
    }

    /// The reload's new routing table is in force and no batch holds the old one: the queues it
    /// dropped deliver what they hold, then stop.
    package func retirePending() {
        lock.withLock {
            for (key, entry) in pendingRetirement {
                logger.info("queue retired by the reload; it delivers what it holds, then stops", metadata: ["queue": "\(key)"])
                draining[ObjectIdentifier(entry.queue)] = entry
                entry.queue.retire()
            }
            pendingRetirement.removeAll()
        }
    }

    /// A queue an earlier reload dropped that this one wants again: not yet retired, or still
    /// draining (then it runs on). Under `lock`.
    private func reclaim(_ key: QueueKey, revived: inout Set<ObjectIdentifier>) -> Entry? {
        if let entry = pendingRetirement.removeValue(forKey: key) { return entry }
        guard let (id, entry) = draining.first(where: { $0.value.queue.key == key }), entry.queue.revive() else { return nil }
        draining[id] = nil
        revived.insert(id)
        logger.info("queue brought back by the reload before it finished draining", metadata: ["queue": "\(key)"])
        return entry
    }

    /// Closes `retired` sinks once no queue delivers to them any more.
    package func close(retired: [any EventSink]) {
        lock.withLock {
            for sink in retired { sinksToClose[ObjectIdentifier(sink)] = sink }
            closeUnusedSinks()
        }
    }

    /// Refreshes every queue's oldest-event age gauge (called every second).
    package func refreshAges() {
        for queue in allQueues { queue.refreshOldestAge() }
    }

    package var allQueues: [DeliveryQueue] {
        lock.withLock { live.values.map(\.queue) + pendingRetirement.values.map(\.queue) + draining.values.map(\.queue) }
    }

    /// Shutdown: deliver while sinks take events, until `deliverFor` has passed (queues that
    /// cannot save what they hold, memory-only or with a full disk, until `orUpTo`); then close
    /// the sinks (ending deliveries stuck on a stalled peer), move what is left in memory to the
    /// spools, fsync and close them.
    package func shutdown(deliverFor: Duration, orUpTo extended: Duration, sinks: [any EventSink]) {
        let entries = lock.withLock { Array(live.values) + Array(pendingRetirement.values) + Array(draining.values) }
        let start = DispatchTime.now()
        let retryUntil = Date().addingTimeInterval(Double(extended.components.seconds) + Double(extended.components.attoseconds) / 1e18)
        for entry in entries { entry.queue.beginStopping(retryUnsavedUntil: retryUntil) }
        var stuck = false
        var unsaved: [Entry] = []
        for entry in entries where !entry.worker.join(deadline: start + deliverFor.dispatchInterval) {
            if entry.queue.cannotSaveWhatItHolds { unsaved.append(entry) } else { stuck = true }
        }
        for entry in unsaved where !entry.worker.join(deadline: start + extended.dispatchInterval) { stuck = true }
        for sink in sinks { sink.close() }
        lock.withLock { for sink in sinksToClose.values { sink.close() } }
        if stuck {
            for entry in entries { _ = entry.worker.join(deadline: .now() + .seconds(1)) }
        }
        for entry in entries {
            entry.timer?.cancel()
            entry.queue.finish()
        }
    }

    private func open(
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
                    metadata: ["path": "\(path)", "mode_was": "\(String(from, radix: 8))", "mode": "\(String(to, radix: 8))"]
                )
            }
        }
    }

    private func start(_ queue: DeliveryQueue) -> Entry {
        let worker = DeliveryWorker(queue: queue) { [weak self] queue in self?.exited(queue) }
        return Entry(queue: queue, worker: worker, timer: queue.spool.map { SpoolFlushTimer(flushing: $0) })
    }

    /// A delivery thread ended: a drained (retired) queue closes its spool here.
    private func exited(_ queue: DeliveryQueue) {
        let entry = lock.withLock { draining[ObjectIdentifier(queue)] }
        guard let entry, !queue.isStopped else { return }
        entry.timer?.cancel()
        queue.finish()
        logger.info("retired queue drained and closed", metadata: ["queue": "\(queue.key)"])
        lock.withLock {
            draining[ObjectIdentifier(queue)] = nil
            closeUnusedSinks()
        }
    }

    private func closeUnusedSinks() {
        let used = Set((live.values.map(\.queue) + pendingRetirement.values.map(\.queue) + draining.values.map(\.queue)).map {
            ObjectIdentifier($0.sink)
        })
        for (id, sink) in sinksToClose where !used.contains(id) {
            sink.close()
            sinksToClose[id] = nil
        }
    }

    private func stop(_ entry: Entry, deadline: DispatchTime) {
        entry.queue.beginStopping()
        _ = entry.worker.join(deadline: deadline)
        entry.timer?.cancel()
        entry.queue.finish()
    }

    private func report(_ recovery: SpoolRecoveryReport, key: QueueKey) {
        if recovery.events > 0 {
            logger.info(
                "spool recovered: its events are delivered first",
                metadata: ["queue": "\(key)", "events": "\(recovery.events)", "bytes": "\(recovery.bytes)"]
            )
        }
        if recovery.corruptSegments > 0 || recovery.truncatedBytes > 0 || recovery.unreadableSegments > 0 {
            Counter(label: "auditsieve_spool_corrupt_segments_total", dimensions: [("cluster", key.cluster), ("sink", key.sink)],
                factory: metricsFactory).increment(by: Int64(recovery.corruptSegments + recovery.unreadableSegments))
            logger.error(
                "spool damage repaired at start",
                metadata: [
                    "queue": "\(key)", "corrupt_segments": "\(recovery.corruptSegments)",
                    "unreadable_segments": "\(recovery.unreadableSegments)", "corrupt_bytes": "\(recovery.corruptBytes)",
                    "torn_tail_bytes": "\(recovery.truncatedBytes)",
                    "moved_aside": "\(recovery.quarantinedFiles.joined(separator: ","))",
                ]
            )
        }
    }

    /// Spool directories `DIR/CLUSTER/SINK` the config has no queue for: drained when the sink
    /// still exists, otherwise left alone with a warning.
    private func drainOrphans(in directory: String, config: AuditSieveConfig, sinks: [String: any EventSink], settings: SpoolSettings) {
        let files = FileManager.default
        guard let clusters = try? files.contentsOfDirectory(atPath: directory) else { return }
        for cluster in clusters.sorted() {
            guard let sinkDirs = try? files.contentsOfDirectory(atPath: directory + "/" + cluster) else { continue }
            for sinkName in sinkDirs.sorted() {
                let key = QueueKey(cluster: cluster, sink: sinkName)
                guard live[key] == nil else { continue }
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
                    let entry = try open(key, cluster: spoolConfig, sink: sink, settings: settings,
                        budget: SpoolBudget(maxBytes: spoolConfig.maxBytes))
                    draining[ObjectIdentifier(entry.queue)] = entry
                    entry.queue.retire()
                    logger.info("draining the spool of a queue the config no longer has", metadata: ["queue": "\(key)"])
                } catch {
                    logger.error("cannot open a leftover spool", metadata: ["path": "\(path)", "error": "\(error)"])
                }
            }
        }
    }
}

extension Duration {
    package var dispatchInterval: DispatchTimeInterval {
        .nanoseconds(Int(components.seconds) * 1_000_000_000 + Int(components.attoseconds / 1_000_000_000))
    }
}
