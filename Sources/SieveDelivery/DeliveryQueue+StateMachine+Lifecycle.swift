import SieveConfig
import SieveSinks

/// Reload retirement and shutdown.
extension DeliveryQueue.StateMachine {
    /// A reload removed this queue's cluster or sink: deliver everything left, then stop.
    package mutating func retire() -> Effects {
        var effects = Effects()
        if lifecycle == .running { lifecycle = .draining }
        effects.wakeWorker = wake()
        return effects
    }

    /// A later reload wants this queue again while it still drains: it goes on running. False
    /// once it has drained (its worker ends).
    package mutating func revive() -> Bool {
        guard lifecycle == .draining else { return false }
        lifecycle = .running
        return true
    }

    /// Shutdown, first step: deliver while the sink takes events; stop at the first failure.
    /// Until `retryUnsavedUntil`, a queue that cannot save what it holds (memory-only, or the
    /// disk is full) retries a failed delivery instead: the sink may be about to come back.
    package mutating func beginStopping(retryUnsavedUntil deadline: Instant?) -> Effects {
        var effects = Effects()
        if lifecycle == .running || lifecycle == .draining { lifecycle = .stopping }
        retryUnsavedUntil = deadline
        effects.wakeWorker = wake()
        return effects
    }

    /// Shutdown, last step (after the worker ended or was given up on): no more events are
    /// taken, producers resume, and what memory and the in-flight batch hold that no spool has
    /// goes behind the disk, in order (see the type's comment), once no spill runs.
    package mutating func close() -> (CloseAction, Effects) {
        var effects = Effects()
        lifecycle = .stopped
        if pressured {
            pressured = false
            effects.relieve = true
        }
        effects.wakeWorker = wake()
        if spilling != nil {
            closeWaiting = true
            return (.awaitSpill, effects)
        }
        var parts: [SpillJob.Part] = []
        // In-flight events already on disk stay there; the rest go behind them with memory's.
        if let inflight, shadowed < inflight.batch.count {
            parts.append(.init(batch: inflight.batch, range: shadowed..<inflight.batch.count))
        }
        inflight = nil
        for (index, chunk) in memory.enumerated() {
            parts.append(.init(batch: chunk, range: (index == 0 ? memoryHeadSkip : 0)..<chunk.count))
        }
        let count = parts.reduce(0) { $0 + $1.range.count }
        memory.removeAll()
        memoryHeadSkip = 0
        memoryBytes = 0
        memoryEvents = 0
        memorySince = nil
        pendingSave = count
        return (.save(parts, count: count), effects)
    }

    /// `written` of the events `close` handed over went to the spool; the rest are dropped
    /// (no spool, or it was full).
    package mutating func saved(written: Int) {
        let written = min(written, pendingSave)
        diskEvents += written
        let dropped = pendingSave - written
        pendingSave = 0
        queued -= dropped
        counters.drop(dropped, .shutdown)
    }
}
