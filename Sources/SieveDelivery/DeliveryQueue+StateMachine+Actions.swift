import SieveSinks

extension DeliveryQueue.StateMachine {
    /// What the shell does after a step, besides the step's own answer.
    package struct Effects: Sendable {
        /// Start this spill on a thread that may block, and report it with `spilled`.
        package var spill: SpillJob?
        /// Signal the worker (it waits, and now has something to do).
        package var wakeWorker = false
        /// Run the relief callbacks of paused producers.
        package var relieve = false
        /// Signal the `close` that waits for the running spill.
        package var wakeCloser = false
        package var notes: [Note] = []

        package init() {}
    }

    /// Log lines the shell writes.
    package enum Note: Equatable, Sendable {
        case queueFull(dropping: Bool, memoryBytes: Int)
        case spoolFull
        case spoolHasRoom
        case spoolCorrupt(events: Int)
    }

    /// Events to append to the spool, oldest first: `shadows` copies of in-flight events (which
    /// stay in flight), then memory's oldest events. An event the spool refuses as too large is
    /// dropped when it comes from memory; an in-flight one stops the spill.
    package struct SpillJob: Sendable {
        package var firstSeq: UInt64
        package var shadows: Int
        package var parts: [Part]

        package struct Part: Sendable {
            package var batch: EventBatch
            package var range: Range<Int>
        }

        package init(firstSeq: UInt64, shadows: Int, parts: [Part]) {
            self.firstSeq = firstSeq
            self.shadows = shadows
            self.parts = parts
        }

        package var count: Int { parts.reduce(0) { $0 + $1.range.count } }

        /// The job's events in order.
        package func forEachEvent(_ body: (ArraySlice<UInt8>) -> Bool) {
            for part in parts {
                for index in part.range where !body(part.batch.event(index)) { return }
            }
        }
    }

    /// How a spill went: `processed` events from the job's start were written or (from memory,
    /// too large) dropped, `tooLarge` of them dropped; then it ended.
    package struct SpillOutcome: Equatable, Sendable {
        package enum Ending: Equatable, Sendable {
            case done
            /// The spool answered full (its bound or the disk).
            case full
            /// An in-flight event is too large for the spool.
            case unspillable
        }

        package var processed: Int
        package var tooLarge: Int
        package var ending: Ending

        package init(processed: Int, tooLarge: Int = 0, ending: Ending = .done) {
            self.processed = processed
            self.tooLarge = tooLarge
            self.ending = ending
        }
    }

    /// The answer to a producer's batch.
    package enum EnqueueAnswer: Equatable, Sendable {
        case accept
        /// Accepted; the producer stops reading until the relief callbacks run.
        case acceptAndPause
        case drop(QueueMetrics.DropReason)
    }

    /// What the worker does next.
    package enum TakeAction: Sendable {
        /// Deliver this batch, taken from memory (now in flight).
        case deliver(EventBatch)
        /// Read up to `maxEvents` from the disk's head and deliver them (`delivered(fromDisk:)`).
        case readDisk(maxEvents: Int)
        /// Acknowledge `count` events at the disk's head (delivered from memory already), then
        /// report with `skipped`.
        case skipDisk(count: Int)
        /// Wait until woken, or until the instant.
        case wait(until: ContinuousClock.Instant?)
        /// The queue is done (stopped, drained, or stopping and empty).
        case finished
    }

    /// The shell's last step at shutdown.
    package enum CloseAction: Sendable {
        /// A spill runs: wait for it (`wakeCloser`), then close again.
        case awaitSpill
        /// Append these events behind the disk and report with `saved`; everything else is done.
        case save([SpillJob.Part], count: Int)
    }
}
