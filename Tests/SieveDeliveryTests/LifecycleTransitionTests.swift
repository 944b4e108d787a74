import SieveConfig
import SieveDelivery
import Testing

/// Reload retirement and shutdown.
@Suite("delivery state machine: retire, stop, close")
struct LifecycleTransitionTests {
    typealias F = MachineFixture

    @Test("retired: delivers what it holds, then drains; revived while draining it runs on, once drained it cannot")
    func retireDrainRevive() {
        var machine = F.machine(spool: false)
        _ = machine.enqueue(F.batch(0..<2), blockable: true, now: F.at(0))
        _ = machine.retire()
        #expect(machine.lifecycle == .draining)
        let revived = machine.revive()
        #expect(revived)
        #expect(machine.lifecycle == .running)
        _ = machine.retire()
        let taken = machine.take(now: F.at(1), gather: .seconds(1))
        #expect(taken.0.delivering != nil, "draining does not gather")
        _ = machine.delivered(fromMemory: 2)
        guard case .finished = machine.take(now: F.at(2), gather: .zero).0 else {
            Issue.record("an empty draining queue is finished")
            return
        }
        #expect(machine.lifecycle == .drained)
        let late = machine.revive()
        #expect(!late)
        #expect(machine.accountingHolds)
    }

    @Test("stopping without a retry window: the first failure ends the worker; an empty queue is finished")
    func stoppingStopsAtFirstFailure() {
        var machine = F.machine(spool: false)
        _ = machine.enqueue(F.batch(0..<2), blockable: true, now: F.at(0))
        _ = machine.beginStopping(retryUnsavedUntil: nil)
        _ = machine.take(now: F.at(1), gather: .zero)
        let retries = machine.failed(now: F.at(2), spoolOutOfSpace: false)
        #expect(!retries)
        _ = machine.delivered(fromMemory: 2)
        guard case .finished = machine.take(now: F.at(3), gather: .zero).0 else {
            Issue.record("an empty stopping queue is finished")
            return
        }
    }

    @Test("stopping with a retry window: a queue that cannot save what it holds retries until the window closes")
    func stoppingRetriesUnsaved() {
        var memoryOnly = F.machine(spool: false)
        _ = memoryOnly.enqueue(F.batch(0..<2), blockable: true, now: F.at(0))
        _ = memoryOnly.beginStopping(retryUnsavedUntil: F.at(6500))
        _ = memoryOnly.take(now: F.at(1), gather: .zero)
        let retries = memoryOnly.failed(now: F.at(2), spoolOutOfSpace: false)
        #expect(retries)
        let until = memoryOnly.pause(until: F.at(10_000), now: F.at(3), spoolOutOfSpace: false)
        #expect(until == F.at(6500))
        let late = memoryOnly.failed(now: F.at(6500), spoolOutOfSpace: false)
        #expect(!late)

        var spooled = F.machine()
        _ = spooled.enqueue(F.batch(0..<2), blockable: true, now: F.at(0))
        _ = spooled.beginStopping(retryUnsavedUntil: F.at(6500))
        _ = spooled.take(now: F.at(1), gather: .zero)
        let withRoom = spooled.failed(now: F.at(2), spoolOutOfSpace: false)
        #expect(!withRoom, "a spool with room saves it")
        _ = spooled.take(now: F.at(3), gather: .zero)
        let diskFull = spooled.failed(now: F.at(4), spoolOutOfSpace: true)
        #expect(diskFull, "a full disk cannot")
    }

    @Test(
        "close: the unshadowed in-flight events and memory go behind the disk, in order; what the spool refuses is dropped as shutdown"
    )
    func closeSaves() {
        var machine = F.machine(whenFull: .block)
        _ = machine.enqueue(F.batch(0..<4), blockable: true, now: F.at(0))
        _ = machine.take(now: F.at(1), gather: .zero)
        _ = machine.enqueue(F.batch(4..<14), blockable: true, now: F.at(2))
        _ = machine.spilled(.init(processed: 2, ending: .full))
        let (action, effects) = machine.close()
        guard case .save(let parts, let count) = action else {
            Issue.record("expected a save")
            return
        }
        #expect(F.ids(parts) == Array(2..<14), "the in-flight events not on disk, then memory")
        #expect(count == 12)
        #expect(effects.relieve, "paused producers resume (their next batches are dropped as shutdown)")
        #expect(machine.accountingHolds)
        machine.saved(written: 5)
        #expect(machine.counters.dropped(.shutdown) == 7)
        #expect(machine.queued == 7 && machine.diskEvents == 7)
        #expect(machine.accountingHolds)
        guard case .finished = machine.take(now: F.at(3), gather: .zero).0 else {
            Issue.record("a stopped queue is finished")
            return
        }
    }

    @Test("close while a spill runs waits for it, then saves what the spill left")
    func closeAwaitsSpill() {
        var machine = F.machine()
        _ = machine.enqueue(F.batch(0..<10), blockable: false, now: F.at(0))
        guard case .awaitSpill = machine.close().0 else {
            Issue.record("expected to wait for the spill")
            return
        }
        let reported = machine.spilled(.init(processed: 5))
        #expect(reported.wakeCloser && reported.spill == nil)
        guard case .save(let parts, _) = machine.close().0 else {
            Issue.record("expected a save")
            return
        }
        #expect(F.ids(parts) == Array(5..<10))
        machine.saved(written: 5)
        #expect(machine.queued == 10 && machine.diskEvents == 10)
        #expect(machine.accountingHolds)
    }

    @Test("the spool loses its unwritten open block at close: counted as shutdown")
    func lostAtClose() {
        var machine = F.machine(recovered: 4)
        _ = machine.close()
        machine.saved(written: 0)
        _ = machine.spoolLost(2, reason: .shutdown)
        #expect(machine.counters.dropped(.shutdown) == 2 && machine.queued == 2)
        #expect(machine.accountingHolds)
    }
}
