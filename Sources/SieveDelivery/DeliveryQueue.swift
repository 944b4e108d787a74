import DequeModule
import Foundation
import Logging
import SieveConfig
import SieveSinks
import SieveSpool

/// The queue of one (cluster, sink) pair: events wait here until their sink has taken them.
///
/// Layout, oldest first: [disk (the spool)] [memory]. Producers (event loops) append to memory;
/// memory spills its *oldest* events to the disk's tail when it passes `memory_bytes`
/// (`durability: disk`: at once), so everything on disk is always older than everything in
/// memory and a healthy sink is fed straight from memory without a disk write. The delivery
/// thread reads disk first, then memory.
///
/// One subtlety keeps order and exactness: the batch the delivery thread took from memory
/// (`inflight`) is older than any later spill. A spill therefore first copies the in-flight
/// events to the disk ("shadows" them). If the sink then takes the batch, the copies at the
/// disk's head are skipped (`diskSkip`); if it fails, the batch is given up and read again from
/// disk. So a shutdown or a sink outage never reorders or loses the batch.
///
/// Bounds: memory holds `memory_bytes` (plus at most one producer batch); the disk holds the
/// cluster's `max_bytes` (a budget shared with the cluster's other queues). Beyond both, `when_full: drop_newest` drops and counts the
/// newest events; `block` keeps them and tells the producer to pause its connection until the
/// queue has room (UDP cannot pause: its events are dropped and counted).
package final class DeliveryQueue: @unchecked Sendable {
    package enum State {
        case running
        /// Removed by a reload: deliver what is left, then stop.
        case draining
        /// A draining queue found itself empty and its delivery thread ended (a reload can no
        /// longer bring it back; `finish()` follows).
        case drained
        /// Shutting down: deliver while the sink takes events, stop at the first failure.
        case stopping
        case stopped
    }

    /// What the delivery thread took, and from where.
    package enum Take {
        case disk(EventBatch)
        case memory(EventBatch)

        var batch: EventBatch {
            switch self {
            case .disk(let batch), .memory(let batch): return batch
            }
        }
    }

    /// The most the delivery thread takes at once.
    package static let maxTakeBytes = 1 << 20
    package static let maxTakeEvents = 4096

    package let key: QueueKey
    package let spool: SpoolQueue?
    package let metrics: QueueMetrics
    package let logger: Logger

    package let condition = NSCondition()
    // Guarded by `condition`.
    package var sinkInUse: any EventSink
    package var settings: QueueSettings
    package var memory = Deque<EventBatch>()
    /// Events at the front of `memory.first` already moved out (spilled).
    package var memoryHeadSkip = 0
    package var memoryBytes = 0
    package var memoryEvents = 0
    /// When the oldest event now in memory arrived; for gathering small batches.
    package var memorySince: Date?
    package var inflight: EventBatch?
    /// When the oldest event of `inflight` arrived.
    package var inflightSince: Date?
    /// How many of `inflight`'s events are also on disk (copied there by a spill).
    package var inflightShadowed = 0
    /// Events at the disk's head that were delivered from memory already.
    package var diskSkip = 0
    /// Events waiting: memory, in-flight (unless shadowed) and disk, minus `diskSkip`.
    package var queued = 0
    package var pressured = false
    package var reliefWaiters: [@Sendable () -> Void] = []
    package var state = State.running
    /// Set by `beginStopping`: until then a queue that cannot save what it holds keeps retrying.
    package var retryUnsavedUntil: Date?
    package var spoolFullLogged = false
    package var lostEventsSeen = 0
    /// The spool's write-error counts already added to the metrics (see `refreshOldestAge`).
    package var spoolErrorsSeen = (outOfSpace: 0, io: 0)
    /// What the delivery thread is waiting for, if anything (see `enqueue`'s wake-up rule).
    package enum Waiting { case no, idle, gathering }
    package var waiting = Waiting.no

    /// A small batch waits up to the sink's gather time for more, until this much is in memory.
    package var gatherBytes: Int { min(256 << 10, settings.memoryBytes / 4) }

    package init(key: QueueKey, sink: any EventSink, settings: QueueSettings, spool: SpoolQueue?, metrics: QueueMetrics, logger: Logger) {
        self.key = key
        self.sinkInUse = sink
        self.settings = settings
        self.spool = spool
        self.metrics = metrics
        self.logger = logger
        if let spool {
            let found = spool.eventCount
            queued = found
            lostEventsSeen = spool.lostEvents
            metrics.recovered.increment(by: Int64(found))
        }
        updateGauges()
    }

    package var sink: any EventSink {
        get { condition.locked { sinkInUse } }
        set { condition.locked { sinkInUse = newValue } }
    }

    package func update(settings: QueueSettings) {
        condition.locked {
            self.settings = settings
            rebalance(incoming: 0)
            relieveIfRoom()
        }
        condition.broadcast()
    }

    package var queuedEvents: Int { condition.locked { queued } }

    /// Takes a producer's batch. Returns true when the producer should stop reading its
    /// connection (`when_full: block` and the queue is full) until `whenRelieved` runs.
    package func enqueue(_ batch: EventBatch, blockable: Bool) -> Bool {
        guard !batch.isEmpty else { return false }
        metrics.enqueued.increment(by: Int64(batch.count))
        condition.lock()
        defer {
            updateGauges()
            // Wake the delivery thread only when it waits for events, or when it gathers and
            // enough has come: one wake-up per batch would cost a context switch per read burst.
            let wake = waiting == .idle || (waiting == .gathering && memoryBytes >= gatherBytes)
            condition.unlock()
            if wake { condition.signal() }
        }
        if state == .stopped {
            metrics.drop(batch.count, .shutdown)
            return false
        }
        rebalance(incoming: batch.byteCount)
        // memory_bytes is a soft bound: a batch is taken whole while memory is under it, so a
        // queue holds at most one batch (≤ 256 KiB) more; beyond it `drop_newest` (and UDP, which
        // cannot pause) drop the whole batch, counted.
        if memoryBytes >= settings.memoryBytes && (settings.whenFull == .dropNewest || !blockable) {
            metrics.drop(batch.count, .queueFull)
            logFull(dropping: true)
            return false
        }
        let accepted = batch
        if memory.isEmpty { memorySince = Date() }
        memory.append(accepted)
        memoryBytes += accepted.byteCount
        memoryEvents += accepted.count
        queued += accepted.count
        rebalance(incoming: 0)
        if memoryBytes >= settings.memoryBytes && settings.whenFull == .block && blockable {
            if !pressured { logFull(dropping: false) }
            pressured = true
        }
        return pressured && blockable
    }

    /// Runs `action` once the queue has room again (at once when it has room now).
    package func whenRelieved(_ action: @escaping @Sendable () -> Void) {
        let now = condition.locked { () -> Bool in
            guard pressured else { return true }
            reliefWaiters.append(action)
            return false
        }
        if now { action() }
    }

    /// Moves memory's oldest events to the disk: all of them with `durability: disk`, otherwise
    /// down to half of `memory_bytes` once `incoming` more would pass it. In-flight events go
    /// first (see the type's comment). Stops at the first event the disk refuses. With
    /// `fsync: always` what was moved is committed (written out and fsynced) once, at the end.
    package func rebalance(incoming: Int) {
        guard let spool, state != .stopped else { return }
        // Commit only what this call moved (not what others made dirty) with `fsync: always`.
        let shadowedBefore = inflightShadowed
        let memoryBefore = memoryEvents
        defer { if inflightShadowed != shadowedBefore || memoryEvents != memoryBefore { spool.commit() } }
        let target: Int
        switch settings.durability {
        case .disk: target = 0
        case .memory:
            guard memoryBytes + incoming > settings.memoryBytes else { return }
            target = settings.memoryBytes / 2
        }
        if let inflight {
            while inflightShadowed < inflight.count {
                guard spoolAppend(inflight.event(inflightShadowed), spool: spool, droppable: false) else { return }
                inflightShadowed += 1
            }
        }
        while memoryBytes > target, let chunk = memory.first {
            while memoryHeadSkip < chunk.count {
                let event = chunk.event(memoryHeadSkip)
                guard spoolAppend(event, spool: spool, droppable: true) else { return }
                memoryHeadSkip += 1
                memoryBytes -= event.count
                memoryEvents -= 1
            }
            memory.removeFirst()
            memoryHeadSkip = 0
        }
        if memory.isEmpty { memorySince = nil }
    }

    /// Appends to the spool; false when it is full. An event that can never fit is dropped and
    /// counted when `droppable` (true is returned so the spill goes on).
    private func spoolAppend(_ event: ArraySlice<UInt8>, spool: SpoolQueue, droppable: Bool) -> Bool {
        switch spool.append(event, commit: false) {
        case .written:
            if spoolFullLogged {
                spoolFullLogged = false
                logger.info("spool has room again", metadata: ["queue": "\(key)"])
            }
            return true
        case .full:
            metrics.spoolFull.increment()
            if !spoolFullLogged {
                spoolFullLogged = true
                let statistics = spool.statistics
                logger.warning(
                    "spool full: events wait in memory (when_full: \(settings.whenFull.rawValue))",
                    metadata: [
                        "queue": "\(key)", "spool_bytes": "\(statistics.bytesOnDisk)",
                        "out_of_space_errors": "\(statistics.outOfSpaceErrors)",
                    ]
                )
            }
            return false
        case .tooLarge:
            guard droppable else { return false }
            queued -= 1
            metrics.drop(1, .tooLarge)
            logger.error("event too large for the spool; dropped", metadata: ["queue": "\(key)", "bytes": "\(event.count)"])
            return true
        }
    }

    private var fullLoggedAt = Date.distantPast

    private func logFull(dropping: Bool) {
        let now = Date()
        guard now.timeIntervalSince(fullLoggedAt) >= 10 else { return }
        fullLoggedAt = now
        logger.warning(
            dropping ? "queue full: dropping new events (counted in auditsieve_dropped_events_total)"
                : "queue full: pausing the connections that feed it (when_full: block)",
            metadata: ["queue": "\(key)", "memory_bytes": "\(memoryBytes)", "spool_bytes": "\(spool?.bytesOnDisk ?? 0)"]
        )
    }

    /// Wakes paused producers once memory is back under its bound.
    package func relieveIfRoom() {
        guard pressured, memoryBytes < settings.memoryBytes else { return }
        pressured = false
        let waiters = reliefWaiters
        reliefWaiters = []
        for waiter in waiters { waiter() }
    }

    /// Records the age of the oldest waiting event: on disk (its block's append time), in flight,
    /// or in memory; 0 when the queue is empty.
    /// Called every second: also brings the spool's write-error counters (the flush timer and
    /// the delivery thread write too, not only `enqueue`) and the gauges up to date, so a queue
    /// that no event passes through still shows a disk that filled or blocks found corrupt.
    package func refreshOldestAge(now: Date = Date()) {
        let statistics = spool?.statistics
        let spoolOldest = statistics.flatMap { $0.eventCount > 0 ? $0.oldestEventTime : nil }
            .map { Date(timeIntervalSince1970: Double($0) / 1000) }
        let oldest = condition.locked { () -> Date? in
            if let statistics {
                metrics.spoolOutOfSpace.increment(by: Int64(max(0, statistics.outOfSpaceErrors - spoolErrorsSeen.outOfSpace)))
                metrics.spoolIOErrors.increment(by: Int64(max(0, statistics.ioErrors - spoolErrorsSeen.io)))
                spoolErrorsSeen = (statistics.outOfSpaceErrors, statistics.ioErrors)
                noteSpoolLosses()
            }
            updateGauges()
            return [spoolOldest, inflightSince, memorySince].compactMap { $0 }.min()
        }
        metrics.oldestQueuedSeconds.record(oldest.map { max(0, now.timeIntervalSince($0)) } ?? 0)
    }

    package func updateGauges() {
        metrics.queued.record(queued)
        if let spool { metrics.spoolBytes.record(spool.bytesOnDisk) }
    }
}

extension NSCondition {
    package func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}
