import Foundation
import NIOConcurrencyHelpers
import SieveSinks
import SieveSyslog
import Testing

@Suite("syslog sink over TCP", .serialized)
struct SyslogSinkTests {
    @Test(
        "1000 events in five batches arrive whole, in order, one frame each, on one connection",
        arguments: zip([SyslogFrameEncoder.Header.rfc5424, .rfc3164], [SyslogFrameEncoder.Framing.octetCounted, .lf])
    )
    func roundTrip(header: SyslogFrameEncoder.Header, framing: SyslogFrameEncoder.Framing) throws {
        let harness = try SinkHarness()
        defer { try? harness.shutdown() }
        let sink = try harness.sink {
            $0.header = header
            $0.framing = framing
        }
        let events = SinkHarness.events(0..<1000)
        var start = 0
        for size in [1, 9, 90, 400, 500] {
            try sink.deliver(events.slice(start..<start + size))
            start += size
        }
        #expect(try harness.messages(count: 1000) == SinkHarness.messages(of: events))
        let frames = try harness.frames()
        #expect(frames.count == 1)
        for (parsed, message) in frames.joined() {
            #expect(parsed.headerFormat.rawValue == header.rawValue)
            #expect(parsed.hostname.map { String(decoding: message[$0], as: UTF8.self) } == "sieve-test")
            #expect(parsed.appName.map { String(decoding: message[$0], as: UTF8.self) } == "auditsieve")
        }
        #expect(try harness.counter("auditsieve_sink_connects_total") == 1)
        let written = try harness.counter("auditsieve_sink_written_bytes_total")
        #expect(written == Int64(harness.server.received.joined().count))
    }

    @Test("receiver down: delivery fails at once with a retry delay; once it is up, a retry arrives whole")
    func receiverDownFirst() throws {
        let harness = try SinkHarness()
        defer { try? harness.shutdown() }
        try harness.server.stop()
        let sink = try harness.sink()
        let batch = SinkHarness.events(0..<50)

        let started = Date()
        let first = try #require(throws: SinkUnavailable.self) { try sink.deliver(batch) }
        let firstFailed = Date()
        #expect(firstFailed.timeIntervalSince(started) < 3)
        #expect((80...120).contains(first.retryAfterMilliseconds))
        let second = try #require(throws: SinkUnavailable.self) { try sink.deliver(batch) }
        if Date().timeIntervalSince(firstFailed) * 1000 < Double(first.retryAfterMilliseconds) - 20 {
            // Still backing off: no connection attempt, just the wait that is left.
            #expect(second.reason.contains("waiting before reconnecting"))
            #expect(second.retryAfterMilliseconds <= first.retryAfterMilliseconds)
        }
        #expect(try harness.gauge("auditsieve_sink_up") == 0)

        try harness.server.start()
        try SinkHarness.deliverRetrying(batch, to: sink)
        #expect(try harness.messages(count: 50) == SinkHarness.messages(of: batch))
        #expect(harness.server.received.count == 1)
        #expect(try harness.gauge("auditsieve_sink_up") == 1)
    }

    @Test("a receiver that closes idle connections loses nothing: each next batch goes out on a new connection")
    func peerClosedIdleConnection() throws {
        let harness = try SinkHarness()
        defer { try? harness.shutdown() }
        let sink = try harness.sink()
        var expected: [[UInt8]] = []
        for round in 0..<3 {
            let batch = SinkHarness.events(round * 100..<(round + 1) * 100)
            try sink.deliver(batch)
            expected += SinkHarness.messages(of: batch)
            #expect(try harness.messages(count: expected.count) == expected)
            try harness.server.closeConnections()
        }
        #expect(try harness.frames().map(\.count) == [100, 100, 100])
        #expect(try harness.counter("auditsieve_sink_connects_total") == 3)
        #expect(try harness.counter("auditsieve_sink_write_errors_total") == 0)
    }

