import Foundation
import NIOCore
import NIOEmbedded
import SieveSyslog
import Testing

@testable import SievePipeline

/// The UDP listener's handler on an `EmbeddedChannel`: datagrams in, events out through the
/// config's queues (`IngestFixture`); what it refuses or cuts, counted. No socket.
@Suite("UDPIngestHandler on an embedded channel", .serialized)
struct UDPIngestHandlerTests {
    static let inside = try! SocketAddress(ipAddress: "192.0.2.7", port: 514)
    static let outside = try! SocketAddress(ipAddress: "198.51.100.9", port: 514)

    static func channel(
        _ fixture: IngestFixture, framer: SyslogFramerConfiguration = SyslogFramerConfiguration(),
        allowed: [String] = []
    ) throws -> EmbeddedChannel {
        let handler = UDPIngestHandler(
            ingest: fixture.ingest, framer: framer, metrics: fixture.listenerMetrics("udp://test"),
            logger: fixture.logger,
            allowList: SenderAllowList(allowed), listener: "udp://test"
        )
        let channel = EmbeddedChannel(handler: handler)
        // Active, as a bound datagram socket is; the handler never closes it.
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 5514)).wait()
        return channel
    }

    static func datagram(_ text: String, from address: SocketAddress = inside) -> AddressedEnvelope<ByteBuffer> {
        AddressedEnvelope(remoteAddress: address, data: ByteBuffer(string: text))
    }

    static func record(_ n: Int) -> String { Records.rfc3164(Records.json(n)) }

    @Test("each datagram is one event without its trailing LF or CRLF; an empty one is none; frames and bytes counted")
    func datagramsToEvents() async throws {
        let fixture = try IngestFixture()
        let channel = try Self.channel(fixture)
        let texts = [Self.record(1) + "\n", Self.record(2) + "\r\n", Self.record(3), "\n"]
        for text in texts { try channel.writeInbound(Self.datagram(text)) }
        #expect(fixture.enqueued("archive") == 3)
        let events = fixture.settled("archive")
        #expect(events.compactMap(IngestFixture.number) == [1, 2, 3])
        #expect(
            events.allSatisfy { $0["peer"] as? String == "192.0.2.7:514" && $0["format"] as? String == "percona-json" })
        #expect(fixture.counter("auditsieve_listener_frames_total") == 4)
        #expect(fixture.counter("auditsieve_listener_bytes_total") == Int64(texts.map(\.utf8.count).reduce(0, +)))
        _ = try channel.finish()
        await fixture.stop()
    }

    @Test(
        "a datagram that is no audit record is counted as format unknown and still delivered; a receive error is counted and the socket stays open"
    )
    func malformed() async throws {
        let fixture = try IngestFixture()
        let channel = try Self.channel(fixture)
        try channel.writeInbound(Self.datagram("<14>Nov 22 01:30:19 db1 sshd[42]: Accepted publickey for root"))
        try channel.writeInbound(Self.datagram("\u{1}\u{2} garbage"))
        channel.pipeline.fireErrorCaught(IOError(errnoCode: ECONNREFUSED, reason: "recvmsg"))
        #expect(channel.isActive)
        try channel.writeInbound(Self.datagram(Self.record(3)))
        #expect(fixture.counter("auditsieve_listener_receive_errors_total") == 1)
        #expect(fixture.counter("auditsieve_records_total", [("format", "unknown")]) == 2)
        #expect(fixture.counter("auditsieve_records_total", [("format", "percona-json")]) == 1)
        #expect(fixture.enqueued("archive") == 3)
        let events = fixture.settled("archive")
        #expect(events.count == 3 && events.last.flatMap(IngestFixture.number) == 3)
        #expect(events.map { $0["format"] as? String } == ["unknown", "unknown", "percona-json"])
        _ = try channel.finish()
        await fixture.stop()
    }

    @Test("max_message_bytes: truncate cuts the message, drop drops it; each counted")
    func oversize() async throws {
        let fixture = try IngestFixture()
        let long = Self.record(1)
        let truncating = try Self.channel(
            fixture, framer: SyslogFramerConfiguration(maxMessageBytes: 120, oversize: .truncate))
        try truncating.writeInbound(Self.datagram(long + "\n"))
        let dropping = try Self.channel(
            fixture, framer: SyslogFramerConfiguration(maxMessageBytes: 120, oversize: .drop))
        try dropping.writeInbound(Self.datagram(long + "\n"))
        try dropping.writeInbound(Self.datagram(String(long.prefix(119)) + "\n"))
        #expect(fixture.counter("auditsieve_listener_oversize_total", [("action", "truncate")]) == 1)
        #expect(fixture.counter("auditsieve_listener_oversize_total", [("action", "drop")]) == 1)
        #expect(fixture.enqueued("archive") == 2)
        let events = fixture.settled("archive")
        #expect(events.count == 2)
        #expect(events.allSatisfy { ($0["raw"] as? String).map { $0.utf8.count < 120 } ?? true })
        _ = try truncating.finish()
        _ = try dropping.finish()
        await fixture.stop()
    }

    @Test("allowed_senders: datagrams from outside are refused and counted; those from inside become events")
    func allowList() async throws {
        let fixture = try IngestFixture()
        let channel = try Self.channel(fixture, allowed: ["192.0.2.0/24"])
        try channel.writeInbound(Self.datagram(Self.record(1), from: Self.inside))
        try channel.writeInbound(Self.datagram(Self.record(2), from: Self.outside))
        try channel.writeInbound(Self.datagram(Self.record(3), from: Self.outside))
        try channel.writeInbound(Self.datagram(Self.record(4), from: Self.inside))
        #expect(fixture.counter("auditsieve_rejected_datagrams_total", [("reason", "sender_not_allowed")]) == 2)
        #expect(fixture.enqueued("archive") == 2)
        #expect(fixture.settled("archive").compactMap(IngestFixture.number) == [1, 4])
        _ = try channel.finish()
        await fixture.stop()
    }

    @Test("a table record whose statement never comes goes out alone on the release timer, the sender quiet")
    func releaseTimer() async throws {
        let fixture = try IngestFixture(limits: "limits: {table_record_hold: 0ms}")
        let channel = try Self.channel(fixture)
        let line = "<14>Nov 22 01:28:43 db-maria-1 mysql-server_auditing:  db1,root,localhost,3,6,WRITE,shop,orders,"
        try channel.writeInbound(Self.datagram(line))
        #expect(fixture.enqueued("archive") == 0, "held for its statement")
        // The timer is set at the record's monotonic deadline, already past; the embedded loop's
        // clock moves only when told.
        channel.embeddedEventLoop.advanceTime(to: .now())
        #expect(fixture.enqueued("archive") == 1)
        #expect(fixture.counter("auditsieve_table_records_total", [("outcome", "alone")]) == 1)
        #expect(fixture.settled("archive").map { $0["operation"] as? String } == ["WRITE"])
        _ = try channel.finish()
        await fixture.stop()
    }
}
