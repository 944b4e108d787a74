import Foundation
import SieveConfig
import SieveSinks
import SieveSpool

/// Starting and ending a queue's delivery: reload retirement and shutdown.
extension DeliveryQueue {
    /// A reload removed this queue's cluster or sink: deliver everything left, then stop.
    package func retire() {
        condition.locked { if state == .running { state = .draining } }
        condition.broadcast()
    }

    /// A later reload wants this queue again while it still drains: it goes on running. False
    /// when its delivery thread has already ended.
    package func revive() -> Bool {
        condition.locked {
            guard state == .draining else { return false }
            state = .running
            return true
        }
    }

    /// Shutdown, first step: deliver while the sink takes events; stop at the first failure.
    /// Until `retryUnsavedUntil`, a queue that cannot save what it holds (memory-only, or the
    /// disk is full) retries a failed delivery instead: the sink may be about to come back.
    package func beginStopping(retryUnsavedUntil deadline: Date? = nil) {
        condition.locked {
            if state == .running || state == .draining { state = .stopping }
            retryUnsavedUntil = deadline
        }
        condition.broadcast()
    }

    /// Shutdown, last step (after the delivery thread ended or was given up on): what is still
    /// in memory goes to the spool behind what is there (in order; see the type's comment), the
    /// spool is fsynced and closed. Without a spool, or with the disk full, the rest is dropped
    /// and counted. Returns (moved to disk, dropped).
    @discardableResult
    package func finish() -> (spooled: Int, dropped: Int) {
        condition.lock()
        state = .stopped
        var pending = EventBatch()
        if let inflight, inflightShadowed < inflight.count {
            pending.append(contentsOf: inflight.slice(inflightShadowed..<inflight.count))
        }
        inflight = nil
        inflightShadowed = 0
        for (index, chunk) in memory.enumerated() {
            pending.append(contentsOf: index == 0 && memoryHeadSkip > 0 ? chunk.slice(memoryHeadSkip..<chunk.count) : chunk)
        }
        memory.removeAll()
        memoryHeadSkip = 0
        memoryBytes = 0
        memoryEvents = 0
        var spooled = 0
        if let spool {
            while spooled < pending.count, spool.append(pending.event(spooled)) == .written { spooled += 1 }
        }
        var dropped = pending.count - spooled
        queued -= dropped
        metrics.drop(dropped, .shutdown)
        let waiters = reliefWaiters
        reliefWaiters = []
        pressured = false
        updateGauges()
        condition.unlock()
        condition.broadcast()
        for waiter in waiters { waiter() }
        if let spool {
            spool.flush()
            spool.close()
            // The open block the disk would not take (it stayed full) is lost at close: those
            // events were counted as spooled above; they are dropped (shutdown) instead. Taken
            // against `lostEventsSeen` under the lock, so they are counted once.
            let lostAtClose = condition.locked { () -> Int in
                defer { updateGauges() }
                return noteSpoolLosses(as: .shutdown)
            }
            if lostAtClose > 0 {
                spooled -= min(spooled, lostAtClose)
                dropped += lostAtClose
            }
        }
        if dropped > 0 {
            logger.error(
                spool == nil
                    ? "shutdown: events still queued in memory are lost (no spool.directory configured)"
                    : "shutdown: the spool was full; events still in memory are lost",
                metadata: ["queue": "\(key)", "events": "\(dropped)"]
            )
        } else if spooled > 0 {
            logger.info("shutdown: queued events saved to the spool", metadata: ["queue": "\(key)", "events": "\(spooled)"])
        }
        return (spooled, dropped)
    }

    package var isStopped: Bool { condition.locked { state == .stopped } }

    /// Retired and empty: its worker is ending and closes the spool (it cannot be revived).
    package var isDrained: Bool { condition.locked { state == .drained } }

    /// Events wait in memory that no spool could take now (memory-only, or the disk is full):
    /// a stop loses them unless the sink takes them first.
    package var cannotSaveWhatItHolds: Bool { condition.locked { cannotSaveWhatItHoldsLocked } }

    /// Under the condition lock.
    package var cannotSaveWhatItHoldsLocked: Bool {
        let holds = memoryEvents > 0 || inflight.map { inflightShadowed < $0.count } == true
        return holds && (spool?.isOutOfSpace ?? true)
    }

    /// Stopping, and still allowed to retry because what the queue holds cannot be saved.
    package var retriesWhileStopping: Bool {
        guard state == .stopping, let deadline = retryUnsavedUntil, Date() < deadline else { return false }
        return cannotSaveWhatItHoldsLocked
    }
}
