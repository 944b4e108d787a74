import Metrics

/// The counters a sink keeps, registered once (no lookups per event). Events are counted per
/// (cluster, sink) queue (`auditsieve_forwarded_events_total`); a sink counts bytes and errors.
public struct SinkMetrics: Sendable {
    public let writtenBytes: Counter
    public let writeErrors: Counter
    /// 1 while the sink takes batches, 0 while it fails or is disconnected.
    public let up: Gauge
    /// Connections made (syslog sinks).
    public let connects: Counter

    public init(sink: String, factory: any MetricsFactory) {
        writtenBytes = Counter(label: "auditsieve_sink_written_bytes_total", dimensions: [("sink", sink)], factory: factory)
        writeErrors = Counter(label: "auditsieve_sink_write_errors_total", dimensions: [("sink", sink)], factory: factory)
        up = Gauge(label: "auditsieve_sink_up", dimensions: [("sink", sink)], factory: factory)
        connects = Counter(label: "auditsieve_sink_connects_total", dimensions: [("sink", sink)], factory: factory)
    }
}
