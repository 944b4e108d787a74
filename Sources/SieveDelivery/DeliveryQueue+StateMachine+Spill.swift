import SieveConfig
import SieveSinks

/// The producers' half: accepting batches, and moving memory's oldest events to the disk.
extension DeliveryQueue.StateMachine {
    /// A producer's batch. Room is judged as the old synchronous spill would have made it: while
    /// the spool can take a spill, a full memory pauses a producer that can pause (whatever
    /// `when_full` says: the spill is what it waits for) and takes an unpausable one's events up
    /// to `unpausableMargin`; only when the spool cannot (none, or the last spill found it full)
    /// does `when_full` decide (`drop_newest`, or UDP: drop; `block`: pause).
    package mutating func enqueue(_ batch: EventBatch, blockable: Bool, now: Instant) -> (EnqueueAnswer, Effects) {
        var effects = Effects()
        guard !batch.isEmpty else { return (.accept, effects) }
        counters.enqueued += batch.count
        if lifecycle == .stopped {
            counters.drop(batch.count, .shutdown)
            return (.drop(.shutdown), effects)
        }
        let limit = settings.memoryBytes
        let spillable = canSpill
        effects.spill = startSpill(incoming: batch.byteCount)
        if memoryBytes >= limit {
            let dropping =
                spillable
                ? !blockable && memoryBytes >= limit + unpausableMargin
                : settings.whenFull == .dropNewest || !blockable
            if dropping {
                counters.drop(batch.count, .queueFull)
                noteFull(dropping: true, now: now, into: &effects)
                return (.drop(.queueFull), effects)
            }
        }
        if memory.isEmpty { memorySince = now }
        memory.append(batch)
        memoryBytes += batch.byteCount
        memoryEvents += batch.count
        nextSeq += UInt64(batch.count)
        queued += batch.count
        if effects.spill == nil { effects.spill = startSpill(incoming: 0) }
        if memoryBytes >= limit && blockable && (settings.whenFull == .block || (spillable && spilling != nil)) {
            if !pressured { noteFull(dropping: false, now: now, into: &effects) }
            pressured = true
        }
        // Wake the worker only when it waits for events, or gathers and enough has come: one
        // wake-up per batch would cost a context switch per read burst.
        if waiting == .idle || (waiting == .gathering && memoryBytes >= gatherBytes) {
            effects.wakeWorker = wake()
        }
        return (pressured && blockable ? .acceptAndPause : .accept, effects)
    }

    /// A spill could make room: there is a spool, the last spill did not find it full, and no
    /// in-flight event too large for it bars the way.
    var canSpill: Bool {
        guard hasSpool, !diskFull else { return false }
        guard let stuck = unspillableSeq, let inflight else { return true }
        return stuck < inflight.firstSeq
    }

    /// The spill to start now, if memory should move to disk and none runs: everything with
    /// `durability: disk`; otherwise down to half of `memory_bytes` once `incoming` more would
    /// reach it. In-flight events not yet on disk go first (see the type's comment).
    mutating func startSpill(incoming: Int) -> SpillJob? {
        guard hasSpool, spilling == nil, lifecycle != .stopped else { return nil }
        let target: Int
        switch settings.durability {
        case .disk: target = 0
        case .memory:
            guard memoryBytes + incoming >= settings.memoryBytes else { return nil }
            target = settings.memoryBytes / 2
        }
        var job = SpillJob(firstSeq: memoryFrontSeq, shadows: 0, parts: [])
        if let inflight, shadowed < inflight.batch.count {
            let first = shadowed
            if let stuck = unspillableSeq, stuck >= inflight.firstSeq { return nil }
            job.firstSeq = inflight.firstSeq + UInt64(first)
            job.shadows = inflight.batch.count - first
            job.parts.append(.init(batch: inflight.batch, range: first..<inflight.batch.count))
        }
        var bytes = memoryBytes
        var fromMemory = 0
        for (index, chunk) in memory.enumerated() where bytes > target {
            let start = index == 0 ? memoryHeadSkip : 0
            var end = start
            while end < chunk.count && bytes > target {
                bytes -= chunk.event(end).count
                end += 1
            }
            job.parts.append(.init(batch: chunk, range: start..<end))
            fromMemory += end - start
        }
        guard job.shadows + fromMemory > 0 else { return nil }
        spilling = Spilling(firstSeq: job.firstSeq, shadows: job.shadows, fromMemory: fromMemory)
        return job
    }

