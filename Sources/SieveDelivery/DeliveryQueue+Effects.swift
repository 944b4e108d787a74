import Dispatch
import Logging
import NIOPosix
import SieveSinks
import SieveSpool

/// The shell's one way into the machine, and how it performs what comes back.
extension DeliveryQueue {
    /// Runs one machine step under the lock, then (outside it) mirrors the counters into the
    /// metrics and performs the step's effects.
    @discardableResult
    func step<Answer: Sendable>(_ body: (inout Core) -> (Answer, StateMachine.Effects)) -> Answer {
        let (answer, effects, waiters, before, after, queued) = core.withLock { core in
            let before = core.machine.counters
            let (answer, effects) = body(&core)
            var waiters: [@Sendable () -> Void] = []
            if effects.relieve { swap(&waiters, &core.reliefWaiters) }
            if !core.safeWaiters.isEmpty { Self.takeSafeWaiters(&core, into: &waiters) }
            return (answer, effects, waiters, before, core.machine.counters, core.machine.queued)
        }
        record(from: before, to: after, queued: queued)
        perform(effects, relieving: waiters)
        return answer
    }

    /// Moves the waiters whose mark the queue's safe point reached (all of them, dropped, once it stopped).
    private static func takeSafeWaiters(_ core: inout Core, into waiters: inout [@Sendable () -> Void]) {
        if core.machine.lifecycle == .stopped {
            core.safeWaiters.removeAll()
            return
        }
        let safe = core.machine.safeSeq
        core.safeWaiters.removeAll { waiter in
            guard waiter.mark <= safe else { return false }
            waiters.append(waiter.action)
            return true
        }
    }

    /// A step whose only answer is its effects.
    func step(_ body: (inout StateMachine) -> StateMachine.Effects) {
        step { core in ((), body(&core.machine)) }
    }

    private func record(from before: StateMachine.Counters, to after: StateMachine.Counters, queued: Int) {
        if after.enqueued != before.enqueued { metrics.enqueued.increment(by: Int64(after.enqueued - before.enqueued)) }
        if after.forwarded != before.forwarded {
            metrics.forwarded.increment(by: Int64(after.forwarded - before.forwarded))
        }
        if after.spoolFull != before.spoolFull {
            metrics.spoolFull.increment(by: Int64(after.spoolFull - before.spoolFull))
        }
        if after.dropped != before.dropped {
            for (index, reason) in QueueMetrics.DropReason.allCases.enumerated() {
                metrics.drop(after.dropped[index] - before.dropped[index], reason)
            }
        }
        metrics.queued.record(queued)
    }

    private func perform(_ effects: StateMachine.Effects, relieving waiters: [@Sendable () -> Void]) {
        if let job = effects.spill { spillPool.submit { [self] _ in spill(job) } }
        if effects.wakeWorker { wakeups.signal() }
        if effects.wakeCloser { spillEnded.signal() }
        for waiter in waiters { waiter() }
        for note in effects.notes { log(note) }
    }

    private func log(_ note: StateMachine.Note) {
        switch note {
        case .queueFull(let dropping, let memoryBytes):
            logger.warning(
                dropping
                    ? "queue full: dropping new events (counted in auditsieve_dropped_events_total)"
                    : "queue full: pausing the connections that feed it",
                metadata: [
                    "queue": "\(key)", "memory_bytes": "\(memoryBytes)", "when_full": "\(settings.whenFull.rawValue)",
                ]
            )
        case .spoolFull:
            let statistics = spool?.statistics
            logger.warning(
                "spool full: events wait in memory (when_full: \(settings.whenFull.rawValue))",
                metadata: [
                    "queue": "\(key)", "spool_bytes": "\(statistics?.bytesOnDisk ?? 0)",
                    "out_of_space_errors": "\(statistics?.outOfSpaceErrors ?? 0)",
                ]
            )
        case .spoolHasRoom:
            logger.info("spool has room again", metadata: ["queue": "\(key)"])
        case .spoolCorrupt(let events):
            logger.error(
                "spool blocks were unreadable; their events are lost",
                metadata: ["queue": "\(key)", "events": "\(events)"])
        }
    }

    /// Events the spool lost since last noted leave the queue as dropped: unreadable blocks
    /// (`spool_corrupt`), or at `close()` an open block the full disk never took (`shutdown`).
    /// Returns how many.
    @discardableResult
    func noteSpoolLosses(as reason: QueueMetrics.DropReason = .spoolCorrupt) -> Int {
        guard let spool else { return 0 }
        let lost = spool.lostEvents
        return step { core in
            // The delta is taken under the lock, so each loss is counted once.
            let delta = max(0, lost - core.lostEventsSeen)
            core.lostEventsSeen = max(core.lostEventsSeen, lost)
            let before = core.machine.queued
            let effects = core.machine.spoolLost(delta, reason: reason)
            return (before - core.machine.queued, effects)
        }
    }

    /// Every spool write, commit, fsync, read and acknowledgement goes through here first: in
    /// debug builds and in `make test`'s build (`-DAUDITSIEVE_CHECKS`, so CI's end-to-end binary
    /// checks it too) it stops the process if it runs on an event loop; `make release` has no check.
    func assertOffEventLoop(_ operation: StaticString) {
        #if DEBUG || AUDITSIEVE_CHECKS
            precondition(
                MultiThreadedEventLoopGroup.currentEventLoop == nil, "spool \(operation) on an event loop (\(key))")
        #endif
    }
}
