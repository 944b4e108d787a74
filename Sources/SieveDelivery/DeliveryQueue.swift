import Dispatch
import Logging
import NIOPosix
import SieveConfig
import SieveSinks
import SieveSpool
import Synchronization

/// The queue of one (cluster, sink) pair: events wait here until their sink has taken them.
///
/// Layout, oldest first: [disk (the spool)] [memory]. Producers (event loops) append to memory;
/// memory spills its *oldest* events to the disk's tail when it passes `memory_bytes`
/// (`durability: disk`: at once), so everything on disk is always older than everything in
/// memory and a healthy sink is fed straight from memory without a disk write. The delivery
/// worker reads disk first, then memory.
///
/// Spills never run on the producer's thread: the queue starts them on a thread pool
/// (`spillPool`), one at a time, and a producer that would have waited for the disk under the
/// old synchronous spill is paused instead, exactly as under `when_full: block` (`enqueue`
/// answers true, `whenRelieved` resumes it), so memory stays bounded. A producer that cannot
/// pause (UDP) may take memory up to twice `memory_bytes` (plus one batch) while a spill is
/// pending; beyond that its events are dropped and counted. `durability: disk` keeps its
/// promise (every accepted event is written to the spool, and fsynced under `fsync: always`,
/// before it is delivered): the write happens on the pool a wake-up after `enqueue`, and the
/// worker reads the events back from disk once the spill reports them.
///
/// One subtlety keeps order and exactness: the batch the worker took from memory (in flight)
/// is older than any later spill. A spill therefore first copies the in-flight events to the
/// disk ("shadows" them). If the sink then takes the batch, the copies at the disk's head are
/// skipped (`diskSkip`); if it fails, the batch is given up and read again from disk. So a
/// shutdown or a sink outage never reorders or loses the batch. `StateMachine` holds all of
/// this; this class performs what it decides.
///
/// Bounds: memory holds `memory_bytes` (plus at most one producer batch); the disk holds the
/// cluster's `max_bytes` (a budget shared with the cluster's other queues). Beyond both,
/// `when_full: drop_newest` drops and counts the newest events; `block` keeps them and tells the
/// producer to pause its connection until the queue has room (UDP cannot pause: its events are
/// dropped and counted).
package final class DeliveryQueue: Sendable {
    /// What the worker took, and from where.
    package enum Take: Sendable {
        case disk(EventBatch)
        case memory(EventBatch)

        var batch: EventBatch {
            switch self {
            case .disk(let batch), .memory(let batch): return batch
            }
        }
    }

    /// The machine and the shell's own state, under one lock.
    struct Core: Sendable {
        var machine: StateMachine
        var sink: any EventSink
        /// The sink of the delivery under way (a reload may swap `sink` meanwhile).
        var deliveringTo: (any EventSink)?
        var reliefWaiters: [@Sendable () -> Void] = []
        /// Actions waiting for `machine.safeSeq` to reach their mark (`whenSafe`).
        var safeWaiters: [(mark: UInt64, action: @Sendable () -> Void)] = []
        /// The spool's loss and write-error counts already noted.
        var lostEventsSeen = 0
        var spoolErrorsSeen = (outOfSpace: 0, io: 0)
    }

    package let key: QueueKey
    package let spool: SpoolQueue?
    package let metrics: QueueMetrics
    package let logger: Logger
    let core: Mutex<Core>
    /// Where spills and saves run: never an event loop.
    let spillPool: NIOThreadPool
    /// The worker's wake-ups (its waits have monotonic timeouts).
    let wakeups = DispatchSemaphore(value: 0)
    /// Signalled when a spill ends that `finish` waits for.
    let spillEnded = DispatchSemaphore(value: 0)

    package init(
        key: QueueKey, sink: any EventSink, settings: QueueSettings, spool: SpoolQueue?, metrics: QueueMetrics,
        logger: Logger,
        spillPool: NIOThreadPool = .singleton
    ) {
        self.key = key
        self.spool = spool
        self.metrics = metrics
        self.logger = logger
        self.spillPool = spillPool
        let found = spool?.eventCount ?? 0
        core = Mutex(
            Core(
                machine: StateMachine(settings: settings, hasSpool: spool != nil, recovered: found), sink: sink,
                lostEventsSeen: spool?.lostEvents ?? 0))
        metrics.recovered.increment(by: Int64(found))
        metrics.queued.record(found)
        if let spool { metrics.spoolBytes.record(spool.bytesOnDisk) }
    }

    package var sink: any EventSink {
        get { core.withLock { $0.sink } }
        set { core.withLock { $0.sink = newValue } }
    }

    package var settings: QueueSettings { core.withLock { $0.machine.settings } }

    package func update(settings: QueueSettings) {
        step { $0.update(settings: settings) }
    }

    package var queuedEvents: Int { core.withLock { $0.machine.queued } }

    /// Takes a producer's batch. Returns true when the producer should stop reading its
    /// connection until `whenRelieved` runs (see the type's comment for when). Never touches
    /// the spool: safe on an event loop.
    package func enqueue(_ batch: EventBatch, blockable: Bool) -> Bool {
        enqueueMarked(batch, blockable: blockable).pause
    }

    /// `enqueue`, also answering the batch's mark for `whenSafe`: the number after its last
    /// event (after the last accepted event before it when the batch was dropped).
    package func enqueueMarked(_ batch: EventBatch, blockable: Bool) -> (pause: Bool, mark: UInt64) {
        let now = ContinuousClock.now
        return step { core in
            let (answer, effects) = core.machine.enqueue(batch, blockable: blockable, now: now)
            return ((answer == .acceptAndPause, core.machine.nextSeq), effects)
        }
    }

    /// Runs `action` once every event numbered below `mark` is safe by the queue's durability
    /// (`StateMachine.safeSeq`): at once when it is already, otherwise on the thread of the step
    /// that makes it so (a spill's or a delivery's: the action must only hand work on). A queue
    /// that stops before then never runs it.
    package func whenSafe(through mark: UInt64, _ action: @escaping @Sendable () -> Void) {
        let now = core.withLock { core -> Bool in
            guard core.machine.safeSeq < mark else { return true }
            if core.machine.lifecycle != .stopped { core.safeWaiters.append((mark, action)) }
            return false
        }
        if now { action() }
    }

    /// Runs `action` once the queue has room again (at once when it has room now).
    package func whenRelieved(_ action: @escaping @Sendable () -> Void) {
        let now = core.withLock { core -> Bool in
            guard core.machine.pressured else { return true }
            core.reliefWaiters.append(action)
            return false
        }
        if now { action() }
    }

    /// Records the age of the oldest waiting event, 0 when the queue is empty: memory's and the
    /// in-flight batch's from the monotonic clock; the disk's from its block's append time, which
    /// is wall-clock (it survives restarts), against the wall clock.
    /// Called every second: also brings the spool's loss and write-error counters (the flush
    /// timer and the worker write too) and the gauges up to date, so a queue that no event passes
    /// through still shows a disk that filled or blocks found corrupt; and retries a spill that a
    /// full disk stopped.
    package func refreshOldestAge() {
        let statistics = spool?.statistics
        noteSpoolLosses()
        let now = ContinuousClock.now
        let arrival = core.withLock { core -> ContinuousClock.Instant? in
            if let statistics {
                metrics.spoolOutOfSpace.increment(
                    by: Int64(max(0, statistics.outOfSpaceErrors - core.spoolErrorsSeen.outOfSpace)))
                metrics.spoolIOErrors.increment(by: Int64(max(0, statistics.ioErrors - core.spoolErrorsSeen.io)))
                core.spoolErrorsSeen = (statistics.outOfSpaceErrors, statistics.ioErrors)
            }
            return core.machine.oldestArrival
        }
        step { $0.tick() }
        var age = arrival.map { max(0, (now - $0).seconds) } ?? 0
        if let oldest = statistics.flatMap({ $0.eventCount > 0 ? $0.oldestEventTime : nil }) {
            age = max(age, Double(SpoolQueue.wallClockMilliseconds() - oldest) / 1000)
        }
        metrics.oldestQueuedSeconds.record(age)
        if let statistics { metrics.spoolBytes.record(statistics.bytesOnDisk) }
    }
}
