import Metrics

/// The HTTP endpoint's own counters: what it refused, and failed accepts.
final class HTTPMetrics: Sendable {
    enum Refusal: String, CaseIterable {
        /// `http.max_connections` were open: the new connection was closed at once.
        case maxConnections = "max_connections"
        /// The request did not arrive whole within `http.request_timeout` (408).
        case requestTimeout = "request_timeout"
        /// The request announced a body (413): nothing served here takes one.
        case requestBody = "request_body"
        /// The client did not read its answer within `http.request_timeout`: closed unanswered.
        case responseTimeout = "response_timeout"
    }

    private let refused: [Counter]
    let acceptErrors: Counter
    let open: Gauge

    init(factory: any MetricsFactory) {
        refused = Refusal.allCases.map {
            Counter(label: "auditsieve_http_refused_total", dimensions: [("reason", $0.rawValue)], factory: factory)
        }
        acceptErrors = Counter(label: "auditsieve_http_accept_errors_total", factory: factory)
        open = Gauge(label: "auditsieve_http_open_connections", factory: factory)
        open.record(0)
    }

    func refused(_ reason: Refusal) -> Counter { refused[Refusal.allCases.firstIndex(of: reason)!] }
}
