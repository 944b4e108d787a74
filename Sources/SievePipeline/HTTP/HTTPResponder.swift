import Prometheus
import SieveHTTPRouting

/// What the HTTP handlers answer from: the metrics registry, the server's readiness, the tail hub.
struct HTTPResponder: Sendable {
    let router: HTTPRequestRouter
    let registry: PrometheusCollectorRegistry
    let readiness: @Sendable () -> ReadinessReport
    let tail: TailHub
    let tailBufferBytes: Int
    /// Series written at scrape time rather than kept in the registry (per source host).
    let appendMetrics: @Sendable (inout [UInt8]) -> Void
    /// The endpoint's own refusals and accept errors.
    let metrics: HTTPMetrics
}
