import Metrics
import SieveConfig

/// One (cluster, sink) queue's accounting: enqueued + recovered = forwarded + queued + dropped,
/// always (and with `kept` counted per cluster, kept = enqueued for every sink the cluster had
/// since the start).
package final class QueueMetrics: Sendable {
    package enum DropReason: String, CaseIterable {
        /// `when_full: drop_newest`, or a UDP datagram's events while `block` holds the queue full.
        case queueFull = "queue_full"
        /// An event larger than the whole spool bound (or 16 MiB) can never be spooled.
        case tooLarge = "too_large"
        /// Shutdown with events no spool could take (memory-only queue, or the disk full).
        case shutdown
        /// Events in spool blocks that turned out unreadable (checksum or decompression failure).
        case spoolCorrupt = "spool_corrupt"
    }

    /// Events the cluster handed to this queue (kept events, counted per sink).
    package let enqueued: Counter
    package let forwarded: Counter
    /// Events found in the spool at start (kept by an earlier run).
    package let recovered: Counter
    private let dropped: [Counter]
    package let queued: Gauge
    package let spoolBytes: Gauge
    /// Appends the spool refused because its bound or the disk was full.
    package let spoolFull: Counter
    /// Spool write failures for lack of space (ENOSPC, EDQUOT, EFBIG), and other I/O errors.
    package let spoolOutOfSpace: Counter
    package let spoolIOErrors: Counter
    /// Age of the oldest event waiting (0 when none), refreshed every second.
    package let oldestQueuedSeconds: Gauge

    package init(cluster: String, sink: String, factory: any MetricsFactory) {
        let dimensions = [("cluster", cluster), ("sink", sink)]
        enqueued = Counter(label: "auditsieve_enqueued_events_total", dimensions: dimensions, factory: factory)
        forwarded = Counter(label: "auditsieve_forwarded_events_total", dimensions: dimensions, factory: factory)
        recovered = Counter(label: "auditsieve_recovered_events_total", dimensions: dimensions, factory: factory)
        dropped = DropReason.allCases.map {
            Counter(
                label: "auditsieve_dropped_events_total", dimensions: dimensions + [("reason", $0.rawValue)],
                factory: factory)
        }
        queued = Gauge(label: "auditsieve_queued_events", dimensions: dimensions, factory: factory)
        spoolBytes = Gauge(label: "auditsieve_spool_bytes", dimensions: dimensions, factory: factory)
        spoolFull = Counter(label: "auditsieve_spool_full_total", dimensions: dimensions, factory: factory)
        spoolOutOfSpace = Counter(
            label: "auditsieve_spool_errors_total", dimensions: dimensions + [("kind", "out_of_space")],
            factory: factory
        )
        spoolIOErrors = Counter(
            label: "auditsieve_spool_errors_total", dimensions: dimensions + [("kind", "io")], factory: factory)
        oldestQueuedSeconds = Gauge(label: "auditsieve_oldest_queued_seconds", dimensions: dimensions, factory: factory)
    }

    package func drop(_ count: Int, _ reason: DropReason) {
        guard count > 0 else { return }
        dropped[DropReason.allCases.firstIndex(of: reason)!].increment(by: Int64(count))
    }
}
