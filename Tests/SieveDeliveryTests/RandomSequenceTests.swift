import SieveDelivery
import Testing

/// Seeded random sequences against a model (see `QueueSimulation`): every event is delivered
/// at most once and in order, or dropped and counted, or still queued; at the end delivered +
/// dropped + queued = enqueued.
@Suite("delivery state machine: random sequences")
struct RandomSequenceTests {
    static let seeds: [UInt64] = Array(1...48)
    static let steps = 3000

    @Test("drained to the end: every event delivered once in order, or dropped and counted", arguments: seeds)
    func drained(seed: UInt64) {
        var simulation = QueueSimulation(seed: seed)
        for step in 0..<Self.steps {
            simulation.mayStop = step > Self.steps * 9 / 10
            guard simulation.step() else { break }
        }
        // The end: a healthy sink and a disk with room; what is left must all arrive.
        simulation.faults = false
        simulation.diskCapacity = .max
        simulation.huge = []
        if simulation.machine.lifecycle == .draining || simulation.machine.lifecycle == .drained {
            _ = simulation.machine.revive()
        }
        var rounds = 0
        while rounds < 100_000,
            simulation.machine.queued > 0 || simulation.pendingJob != nil || simulation.ranJob != nil
        {
            if case .finished = simulation.worker { break }
            simulation.runSpill()
            simulation.reportSpill()
            simulation.take()
            simulation.outcome()
            simulation.check()
            rounds += 1
        }
        let finished: Bool
        if case .finished = simulation.worker { finished = true } else { finished = false }
        if !finished {
            #expect(simulation.machine.queued == 0, "seed \(seed): everything delivered")
            #expect(simulation.delivered.count + simulation.dropped.count == simulation.nextID, "seed \(seed)")
            #expect(Set(simulation.delivered).isDisjoint(with: simulation.dropped), "seed \(seed)")
        }
        #expect(simulation.problems.isEmpty, "seed \(seed): \(simulation.problems.prefix(5))")
    }

    @Test(
        "closed part way: what is left is saved behind the disk, in order, after everything delivered", arguments: seeds
    )
    func closed(seed: UInt64) {
        var simulation = QueueSimulation(seed: seed &+ 1000)
        for _ in 0..<Self.steps / 2 where simulation.step() {}
        if case .delivering = simulation.worker {
            _ = simulation.machine.failed(now: simulation.now, spoolOutOfSpace: false)
        }
        simulation.diskCapacity = .max
        var closing = simulation.machine.close()
        if case .awaitSpill = closing.0 {
            simulation.runSpill()
            simulation.reportSpill()
            closing = simulation.machine.close()
        }
        guard case .save(let parts, _) = closing.0 else {
            Issue.record("seed \(seed): the second close saves")
            return
        }
        let saving = MachineFixture.ids(parts)
        if simulation.machine.hasSpool { simulation.disk += saving }
        simulation.machine.saved(written: simulation.machine.hasSpool ? saving.count : 0)
        if !simulation.machine.hasSpool { simulation.dropped.formUnion(saving) }
        simulation.check()
        let remaining = Array(simulation.disk.dropFirst(simulation.machine.diskSkip))
        #expect(simulation.machine.queued == remaining.count, "seed \(seed)")
        #expect(zip(remaining, remaining.dropFirst()).allSatisfy { $0 < $1 }, "seed \(seed): the spool is in order")
        #expect(
            remaining.first.map { first in simulation.delivered.last.map { $0 < first } ?? true } ?? true,
            "seed \(seed): what is saved is newer than what was delivered")
        var all = Set(simulation.delivered)
        #expect(all.isDisjoint(with: simulation.dropped) && all.isDisjoint(with: remaining), "seed \(seed)")
        all.formUnion(simulation.dropped)
        all.formUnion(remaining)
        #expect(all == Set(0..<simulation.nextID), "seed \(seed): every event delivered, dropped or saved")
        #expect(simulation.problems.isEmpty, "seed \(seed): \(simulation.problems.prefix(5))")
    }
}
