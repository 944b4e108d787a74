import Dispatch
import SieveConfig
import SieveSinks
import SieveSpool

/// The worker's half: take the oldest events, then report whether the sink took them.
extension DeliveryQueue {
    /// Blocks until there are events to deliver; nil once the queue has stopped (or, draining or
    /// stopping, once it is empty). Disk reads and acknowledgements happen here, on the worker.
    package func next() -> Take? {
        while true {
            let now = ContinuousClock.now
            let action = step { core in core.machine.take(now: now, gather: .milliseconds(core.sink.gatherMilliseconds))
            }
            switch action {
            case .deliver(let batch):
                return .memory(batch)
            case .readDisk(let maxEvents):
                guard let spool else { return nil }
                assertOffEventLoop("read")
                let events = spool.peek(maxEvents: maxEvents)
                noteSpoolLosses()
                if events.isEmpty {
                    // Unreadable for now (an I/O error); try again shortly rather than spin.
                    core.withLock { $0.machine.diskUnreadable(now: ContinuousClock.now) }
                    continue
                }
                var batch = EventBatch()
                for event in events {
                    if !batch.isEmpty && batch.byteCount + event.count > StateMachine.maxTakeBytes { break }
                    batch.append(event)
                }
                return .disk(batch)
            case .skipDisk(let count):
                guard let spool else { return nil }
                assertOffEventLoop("acknowledge")
                let skipped = spool.acknowledge(spool.peek(maxEvents: count).count)
                noteSpoolLosses()
                core.withLock { $0.machine.skipped(skipped, now: ContinuousClock.now) }
            case .wait(let until):
                wait(until: until)
            case .finished:
                return nil
            }
        }
    }

    /// The sink the worker delivers to now; `endDelivery` says when it is done with it.
    package func beginDelivery() -> any EventSink {
        core.withLock { core in
            core.deliveringTo = core.sink
            return core.sink
        }
    }

    /// The delivery under way ended. True when its sink is no longer the queue's (a reload
    /// swapped it meanwhile): the registry may close it now.
    package func endDelivery() -> Bool {
        core.withLock { core in
            defer { core.deliveringTo = nil }
            return core.deliveringTo.map { $0 !== core.sink } ?? false
        }
    }

    /// The sinks this queue may still write to: its own and the one of a delivery under way.
    package var sinksInUse: [ObjectIdentifier] {
        core.withLock { core in [ObjectIdentifier(core.sink)] + (core.deliveringTo.map { [ObjectIdentifier($0)] } ?? [])
        }
    }

    /// The sink took the batch, or (`count`) its first `count` events before it failed; the rest
    /// stays queued in order (the caller reports the failure with `failed`).
    package func delivered(_ take: Take, count taken: Int? = nil) {
        let count = min(taken ?? take.batch.count, take.batch.count)
        guard count > 0 else { return }
        switch take {
        case .disk:
            guard let spool else { return }
            assertOffEventLoop("acknowledge")
            let acknowledged = spool.acknowledge(count)
            step { $0.delivered(fromDisk: acknowledged) }
            metrics.spoolBytes.record(spool.bytesOnDisk)
        case .memory:
            step { $0.delivered(fromMemory: count) }
        }
    }

    /// The sink did not take the batch; it stays queued (an in-flight batch all on disk is read
    /// again from there). Returns false when the worker should stop (shutting down).
    package func failed(_ take: Take) -> Bool {
        let outOfSpace = spool?.isOutOfSpace ?? false
        let now = ContinuousClock.now
        return core.withLock { $0.machine.failed(now: now, spoolOutOfSpace: outOfSpace) }
    }

    /// Waits `milliseconds` before a retry, or less when the queue is told to stop.
    package func pause(milliseconds: Int) {
        let deadline = ContinuousClock.now + .milliseconds(milliseconds)
        while true {
            let outOfSpace = spool?.isOutOfSpace ?? false
            let now = ContinuousClock.now
            guard
                let until = core.withLock({ $0.machine.pause(until: deadline, now: now, spoolOutOfSpace: outOfSpace) })
            else {
                return
            }
            wait(until: until)
        }
    }

    /// Blocks the worker until woken or until `until` (monotonic: DispatchTime is uptime).
    private func wait(until: ContinuousClock.Instant?) {
        guard let until else {
            wakeups.wait()
            return
        }
        let left = until - ContinuousClock.now
        guard left > .zero else { return }
        _ = wakeups.wait(timeout: left.fromNow)
    }
}
