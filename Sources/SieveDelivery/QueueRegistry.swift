import Foundation
import Logging
import Metrics
import SieveConfig
import SieveSinks
import SieveSpool
import Synchronization

/// The (cluster, sink) queues, their delivery threads, spools and fsync timers. A reload keeps a
/// queue whose cluster still names its sink (new bounds apply at once, a changed sink is swapped
/// in), creates new ones, and retires the rest: a retired queue goes on delivering until it is
/// empty, so a cluster removed by a reload still drains its spool. At start, spool directories of
/// queues the config no longer has are drained too when their sink still exists.
package final class QueueRegistry: Sendable {
    struct Entry: Sendable {
        let queue: DeliveryQueue
        let worker: DeliveryWorker
        let timer: SpoolFlushTimer?
    }

    struct State: Sendable {
        var live: [QueueKey: Entry] = [:]
        var draining: [ObjectIdentifier: Entry] = [:]
        /// Queues the last reload dropped, kept running until no batch holds the old routing table
        /// (`retirePending`), so a batch that took the old table still finds its queue accepting.
        var pendingRetirement: [QueueKey: Entry] = [:]
        var budgets: [String: SpoolBudget] = [:]
        /// Sinks a reload removed, closed once no queue uses them (`closeUnusedSinks`).
        var sinksToClose: [ObjectIdentifier: any EventSink] = [:]
        var spool: SpoolSettings?

        var entries: [Entry] { Array(live.values) + Array(pendingRetirement.values) + Array(draining.values) }
    }

    let state = Mutex(State())
    let logger: Logger
    let metricsFactory: any MetricsFactory

    package init(logger: Logger, metricsFactory: any MetricsFactory) {
        self.logger = logger
        self.metricsFactory = metricsFactory
    }

    /// Waits (without blocking a thread) for retired queues that `config` wants again but that
    /// have already drained: their workers are closing their spools, and the new queues must
    /// lock the same directories. A reload calls it before `prepare`.
    package func awaitDrained(wantedBy config: AuditSieveConfig) async {
        let wanted = Set(
            (config.clusters + [config.defaultCluster]).flatMap { cluster in
                cluster.sinks.map { QueueKey(cluster: cluster.name, sink: $0) }
            })
        let closing = state.withLock {
            $0.draining.values.filter { wanted.contains($0.queue.key) && $0.queue.isDrained }
        }
        let deadline = ContinuousClock.now + .seconds(5)
        for entry in closing { _ = await entry.worker.exit.ended(by: deadline) }
    }

    /// The queues for `config`, in the order (cluster, then its sinks). Throws when a spool
    /// directory cannot be created or is locked by another process; nothing changes then.
    /// Never waits: at start nothing drains, and a reload first awaits `awaitDrained`.
    package func prepare(_ config: AuditSieveConfig, sinks: [String: any EventSink]) throws -> [DeliveryQueue] {
        try state.withLock { state in
            let first = state.spool == nil
            if let spool = state.spool, spool != config.spool {
                logger.warning("spool settings changed; they take effect at the next restart")
            }
            let settings = state.spool ?? config.spool
            var next: [QueueKey: Entry] = [:]
            var created: [Entry] = []
            var ordered: [DeliveryQueue] = []
            var revived: Set<ObjectIdentifier> = []
            var previousSinks: [(DeliveryQueue, any EventSink)] = []
            do {
                for cluster in config.clusters + [config.defaultCluster] {
                    let budget = state.budgets[cluster.name] ?? SpoolBudget(maxBytes: cluster.spool.maxBytes)
                    budget.maxBytes = cluster.spool.maxBytes
                    state.budgets[cluster.name] = budget
                    for sinkName in cluster.sinks {
                        guard let sink = sinks[sinkName] else { continue }
                        let key = QueueKey(cluster: cluster.name, sink: sinkName)
                        if next[key] != nil { continue }
                        if let entry = state.live[key] ?? reclaim(key, from: &state, revived: &revived) {
                            previousSinks.append((entry.queue, entry.queue.sink))
                            entry.queue.sink = sink
                            entry.queue.update(settings: QueueSettings(cluster.spool))
                            next[key] = entry
                        } else {
                            let entry = try open(
                                key, cluster: cluster.spool, sink: sink, settings: settings, budget: budget)
                            created.append(entry)
                            next[key] = entry
                        }
                        ordered.append(next[key]!.queue)
                    }
                }
            } catch {
                for entry in created { discard(entry) }
                // The reload is refused: queues kept from before deliver to their sinks as before.
                for (queue, sink) in previousSinks { queue.sink = sink }
                // Queues taken back from retirement go back to it; one revived from draining (the
                // table in force does not route to it) drains again at once.
                for (key, entry) in next
                where state.live[key] == nil && !created.contains(where: { $0.queue === entry.queue }) {
                    if revived.contains(ObjectIdentifier(entry.queue)) {
                        state.draining[ObjectIdentifier(entry.queue)] = entry
                        entry.queue.retire()
                    } else {
                        state.pendingRetirement[key] = entry
                    }
                }
                throw error
            }
            for (key, entry) in state.live where next[key] == nil { state.pendingRetirement[key] = entry }
            state.live = next
            state.spool = settings
            if first, let directory = settings.directory {
                drainOrphans(in: directory, config: config, sinks: sinks, settings: settings, state: &state)
            }
            return ordered
        }
    }

    /// The reload's new routing table is in force and no batch holds the old one: the queues it
    /// dropped deliver what they hold, then stop.
    package func retirePending() {
        state.withLock { state in
            for (key, entry) in state.pendingRetirement {
                logger.info(
                    "queue retired by the reload; it delivers what it holds, then stops", metadata: ["queue": "\(key)"])
                state.draining[ObjectIdentifier(entry.queue)] = entry
                entry.queue.retire()
            }
            state.pendingRetirement.removeAll()
        }
    }

    /// A queue an earlier reload dropped that this one wants again: not yet retired, or still
    /// draining (then it runs on).
    private func reclaim(_ key: QueueKey, from state: inout State, revived: inout Set<ObjectIdentifier>) -> Entry? {
        if let entry = state.pendingRetirement.removeValue(forKey: key) { return entry }
        guard let (id, entry) = state.draining.first(where: { $0.value.queue.key == key }), entry.queue.revive() else {
            return nil
        }
        state.draining[id] = nil
        revived.insert(id)
        logger.info("queue brought back by the reload before it finished draining", metadata: ["queue": "\(key)"])
        return entry
    }

    /// Closes `retired` sinks once no queue delivers to them any more: now, or when the last
    /// worker delivering to one finishes that delivery (`sinkReleased`).
    package func close(retired: [any EventSink]) {
        let unused = state.withLock { state in
            for sink in retired { state.sinksToClose[ObjectIdentifier(sink)] = sink }
            return takeUnusedSinks(&state)
        }
        for sink in unused { sink.close() }
    }

    /// Refreshes every queue's oldest-event age gauge (called every second).
    package func refreshAges() {
        for queue in allQueues { queue.refreshOldestAge() }
    }

    package var allQueues: [DeliveryQueue] { state.withLock { $0.entries.map(\.queue) } }

    /// A worker finished a delivery on a sink its queue no longer uses.
    func sinkReleased() {
        let unused = state.withLock { takeUnusedSinks(&$0) }
        for sink in unused { sink.close() }
    }

    /// The sinks waiting to close that no queue holds as its own or delivers to.
    func takeUnusedSinks(_ state: inout State) -> [any EventSink] {
        guard !state.sinksToClose.isEmpty else { return [] }
        let used = Set(state.entries.flatMap(\.queue.sinksInUse))
        var unused: [any EventSink] = []
        for (id, sink) in state.sinksToClose where !used.contains(id) {
            unused.append(sink)
            state.sinksToClose[id] = nil
        }
        return unused
    }

    func start(_ queue: DeliveryQueue) -> Entry {
        let worker = DeliveryWorker(
            queue: queue, onSinkReleased: { [weak self] _ in self?.sinkReleased() },
            onExit: { [weak self] queue in self?.exited(queue) })
        return Entry(queue: queue, worker: worker, timer: queue.spool.map { SpoolFlushTimer(flushing: $0) })
    }

    /// A delivery thread ended: a drained (retired) queue closes its spool here.
    private func exited(_ queue: DeliveryQueue) {
        let entry = state.withLock { $0.draining[ObjectIdentifier(queue)] }
        guard let entry, !queue.isStopped else { return }
        entry.timer?.cancel()
        queue.finish()
        logger.info("retired queue drained and closed", metadata: ["queue": "\(queue.key)"])
        let unused = state.withLock { state in
            state.draining[ObjectIdentifier(queue)] = nil
            return takeUnusedSinks(&state)
        }
        for sink in unused { sink.close() }
    }

    /// A queue a refused reload had opened: it stops, and is closed on a thread of its own (its
    /// spool's flush may block).
    private func discard(_ entry: Entry) {
        entry.queue.beginStopping()
        Thread {
            entry.timer?.cancel()
            entry.queue.finish()
        }.start()
    }
}