    /// The running spill ended. Written events count on disk (shadows delivered meanwhile
    /// become `diskSkip`), memory's leave it, too-large ones are dropped. After a full spool the
    /// next spill waits for the next event; otherwise it starts at once if memory still wants one.
    package mutating func spilled(_ outcome: SpillOutcome) -> Effects {
        var effects = Effects()
        guard let job = spilling else { return effects }
        spilling = nil
        let processed = min(outcome.processed, job.shadows + job.fromMemory)
        let shadowsDone = min(processed, job.shadows)
        let memoryDone = processed - shadowsDone
        let tooLarge = min(outcome.tooLarge, memoryDone)
        var written = processed - tooLarge
        let lostBefore = min(lostAhead, written)
        lostAhead -= lostBefore
        written -= lostBefore
        diskEvents += written
        let doneEnd = job.firstSeq + UInt64(shadowsDone)
        if deliveredSeq > job.firstSeq { diskSkip += Int(min(doneEnd, deliveredSeq) - job.firstSeq) }
        diskTailSeq = max(diskTailSeq, job.firstSeq + UInt64(processed))
        removeFromMemoryFront(memoryDone)
        queued -= tooLarge
        counters.drop(tooLarge, .tooLarge)
        switch outcome.ending {
        case .done:
            diskFull = false
            if spoolFullLogged {
                spoolFullLogged = false
                effects.notes.append(.spoolHasRoom)
            }
        case .full:
            diskFull = true
            counters.spoolFull += 1
            if !spoolFullLogged {
                spoolFullLogged = true
                effects.notes.append(.spoolFull)
            }
            // `drop_newest` does not keep producers waiting on a disk that is full.
            if settings.whenFull == .dropNewest && pressured {
                pressured = false
                effects.relieve = true
            }
        case .unspillable:
            unspillableSeq = job.firstSeq + UInt64(processed)
        }
        if outcome.ending == .done { effects.spill = startSpill(incoming: 0) }
        if relieveIfRoom() { effects.relieve = true }
        if waiting == .spill || waiting == .idle { effects.wakeWorker = wake() }
        if closeWaiting {
            closeWaiting = false
            effects.wakeCloser = true
        }
        return effects
    }

    /// The spool lost events: unreadable blocks found while reading (`spool_corrupt`; the
    /// disk's head, so delivered shadows there first), or at close an open block the full disk
    /// never took (`shutdown`; the disk's tail).
    package mutating func spoolLost(_ count: Int, reason: QueueMetrics.DropReason) -> Effects {
        var effects = Effects()
        guard count > 0 else { return effects }
        var rest = count
        if reason == .spoolCorrupt {
            let fromSkip = min(rest, diskSkip)
            diskSkip -= fromSkip
            diskEvents -= fromSkip
            rest -= fromSkip
        }
        let fromDisk = min(rest, diskEvents - diskSkip)
        diskEvents -= fromDisk
        var dropped = fromDisk
        rest -= fromDisk
        if reason == .shutdown {
            let fromSkip = min(rest, diskSkip)
            diskSkip -= fromSkip
            diskEvents -= fromSkip
            rest -= fromSkip
        }
        if rest > 0 && spilling != nil {
            lostAhead += rest
            dropped += rest
        }
        queued -= dropped
        counters.drop(dropped, reason)
        if reason == .spoolCorrupt && dropped > 0 { effects.notes.append(.spoolCorrupt(events: dropped)) }
        return effects
    }

    /// Removes `count` events from memory's front (spilled or taken).
    mutating func removeFromMemoryFront(_ count: Int) {
        var left = count
        while left > 0, let chunk = memory.first {
            let available = chunk.count - memoryHeadSkip
            let taking = min(left, available)
            memoryBytes -= chunk.byteCount(ofFirst: memoryHeadSkip + taking) - chunk.byteCount(ofFirst: memoryHeadSkip)
            memoryEvents -= taking
            memoryFrontSeq += UInt64(taking)
            left -= taking
            if taking == available {
                memory.removeFirst()
                memoryHeadSkip = 0
            } else {
                memoryHeadSkip += taking
            }
        }
        if memory.isEmpty { memorySince = nil }
    }

    private mutating func noteFull(dropping: Bool, now: Instant, into effects: inout Effects) {
        if let last = fullLoggedAt, now - last < Self.fullLogInterval { return }
        fullLoggedAt = now
        effects.notes.append(.queueFull(dropping: dropping, memoryBytes: memoryBytes))
    }
}
