import Logging
import NIOConcurrencyHelpers
import Synchronization

/// Bytes of unfinished frames that all TCP connections of the process may hold together
/// (`limits.buffered_bytes`). Each connection's framer reports what it holds after every read;
/// when the total passes the limit, the connections holding the most are closed (counted in
/// `auditsieve_listener_closed_connections_total{reason="buffered_bytes"}` and logged) until it
/// is back under. Without it, memory was bounded only by connections × `max_message_bytes`.
final class FrameBufferBudget: Sendable {
    let limit: Int
    private let total = Atomic<Int>(0)
    private let holders = NIOLockedValueBox<[ObjectIdentifier: ConnectionActivity]>([:])
    private let warning: RateLimitedLog

    init(limit: Int, logger: Logger) {
        self.limit = limit
        self.warning = RateLimitedLog(logger: logger)
    }

    var totalBytes: Int { total.load(ordering: .relaxed) }

    func register(_ activity: ConnectionActivity) {
        holders.withLockedValue { $0[ObjectIdentifier(activity)] = activity }
    }

    /// The connection is gone: what it held is given back.
    func unregister(_ activity: ConnectionActivity) {
        holders.withLockedValue { $0[ObjectIdentifier(activity)] = nil }
        update(activity, to: 0)
    }

    /// The connection now holds `bytes` of unfinished frames.
    func update(_ activity: ConnectionActivity, to bytes: Int) {
        let old = activity.buffered.exchange(bytes, ordering: .relaxed)
        guard bytes != old else { return }
        let now = total.add(bytes - old, ordering: .relaxed).newValue
        if bytes > old && now > limit { enforce() }
    }

    /// Closes the largest holders until what the others hold fits the limit.
    private func enforce() {
        let victims = holders.withLockedValue { holders -> [ConnectionActivity] in
            var over = total.load(ordering: .relaxed) - limit
            guard over > 0 else { return [] }
            var chosen: [ConnectionActivity] = []
            let candidates = holders.values.filter { !$0.closedForBudget.load(ordering: .relaxed) }
            for activity in candidates.sorted(by: {
                $0.buffered.load(ordering: .relaxed) > $1.buffered.load(ordering: .relaxed)
            }) {
                guard over > 0 else { break }
                let held = activity.buffered.load(ordering: .relaxed)
                guard held > 0, !activity.closedForBudget.exchange(true, ordering: .relaxed) else { continue }
                chosen.append(activity)
                over -= held
            }
            return chosen
        }
        for victim in victims {
            victim.metrics.connectionsClosedBuffered.increment()
            warning.warning(
                "limits.buffered_bytes reached: closed the connection holding the most unfinished frame bytes",
                metadata: [
                    "peer": "\(victim.channel.remoteAddress.map(PeerName.of) ?? "-")",
                    "buffered": "\(victim.buffered.load(ordering: .relaxed))", "limit": "\(limit)",
                ]
            )
            victim.channel.close(promise: nil)
        }
    }
}
