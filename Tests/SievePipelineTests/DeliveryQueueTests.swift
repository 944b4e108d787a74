import Foundation
import NIOPosix
import SieveConfig
@testable import SieveDelivery
import SieveSinks
import SieveSpool
import SieveTestSupport
import Testing

@testable import SievePipeline

/// The (cluster, sink) queue with a controlled sink: memory first, spill and replay in order,
/// bounds, exact drop counts, and accounting (kept + recovered = forwarded + queued + dropped).
@Suite("delivery queue: spill, replay, bounds, accounting", .serialized)
struct DeliveryQueueTests {
    /// Every event number in `events` is `expected`, in order, once.
    static func inOrder(_ events: [String], _ expected: [Int]) -> Bool {
        events.map(QueueFixture.number(of:)) == expected
    }

    /// Strictly increasing event numbers: in order, none twice.
    static func increasing(_ events: [String]) -> Bool {
        let numbers = events.map(QueueFixture.number(of:))
        return zip(numbers, numbers.dropFirst()).allSatisfy { $0 < $1 }
    }

    @Test("a healthy sink is fed from memory: nothing is written to disk")
    func healthyPathSkipsDisk() throws {
        let fixture = try QueueFixture(memoryBytes: 1 << 20)
        defer { fixture.removeDirectory() }
        for start in stride(from: 0, to: 5000, by: 500) {
            fixture.enqueue(start..<start + 500)
            _ = fixture.sink.waitFor(start + 500)
        }
        #expect(Self.inOrder(fixture.sink.waitFor(5000), Array(0..<5000)))
        #expect(fixture.waitUntilEmpty())
        #expect(fixture.spool!.statistics.segments == 0)
        #expect(fixture.forwarded == 5000)
        #expect(fixture.accountingHolds)
        fixture.stop()
    }

    @Test("sink down: memory spills to disk up to the cap, drops are counted exactly, replay is in order")
    func spillCapDropReplay() throws {
        let fixture = try QueueFixture(maxBytes: 256 << 10, memoryBytes: 64 << 10, whenFull: .dropNewest)
        defer { fixture.removeDirectory() }
        fixture.sink.setDown(true)
        fixture.enqueue(0..<20_000)
        #expect(fixture.accountingHolds)
        let dropped = Int(fixture.dropped("queue_full"))
        #expect(dropped > 0, "the cap must be reached")
        let spoolBytes = fixture.spool!.bytesOnDisk
        #expect(spoolBytes <= (256 << 10) + (64 << 10), "the disk bound holds (plus at most one block)")
        #expect(spoolBytes > (128 << 10), "the spool grew toward its cap")
        fixture.sink.setDown(false)
        let events = fixture.sink.waitFor(20_000 - dropped)
        #expect(fixture.waitUntilEmpty())
        // What arrives is every event that was not dropped, in order, once; and an event is only
        // dropped once the spool was near its cap, so the first half always arrives.
        #expect(events.count == 20_000 - dropped)
        #expect(Self.increasing(events))
        #expect(Self.inOrder(Array(events.prefix(1000)), Array(0..<1000)))
        #expect(fixture.forwarded == Int64(20_000 - dropped))
        #expect(fixture.accountingHolds)
        #expect(fixture.queuedGauge == 0)
        fixture.stop()
    }

    @Test("when_full block answers pause when full and runs the relief callback once there is room")
    func blockPausesAndRelieves() throws {
        let fixture = try QueueFixture(maxBytes: 128 << 10, memoryBytes: 32 << 10, whenFull: .block)
        defer { fixture.removeDirectory() }
        fixture.sink.setDown(true)
        var sent = 0
        while fixture.enqueue(sent..<sent + 50, blockable: true) == 0 && sent < 100_000 { sent += 50 }
        sent += 50
        #expect(sent < 100_000, "the queue must fill")
        #expect(fixture.dropped() == 0, "block never drops a TCP producer's events")
        let relieved = NSCondition()
        nonisolated(unsafe) var fired = false
        fixture.queue.whenRelieved {
            relieved.lock()
            fired = true
            relieved.broadcast()
            relieved.unlock()
        }
        relieved.lock()
        #expect(!fired)
        relieved.unlock()
        fixture.sink.setDown(false)
        relieved.lock()
        let deadline = Date().addingTimeInterval(15)
        while !fired && relieved.wait(until: deadline) {}
        #expect(fired)
        relieved.unlock()
        #expect(Self.inOrder(fixture.sink.waitFor(sent), Array(0..<sent)))
        #expect(fixture.accountingHolds)
        fixture.stop()
    }

