import Metrics

/// One listener's counters (`listener` label = its name, e.g. `tcp://127.0.0.1:5514`).
public final class ListenerMetrics: Sendable {
    public let connectionsAccepted: Counter
    public let connectionsOpen: Gauge
    public let connectionsClosedIdle: Counter
    /// Connections closed because all connections together held more than `limits.buffered_bytes`.
    public let connectionsClosedBuffered: Counter
    /// New connections refused at `max_connections` / `max_connections_per_sender`, in `ConnectionRegistry.Refusal` order.
    let rejected: [Counter]
    /// `auditsieve_rejected_datagrams_total{reason="sender_not_allowed"}`: UDP datagrams from outside `allowed_senders`.
    let rejectedDatagrams: Counter
    /// `auditsieve_source_identity_mismatches_total`: messages whose HOSTNAME the sender's
    /// certificate does not cover (`source_identity: certificate`); routed by the certificate.
    let identityMismatches: Counter
    /// accept(2) failures (EMFILE, ENFILE, ENOBUFS…); accepting backs off after each.
    public let acceptErrors: Counter
    public let frames: Counter
    public let bytes: Counter
    public let frameTooLarge: Counter
    public let connectionErrors: Counter
    public let oversizeTruncated: Counter
    public let oversizeDropped: Counter
    public let receiveErrors: Counter
    /// Times a connection stopped reading because a queue it feeds was full (`when_full: block`).
    public let pauses: Counter
    /// 1 while the listener's socket is bound and open, 0 once it closed.
    public let up: Gauge
    /// TCP read bursts read on their connection's event loop, and on a helper thread (`BurstHelpers`).
    let burstsOnEventLoop: Counter
    let burstsOnHelper: Counter

    public init(listener: String, factory: any MetricsFactory) {
        let l = ("listener", listener)
        connectionsAccepted = Counter(label: "auditsieve_listener_connections_total", dimensions: [l], factory: factory)
        connectionsOpen = Gauge(label: "auditsieve_listener_open_connections", dimensions: [l], factory: factory)
        connectionsClosedIdle = Counter(
            label: "auditsieve_listener_closed_connections_total", dimensions: [l, ("reason", "idle_timeout")],
            factory: factory
        )
        connectionsClosedBuffered = Counter(
            label: "auditsieve_listener_closed_connections_total", dimensions: [l, ("reason", "buffered_bytes")],
            factory: factory
        )
        rejected = ConnectionRegistry.Refusal.allCases.map {
            Counter(
                label: "auditsieve_rejected_connections_total", dimensions: [l, ("reason", $0.rawValue)],
                factory: factory)
        }
        acceptErrors = Counter(label: "auditsieve_listener_accept_errors_total", dimensions: [l], factory: factory)
        rejectedDatagrams = Counter(
            label: "auditsieve_rejected_datagrams_total", dimensions: [l, ("reason", "sender_not_allowed")],
            factory: factory)
        identityMismatches = Counter(
            label: "auditsieve_source_identity_mismatches_total", dimensions: [l], factory: factory)
        frames = Counter(label: "auditsieve_listener_frames_total", dimensions: [l], factory: factory)
        bytes = Counter(label: "auditsieve_listener_bytes_total", dimensions: [l], factory: factory)
        frameTooLarge = Counter(
            label: "auditsieve_listener_framing_errors_total", dimensions: [l, ("reason", "frame_too_large")],
            factory: factory
        )
        connectionErrors = Counter(
            label: "auditsieve_listener_framing_errors_total", dimensions: [l, ("reason", "connection_error")],
            factory: factory
        )
        oversizeTruncated = Counter(
            label: "auditsieve_listener_oversize_total", dimensions: [l, ("action", "truncate")], factory: factory
        )
        oversizeDropped = Counter(
            label: "auditsieve_listener_oversize_total", dimensions: [l, ("action", "drop")], factory: factory
        )
        receiveErrors = Counter(label: "auditsieve_listener_receive_errors_total", dimensions: [l], factory: factory)
        pauses = Counter(label: "auditsieve_listener_paused_total", dimensions: [l], factory: factory)
        up = Gauge(label: "auditsieve_listener_up", dimensions: [l], factory: factory)
        burstsOnEventLoop = Counter(
            label: "auditsieve_listener_bursts_total", dimensions: [l, ("read_on", "event_loop")], factory: factory)
        burstsOnHelper = Counter(
            label: "auditsieve_listener_bursts_total", dimensions: [l, ("read_on", "helper")], factory: factory)
        up.record(0)
    }

    func rejected(_ refusal: ConnectionRegistry.Refusal) -> Counter {
        rejected[ConnectionRegistry.Refusal.allCases.firstIndex(of: refusal)!]
    }
}