    @Test(
        "a receiver that stops reading: the write times out and the connection closes; a retry after it reads again delivers"
    )
    func stalledPeer() throws {
        let harness = try SinkHarness(server: SyslogTestServer(receiveBufferBytes: 64 * 1024))
        defer { try? harness.shutdown() }
        let sink = try harness.sink { $0.writeTimeoutMilliseconds = 300 }
        try harness.server.stopReading()

        var delivered: [[UInt8]] = []
        var stalled: (batch: EventBatch, seconds: Double, deliveredEvents: Int)?
        // The kernel's buffers take a few MB before writes stall.
        for round in 0..<100 where stalled == nil {
            let batch = SinkHarness.events(round * 500..<(round + 1) * 500, size: 1000)
            let started = Date()
            do throws(SinkUnavailable) {
                try sink.deliver(batch)
                delivered += SinkHarness.messages(of: batch)
            } catch {
                stalled = (batch, Date().timeIntervalSince(started), error.deliveredEvents)
            }
        }
        let (failed, seconds, deliveredOfFailed) = try #require(stalled)
        #expect(seconds >= 0.29 && seconds < 5)
        // A timeout cannot tell what the receiver will read of what the kernel took: the whole
        // batch is to be sent again (only a close of our own counts the pieces the kernel took).
        #expect(deliveredOfFailed == 0)

        try harness.server.resumeReading()
        try SinkHarness.deliverRetrying(failed, to: sink)
        let failedMessages = SinkHarness.messages(of: failed)
        let expected = Set(delivered + failedMessages)
        #expect(try SinkHarness.eventually { try Set(harness.messages()).isSuperset(of: expected) })

        // At least once: only events of the failed batch may arrive twice (in part on the stalled
        // connection, whole on the new one); everything else exactly once.
        let received = try harness.messages()
        #expect(Set(received) == expected)
        let counts = Dictionary(received.map { ($0, 1) }, uniquingKeysWith: +)
        let failedSet = Set(failedMessages)
        #expect(counts.allSatisfy { $0.value == 1 || failedSet.contains($0.key) })
        #expect(try harness.frames().last.map { $0.map { Array($0.message[$0.header.msg]) } } == failedMessages)
        #expect(try harness.counter("auditsieve_sink_write_errors_total") >= 1)
    }

    @Test("close() while a delivery waits on a stalled receiver returns at once; that delivery and later ones fail")
    func closeWhileStalled() throws {
        let harness = try SinkHarness(server: SyslogTestServer(receiveBufferBytes: 64 * 1024))
        defer { try? harness.shutdown() }
        let sink = try harness.sink { $0.writeTimeoutMilliseconds = 120_000 }
        try harness.server.stopReading()

        struct Progress { var deliveryStarted: Date?, failure: SinkUnavailable?, failedAt: Date? }
        let progress = NIOLockedValueBox(Progress())
        let deliveries = Thread {
            for round in 0..<100 {
                progress.withLockedValue { $0.deliveryStarted = Date() }
                do throws(SinkUnavailable) {
                    try sink.deliver(SinkHarness.events(round * 500..<(round + 1) * 500, size: 1000))
                } catch {
                    progress.withLockedValue {
                        $0.failure = error
                        $0.failedAt = Date()
                    }
                    return
                }
            }
        }
        deliveries.start()
        // A delivery that has waited a second is stuck behind the full buffers.
        #expect(
            SinkHarness.eventually(seconds: 30) {
                progress.withLockedValue { $0.deliveryStarted.map { Date().timeIntervalSince($0) > 1 } ?? false }
            })

        let closing = Date()
        sink.close()
        #expect(Date().timeIntervalSince(closing) < 1)
        #expect(SinkHarness.eventually { progress.withLockedValue { $0.failure != nil } })
        let (failure, failedAt) = progress.withLockedValue { ($0.failure, $0.failedAt) }
        #expect(failure?.reason == "sink closed")
        #expect(failedAt.map { $0.timeIntervalSince(closing) < 2 } == true)

        let later = Date()
        #expect(throws: SinkUnavailable.self) { try sink.deliver(SinkHarness.events(0..<1)) }
        #expect(Date().timeIntervalSince(later) < 0.5)
    }
}