    @Test("UDP cannot pause: when block holds the queue full, its events are dropped and counted")
    func unblockableDrops() throws {
        let fixture = try QueueFixture(spool: false, memoryBytes: 64 << 10, whenFull: .block)
        defer { fixture.removeDirectory() }
        fixture.sink.setDown(true)
        let pauses = fixture.enqueue(0..<2000, blockable: false)
        #expect(pauses == 0)
        #expect(fixture.dropped("queue_full") > 0)
        #expect(fixture.accountingHolds)
        fixture.sink.setDown(false)
        #expect(fixture.waitUntilEmpty())
        #expect(fixture.accountingHolds)
        fixture.stop()
    }

    @Test("a batch in flight when the queue spills is neither lost, duplicated nor reordered")
    func inflightShadowedBySpill() throws {
        for outcome in ["delivered", "failed"] {
            let fixture = try QueueFixture(maxBytes: 4 << 20, memoryBytes: 16 << 10, whenFull: .dropNewest)
            defer { fixture.removeDirectory() }
            fixture.sink.hold()
            fixture.enqueue(0..<20)
            #expect(fixture.sink.waitUntilHeld())  // events 0..<20 are in flight
            fixture.enqueue(20..<2000)  // passes memory_bytes: spills, copying the in-flight batch first
            #expect(fixture.spool!.eventCount >= 20)
            if outcome == "failed" { fixture.sink.setDown(true) }
            fixture.sink.release()
            if outcome == "failed" {
                usleep(50_000)
                fixture.sink.setDown(false)
            }
            let events = fixture.sink.waitFor(2000)
            #expect(fixture.waitUntilEmpty())
            #expect(Self.inOrder(events, Array(0..<2000)), "outcome \(outcome)")
            #expect(fixture.accountingHolds)
            fixture.stop()
        }
    }

    @Test("ten outage cycles in a row: every event arrives once, in order")
    func tenOutages() throws {
        let fixture = try QueueFixture(maxBytes: 8 << 20, memoryBytes: 16 << 10, whenFull: .block)
        defer { fixture.removeDirectory() }
        var next = 0
        for cycle in 0..<10 {
            fixture.sink.setDown(true)
            fixture.enqueue(next..<next + 1500, blockable: true)
            next += 1500
            #expect(fixture.spool!.eventCount > 0, "cycle \(cycle) spilled")
            fixture.sink.setDown(false)
            fixture.enqueue(next..<next + 100, blockable: true)
            next += 100
            _ = fixture.sink.waitFor(next)
            #expect(fixture.waitUntilEmpty(), "cycle \(cycle) drained")
            #expect(fixture.accountingHolds, "cycle \(cycle)")
        }
        #expect(Self.inOrder(fixture.sink.events, Array(0..<next)))
        #expect(fixture.dropped() == 0)
        fixture.stop()
    }

    @Test("shutdown with the sink down saves memory behind the disk; a restart delivers all in order")
    func shutdownSavesAndRestartReplays() throws {
        let directory = NSTemporaryDirectory() + "auditsieve-queue-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try QueueFixture(maxBytes: 8 << 20, memoryBytes: 32 << 10, directory: directory)
        first.sink.setDown(true)
        first.enqueue(0..<3000)
        #expect(first.spool!.eventCount > 0)
        first.stop(deliverFor: 0.2)
        #expect(first.dropped() == 0)
        #expect(first.queued == 3000)
        #expect(first.accountingHolds)

        let second = try QueueFixture(maxBytes: 8 << 20, memoryBytes: 32 << 10, directory: directory)
        #expect(second.recovered == 3000)
        second.enqueue(3000..<3100)
        let events = second.sink.waitFor(3100)
        #expect(second.waitUntilEmpty())
        #expect(Self.inOrder(events, Array(0..<3100)))
        #expect(second.accountingHolds)
        second.stop()
    }

    @Test("memory-only queue: shutdown with the sink down counts what is lost as dropped{reason=shutdown}")
    func memoryOnlyShutdownCounts() throws {
        let fixture = try QueueFixture(spool: false, memoryBytes: 1 << 20)
        defer { fixture.removeDirectory() }
        fixture.sink.setDown(true)
        fixture.enqueue(0..<500)
        fixture.stop(deliverFor: 0.1)
        #expect(fixture.dropped("shutdown") == 500)
        #expect(fixture.accountingHolds)
    }

