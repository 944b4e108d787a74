import Prometheus

/// What the HTTP handlers answer from: the metrics registry, the server's readiness, the tail hub.
struct HTTPResponder: Sendable {
    let router: HTTPRequestRouter
    let registry: PrometheusCollectorRegistry
    let readiness: @Sendable () -> ReadinessReport
    let tail: TailHub
    let tailBufferBytes: Int
}
