import SieveConfig
import SieveSinks

/// The worker's half: what to deliver next, and what came of it.
extension DeliveryQueue.StateMachine {
    /// The next thing the worker does. Oldest first: a failed in-flight batch not all on disk
    /// again; shadows at the disk's head to skip; the disk; memory (unless a spill is moving its
    /// oldest events, or `durability: disk` wants them written first and the spool has room).
    /// A small memory batch waits up to `gather` for more while the queue runs.
    package mutating func take(now: Instant, gather: Duration) -> (TakeAction, Effects) {
        var effects = Effects()
        waiting = .no
        if lifecycle == .stopped { return (.finished, effects) }
        if let inflight {
            if shadowed < inflight.batch.count { return (.deliver(inflight.batch), effects) }
            // Every in-flight event is on disk now: read them from there, in order.
            self.inflight = nil
        }
        if diskSkip > 0 || diskEvents > 0 {
            if let retry = diskRetryAt, now < retry {
                waiting = .pausing
                return (.wait(until: retry), effects)
            }
            diskRetryAt = nil
            if diskSkip > 0 { return (.skipDisk(count: diskSkip), effects) }
            return (.readDisk(maxEvents: min(Self.maxTakeEvents, diskEvents)), effects)
        }
        if memoryEvents > 0 {
            guard memoryTakeable else {
                effects.spill = startSpill(incoming: 0)
                waiting = .spill
                return (.wait(until: nil), effects)
            }
            if let since = memorySince, lifecycle == .running, memoryBytes < gatherBytes, since + gather > now {
                waiting = .gathering
                return (.wait(until: since + gather), effects)
            }
            let since = memorySince
            let firstSeq = memoryFrontSeq
            let batch = takeFromMemory()
            inflight = InFlight(batch: batch, firstSeq: firstSeq, since: since)
            effects.relieve = relieveIfRoom()
            return (.deliver(batch), effects)
        }
        switch lifecycle {
        case .draining:
            lifecycle = .drained
            return (.finished, effects)
        case .stopping, .drained, .stopped:
            return (.finished, effects)
        case .running:
            waiting = .idle
            return (.wait(until: nil), effects)
        }
    }

    /// Memory's oldest events may be delivered from memory: no spill is moving them, and either
    /// the queue keeps events in memory, or the spool cannot take them now.
    private var memoryTakeable: Bool {
        if let spilling, spilling.fromMemory > 0 { return false }
        return settings.durability == .memory || !hasSpool || diskFull
    }

    /// Takes whole chunks from memory's front, up to `maxTakeBytes` (at least one event).
    private mutating func takeFromMemory() -> EventBatch {
        var batch = EventBatch()
        while let chunk = memory.first {
            let part = memoryHeadSkip == 0 ? chunk : chunk.slice(memoryHeadSkip..<chunk.count)
            if !batch.isEmpty && batch.byteCount + part.byteCount > Self.maxTakeBytes { break }
            batch.append(contentsOf: part)
            removeFromMemoryFront(part.count)
        }
        return batch
    }

    /// The sink took the first `count` events of the in-flight batch (all of it, or a part
    /// before it failed: the rest stays in flight, in order).
    package mutating func delivered(fromMemory count: Int) -> Effects {
        var effects = Effects()
        guard let current = inflight, count > 0 else { return effects }
        let taken = min(count, current.batch.count)
        let shadowsTaken = min(shadowed, taken)
        diskSkip += shadowsTaken
        let end = current.firstSeq + UInt64(taken)
        deliveredSeq = max(deliveredSeq, end)
        if let stuck = unspillableSeq, stuck < end { unspillableSeq = nil }
        if taken == current.batch.count {
            inflight = nil
        } else {
            inflight = InFlight(
                batch: current.batch.slice(taken..<current.batch.count), firstSeq: end, since: current.since)
        }
        queued -= taken
        counters.forwarded += taken
        effects.spill = startSpill(incoming: 0)
        effects.relieve = relieveIfRoom()
        return effects
    }

    /// The sink took `count` events read from the disk's head, and the spool acknowledged them.
    package mutating func delivered(fromDisk count: Int) -> Effects {
        var effects = Effects()
        let taken = min(count, diskEvents - diskSkip)
        guard taken > 0 else { return effects }
        diskEvents -= taken
        queued -= taken
        counters.forwarded += taken
        effects.spill = startSpill(incoming: 0)
        effects.relieve = relieveIfRoom()
        return effects
    }

    /// `count` shadows at the disk's head were acknowledged; 0: the disk could not be read.
    package mutating func skipped(_ count: Int, now: Instant) {
        let taken = min(count, diskSkip)
        diskSkip -= taken
        diskEvents -= taken
        if taken == 0 { diskRetryAt = now + Self.diskRetryPause }
    }

    /// A disk read returned nothing (an I/O error): rest before the next.
    package mutating func diskUnreadable(now: Instant) {
        diskRetryAt = now + Self.diskRetryPause
    }

    /// The sink did not take the batch; it stays queued (an in-flight batch all on disk is read
    /// again from there). True when the worker retries after a pause, false when it stops.
    /// `spoolOutOfSpace`: the spool's last write found the disk full.
    package mutating func failed(now: Instant, spoolOutOfSpace: Bool) -> Bool {
        if let inflight, shadowed == inflight.batch.count { self.inflight = nil }
        return keepsRetrying(now: now, spoolOutOfSpace: spoolOutOfSpace)
    }

    /// A pause after a failure, until `deadline`: the instant to wait until, or nil once the
    /// pause is over (its deadline passed, or the queue was told to stop).
    package mutating func pause(until deadline: Instant, now: Instant, spoolOutOfSpace: Bool) -> Instant? {
        guard now < deadline, keepsRetrying(now: now, spoolOutOfSpace: spoolOutOfSpace) else {
            waiting = .no
            return nil
        }
        waiting = .pausing
        return min(deadline, retryUnsavedUntil ?? deadline)
    }

    /// Running or draining; or stopping, before `retryUnsavedUntil`, with events no spool can
    /// take (memory-only, or the disk full).
    private func keepsRetrying(now: Instant, spoolOutOfSpace: Bool) -> Bool {
        switch lifecycle {
        case .running, .draining: return true
        case .stopping:
            guard let until = retryUnsavedUntil, now < until else { return false }
            return holdsUnsaved && (!hasSpool || spoolOutOfSpace)
        case .drained, .stopped: return false
        }
    }
}
