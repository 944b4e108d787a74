import Metrics

/// The counters a sink keeps, registered once (no lookups per event).
public struct SinkMetrics: Sendable {
    public let written: Counter
    public let writtenBytes: Counter
    public let dropped: Counter
    public let writeErrors: Counter

    public init(sink: String, factory: any MetricsFactory) {
        written = Counter(label: "auditsieve_sink_written_events_total", dimensions: [("sink", sink)], factory: factory)
        writtenBytes = Counter(label: "auditsieve_sink_written_bytes_total", dimensions: [("sink", sink)], factory: factory)
        dropped = Counter(
            label: "auditsieve_dropped_events_total", dimensions: [("sink", sink), ("reason", "sink_buffer_full")],
            factory: factory
        )
        writeErrors = Counter(label: "auditsieve_sink_write_errors_total", dimensions: [("sink", sink)], factory: factory)
    }
}
