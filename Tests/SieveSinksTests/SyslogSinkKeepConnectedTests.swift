import Foundation
import NIOCore
import NIOPosix
import SieveSinks
import Testing

/// `keepConnected()`: `auditsieve_sink_up` follows the downstream without any events.
@Suite("syslog sink kept connected", .serialized)
struct SyslogSinkKeepConnectedTests {
    /// Polls `condition` for up to `seconds`.
    static func eventually(_ seconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(10_000)
        }
        return try condition()
    }

    @Test("up before any event; down when the receiver goes, up again when it is back, with no event sent")
    func followsTheReceiver() throws {
        let harness = try SinkHarness()
        defer { try? harness.shutdown() }
        let sink = try harness.sink { $0.reconnectMaxMilliseconds = 200 }
        #expect(try harness.gauge("auditsieve_sink_up") == 0, "not known to be reachable before a connection")
        sink.keepConnected()
        #expect(try Self.eventually { try harness.gauge("auditsieve_sink_up") == 1 }, "connected without an event")
        #expect(try harness.counter("auditsieve_sink_connects_total") == 1)

        // The receiver goes away (closes its connections and stops listening): down, no event needed.
        try harness.server.stop()
        try harness.server.closeConnections()
        #expect(try Self.eventually { try harness.gauge("auditsieve_sink_up") == 0 }, "down without an event")

        try harness.server.start()
        #expect(try Self.eventually { try harness.gauge("auditsieve_sink_up") == 1 }, "up again without an event")
        #expect(try harness.counter("auditsieve_sink_connects_total") == 2)
        #expect(try harness.counter("auditsieve_sink_write_errors_total") == 0, "probes are not write errors")

        // And the connection the probe made carries the first batch.
        try sink.deliver(SinkHarness.events(0..<10))
        #expect(try harness.messages(count: 10).count == 10)
        #expect(try harness.counter("auditsieve_sink_connects_total") == 2)
    }

    @Test("a peer that accepts and closes at once is down, retried with backoff, not every 100 ms")
    func acceptThenClose() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let server = try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { $0.close() }
            .bind(host: "127.0.0.1", port: 0).wait()
        defer { try? server.close().wait() }
        let harness = try SinkHarness()
        defer { try? harness.shutdown() }
        let sink = try harness.sink {
            $0.port = server.localAddress!.port!
            $0.reconnectMaxMilliseconds = 800
        }
        sink.keepConnected()
        usleep(4_000_000)
        #expect(try harness.gauge("auditsieve_sink_up") == 0)
        let connects = try harness.counter("auditsieve_sink_connects_total")
        // Backoff 100, 200, 400, 800, 800 ms…: a handful of attempts in 4 s, not ~40.
        #expect(connects >= 2 && connects <= 12, "\(connects) connections in 4 s")
    }

    @Test("after close() it stops trying")
    func stopsAfterClose() throws {
        let harness = try SinkHarness()
        defer { try? harness.shutdown() }
        try harness.server.stop()
        let sink = try harness.sink { $0.reconnectMaxMilliseconds = 100 }
        sink.keepConnected()
        usleep(300_000)
        sink.close()
        usleep(200_000)
        try harness.server.start()
        usleep(500_000)
        #expect(harness.server.received.isEmpty)
        #expect(try harness.gauge("auditsieve_sink_up") == 0)
    }
}
