import Foundation
import Testing

@testable import SievePipeline

/// The fire drill, automated, through real sockets: a syslog collector goes away (or stops
/// reading) while records stream in; the spool takes them up to its cap; when the collector
/// is back every spooled event arrives once, in order; drops beyond the cap are counted exactly;
/// the archive file sink keeps its pace throughout; the accounting identity holds.
@Suite("fire drill: outages of a syslog downstream", .serialized)
struct FireDrillTests {
    static func increasingOnce(_ numbers: [Int]) -> Bool {
        zip(numbers, numbers.dropFirst()).allSatisfy { $0 < $1 }
    }

    @Test("collector down: the spool takes the events, the file sink keeps pace, all arrive once in order")
    func collectorDown() async throws {
        let downstream = try await TestDownstream()
        let drill = try DrillServer(downstreamPort: downstream.port, spool: "{max_bytes: 16MiB, memory_bytes: 64KiB}")
        defer { drill.removeFiles() }
        try await drill.start()
        try await sendSteadily(0..<500, port: drill.tcpPort, perSecond: 5000)
        #expect(await downstream.waitFor(500) == Array(0..<500))

        await downstream.down()
        try await sendSteadily(500..<3500, port: drill.tcpPort, perSecond: 10_000)
        // The healthy sink is not held up by the one that is down.
        let deadline = Date().addingTimeInterval(15)
        while drill.archived.count < 3500 && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(drill.archived == Array(0..<3500))
        #expect(drill.gauge("auditsieve_spool_bytes", sink: "siem") > 0, "the outage spilled to disk")
        #expect(drill.gauge("auditsieve_queued_events", sink: "siem") > 0)
        #expect(drill.accountingHolds(sink: "siem"))

        try await downstream.up()
        let arrived = await downstream.waitFor(3500)
        #expect(arrived.count == 3500)
        #expect(arrived == Array(0..<3500), "every event once, in order")
        try await Task.sleep(for: .milliseconds(100))
        #expect(drill.counter("auditsieve_dropped_events_total") == 0, "nothing lost below the cap")
        #expect(drill.accountingHolds(sink: "siem"))
        #expect(drill.accountingHolds(sink: "archive"))
        #expect(drill.gauge("auditsieve_queued_events", sink: "siem") == 0)
        await drill.stop()
        await downstream.stop()
    }

    @Test(
        "cap reached with drop_newest: the spool stops at its bound, every drop is counted, the rest arrives in order")
    func capReachedDropsCounted() async throws {
        let downstream = try await TestDownstream()
        await downstream.down()
        let drill = try DrillServer(
            downstreamPort: downstream.port, spool: "{max_bytes: 64KiB, memory_bytes: 512KiB, when_full: drop_newest}"
        )
        defer { drill.removeFiles() }
        try await drill.start()
        try await sendSteadily(0..<8000, port: drill.tcpPort, perSecond: 20_000)
        let deadline = Date().addingTimeInterval(15)
        while drill.archived.count < 8000 && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let siem = [("cluster", "default"), ("sink", "siem")]
        let dropped = Int(drill.counter("auditsieve_dropped_events_total", siem + [("reason", "queue_full")]))
        #expect(dropped > 0, "the cap must be reached")
        #expect(drill.gauge("auditsieve_spool_bytes", sink: "siem") <= (64 << 10) + (64 << 10))
        #expect(drill.accountingHolds(sink: "siem"))
        #expect(drill.counter("auditsieve_dropped_events_total", [("sink", "archive")]) == 0)

        try await downstream.up()
        let arrived = await downstream.waitFor(8000 - dropped)
        try await Task.sleep(for: .milliseconds(300))
        #expect(downstream.recordNumbers.count == 8000 - dropped, "exactly the events not counted as dropped arrive")
        #expect(Self.increasingOnce(arrived))
        #expect(drill.accountingHolds(sink: "siem"))
        #expect(drill.archived.count == 8000, "the file sink lost nothing")
        await drill.stop()
        await downstream.stop()
    }

    @Test("collector accepts but stops reading: the queue spills while the write waits; all arrive once in order")
    func collectorStalls() async throws {
        let downstream = try await TestDownstream()
        let drill = try DrillServer(
            downstreamPort: downstream.port, spool: "{max_bytes: 64MiB, memory_bytes: 64KiB}",
            siem: "    write_timeout_ms: 60000"
        )
        defer { drill.removeFiles() }
        try await drill.start()
        try await sendSteadily(0..<200, port: drill.tcpPort, perSecond: 5000)
        #expect(await downstream.waitFor(200).count == 200)
        downstream.stall()
        // Well beyond what loopback's socket buffers hold (tcp_wmem + tcp_rmem maxima: 10 MiB on
        // Debian; ~25 MB here), so the sink's write must wait and the queue must spill.
        try await sendSteadily(200..<40_000, port: drill.tcpPort, perSecond: 40_000)
        try await Task.sleep(for: .milliseconds(300))
        #expect(drill.gauge("auditsieve_queued_events", sink: "siem") > 0)
        #expect(drill.gauge("auditsieve_spool_bytes", sink: "siem") > 0, "the stalled sink's queue spilled")
        downstream.resume()
        let arrived = await downstream.waitFor(40_000, timeout: 60)
        #expect(arrived == Array(0..<40_000))
        #expect(drill.accountingHolds(sink: "siem"))
        #expect(drill.accountingHolds(sink: "archive"))
        await drill.stop()
        await downstream.stop()
    }

