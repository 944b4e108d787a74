import CoreMetrics
import NIOConcurrencyHelpers
import Synchronization

/// Where the pipeline hands kept events to `/tail` clients. With no client connected the ingest
/// path pays one relaxed atomic load per kept event and nothing else; with clients, each event goes
/// to the buffers of the clients whose filter it matches (never waiting for one: see `TailClient`).
public final class TailHub: Sendable {
    private let count = Atomic<Int>(0)
    private let clients = NIOLockedValueBox<[TailClient]>([])
    /// `auditsieve_tail_clients`: `/tail` clients connected now.
    private let connected: Gauge
    /// `auditsieve_tail_missed_events_total`: events a client missed because it read too slowly
    /// (counted per client; each client also gets a notice line with its own count).
    let missed: Counter

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        connected = Gauge(label: "auditsieve_tail_clients", factory: factory)
        missed = Counter(label: "auditsieve_tail_missed_events_total", factory: factory)
    }

    /// Checked before any tail work is done for an event.
    var hasClients: Bool { count.load(ordering: .relaxed) > 0 }

    var clientCount: Int { count.load(ordering: .relaxed) }

    func publish(_ event: TailEvent) {
        for client in clients.withLockedValue({ $0 }) where client.filter.matches(event) {
            client.offer(event)
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
