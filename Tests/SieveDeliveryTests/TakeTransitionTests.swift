import SieveConfig
import SieveDelivery
import Testing

/// The worker's side: what it takes, and what a delivery's outcome does.
@Suite("delivery state machine: deliveries")
struct TakeTransitionTests {
    typealias F = MachineFixture

    @Test("recovered events are read from disk before anything in memory")
    func diskBeforeMemory() {
        var machine = F.machine(recovered: 3)
        _ = machine.enqueue(F.batch(0..<2), blockable: true, now: F.at(0))
        guard case .readDisk(let maxEvents) = machine.take(now: F.at(1), gather: .zero).0 else {
            Issue.record("expected a disk read")
            return
        }
        #expect(maxEvents == 3)
        _ = machine.delivered(fromDisk: 3)
        let result1 = machine.take(now: F.at(2), gather: .zero)
        #expect(result1.0.delivering.map(F.ids) == [0, 1])
        #expect(machine.accountingHolds)
    }

    @Test("a partial delivery: the first events leave, the rest is delivered next, in order")
    func partialDelivery() {
        var machine = F.machine(spool: false)
        _ = machine.enqueue(F.batch(0..<5), blockable: true, now: F.at(0))
        _ = machine.take(now: F.at(1), gather: .zero)
        _ = machine.delivered(fromMemory: 2)
        let result2 = machine.failed(now: F.at(2), spoolOutOfSpace: false)
        #expect(result2)
        let result3 = machine.take(now: F.at(3), gather: .zero)
        #expect(result3.0.delivering.map(F.ids) == [2, 3, 4])
        #expect(machine.counters.forwarded == 2 && machine.queued == 3)
        #expect(machine.accountingHolds)
    }

    @Test("a small batch waits for more up to the gather time while the queue runs, not once it stops")
    func gather() {
        var machine = F.machine(spool: false, memoryBytes: 100_000)
        _ = machine.enqueue(F.batch(0..<1), blockable: true, now: F.at(0))
        let result4 = machine.take(now: F.at(10), gather: .milliseconds(50))
        #expect(result4.0.waitsUntil == F.at(50))
        let result5 = machine.take(now: F.at(50), gather: .milliseconds(50))
        #expect(result5.0.delivering != nil)
        _ = machine.delivered(fromMemory: 1)
        _ = machine.enqueue(F.batch(1..<2), blockable: true, now: F.at(60))
        _ = machine.beginStopping(retryUnsavedUntil: nil)
        let result6 = machine.take(now: F.at(61), gather: .milliseconds(50))
        #expect(result6.0.delivering != nil)
    }

    @Test("an unreadable disk rests 200 ms before the next read")
    func unreadableDisk() {
        var machine = F.machine(recovered: 2)
        machine.diskUnreadable(now: F.at(0))
        let result7 = machine.take(now: F.at(100), gather: .zero)
        #expect(result7.0.waitsUntil == F.at(200))
        guard case .readDisk = machine.take(now: F.at(200), gather: .zero).0 else {
            Issue.record("expected a disk read after the pause")
            return
        }
        machine.skipped(0, now: F.at(200))
        #expect(machine.accountingHolds)
    }

    @Test("a failure pauses as the sink says; the pause ends early when the queue is told to stop")
    func pauseAfterFailure() {
        var machine = F.machine(spool: false)
        _ = machine.enqueue(F.batch(0..<1), blockable: true, now: F.at(0))
        _ = machine.take(now: F.at(0), gather: .zero)
        let result8 = machine.failed(now: F.at(1), spoolOutOfSpace: false)
        #expect(result8)
        let result9 = machine.pause(until: F.at(1001), now: F.at(1), spoolOutOfSpace: false)
        #expect(result9 == F.at(1001))
        #expect(machine.waiting == .pausing)
        let result10 = machine.beginStopping(retryUnsavedUntil: nil)
        #expect(result10.wakeWorker)
        let result11 = machine.pause(until: F.at(1001), now: F.at(2), spoolOutOfSpace: false)
        #expect(result11 == nil)
        let result12 = machine.pause(until: F.at(1001), now: F.at(1001), spoolOutOfSpace: false)
        #expect(result12 == nil)
    }
}