    @Test("ten outages in a row: every event arrives once, in order (rsyslog#4573 lost data on the second)")
    func tenOutages() async throws {
        let downstream = try await TestDownstream()
        let drill = try DrillServer(downstreamPort: downstream.port, spool: "{max_bytes: 16MiB, memory_bytes: 64KiB}")
        defer { drill.removeFiles() }
        try await drill.start()
        var next = 0
        // Each sendSteadily is a connection of its own, and TCP orders only within one: wait until
        // auditsieve has taken one connection's events before the next connection starts, or a
        // loaded machine may ingest the later connection first (that is not a delivery reorder).
        func ingested(_ count: Int) async throws {
            let deadline = Date().addingTimeInterval(15)
            while drill.counter("auditsieve_kept_events_total") < Int64(count) && Date() < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        for cycle in 0..<10 {
            await downstream.down()
            try await sendSteadily(next..<next + 400, port: drill.tcpPort, perSecond: 20_000)
            next += 400
            try await ingested(next)
            try await downstream.up()
            try await sendSteadily(next..<next + 100, port: drill.tcpPort, perSecond: 20_000)
            next += 100
            let arrived = await downstream.waitFor(next)
            #expect(arrived == Array(0..<next), "cycle \(cycle)")
            #expect(drill.accountingHolds(sink: "siem"), "cycle \(cycle)")
            #expect(drill.accountingHolds(sink: "archive"), "cycle \(cycle)")
        }
        #expect(drill.counter("auditsieve_dropped_events_total") == 0)
        await drill.stop()
        await downstream.stop()
    }

    @Test("when_full block pauses the sender's connection instead of dropping; it resumes when the collector is back")
    func blockPausesSender() async throws {
        let downstream = try await TestDownstream()
        await downstream.down()
        let drill = try DrillServer(
            downstreamPort: downstream.port, spool: "{max_bytes: 64KiB, memory_bytes: 64KiB, when_full: block}"
        )
        defer { drill.removeFiles() }
        try await drill.start()
        let port = drill.tcpPort
        let sender = Task { try await sendSteadily(0..<20_000, port: port, perSecond: 100_000) }
        let deadline = Date().addingTimeInterval(15)
        while drill.counter("auditsieve_listener_paused_total") == 0 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(drill.counter("auditsieve_listener_paused_total") > 0, "the connection was paused")
        #expect(drill.gauge("auditsieve_spool_bytes", sink: "siem") <= (64 << 10) + (64 << 10))
        #expect(drill.counter("auditsieve_dropped_events_total") == 0, "block never drops a TCP sender's events")
        try await downstream.up()
        try await sender.value
        let arrived = await downstream.waitFor(20_000, timeout: 60)
        #expect(arrived == Array(0..<20_000))
        #expect(drill.accountingHolds(sink: "siem"))
        #expect(drill.accountingHolds(sink: "archive"))
        await drill.stop()
        await downstream.stop()
    }

    @Test(
        "durability disk with fsync always through a real listener: every spool write and fsync runs off the event loops (debug builds and make test's build check it), all arrive once in order"
    )
    func durableSpoolOffEventLoops() async throws {
        let downstream = try await TestDownstream()
        await downstream.down()
        let drill = try DrillServer(
            downstreamPort: downstream.port, spool: "{max_bytes: 16MiB, memory_bytes: 64KiB, durability: disk}",
            fsync: "always"
        )
        defer { drill.removeFiles() }
        try await drill.start()
        try await sendSteadily(0..<3000, port: drill.tcpPort, perSecond: 20_000)
        let deadline = ContinuousClock.now + .seconds(15)
        while drill.counter("auditsieve_kept_events_total") < 3000 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(drill.gauge("auditsieve_spool_bytes", sink: "siem") > 0, "every event went to the spool")
        try await downstream.up()
        let arrived = await downstream.waitFor(3000)
        #expect(arrived == Array(0..<3000))
        #expect(drill.accountingHolds(sink: "siem"))
        #expect(drill.accountingHolds(sink: "archive"))
        await drill.stop()
        await downstream.stop()
    }

    @Test("shutdown with the collector down saves the queue to disk; a restart delivers it all in order")
    func shutdownAndRestart() async throws {
        let downstream = try await TestDownstream()
        await downstream.down()
        let first = try DrillServer(downstreamPort: downstream.port, spool: "{max_bytes: 16MiB, memory_bytes: 1MiB}")
        defer { first.removeFiles() }
        try await first.start()
        try await sendSteadily(0..<2000, port: first.tcpPort, perSecond: 20_000)
        let deadline = Date().addingTimeInterval(15)
        while first.counter("auditsieve_kept_events_total") < 2000 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let started = Date()
        await first.stop()
        #expect(Date().timeIntervalSince(started) < 10, "exits within 10 s with the collector unreachable")
        #expect(first.counter("auditsieve_dropped_events_total") == 0)

        try await downstream.up()
        let second = try DrillServer(
            downstreamPort: downstream.port, spool: "{max_bytes: 16MiB, memory_bytes: 1MiB}", directory: first.directory
        )
        try await second.start()
        #expect(second.counter("auditsieve_recovered_events_total", [("sink", "siem")]) == 2000)
        let arrived = await downstream.waitFor(2000)
        #expect(arrived == Array(0..<2000))
        #expect(second.accountingHolds(sink: "siem"))
        await second.stop()
        await downstream.stop()
    }
}
