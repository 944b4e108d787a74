import Dispatch
import SieveConfig
import SieveSinks
import SieveSpool

/// Starting and ending a queue's delivery: reload retirement and shutdown.
extension DeliveryQueue {
    /// A reload removed this queue's cluster or sink: deliver everything left, then stop.
    package func retire() {
        step { $0.retire() }
    }

    /// A later reload wants this queue again while it still drains: it goes on running. False
    /// when its worker has already ended.
    package func revive() -> Bool {
        core.withLock { $0.machine.revive() }
    }

    /// Shutdown, first step: deliver while the sink takes events; stop at the first failure.
    /// Until `retryUnsavedUntil`, a queue that cannot save what it holds (memory-only, or the
    /// disk is full) retries a failed delivery instead: the sink may be about to come back.
    package func beginStopping(retryUnsavedUntil deadline: ContinuousClock.Instant? = nil) {
        step { $0.beginStopping(retryUnsavedUntil: deadline) }
    }

    /// Shutdown, last step (after the worker ended or was given up on): what is still in memory
    /// goes to the spool behind what is there (in order; see the type's comment), the spool is
    /// fsynced and closed. Without a spool, or with the disk full, the rest is dropped and
    /// counted. Blocks (a running spill, the fsync): call it from a thread that may block, never
    /// an event loop or the cooperative pool. Returns (moved to disk, dropped).
    @discardableResult
    package func finish() -> (spooled: Int, dropped: Int) {
        var saving: (parts: [StateMachine.SpillJob.Part], count: Int)?
        while saving == nil {
            switch step({ core in core.machine.close() }) {
            case .awaitSpill: spillEnded.wait()
            case .save(let parts, let count): saving = (parts, count)
            }
        }
        guard let (parts, count) = saving.map({ ($0.parts, $0.count) }) else { return (0, 0) }
        var spooled = 0
        if let spool {
            assertOffEventLoop("append")
            let job = StateMachine.SpillJob(firstSeq: 0, shadows: 0, parts: parts)
            job.forEachEvent { event in
                guard spool.append(event) == .written else { return false }
                spooled += 1
                return true
            }
        }
        step { core in
            core.machine.saved(written: spooled)
            return ((), StateMachine.Effects())
        }
        var dropped = count - spooled
        if let spool {
            assertOffEventLoop("flush")
            spool.flush()
            spool.close()
            // The open block the disk would not take (it stayed full) is lost at close: those
            // events were counted as spooled above; they are dropped (shutdown) instead.
            let lostAtClose = noteSpoolLosses(as: .shutdown)
            if lostAtClose > 0 {
                spooled -= min(spooled, lostAtClose)
                dropped += lostAtClose
            }
            metrics.spoolBytes.record(spool.bytesOnDisk)
        }
        if dropped > 0 {
            logger.error(
                spool == nil
                    ? "shutdown: events still queued in memory are lost (no spool.directory configured)"
                    : "shutdown: the spool was full; events still in memory are lost",
                metadata: ["queue": "\(key)", "events": "\(dropped)"]
            )
        } else if spooled > 0 {
            logger.info(
                "shutdown: queued events saved to the spool", metadata: ["queue": "\(key)", "events": "\(spooled)"])
        }
        return (spooled, dropped)
    }

    package var isStopped: Bool { core.withLock { $0.machine.lifecycle == .stopped } }

    /// Retired and empty: its worker is ending and closes the spool (it cannot be revived).
    package var isDrained: Bool { core.withLock { $0.machine.lifecycle == .drained } }

    /// Pressured: producers that fed it are paused until it has room.
    package var isPressured: Bool { core.withLock { $0.machine.pressured } }

    /// A spill is running (tests wait for it to settle).
    package var isSpilling: Bool { core.withLock { $0.machine.spilling != nil } }

    /// Events wait in memory that no spool could take now (memory-only, or the disk is full):
    /// a stop loses them unless the sink takes them first.
    package var cannotSaveWhatItHolds: Bool {
        let outOfSpace = spool?.isOutOfSpace ?? true
        return outOfSpace && core.withLock { $0.machine.holdsUnsaved }
    }
}
