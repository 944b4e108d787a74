import Foundation
import NIOCore
import NIOEmbedded
import SieveSyslog
import Testing

@testable import SievePipeline

/// A TCP connection's ingest handler on an `NIOAsyncTestingChannel` (thread-safe, so a queue's
/// relief, which comes from its delivery thread, can reach the handler's loop): frames in,
/// events out through the config's queues (`IngestFixture`), pause and resume under
/// `when_full: block`. No socket.
@Suite("SyslogIngestHandler on a testing channel", .serialized)
struct SyslogIngestHandlerTests {
    /// One connection from 192.0.2.7:514: its channel, its activity (what the idle guard reads)
    /// and its listener's counters. With `guarded` a `ConnectionGuardHandler` sits after the
    /// ingest handler (frames stop at the ingest handler; idle events pass it, to the guard).
    struct Connection {
        let channel: NIOAsyncTestingChannel
        let activity: ConnectionActivity

        /// `helpers`: none by default, so every burst is read on the channel's loop before `burst`
        /// returns; the tests of bursts read on helper threads give a pool of their own.
        init(_ fixture: IngestFixture, guarded: Bool = false, helpers: BurstHelpers = .inline) async throws {
            let channel = NIOAsyncTestingChannel()
            let metrics = fixture.listenerMetrics()
            let activity = ConnectionActivity(channel: channel, metrics: metrics)
            let (ingest, logger) = (fixture.ingest, fixture.logger)
            try await channel.testingEventLoop.executeInContext {
                let sync = channel.pipeline.syncOperations
                try sync.addHandler(
                    SyslogIngestHandler(
                        ingest: ingest, metrics: metrics, activity: activity, logger: logger,
                        warnings: ListenerWarnings(logger: logger), helpers: helpers
                    )
                )
                if guarded {
                    let registry = ConnectionRegistry(maxConnections: 10, maxPerSender: 10)
                    try sync.addHandler(
                        ConnectionGuardHandler(activity: activity, registry: registry, metrics: metrics))
                }
            }
            try await channel.connect(to: SocketAddress(ipAddress: "192.0.2.7", port: 514)).get()
            self.channel = channel
            self.activity = activity
        }

        /// One read burst: every frame (as reads of at most 100 frames, as the framer hands them
        /// on), then the end of the read.
        func burst(_ frames: [SyslogFrame]) async throws {
            try await channel.testingEventLoop.executeInContext { [channel] in
                for start in stride(from: 0, to: frames.count, by: 100) {
                    channel.pipeline.fireChannelRead(Array(frames[start..<min(start + 100, frames.count)]))
                }
                channel.pipeline.fireChannelReadComplete()
            }
            try await channel.throwIfErrorCaught()
        }

        /// The last `autoRead` the handler set on its channel (nil: never set; reading is on).
        var autoRead: Bool? {
            channel.options.last { $0.option is ChannelOptions.Types.AutoReadOption }?.value as? Bool
        }

        var paused: Bool { activity.paused.load(ordering: .relaxed) }

        func idleEvent() async throws {
            try await channel.testingEventLoop.executeInContext { [channel] in
                channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.read)
            }
        }