    @Test(
        "a full spool disk (HOSTILE D1): once the sink is back the queue drains, the paused producer resumes, and later outages use the freed space",
        arguments: [ClusterSpoolConfig.Durability.memory, .disk])
    func fullDiskRecovers(durability: ClusterSpoolConfig.Durability) throws {
        // 120 KB of disk against a max_bytes of 64 MiB: the disk fills long before the bound.
        let fileSystem = FillingFileSystem(budget: 120_000)
        let fixture = try QueueFixture(
            maxBytes: 64 << 20, memoryBytes: 64 << 10, whenFull: .block, durability: durability, fileSystem: fileSystem)
        defer { fixture.removeDirectory() }
        var next = 0
        for outage in 0..<3 {
            fixture.sink.setDown(true)
            var pauses = 0
            while pauses == 0 && next < 200_000 {
                pauses = fixture.enqueue(next..<next + 50, blockable: true)
                next += 50
            }
            #expect(pauses > 0, "outage \(outage): memory and disk filled")
            #expect(fixture.spool!.statistics.outOfSpaceErrors > 0, "outage \(outage): the disk filled")
            let relieved = NSCondition()
            nonisolated(unsafe) var fired = false
            fixture.queue.whenRelieved {
                relieved.lock()
                fired = true
                relieved.broadcast()
                relieved.unlock()
            }
            fixture.sink.setDown(false)
            relieved.lock()
            let deadline = Date().addingTimeInterval(15)
            while !fired && relieved.wait(until: deadline) {}
            #expect(fired, "outage \(outage): the paused producer was relieved")
            relieved.unlock()
            let events = fixture.sink.waitFor(next)
            #expect(fixture.waitUntilEmpty(), "outage \(outage): the queue drained")
            #expect(
                events.count == next && Self.inOrder(events, Array(0..<next)),
                "outage \(outage): every event once, in order")
            #expect(fixture.dropped() == 0)
            #expect(fixture.accountingHolds)
        }
        fixture.stop()
    }

    @Test(
        "a full spool disk at shutdown: what the sink takes is delivered, the rest is saved in the space delivery freed"
    )
    func fullDiskShutdownLosesNothingDeliverable() throws {
        let fileSystem = FillingFileSystem(budget: 120_000)
        let fixture = try QueueFixture(
            maxBytes: 64 << 20, memoryBytes: 64 << 10, whenFull: .block, fileSystem: fileSystem)
        defer { fixture.removeDirectory() }
        fixture.sink.setDown(true)
        var next = 0
        while fixture.enqueue(next..<next + 50, blockable: true) == 0 && next < 200_000 { next += 50 }
        next += 50
        #expect(fixture.spool!.statistics.outOfSpaceErrors > 0)
        fixture.sink.setDown(false)
        fixture.stop(deliverFor: 10)
        #expect(fixture.dropped() == 0, "nothing was lost at the stop")
        #expect(fixture.accountingHolds)
        #expect(Self.inOrder(fixture.sink.events + [], Array(0..<fixture.sink.events.count)))
        #expect(fixture.sink.events.count + fixture.queued == next)
    }

    @Test(
        "a sink that takes part of a batch and then fails (HOSTILE D13, D14): the rest is retried, nothing twice, in order",
        arguments: [false, true])
    func partialDeliveries(throughDisk: Bool) throws {
        let fixture = try QueueFixture(maxBytes: 8 << 20, memoryBytes: 16 << 10, whenFull: .block)
        defer { fixture.removeDirectory() }
        if throughDisk {
            fixture.sink.setDown(true)
            fixture.enqueue(0..<1500, blockable: true)
            #expect(fixture.spool!.eventCount > 0)
        }
        fixture.sink.takeAtMost(7)
        fixture.sink.setDown(false)
        fixture.enqueue(throughDisk ? 1500..<2000 : 0..<2000, blockable: true)
        let events = fixture.sink.waitFor(2000, timeout: 30)
        #expect(fixture.waitUntilEmpty())
        #expect(Self.inOrder(events, Array(0..<2000)), "every event once, in order (\(events.count) received)")
        #expect(fixture.forwarded == 2000)
        #expect(fixture.accountingHolds)
        fixture.sink.takeAtMost(nil)
        fixture.stop()
    }

    @Test("durability disk: every event is on disk before it is delivered")
    func durabilityDisk() throws {
        let fixture = try QueueFixture(maxBytes: 8 << 20, memoryBytes: 1 << 20, durability: .disk)
        defer { fixture.removeDirectory() }
        fixture.sink.hold()
        fixture.enqueue(0..<1000)
        #expect(fixture.spool!.eventCount == 1000, "all on disk although memory has room")
        fixture.sink.release()
        #expect(Self.inOrder(fixture.sink.waitFor(1000), Array(0..<1000)))
        #expect(fixture.waitUntilEmpty())
        #expect(fixture.accountingHolds)
        fixture.stop()
    }

    #if DEBUG || AUDITSIEVE_CHECKS
        @Test("the guard before every spool write works: finishing a queue on an event loop stops a checked build")
        func spoolWriteOnEventLoopTraps() async {
            // The child process stops before it could remove its spool directory: the parent does.
            let directory = NSTemporaryDirectory() + "auditsieve-queue-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: directory) }
            await #expect(processExitsWith: .failure) { [directory = directory as String] in
                let fixture = try QueueFixture(memoryBytes: 1 << 20, directory: directory)
                fixture.sink.setDown(true)
                fixture.enqueue(0..<10)
                try MultiThreadedEventLoopGroup.singleton.next().submit { fixture.queue.finish() }.wait()
            }
        }
    #endif
}
