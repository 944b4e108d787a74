import CoreMetrics
import Dispatch
import NIOConcurrencyHelpers
import SieveHTTPRouting
import Synchronization

/// Where the pipeline hands kept events to `/tail` clients. With no client connected the ingest
/// path pays one relaxed atomic load per kept event and nothing else. With clients, the ingest
/// thread only appends the event to a bounded hand-off; the clients' filters (`table=re:…` among
/// them) run on a thread of their own, so a costly filter slows its client, never the pipeline.
/// Each matching event goes to the client's buffer (never waiting for it: see `TailClient`). When
/// the filters fall behind by more than `maxPendingBytes`, newer events are dropped for every
/// client and each is told how many it missed.
public final class TailHub: Sendable {
    private struct Handoff {
        var events: [TailEvent] = []
        var bytes = 0
        var dropped = 0
        var scheduled = false
    }

    static let maxPendingBytes = 8 << 20

    private let count = Atomic<Int>(0)
    private let clients = NIOLockedValueBox<[TailClient]>([])
    private let handoff = NIOLockedValueBox(Handoff())
    private let filtering = DispatchQueue(label: "auditsieve.tail-filters")
    /// `auditsieve_tail_clients`: `/tail` clients connected now.
    private let connected: Gauge
    /// `auditsieve_tail_missed_events_total`: events a client missed because it (or the filters)
    /// were too slow (counted per client; each client also gets a notice line with its own count).
    let missed: Counter
    /// `auditsieve_regex_limit_hits_total{use="tail"}`: a client's `re:` filter reached the regex
    /// match limit on an event (treated as no match).
    private let regexLimitHits: Counter

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        connected = Gauge(label: "auditsieve_tail_clients", factory: factory)
        missed = Counter(label: "auditsieve_tail_missed_events_total", factory: factory)
        regexLimitHits = Counter(
            label: "auditsieve_regex_limit_hits_total", dimensions: [("use", "tail")], factory: factory)
    }

    /// Checked before any tail work is done for an event.
    var hasClients: Bool { count.load(ordering: .relaxed) > 0 }

    var clientCount: Int { count.load(ordering: .relaxed) }

    /// On the ingest thread: hands a batch's events over, in their order, under one lock. Once
    /// one does not fit (the filters are behind), it and every later one until the filters take
    /// the hand-off are dropped, so the drop notice stands where they were.
    func publish(_ events: [TailEvent]) {
        guard !events.isEmpty else { return }
        let schedule = handoff.withLockedValue { handoff -> Bool in
            for event in events {
                guard handoff.dropped == 0, handoff.bytes + event.line.count <= Self.maxPendingBytes else {
                    handoff.dropped += 1
                    continue
                }
                handoff.events.append(event)
                handoff.bytes += event.line.count
            }
            defer { handoff.scheduled = true }
            return !handoff.scheduled
        }
        if schedule { filtering.async { self.filterPending() } }
    }

    /// On the filter thread: every waiting event through every client's filter.
    private func filterPending() {
        while true {
            let taken = handoff.withLockedValue { handoff -> (events: [TailEvent], dropped: Int)? in
                guard !handoff.events.isEmpty || handoff.dropped > 0 else {
                    handoff.scheduled = false
                    return nil
                }
                defer { handoff = Handoff(scheduled: true) }
                return (handoff.events, handoff.dropped)
            }
            guard let taken else { return }
            let current = clients.withLockedValue { $0 }
            for event in taken.events {
                for client in current {
                    let verdict = client.filter.evaluate(event)
                    if verdict.regexLimitHit { regexLimitHits.increment() }
                    if verdict.matches { client.offer(event) }
                }
            }
            // The dropped events came after every event taken (the hand-off was full).
            if taken.dropped > 0 {
                for client in current { client.missedUpstream(taken.dropped) }
            }
        }
    }

    func add(_ client: TailClient) {
        clients.withLockedValue { clients in
            clients.append(client)
            count.store(clients.count, ordering: .relaxed)
            connected.record(clients.count)
        }
    }

    func remove(_ client: TailClient) {
        clients.withLockedValue { clients in
            clients.removeAll { $0 === client }
            count.store(clients.count, ordering: .relaxed)
            connected.record(clients.count)
        }
    }

    /// Shutdown: ends every client's stream.
    func closeAll() {
        for client in clients.withLockedValue({ $0 }) { client.close() }
    }
}
