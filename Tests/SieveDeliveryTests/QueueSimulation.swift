import SieveConfig
import SieveDelivery
import SieveSinks
import SieveTestSupport

/// The delivery state machine driven by a seeded random shell: producers (TCP that honours
/// pauses, UDP that cannot), a worker whose sink succeeds, fails or takes part of a batch, and
/// spills that run on a fake spool (an array of event ids with a capacity that comes and goes,
/// and events too large for it) and report later, with other steps in between. The model is
/// the list of ids: what was delivered, what was dropped, what is on the fake disk.
struct QueueSimulation {
    enum Worker {
        case idle
        case delivering(fromDisk: Bool, ids: [Int])
        case finished
    }

    var random: SeededRandom
    var machine: Machine
    var now = MachineFixture.start
    var nextID = 0
    var disk: [Int] = []
    var diskCapacity = Int.max
    /// Ids the fake spool refuses as too large.
    var huge: Set<Int> = []
    var delivered: [Int] = []
    var deliveredSet: Set<Int> = []
    var dropped: Set<Int> = []
    var worker = Worker.idle
    var pendingJob: Machine.SpillJob?
    /// A spill that ran on the fake spool and has not reported yet, with the ids it dropped.
    var ranJob: (outcome: Machine.SpillOutcome, dropped: [Int])?
    var tcpPaused = false
    var faults = true
    /// Shutdown may begin (the last part of a run).
    var mayStop = false
    /// Problems found; empty when every check held.
    var problems: [String] = []

    init(seed: UInt64) {
        random = SeededRandom(seed: seed)
        let spool = random.next() % 10 != 0
        let durability: ClusterSpoolConfig.Durability = random.next() % 3 == 0 ? .disk : .memory
        let whenFull: ClusterSpoolConfig.WhenFull = random.next() % 2 == 0 ? .block : .dropNewest
        let memoryBytes = 500 + Int(random.next() % 2500)
        machine = MachineFixture.machine(
            spool: spool, memoryBytes: memoryBytes, whenFull: whenFull, durability: durability)
    }

    mutating func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }

    mutating func number(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(random.next() % UInt64(range.count))
    }

    mutating func absorb(_ effects: Machine.Effects) {
        if let job = effects.spill {
            if pendingJob != nil || ranJob != nil { problems.append("a second spill started while one runs") }
            pendingJob = job
        }
        if effects.relieve { tcpPaused = false }
    }

    /// One random step; false once the worker has finished.
    mutating func step() -> Bool {
        now += .milliseconds(number(0...20))
        switch random.next() % 20 {
        case 0..<5: enqueue()
        case 5..<9: take()
        case 9..<12: outcome()
        case 12..<15: runSpill()
        case 15..<18: reportSpill()
        case 18:
            if chance(50) { diskCapacity = chance(50) ? Int.max : disk.count + number(0...40) }
            absorb(machine.tick())
        default:
            lifecycle()
        }
        check()
        if case .finished = worker { return false }
        return true
    }

    mutating func enqueue() {
        let count = number(1...8)
        let ids = nextID..<nextID + count
        nextID += count
        for id in ids where chance(3) { huge.insert(id) }
        let blockable = !tcpPaused && chance(85)
        let (answer, effects) = machine.enqueue(MachineFixture.batch(ids), blockable: blockable, now: now)
        absorb(effects)
        switch answer {
        case .accept: break
        case .acceptAndPause: if blockable { tcpPaused = true }
        case .drop: dropped.formUnion(ids)
        }
    }

    mutating func take() {
        guard case .idle = worker else { return }
        let (action, effects) = machine.take(now: now, gather: .zero)
        absorb(effects)
        switch action {
        case .deliver(let batch):
            worker = .delivering(fromDisk: false, ids: MachineFixture.ids(batch))
        case .readDisk(let maxEvents):
            let ids = Array(disk.prefix(maxEvents))
            if ids.count < maxEvents {
                problems.append("the machine asked for \(maxEvents) events, the disk has \(ids.count)")
            }
            worker = .delivering(fromDisk: true, ids: ids)
        case .skipDisk(let count):
            let skipped = Array(disk.prefix(count))
            if skipped.contains(where: { !deliveredSet.contains($0) }) {
                problems.append("skipped undelivered events \(skipped)")
            }
            disk.removeFirst(skipped.count)
            machine.skipped(skipped.count, now: now)
        case .wait:
            break
        case .finished:
            worker = .finished
        }
    }

    mutating func outcome() {
        guard case .delivering(let fromDisk, let ids) = worker else { return }
        let roll = random.next() % 10
        if !faults || roll < 7 {
            deliver(ids, fromDisk: fromDisk)
            worker = .idle
            return
        }
        if roll < 8 && ids.count > 1 { deliver(Array(ids.prefix(number(1...ids.count - 1))), fromDisk: fromDisk) }
        worker = machine.failed(now: now, spoolOutOfSpace: disk.count >= diskCapacity) ? .idle : .finished
    }

    mutating func deliver(_ ids: [Int], fromDisk: Bool) {
        for id in ids {
            if deliveredSet.contains(id) { problems.append("event \(id) delivered twice") }
            if let last = delivered.last, id < last { problems.append("event \(id) delivered after \(last)") }
            delivered.append(id)
            deliveredSet.insert(id)
        }
        if fromDisk {
            if Array(disk.prefix(ids.count)) != ids { problems.append("the disk's head is not what was read") }
            disk.removeFirst(min(ids.count, disk.count))
            absorb(machine.delivered(fromDisk: ids.count))
        } else {
            absorb(machine.delivered(fromMemory: ids.count))
        }
    }

    mutating func runSpill() {
        guard let job = pendingJob else { return }
        pendingJob = nil
        var outcome = Machine.SpillOutcome(processed: 0)
        var droppedIDs: [Int] = []
        var index = 0
        job.forEachEvent { event in
            defer { index += 1 }
            let id = MachineFixture.id(event)
            if huge.contains(id) {
                guard index >= job.shadows else {
                    outcome.ending = .unspillable
                    return false
                }
                droppedIDs.append(id)
                outcome.tooLarge += 1
                outcome.processed += 1
                return true
            }
            guard disk.count < diskCapacity else {
                outcome.ending = .full
                return false
            }
            disk.append(id)
            outcome.processed += 1
            return true
        }
        ranJob = (outcome, droppedIDs)
    }

    mutating func reportSpill() {
        guard let ran = ranJob else { return }
        ranJob = nil
        dropped.formUnion(ran.dropped)
        absorb(machine.spilled(ran.outcome))
    }

    mutating func lifecycle() {
        switch random.next() % 3 {
        case 0: absorb(machine.retire())
        case 1: _ = machine.revive()
        default:
            if mayStop && chance(10) {
                absorb(machine.beginStopping(retryUnsavedUntil: chance(50) ? now + .seconds(1) : nil))
            }
        }
    }

    /// The accounting identity, and the machine's counts against the model's.
    mutating func check() {
        if !machine.accountingHolds {
            problems.append("accounting broken: \(machine.counters) queued \(machine.queued)")
        }
        let modelQueued = nextID - delivered.count - dropped.count
        if machine.queued != modelQueued { problems.append("queued \(machine.queued), the model says \(modelQueued)") }
        if machine.counters.forwarded != delivered.count {
            problems.append("forwarded \(machine.counters.forwarded) ≠ \(delivered.count)")
        }
        if machine.counters.droppedTotal != dropped.count {
            problems.append("dropped \(machine.counters.droppedTotal) ≠ \(dropped.count)")
        }
    }
}
