import Foundation
import SieveConfig
import SieveSinks
import SieveSpool

/// The delivery thread's half: take the oldest events, then report whether the sink took them.
extension DeliveryQueue {
    /// Blocks until there are events to deliver; nil once the queue has stopped (or, draining or
    /// stopping, once it is empty).
    package func next() -> Take? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if state == .stopped { return nil }
            if let inflight {
                if inflightShadowed < inflight.count { return .memory(inflight) }
                // Every in-flight event is on disk now: read them from there, in order.
                self.inflight = nil
                inflightSince = nil
                inflightShadowed = 0
            }
            if let spool, diskSkip > 0 {
                let skip = diskSkip
                condition.unlock()
                let skipped = spool.acknowledge(spool.peek(maxEvents: skip).count)
                condition.lock()
                diskSkip -= skipped
                noteSpoolLosses()
                if skipped == 0 { waitAWhile(); }
                continue
            }
            if let spool, spool.eventCount > 0 {
                condition.unlock()
                let events = spool.peek(maxEvents: Self.maxTakeEvents)
                condition.lock()
                noteSpoolLosses()
                if events.isEmpty {
                    // Unreadable for now (an I/O error); try again shortly rather than spin.
                    if spool.eventCount > 0 { waitAWhile() }
                    continue
                }
                var batch = EventBatch()
                for event in events {
                    if !batch.isEmpty && batch.byteCount + event.count > Self.maxTakeBytes { break }
                    batch.append(event)
                }
                return .disk(batch)
            }
            if memoryEvents > 0 {
                if let since = memorySince, state == .running, memoryBytes < gatherBytes {
                    let deadline = since.addingTimeInterval(Double(sinkInUse.gatherMilliseconds) / 1000)
                    if deadline > Date() {
                        waiting = .gathering
                        _ = condition.wait(until: deadline)
                        waiting = .no
                        continue
                    }
                }
                inflightSince = memorySince
                let batch = takeFromMemory()
                inflight = batch
                inflightShadowed = 0
                relieveIfRoom()
                return .memory(batch)
            }
            if state == .draining {
                state = .drained
                return nil
            }
            if state == .stopping { return nil }
            waiting = .idle
            condition.wait()
            waiting = .no
        }
    }

    /// The sink took the batch, or (`count`) its first `count` events before it failed; the rest
    /// stays queued in order (the caller reports the failure with `failed`).
    package func delivered(_ take: Take, count taken: Int? = nil) {
        let whole = taken.map { $0 >= take.batch.count } ?? true
        var count = min(taken ?? take.batch.count, take.batch.count)
        guard count > 0 else { return }
        if case .disk = take, let spool { count = spool.acknowledge(count) }
        condition.lock()
        if case .memory = take, let current = inflight {
            // Copies of delivered in-flight events already on disk are skipped there.
            let shadowsDelivered = min(inflightShadowed, count)
            diskSkip += shadowsDelivered
            if whole || count >= current.count {
                inflight = nil
                inflightSince = nil
                inflightShadowed = 0
            } else {
                inflight = current.slice(count..<current.count)
                inflightShadowed -= shadowsDelivered
            }
        }
        queued -= count
        metrics.forwarded.increment(by: Int64(count))
        noteSpoolLosses()
        rebalance(incoming: 0)
        relieveIfRoom()
        updateGauges()
        condition.unlock()
    }

    /// The sink did not take the batch; it stays queued (a shadowed in-flight batch is read
    /// again from disk). Returns false when the delivery thread should stop (shutting down).
    package func failed(_ take: Take) -> Bool {
        condition.locked {
            if case .memory = take, let inflight, inflightShadowed == inflight.count {
                self.inflight = nil
                inflightSince = nil
                inflightShadowed = 0
            }
            return state == .running || state == .draining || retriesWhileStopping
        }
    }

    /// Waits `milliseconds` before a retry, or less when the queue is told to stop.
    package func pause(milliseconds: Int) {
        condition.lock()
        let deadline = Date().addingTimeInterval(Double(milliseconds) / 1000)
        while state == .running || state == .draining || retriesWhileStopping, Date() < deadline {
            _ = condition.wait(until: min(deadline, retryUnsavedUntil ?? deadline))
        }
        condition.unlock()
    }

    /// Takes whole chunks from memory's front, up to `maxTakeBytes` (at least one event).
    private func takeFromMemory() -> EventBatch {
        var batch = EventBatch()
        while let chunk = memory.first {
            let remaining = chunk.count - memoryHeadSkip
            let part = memoryHeadSkip == 0 ? chunk : chunk.slice(memoryHeadSkip..<chunk.count)
            if !batch.isEmpty && batch.byteCount + part.byteCount > Self.maxTakeBytes { break }
            batch.append(contentsOf: part)
            memory.removeFirst()
            memoryHeadSkip = 0
            memoryBytes -= part.byteCount
            memoryEvents -= remaining
        }
        if memory.isEmpty { memorySince = nil }
        return batch
    }

    /// Events the spool lost since last noted leave the queue as dropped: unreadable blocks
    /// (`spool_corrupt`), or at `close()` an open block the full disk never took (`shutdown`).
    /// Under the condition lock. Returns how many.
    @discardableResult
    package func noteSpoolLosses(as reason: QueueMetrics.DropReason = .spoolCorrupt) -> Int {
        guard let spool else { return 0 }
        let lost = spool.lostEvents
        guard lost > lostEventsSeen else { return 0 }
        let delta = lost - lostEventsSeen
        lostEventsSeen = lost
        queued -= delta
        metrics.drop(delta, reason)
        if reason == .spoolCorrupt {
            logger.error("spool blocks were unreadable; their events are lost", metadata: ["queue": "\(key)", "events": "\(delta)"])
        }
        return delta
    }

    private func waitAWhile() {
        _ = condition.wait(until: Date().addingTimeInterval(0.2))
    }
}
