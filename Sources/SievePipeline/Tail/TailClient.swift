import CoreMetrics
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import SieveHTTPRouting

/// One connected `/tail` client. Ingest threads `offer` events; the client's own event loop writes
/// them out, only while its channel is writable. What waits is bounded by `limit`: beyond it new
/// events are dropped and counted (an ingest thread never waits for a client), and once the client
/// has taken what waited it gets one notice line saying how many it missed.
final class TailClient: Sendable {
    private struct State {
        var pending: [UInt8] = []
        var dropped = 0
        var flushScheduled = false
    }

    let filter: TailFilter
    private let channel: any Channel
    private let limit: Int
    private let missed: Counter?
    private let state = NIOLockedValueBox(State())

    /// `missed` counts the events this client drops (the hub's `auditsieve_tail_missed_events_total`).
    init(channel: any Channel, filter: TailFilter, limit: Int, missed: Counter? = nil) {
        self.channel = channel
        self.filter = filter
        self.limit = limit
        self.missed = missed
    }

    /// Any thread. Never blocks on the client: the event is appended to its buffer or dropped.
    func offer(_ event: TailEvent) {
        let outcome = state.withLockedValue { state -> (schedule: Bool, dropped: Bool) in
            // After a drop nothing more is taken until the notice is out, so lines stay in order.
            guard state.dropped == 0, state.pending.count + event.line.count <= limit else {
                state.dropped += 1
                return (false, true)
            }
            state.pending.append(contentsOf: event.line)
            defer { state.flushScheduled = true }
            return (!state.flushScheduled, false)
        }
        if outcome.dropped { missed?.increment() }
        if outcome.schedule { channel.eventLoop.execute { self.flush() } }
    }

    /// `count` events went by before this client's filter saw them (the filters were behind):
    /// the client gets a notice as if it had dropped them itself.
    func missedUpstream(_ count: Int) {
        let schedule = state.withLockedValue { state -> Bool in
            state.dropped += count
            defer { state.flushScheduled = true }
            return !state.flushScheduled
        }
        missed?.increment(by: Int64(count))
        if schedule { channel.eventLoop.execute { self.flush() } }
    }

    /// On the channel's event loop: writes what waits (and the notice after a drop) while the
    /// channel is writable; called again when it becomes writable.
    func flush() {
        channel.eventLoop.preconditionInEventLoop()
        guard channel.isWritable else {
            state.withLockedValue { $0.flushScheduled = false }
            return
        }
        let bytes = state.withLockedValue { state -> [UInt8] in
            var out: [UInt8] = []
            swap(&out, &state.pending)
            if state.dropped > 0 {
                out.append(contentsOf: Self.notice(dropped: state.dropped))
                state.dropped = 0
            }
            state.flushScheduled = false
            return out
        }
        guard !bytes.isEmpty else { return }
        channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: bytes))), promise: nil)
    }

    /// Shutdown: ends the chunked response properly, then closes.
    func close() {
        let channel = self.channel
        channel.eventLoop.execute {
            channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    static func notice(dropped: Int) -> [UInt8] {
        Array(#"{"notice":"dropped \#(dropped) events: this client was too slow"}"#.utf8) + [UInt8(ascii: "\n")]
    }
}