        func close() async throws {
            _ = try await channel.finish(acceptAlreadyClosed: true)
        }
    }

    /// One cluster taking the senders of 192.0.2.0/24 (the connections' address) to sink `audit`.
    static let labCluster = """
        clusters:
          - name: lab
            match: {senders: ["192.0.2.0/24"]}
            sinks: [audit]
        """

    static func frames(_ range: ClosedRange<Int>) -> [SyslogFrame] {
        range.map { IngestFixture.frame(IngestFixture.query($0)) }
    }

    @Test("frames become events routed by the sender's address; frames and oversize frames are counted")
    func framesToEvents() async throws {
        let fixture = try IngestFixture(clusters: Self.labCluster)
        let connection = try await Connection(fixture)
        try await connection.burst(
            Self.frames(1...3) + [
                IngestFixture.frame(IngestFixture.query(4), truncated: true),
                .oversizeDropped(length: 300_000, framing: .octetCounted),
            ]
        )
        #expect(fixture.enqueued("audit") == 4 && fixture.enqueued("archive") == 0)
        let events = fixture.settled("audit")
        #expect(events.compactMap(IngestFixture.number) == [1, 2, 3, 4])
        #expect(events.allSatisfy { $0["cluster"] as? String == "lab" && $0["peer"] as? String == "192.0.2.7:514" })
        #expect(fixture.counter("auditsieve_listener_frames_total") == 5)
        #expect(fixture.counter("auditsieve_listener_oversize_total", [("action", "truncate")]) == 1)
        #expect(fixture.counter("auditsieve_listener_oversize_total", [("action", "drop")]) == 1)
        #expect(connection.autoRead == nil && !connection.paused, "a queue with room never pauses the connection")
        try await connection.close()
        await fixture.stop()
    }

    @Test(
        "when_full: block: a full queue stops the connection reading (the idle timeout leaves it open); it reads again once the queue has room"
    )
    func pauseAndResume() async throws {
        let fixture = try IngestFixture(
            defaultCluster: "sinks: [archive]\n  spool: {memory_bytes: 64KiB, when_full: block}")
        let sink = fixture.sink("archive")
        sink.hold()
        let connection = try await Connection(fixture, guarded: true)
        try await connection.burst(Self.frames(0...0))
        #expect(sink.waitUntilHeld(), "the delivery thread holds event 0 in the sink")
        #expect(!connection.paused)
        // Over 64 KiB in one burst while the sink takes nothing: the queue is full.
        try await connection.burst(Self.frames(1...150))
        #expect(connection.autoRead == false && connection.paused)
        #expect(fixture.counter("auditsieve_listener_paused_total") == 1)
        try await connection.idleEvent()
        #expect(connection.channel.isActive, "a paused connection is not idle")
        #expect(fixture.counter("auditsieve_listener_closed_connections_total", [("reason", "idle_timeout")]) == 0)

        sink.release()
        await waitUntil("the connection reads again") { connection.autoRead == true }
        #expect(!connection.paused)
        let events = fixture.received("archive", count: 151)
        #expect(events.compactMap(IngestFixture.number) == Array(0...150), "everything arrives, in order")
        #expect(fixture.counter("auditsieve_dropped_events_total") == 0)
        try await connection.idleEvent()
        #expect(!connection.channel.isActive, "reading again, an idle connection is closed")
        #expect(fixture.counter("auditsieve_listener_closed_connections_total", [("reason", "idle_timeout")]) == 1)
        try await connection.close()
        await fixture.stop()
    }

    @Test("a framing error closes the connection, counted; table records it held go out alone first")
    func framingError() async throws {
        let fixture = try IngestFixture()
        let connection = try await Connection(fixture)
        try await connection.burst([
            IngestFixture.frame(IngestFixture.mariadb("db1,root,localhost,3,6,WRITE,shop,orders,"))
        ])
        #expect(fixture.enqueued("archive") == 0, "held for its statement")
        try await connection.channel.testingEventLoop.executeInContext { [channel = connection.channel] in
            channel.pipeline.fireErrorCaught(SyslogFramingError.frameTooLarge(count: 1 << 30, limit: 1 << 26))
        }
        await waitUntil("the connection closed") { !connection.channel.isActive }
        #expect(fixture.counter("auditsieve_listener_framing_errors_total", [("reason", "frame_too_large")]) == 1)
        #expect(fixture.counter("auditsieve_table_records_total", [("outcome", "alone")]) == 1)
        #expect(fixture.settled("archive").map { $0["operation"] as? String } == ["WRITE"])
        try await connection.close()
        await fixture.stop()
    }

    @Test("another error closes the connection as a connection error; a close sends out held table records")
    func otherErrorAndClose() async throws {
        let fixture = try IngestFixture()
        let first = try await Connection(fixture)
        try await first.burst([IngestFixture.frame(IngestFixture.mariadb("db1,root,localhost,3,6,WRITE,shop,orders,"))])
        try await first.channel.testingEventLoop.executeInContext { [channel = first.channel] in
            channel.pipeline.fireErrorCaught(ChannelError.inputClosed)
        }
        await waitUntil("the connection closed") { !first.channel.isActive }
        #expect(fixture.counter("auditsieve_listener_framing_errors_total", [("reason", "connection_error")]) == 1)
        let second = try await Connection(fixture)
        try await second.burst([IngestFixture.frame(IngestFixture.mariadb("db1,root,localhost,4,9,READ,shop,orders,"))])
        #expect(fixture.enqueued("archive") == 1)
        try await second.close()
        #expect(fixture.enqueued("archive") == 2, "closing released it")
        #expect(fixture.settled("archive").map { $0["operation"] as? String } == ["WRITE", "READ"])
        try await first.close()
        await fixture.stop()
    }

    @Test("a held table record goes out alone when its time is up, though the connection stays quiet")
    func releaseTimer() async throws {
        let fixture = try IngestFixture(limits: "limits: {table_record_hold: 0ms}")
        let connection = try await Connection(fixture)
        try await connection.burst([
            IngestFixture.frame(IngestFixture.mariadb("db1,root,localhost,3,6,WRITE,shop,orders,"))
        ])
        #expect(fixture.enqueued("archive") == 0, "held for its statement")
        // The timer is set at the record's monotonic deadline, already past; the testing loop's
        // clock moves only when told.
        await connection.channel.testingEventLoop.advanceTime(to: .now())
        #expect(fixture.enqueued("archive") == 1)
        #expect(connection.channel.isActive)
        #expect(fixture.settled("archive").map { $0["operation"] as? String } == ["WRITE"])
        try await connection.close()
        await fixture.stop()
    }

    @Test("bursts read on a helper thread reach the queue whole and in the order they came")
    func helperBurstsInOrder() async throws {
        let fixture = try IngestFixture(clusters: Self.labCluster)
        let helpers = BurstHelpers(threads: 1)
        let connection = try await Connection(fixture, helpers: helpers)
        // The first burst is read on the event loop; then every other one on the helper.
        for burst in 0..<8 { try await connection.burst(Self.frames((burst * 40 + 1)...(burst * 40 + 40))) }
        // A small burst is read where it came.
        try await connection.burst(Self.frames(321...325))
        try await connection.close()
        #expect(helpers.burstsRead == 4)
        #expect(fixture.counter("auditsieve_listener_bursts_total", [("read_on", "helper")]) == 4)
        #expect(fixture.counter("auditsieve_listener_bursts_total", [("read_on", "event_loop")]) == 5)
        #expect(fixture.enqueued("audit") == 325)
        #expect(fixture.settled("audit").compactMap(IngestFixture.number) == Array(1...325))
        try helpers.shutdown()
        await fixture.stop()
    }

    @Test("a source that writes table records has every burst read on the event loop: joins across bursts hold")
    func tableRecordSourceNotShared() async throws {
        let fixture = try IngestFixture()
        let helpers = BurstHelpers(threads: 1)
        let connection = try await Connection(fixture, helpers: helpers)
        var statement = 0
        for _ in 0..<4 {
            var frames: [SyslogFrame] = []
            // 20 statements per burst, each after its table record; the last one's table record
            // ends the burst, its statement opens the next.
            for _ in 0..<20 {
                statement += 1
                frames.append(
                    IngestFixture.frame(
                        IngestFixture.mariadb("db1,root,localhost,3,\(statement),WRITE,shop,orders,")))
                frames.append(
                    IngestFixture.frame(
                        IngestFixture.mariadb(
                            "db1,root,localhost,3,\(statement),QUERY,shop,'INSERT INTO orders VALUES (1)',0")))
            }
            let last = frames.removeLast()
            try await connection.burst(frames)
            try await connection.burst([last])
        }
        try await connection.close()
        #expect(helpers.burstsRead == 0)
        #expect(fixture.counter("auditsieve_listener_bursts_total", [("read_on", "event_loop")]) == 8)
        #expect(fixture.counter("auditsieve_table_records_total", [("outcome", "merged")]) == 80)
        #expect(fixture.counter("auditsieve_table_records_total", [("outcome", "alone")]) == 0)
        try helpers.shutdown()
        await fixture.stop()
    }

    @Test("a full queue found by a burst read on a helper pauses the connection as soon as that burst is in")
    func helperBurstPauses() async throws {
        let fixture = try IngestFixture(
            defaultCluster: "sinks: [archive]\n  spool: {memory_bytes: 64KiB, when_full: block}")
        let sink = fixture.sink("archive")
        sink.hold()
        let helpers = BurstHelpers(threads: 1)
        let connection = try await Connection(fixture, helpers: helpers)
        try await connection.burst(Self.frames(0...0))
        #expect(sink.waitUntilHeld(), "the delivery thread holds event 0 in the sink")
        // Over 64 KiB in one burst, read on the helper, while the sink takes nothing.
        try await connection.burst(Self.frames(1...150))
        await waitUntil("the connection stopped reading") { connection.autoRead == false && connection.paused }
        #expect(helpers.burstsRead == 1)
        #expect(fixture.counter("auditsieve_listener_paused_total") == 1)
        sink.release()
        await waitUntil("the connection reads again") { connection.autoRead == true }
        let events = fixture.received("archive", count: 151)
        #expect(events.compactMap(IngestFixture.number) == Array(0...150), "everything arrives, in order")
        try await connection.close()
        try helpers.shutdown()
        await fixture.stop()
    }
}
