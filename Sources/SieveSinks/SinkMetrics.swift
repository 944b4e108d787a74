import Metrics

/// The counters a sink keeps, registered once (no lookups per event). Events are counted per
/// (cluster, sink) queue (`auditsieve_forwarded_events_total`); a sink counts bytes and errors.
public struct SinkMetrics: Sendable {
    public let writtenBytes: Counter
    /// 1 while the sink takes batches, 0 while it fails or is disconnected.
    public let up: Gauge
    /// Connections made (syslog sinks).
    public let connects: Counter
    /// Failed writes by `SinkError.Code`, one series per code the sink can fail with, there from
    /// the start (at 0), so a rate over them needs no series to appear first.
    private let writeErrors: [SinkError.Code: Counter]

    public init(sink: String, errorCodes: [SinkError.Code], factory: any MetricsFactory) {
        writtenBytes = Counter(
            label: "auditsieve_sink_written_bytes_total", dimensions: [("sink", sink)], factory: factory)
        up = Gauge(label: "auditsieve_sink_up", dimensions: [("sink", sink)], factory: factory)
        connects = Counter(label: "auditsieve_sink_connects_total", dimensions: [("sink", sink)], factory: factory)
        var writeErrors: [SinkError.Code: Counter] = [:]
        for code in errorCodes where code.isWriteError {
            writeErrors[code] = Counter(
                label: "auditsieve_sink_write_errors_total", dimensions: [("sink", sink), ("reason", code.rawValue)],
                factory: factory
            )
        }
        self.writeErrors = writeErrors
    }

    /// Counts a failed write under its code (a code the sink was not registered with is not counted:
    /// a programming error, caught by the tests).
    public func countWriteError(_ code: SinkError.Code) {
        assert(writeErrors[code] != nil, "\(code) is not a write error code of this sink")
        writeErrors[code]?.increment()
    }
}
