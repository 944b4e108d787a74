import MetricsTestKit
import NIOCore
import NIOEmbedded
import Testing

@testable import SievePipeline

/// The first handler of a TCP connection on an `EmbeddedChannel`: counts the bytes it passes on,
/// closes the connection on a read-idle event unless the connection is paused, and gives the
/// connection's slot back when it closes. (Refusals at `max_connections` happen before it is added.)
@Suite("ConnectionGuardHandler on an embedded channel")
struct ConnectionGuardHandlerTests {
    /// Keeps the user events that passed the guard.
    final class EventRecorder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        var events: [String] = []

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            events.append("\(event)")
            context.fireUserInboundEventTriggered(event)
        }
    }

    struct Guarded {
        let metrics = TestMetrics()
        let channel = EmbeddedChannel()
        let registry: ConnectionRegistry
        let activity: ConnectionActivity
        let recorder = EventRecorder()

        init(maxPerSender: Int = 10) throws {
            let listener = ListenerMetrics(listener: "tcp://test", factory: metrics)
            registry = ConnectionRegistry(maxConnections: 10, maxPerSender: maxPerSender)
            activity = ConnectionActivity(channel: channel, metrics: listener)
            #expect(registry.admit(channel, sender: [192, 0, 2, 7]) == nil)
            try channel.pipeline.syncOperations.addHandler(
                ConnectionGuardHandler(activity: activity, registry: registry, metrics: listener)
            )
            try channel.pipeline.syncOperations.addHandler(recorder)
            try channel.connect(to: SocketAddress(ipAddress: "192.0.2.7", port: 514)).wait()
        }

        func counter(_ label: String, _ dimensions: [(String, String)] = []) -> Int64 {
            metrics.counterTotal(label: label, dimensions: dimensions)
        }

        var idleClosed: Int64 { counter("auditsieve_listener_closed_connections_total", [("reason", "idle_timeout")]) }
    }

    @Test("bytes are counted and passed on unchanged")
    func countsBytes() throws {
        let guarded = try Guarded()
        try guarded.channel.writeInbound(ByteBuffer(string: "12 <14>hello\n"))
        try guarded.channel.writeInbound(ByteBuffer(string: "abc"))
        #expect(try guarded.channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "12 <14>hello\n"))
        #expect(try guarded.channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "abc"))
        #expect(guarded.counter("auditsieve_listener_bytes_total") == 16)
        _ = try guarded.channel.finish()
    }

    @Test("a read-idle event closes the connection, counted, and is not passed on")
    func idleCloses() throws {
        let guarded = try Guarded()
        guarded.channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.read)
        #expect(!guarded.channel.isActive)
        #expect(guarded.idleClosed == 1)
        #expect(guarded.recorder.events.isEmpty)
    }

    @Test("a paused connection is not idle: the read-idle event leaves it open, uncounted")
    func pausedStaysOpen() throws {
        let guarded = try Guarded()
        guarded.activity.paused.store(true, ordering: .relaxed)
        guarded.channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.read)
        #expect(guarded.channel.isActive)
        #expect(guarded.idleClosed == 0)
        guarded.activity.paused.store(false, ordering: .relaxed)
        guarded.channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.read)
        #expect(!guarded.channel.isActive && guarded.idleClosed == 1)
    }

    @Test("other events (write-idle, anything else) pass on and leave the connection open")
    func otherEventsPass() throws {
        let guarded = try Guarded()
        guarded.channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.write)
        guarded.channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(guarded.channel.isActive && guarded.idleClosed == 0)
        #expect(guarded.recorder.events == ["\(IdleStateHandler.IdleStateEvent.write)", "\(ChannelEvent.inputClosed)"])
        _ = try guarded.channel.finish()
    }

    @Test("a closed connection gives its slot back (per sender too) and the open-connections gauge follows")
    func closeFreesSlot() throws {
        let guarded = try Guarded(maxPerSender: 1)
        let other = EmbeddedChannel()
        #expect(guarded.registry.admit(other, sender: [192, 0, 2, 7]) == .maxConnectionsPerSender)
        #expect(guarded.registry.count == 1)
        _ = try guarded.channel.finish()
        #expect(guarded.registry.count == 0)
        let open = try guarded.metrics.expectGauge("auditsieve_listener_open_connections", [("listener", "tcp://test")])
        #expect(open.lastValue == 0)
        #expect(guarded.registry.admit(other, sender: [192, 0, 2, 7]) == nil, "the sender's slot is free again")
    }
}
