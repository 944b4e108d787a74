import SieveConfig
import SieveDelivery
import Testing

/// `safeSeq`: how far an acknowledging listener (RELP) may answer, by durability.
@Suite("delivery state machine: the safe point for acknowledgements")
struct SafeSeqTransitionTests {
    typealias F = MachineFixture

    @Test("durability memory (and a queue without a spool): an event is safe once accepted")
    func memoryIsSafeAtOnce() {
        for spool in [true, false] {
            var machine = F.machine(spool: spool, memoryBytes: 100_000)
            #expect(machine.safeSeq == 0)
            _ = machine.enqueue(F.batch(0..<5), blockable: true, now: F.at(0))
            #expect(machine.safeSeq == 5 && machine.nextSeq == 5)
        }
    }

    @Test("durability disk: an event is safe once its spill reported it written, not before")
    func diskIsSafeAfterSpill() {
        var machine = F.machine(memoryBytes: 100_000, durability: .disk)
        let job = try! #require(machine.enqueue(F.batch(0..<3), blockable: true, now: F.at(0)).1.spill)
        #expect(F.ids(job) == [0, 1, 2])
        _ = machine.enqueue(F.batch(3..<5), blockable: true, now: F.at(1))
        #expect(machine.safeSeq == 0, "accepted, spilling, not written")
        _ = machine.spilled(.init(processed: 2, ending: .full))
        #expect(machine.safeSeq == 2, "the spool took two; the rest waits in memory")
        #expect(machine.nextSeq == 5)
    }

    @Test("durability disk with a full spool: an event taken from memory is safe once delivered")
    func diskFullSafeWhenDelivered() {
        var machine = F.machine(memoryBytes: 100_000, durability: .disk)
        _ = machine.enqueue(F.batch(0..<4), blockable: true, now: F.at(0))
        _ = machine.spilled(.init(processed: 0, ending: .full))
        #expect(machine.diskFull && machine.safeSeq == 0)
        let (action, _) = machine.take(now: F.at(1), gather: .zero)
        #expect(action.delivering.map(F.ids) == [0, 1, 2, 3], "a full disk is passed by: memory goes to the sink")
        #expect(machine.safeSeq == 0, "in flight, on no disk: not safe yet")
        _ = machine.delivered(fromMemory: 4)
        #expect(machine.safeSeq == 4)
    }

    @Test("a dropped batch (queue full, drop_newest) moves no mark: the events before it decide")
    func droppedBatch() {
        var machine = F.machine(spool: false, memoryBytes: 300)
        _ = machine.enqueue(F.batch(0..<3), blockable: true, now: F.at(0))
        let (answer, _) = machine.enqueue(F.batch(3..<5), blockable: true, now: F.at(1))
        #expect(answer == .drop(.queueFull))
        #expect(machine.nextSeq == 3 && machine.safeSeq == 3)
    }
}
