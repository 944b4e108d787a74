import Metrics
import SieveAudit

/// Counters for what the parsers made of the messages, registered once and indexed by format, so
/// the hot path increments without any lookup.
public final class PipelineMetrics: Sendable {
    public let received: Counter
    private let parsed: [Counter]
    private let truncated: [Counter]

    public init(cluster: String = "default", factory: any MetricsFactory) {
        received = Counter(label: "auditsieve_received_events_total", dimensions: [("cluster", cluster)], factory: factory)
        parsed = AuditFormat.allCases.map {
            Counter(label: "auditsieve_records_total", dimensions: [("format", $0.rawValue)], factory: factory)
        }
        truncated = AuditFormat.allCases.map {
            Counter(label: "auditsieve_truncated_records_total", dimensions: [("format", $0.rawValue)], factory: factory)
        }
    }

    func count(_ tally: FormatTally) {
        var total: Int64 = 0
        for (index, value) in tally.parsed.enumerated() where value > 0 {
            parsed[index].increment(by: value)
            total += value
        }
        for (index, value) in tally.truncated.enumerated() where value > 0 {
            truncated[index].increment(by: value)
        }
        if total > 0 { received.increment(by: total) }
    }
}

/// Per-batch counts, flushed to `PipelineMetrics` once per batch rather than once per event.
struct FormatTally {
    var parsed = [Int64](repeating: 0, count: AuditFormat.allCases.count)
    var truncated = [Int64](repeating: 0, count: AuditFormat.allCases.count)

    mutating func add(_ format: AuditFormat, truncated isTruncated: Bool) {
        let index = AuditFormat.allCases.firstIndex(of: format)!
        parsed[index] += 1
        if isTruncated { truncated[index] += 1 }
    }

    mutating func reset() {
        for index in parsed.indices {
            parsed[index] = 0
            truncated[index] = 0
        }
    }
}
