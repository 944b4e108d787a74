import SieveConfig
import SieveDelivery
import Testing

/// A producer's batch: accepted, paused, dropped; and the relief of paused producers.
@Suite("delivery state machine: producers")
struct EnqueueTransitionTests {
    typealias F = MachineFixture

    @Test("a batch with room is accepted into memory and counted queued")
    func accept() {
        var machine = F.machine(spool: false)
        let (answer, effects) = machine.enqueue(F.batch(0..<5), blockable: true, now: F.at(0))
        #expect(answer == .accept)
        #expect(effects.spill == nil && !effects.relieve)
        #expect(machine.queued == 5 && machine.memoryEvents == 5 && machine.memoryBytes == 500)
        #expect(machine.counters.enqueued == 5)
        #expect(machine.accountingHolds)
    }

    @Test("when_full block without a spool: a full memory pauses TCP, and taking events relieves it")
    func blockPausesThenRelieves() {
        var machine = F.machine(spool: false, whenFull: .block)
        let result1 = machine.enqueue(F.batch(0..<5), blockable: true, now: F.at(0))
        #expect(result1.0 == .accept)
        let (answer, effects) = machine.enqueue(F.batch(5..<10), blockable: true, now: F.at(1))
        #expect(answer == .acceptAndPause)
        #expect(effects.notes == [.queueFull(dropping: false, memoryBytes: 1000)])
        #expect(machine.pressured)
        // Past the bound, block still takes a TCP producer's batch (it pauses after it).
        let result2 = machine.enqueue(F.batch(10..<15), blockable: true, now: F.at(2))
        #expect(result2.0 == .acceptAndPause)
        #expect(machine.counters.droppedTotal == 0)
        let (action, taken) = machine.take(now: F.at(3), gather: .zero)
        #expect(action.delivering.map(F.ids) == Array(0..<15))
        #expect(taken.relieve)
        #expect(!machine.pressured)
        #expect(machine.accountingHolds)
    }

    @Test("drop_newest without room drops the whole batch, counted as queue_full, warned once per 10 s")
    func dropNewest() {
        var machine = F.machine(spool: false)
        _ = machine.enqueue(F.batch(0..<10), blockable: true, now: F.at(0))
        let (first, effects) = machine.enqueue(F.batch(10..<12), blockable: true, now: F.at(1))
        #expect(first == .drop(.queueFull))
        #expect(effects.notes == [.queueFull(dropping: true, memoryBytes: 1000)])
        let (second, quiet) = machine.enqueue(F.batch(12..<14), blockable: true, now: F.at(2))
        #expect(second == .drop(.queueFull))
        #expect(quiet.notes.isEmpty)
        #expect(machine.counters.dropped(.queueFull) == 4)
        #expect(machine.queued == 10)
        #expect(machine.accountingHolds)
    }

    @Test("UDP cannot pause: under block a full memory drops its events")
    func unblockableDrops() {
        var machine = F.machine(spool: false, whenFull: .block)
        _ = machine.enqueue(F.batch(0..<10), blockable: false, now: F.at(0))
        let result3 = machine.enqueue(F.batch(10..<11), blockable: false, now: F.at(1))
        #expect(result3.0 == .drop(.queueFull))
        #expect(!machine.pressured)
        #expect(machine.accountingHolds)
    }

    @Test("a spill pending: TCP pauses even under drop_newest (nothing a disk with room takes is dropped)")
    func pendingSpillPausesTCP() {
        var machine = F.machine()
        let (answer, effects) = machine.enqueue(F.batch(0..<10), blockable: true, now: F.at(0))
        #expect(effects.spill.map(F.ids) == Array(0..<5), "memory reached memory_bytes: it spills down to half")
        #expect(answer == .acceptAndPause)
        let (second, none) = machine.enqueue(F.batch(10..<15), blockable: true, now: F.at(1))
        #expect(second == .acceptAndPause && none.spill == nil, "one spill at a time")
        #expect(machine.counters.droppedTotal == 0)
        let reported = machine.spilled(.init(processed: 5))
        #expect(!reported.relieve, "memory still holds memory_bytes")
        #expect(reported.spill.map(F.ids) == Array(5..<10), "the next spill starts at once")
        let result4 = machine.spilled(.init(processed: 5))
        #expect(result4.relieve, "room: the producer resumes")
        #expect(machine.diskEvents == 10 && machine.memoryEvents == 5)
        #expect(machine.accountingHolds)
    }

    @Test("a spill pending: UDP takes memory up to twice memory_bytes, then is dropped")
    func pendingSpillBoundsUDP() {
        var machine = F.machine()
        var next = 0
        var answers: [Machine.EnqueueAnswer] = []
        while next < 40 {
            answers.append(machine.enqueue(F.batch(next..<next + 2), blockable: false, now: F.at(next)).0)
            next += 2
            #expect(machine.memoryBytes <= 2 * 1000 + 200, "bounded while the spill is pending")
        }
        #expect(answers.contains(.drop(.queueFull)))
        #expect(!answers.contains(.acceptAndPause))
        #expect(machine.spilling != nil)
        #expect(machine.accountingHolds)
    }

    @Test("after the queue stopped, a batch is dropped as shutdown")
    func afterStop() {
        var machine = F.machine(spool: false)
        _ = machine.close()
        let result5 = machine.enqueue(F.batch(0..<3), blockable: true, now: F.at(0))
        #expect(result5.0 == .drop(.shutdown))
        #expect(machine.counters.dropped(.shutdown) == 3)
        #expect(machine.accountingHolds)
    }

    @Test("the worker is woken when it idles, and when it gathers only once enough has come")
    func wakeRule() {
        var machine = F.machine(spool: false, memoryBytes: 4000)
        let result6 = machine.take(now: F.at(0), gather: .zero)
        #expect(result6.0.isWait)
        #expect(machine.waiting == .idle)
        let result7 = machine.enqueue(F.batch(0..<1), blockable: true, now: F.at(1))
        #expect(result7.1.wakeWorker)
        let (gathering, _) = machine.take(now: F.at(2), gather: .milliseconds(50))
        #expect(gathering.waitsUntil == F.at(51))
        let result8 = machine.enqueue(F.batch(1..<2), blockable: true, now: F.at(3))
        #expect(!result8.1.wakeWorker, "200 bytes < gather bound")
        let result9 = machine.enqueue(F.batch(2..<12), blockable: true, now: F.at(4))
        #expect(result9.1.wakeWorker, "1200 bytes ≥ 1000")
        let result10 = machine.take(now: F.at(5), gather: .milliseconds(50))
        #expect(result10.0.delivering.map(F.ids) == Array(0..<12))
    }
}

extension Machine.TakeAction {
    var isWait: Bool {
        if case .wait = self { return true }
        return false
    }

    var waitsUntil: ContinuousClock.Instant? {
        if case .wait(let until) = self { return until }
        return nil
    }
}
