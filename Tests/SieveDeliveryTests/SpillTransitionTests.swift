import SieveConfig
import SieveDelivery
import Testing

/// Spills: what moves to disk, shadows of the in-flight batch, and what the disk answers.
@Suite("delivery state machine: spills")
struct SpillTransitionTests {
    typealias F = MachineFixture

    @Test(
        "durability memory: a batch that would take memory to memory_bytes first spills its oldest events, down to half"
    )
    func durabilityMemory() {
        var machine = F.machine()
        let first = machine.enqueue(F.batch(0..<6), blockable: false, now: F.at(0))
        #expect(first.1.spill == nil)
        let (_, effects) = machine.enqueue(F.batch(6..<10), blockable: false, now: F.at(1))
        let job = try! #require(effects.spill)
        #expect(F.ids(job) == [0] && job.shadows == 0, "600 + 400 reaches 1000: down to 500")
        #expect(machine.memoryEvents == 10, "spilling events stay in memory until the spill reports")
        _ = machine.spilled(.init(processed: 1))
        #expect(machine.diskEvents == 1 && machine.memoryEvents == 9 && machine.memoryFrontSeq == 1)
        #expect(machine.accountingHolds)
    }

    @Test("durability disk: every batch spills at once, and the worker reads it back from disk, not memory")
    func durabilityDisk() {
        var machine = F.machine(memoryBytes: 100_000, durability: .disk)
        let job = try! #require(machine.enqueue(F.batch(0..<3), blockable: true, now: F.at(0)).1.spill)
        #expect(F.ids(job) == [0, 1, 2])
        let result2 = machine.enqueue(F.batch(3..<4), blockable: true, now: F.at(1))
        #expect(result2.1.spill == nil)
        let (action, _) = machine.take(now: F.at(2), gather: .zero)
        #expect(action.waitsUntil == nil && action.isWait && machine.waiting == .spill)
        let reported = machine.spilled(.init(processed: 3))
        #expect(reported.wakeWorker)
        #expect(reported.spill.map(F.ids) == [3], "what came meanwhile spills next")
        guard case .readDisk(let maxEvents) = machine.take(now: F.at(3), gather: .zero).0 else {
            Issue.record("expected a disk read")
            return
        }
        #expect(maxEvents == 3)
        _ = machine.delivered(fromDisk: 3)
        #expect(machine.queued == 1 && machine.counters.forwarded == 3)
        #expect(machine.accountingHolds)
    }

    @Test(
        "a spill while a batch is in flight shadows it first; delivered before the spill reports, its copies are skipped"
    )
    func shadowDeliveredDuringSpill() {
        var machine = F.machine()
        _ = machine.enqueue(F.batch(0..<4), blockable: false, now: F.at(0))
        let taken = machine.take(now: F.at(1), gather: .zero)
        #expect(taken.0.delivering.map(F.ids) == Array(0..<4))
        let enqueued = machine.enqueue(F.batch(4..<14), blockable: false, now: F.at(2))
        let job = try! #require(enqueued.1.spill)
        #expect(job.shadows == 4 && F.ids(job) == Array(0..<4), "the in-flight batch first")
        _ = machine.delivered(fromMemory: 4)
        #expect(machine.diskSkip == 0, "the copies are not on disk yet")
        #expect(machine.accountingHolds)
        let reported = machine.spilled(.init(processed: 4))
        #expect(machine.diskSkip == 4 && machine.diskEvents == 4)
        #expect(reported.spill.map(F.ids) == Array(4..<9), "then memory, down to half")
        #expect(machine.accountingHolds)
        guard case .skipDisk(let count) = machine.take(now: F.at(3), gather: .zero).0 else {
            Issue.record("expected the shadows to be skipped")
            return
        }
        #expect(count == 4)
        machine.skipped(4, now: F.at(3))
        #expect(machine.diskSkip == 0 && machine.diskEvents == 0)
        #expect(machine.accountingHolds)
        let waiting = machine.take(now: F.at(4), gather: .zero)
        #expect(waiting.0.isWait && machine.waiting == .spill, "memory's oldest are being spilled: read them from disk")
    }

    @Test("a shadowed batch that fails is given up and read again from disk, in order")
    func shadowFailedReadFromDisk() {
        var machine = F.machine()
        _ = machine.enqueue(F.batch(0..<4), blockable: false, now: F.at(0))
        _ = machine.take(now: F.at(1), gather: .zero)
        _ = machine.enqueue(F.batch(4..<14), blockable: false, now: F.at(2))
        _ = machine.spilled(.init(processed: 4))
        #expect(machine.shadowed == 4)
        let retried = machine.failed(now: F.at(3), spoolOutOfSpace: false)
        #expect(retried)
        #expect(machine.inflight == nil)
        guard case .readDisk(let maxEvents) = machine.take(now: F.at(4), gather: .zero).0 else {
            Issue.record("expected a disk read")
            return
        }
        #expect(maxEvents == 4, "the shadows 0..<4, oldest first")
        #expect(machine.accountingHolds)
    }

