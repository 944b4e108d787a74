import DequeModule
import SieveConfig
import SieveSinks

extension DeliveryQueue {
    /// Everything a queue knows, and every decision it makes, without I/O, locks, logging or
    /// clocks: the shell (`DeliveryQueue`) holds it in one `Mutex`, calls a method per event
    /// (a producer's batch, the worker asking for work, a delivery's outcome, a spill's outcome,
    /// a lifecycle step) and performs what comes back (`Effects`, and each method's own answer).
    ///
    /// Order without reading the disk: every event accepted from a producer gets the next number
    /// (`nextSeq`). Memory holds numbers `memoryFrontSeq..<nextSeq`, the in-flight batch the ones
    /// just before; spills write in number order, so "on disk" is every number below `diskTailSeq`
    /// that was not delivered first, and the in-flight events already on disk ("shadows") are
    /// those below it. A spill runs while the worker delivers: shadows delivered before their
    /// spill reports are noted (`deliveredSeq`) and become `diskSkip` when it does.
    ///
    /// Accounting, checkable at every step (`accountingHolds`):
    /// `enqueued + recovered = forwarded + dropped (all reasons) + queued`, and `queued` equals
    /// what the structures hold (`heldEvents`).
    package struct StateMachine: Sendable {
        package typealias Instant = ContinuousClock.Instant

        package enum Lifecycle: Equatable, Sendable {
            case running
            /// Removed by a reload: deliver what is left, then stop.
            case draining
            /// A draining queue found itself empty; its worker ends (`close` follows).
            case drained
            /// Shutting down: deliver while the sink takes events, stop at the first failure.
            case stopping
            case stopped
        }

        /// What the worker waits for, which decides who wakes it.
        package enum Waiting: Equatable, Sendable {
            case no
            /// Nothing to deliver.
            case idle
            /// A small batch waits for more, up to the sink's gather time.
            case gathering
            /// The oldest events in memory are being written to disk: they are read from there.
            case spill
            /// A pause after a failed delivery, or after an unreadable disk.
            case pausing
        }

        /// The batch the worker took from memory: numbers `firstSeq..<firstSeq + batch.count`.
        package struct InFlight: Sendable {
            package var batch: EventBatch
            package var firstSeq: UInt64
            /// When its oldest event arrived.
            package var since: Instant?
        }

        /// The spill that is running: `shadows` in-flight events, then `fromMemory` of memory's.
        package struct Spilling: Equatable, Sendable {
            package var firstSeq: UInt64
            package var shadows: Int
            package var fromMemory: Int
        }

        /// The most the worker takes at once.
        package static let maxTakeBytes = 1 << 20
        package static let maxTakeEvents = 4096
        /// How long an unreadable disk (an I/O error) rests before the next read.
        package static let diskRetryPause = Duration.milliseconds(200)
        /// Queue-full warnings: at most one per this.
        package static let fullLogInterval = Duration.seconds(10)

        package internal(set) var settings: QueueSettings
        package let hasSpool: Bool

        var memory = Deque<EventBatch>()
        /// Events at the front of `memory.first` already gone (spilled or taken).
        var memoryHeadSkip = 0
        package internal(set) var memoryBytes = 0
        package internal(set) var memoryEvents = 0
        package internal(set) var memoryFrontSeq: UInt64 = 0
        package internal(set) var nextSeq: UInt64 = 0
        /// When the oldest event now in memory arrived.
        var memorySince: Instant?

        package internal(set) var inflight: InFlight?
        /// Events on disk, as far as reported spills and reads tell (the spool may hold a running
        /// spill's events too; they are counted when it reports).
        package internal(set) var diskEvents: Int
        /// Events at the disk's head that were delivered from memory already.
        package internal(set) var diskSkip = 0
        package internal(set) var diskTailSeq: UInt64 = 0
        package internal(set) var deliveredSeq: UInt64 = 0
        /// Events of a running spill that the spool lost before the spill reported.
        var lostAhead = 0
        var diskRetryAt: Instant?

        package internal(set) var spilling: Spilling?
        /// The last spill stopped at a full spool (its bound, or the disk).
        package internal(set) var diskFull = false
        /// An in-flight event the spool refuses as too large: no spill passes it until it is delivered.
        var unspillableSeq: UInt64?

        package internal(set) var pressured = false
        var fullLoggedAt: Instant?
        var spoolFullLogged = false

        package internal(set) var lifecycle = Lifecycle.running
        /// Set by `beginStopping`: until then a queue that cannot save what it holds keeps retrying.
        package internal(set) var retryUnsavedUntil: Instant?
        package internal(set) var waiting = Waiting.no
        /// `close` waits for the running spill.
        var closeWaiting = false
        /// Events `close` handed over to be saved, until `saved` says how many were.
        package internal(set) var pendingSave = 0

        package internal(set) var counters = Counters()
        /// Events waiting: memory, in flight (unless on disk), disk minus `diskSkip`.
        package internal(set) var queued: Int

        /// `recovered`: events a spool held at start (delivered first).
        package init(settings: QueueSettings, hasSpool: Bool, recovered: Int = 0) {
            self.settings = settings
            self.hasSpool = hasSpool
            diskEvents = recovered
            queued = recovered
            counters.recovered = recovered
        }

        /// A small batch waits up to the sink's gather time for more, until this much is in memory.
        package var gatherBytes: Int { min(256 << 10, settings.memoryBytes / 4) }

        /// While a spill is pending, a producer that cannot pause (UDP) may take memory this far
        /// past `memory_bytes` (so up to twice it, plus one batch) before its events are dropped.
        package var unpausableMargin: Int { settings.memoryBytes }

        /// In-flight events already on disk.
        package var shadowed: Int {
            guard let inflight, diskTailSeq > inflight.firstSeq else { return 0 }
            return min(Int(diskTailSeq - inflight.firstSeq), inflight.batch.count)
        }

        /// What the structures hold; equals `queued` after every step.
        package var heldEvents: Int {
            memoryEvents + (inflight.map { $0.batch.count } ?? 0) - shadowed + diskEvents - diskSkip - lostAhead
                + pendingSave
        }

        package var accountingHolds: Bool {
            counters.enqueued + counters.recovered == counters.forwarded + counters.droppedTotal + queued
                && queued == heldEvents && queued >= 0 && diskSkip <= diskEvents
        }

        /// When the oldest event in memory or in flight arrived (the disk's is the spool's).
        package var oldestArrival: Instant? {
            switch (inflight?.since, memorySince) {
            case (let a?, let b?): return min(a, b)
            case (let a, let b): return a ?? b
            }
        }

        /// Every event numbered below this is as safe as the queue's durability promises, so an
        /// acknowledging listener (RELP) may answer for it: with `durability: memory` (or without a
        /// spool) once accepted; with `durability: disk` once it left memory, which is the FIFO
        /// every accepted event passes through: written to the spool by a spill (fsynced first
        /// under `fsync: always`), or, when the spool is full, delivered by the sink. An in-flight
        /// batch taken from memory is safe where a spill shadowed it, the rest once delivered.
        package var safeSeq: UInt64 {
            guard hasSpool, settings.durability == .disk else { return nextSeq }
            guard let inflight, shadowed < inflight.batch.count else { return memoryFrontSeq }
            return min(memoryFrontSeq, inflight.firstSeq + UInt64(shadowed))
        }

        /// Memory or in-flight events that no spool holds.
        package var holdsUnsaved: Bool { memoryEvents > 0 || (inflight.map { shadowed < $0.batch.count } ?? false) }

        /// New bounds (a reload).
        package mutating func update(settings: QueueSettings) -> Effects {
            self.settings = settings
            var effects = Effects()
            effects.spill = startSpill(incoming: 0)
            effects.relieve = relieveIfRoom()
            effects.wakeWorker = wake()
            return effects
        }

        /// The once-a-second tick: retries a spill the full disk stopped (it may have room now).
        package mutating func tick() -> Effects {
            var effects = Effects()
            effects.spill = startSpill(incoming: 0)
            return effects
        }

        /// Wakes the worker whatever it waits for; true when it waits.
        mutating func wake() -> Bool {
            guard waiting != .no else { return false }
            waiting = .no
            return true
        }

        /// Clears `pressured` once memory is back under its bound; true when producers resume.
        mutating func relieveIfRoom() -> Bool {
            guard pressured, memoryBytes < settings.memoryBytes else { return false }
            pressured = false
            return true
        }
    }
}