    @Test("a batch partly shadowed that fails is delivered again from memory; its shadows are then skipped")
    func partlyShadowedRetry() {
        var machine = F.machine()
        _ = machine.enqueue(F.batch(0..<4), blockable: false, now: F.at(0))
        _ = machine.take(now: F.at(1), gather: .zero)
        _ = machine.enqueue(F.batch(4..<14), blockable: false, now: F.at(2))
        _ = machine.spilled(.init(processed: 2, ending: .full))
        #expect(machine.shadowed == 2 && machine.diskFull)
        #expect(machine.counters.spoolFull == 1)
        _ = machine.failed(now: F.at(3), spoolOutOfSpace: true)
        let again = machine.take(now: F.at(4), gather: .zero)
        #expect(again.0.delivering.map(F.ids) == Array(0..<4))
        _ = machine.delivered(fromMemory: 4)
        #expect(machine.diskSkip == 2)
        #expect(machine.accountingHolds)
    }

    @Test(
        "a full spool: what was written counts, the rest waits in memory; drop_newest producers resume and the next full batch drops"
    )
    func diskFull() {
        var machine = F.machine()
        let (_, first) = machine.enqueue(F.batch(0..<10), blockable: true, now: F.at(0))
        #expect(first.spill != nil)
        let reported = machine.spilled(.init(processed: 2, ending: .full))
        #expect(reported.notes == [.spoolFull])
        #expect(reported.relieve, "drop_newest does not keep producers waiting on a full disk")
        #expect(machine.diskEvents == 2 && machine.memoryEvents == 8 && machine.diskFull)
        let (answer, effects) = machine.enqueue(F.batch(10..<13), blockable: true, now: F.at(1))
        #expect(answer == .accept, "memory has room again (800 bytes)")
        let retry = try! #require(effects.spill, "a full disk is retried at the next event")
        _ = machine.spilled(.init(processed: 0, ending: .full))
        let result6 = machine.enqueue(F.batch(13..<14), blockable: true, now: F.at(2))
        #expect(result6.0 == .drop(.queueFull))
        #expect(result6.1.spill != nil, "every event retries the full disk while no spill runs")
        _ = retry
        _ = machine.spilled(.init(processed: 0, ending: .full))
        let room = machine.tick()
        #expect(room.spill != nil, "the tick retries the spill")
        let result7 = machine.spilled(.init(processed: 6))
        #expect(result7.notes == [.spoolHasRoom])
        #expect(!machine.diskFull)
        #expect(machine.accountingHolds)
    }

    @Test(
        "a too-large event from memory is dropped and counted; a too-large in-flight event stops spills until it is delivered"
    )
    func tooLarge() {
        var machine = F.machine()
        _ = machine.enqueue(F.batch(0..<10), blockable: false, now: F.at(0))
        _ = machine.spilled(.init(processed: 5, tooLarge: 1))
        #expect(machine.counters.dropped(.tooLarge) == 1)
        #expect(machine.diskEvents == 4 && machine.memoryEvents == 5)
        #expect(machine.accountingHolds)

        var stuck = F.machine(memoryBytes: 1000)
        _ = stuck.enqueue(F.batch(0..<2), blockable: false, now: F.at(0))
        _ = stuck.take(now: F.at(1), gather: .zero)
        let job = try! #require(stuck.enqueue(F.batch(2..<12), blockable: false, now: F.at(2)).1.spill)
        #expect(job.shadows == 2)
        _ = stuck.spilled(.init(processed: 1, ending: .unspillable))
        #expect(stuck.shadowed == 1)
        let result8 = stuck.enqueue(F.batch(12..<13), blockable: true, now: F.at(3))
        #expect(
            result8.0 == .drop(.queueFull),
            "no spill can pass the in-flight event: drop_newest drops")
        let result9 = stuck.tick()
        #expect(result9.spill == nil)
        let delivered = stuck.delivered(fromMemory: 2)
        #expect(delivered.spill != nil, "delivered: spills go on")
        #expect(stuck.accountingHolds)
    }

    @Test("unreadable blocks lose events: delivered shadows at the head first, the rest counted as spool_corrupt")
    func spoolCorrupt() {
        var machine = F.machine(recovered: 10)
        #expect(machine.queued == 10 && machine.counters.recovered == 10)
        let effects = machine.spoolLost(3, reason: .spoolCorrupt)
        #expect(effects.notes == [.spoolCorrupt(events: 3)])
        #expect(machine.counters.dropped(.spoolCorrupt) == 3 && machine.queued == 7 && machine.diskEvents == 7)
        #expect(machine.accountingHolds)
    }
}
