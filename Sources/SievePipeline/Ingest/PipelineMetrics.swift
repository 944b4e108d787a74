import Metrics
import SieveAudit

/// Counters for what the parsers made of the messages, registered once and indexed by format, so
/// the hot path increments without any lookup.
public final class PipelineMetrics: Sendable {
    private let parsed: [Counter]
    private let truncated: [Counter]
    /// `auditsieve_regex_limit_hits_total{use="rules"}`: a `keep_tables`/`drop_tables` `re:`
    /// pattern reached the regex match limit while a record was judged (it counts as unparsed).
    let regexLimitHits: Counter
    /// `auditsieve_regex_limit_hits_total{use="redact"}`: a `redact:` `re:` pattern reached the
    /// regex match limit on an event's text, which that sink (or `/tail`) then got as `?`.
    let redactionRegexLimitHits: Counter
    /// `auditsieve_framing_messages_total`: a file tailer's `[` or `]` line, counted, not an event.
    let framingMessages: Counter
    /// `auditsieve_table_records_total{outcome}`: table records joined to their statement
    /// (`merged`), or sent on their own because it did not come in time or was not theirs (`alone`).
    let tableRecordsMerged: Counter
    let tableRecordsAlone: Counter

    public init(factory: any MetricsFactory) {
        parsed = AuditFormat.allCases.map {
            Counter(label: "auditsieve_records_total", dimensions: [("format", $0.rawValue)], factory: factory)
        }
        truncated = AuditFormat.allCases.map {
            Counter(
                label: "auditsieve_truncated_records_total", dimensions: [("format", $0.rawValue)], factory: factory)
        }
        regexLimitHits = Counter(
            label: "auditsieve_regex_limit_hits_total", dimensions: [("use", "rules")], factory: factory)
        redactionRegexLimitHits = Counter(
            label: "auditsieve_regex_limit_hits_total", dimensions: [("use", "redact")], factory: factory)
        framingMessages = Counter(label: "auditsieve_framing_messages_total", factory: factory)
        tableRecordsMerged = Counter(
            label: "auditsieve_table_records_total", dimensions: [("outcome", "merged")], factory: factory)
        tableRecordsAlone = Counter(
            label: "auditsieve_table_records_total", dimensions: [("outcome", "alone")], factory: factory)
    }

    func count(_ tally: FormatTally) {
        for (index, value) in tally.parsed.enumerated() where value > 0 {
            parsed[index].increment(by: value)
        }
        for (index, value) in tally.truncated.enumerated() where value > 0 {
            truncated[index].increment(by: value)
        }
    }
}

/// Per-batch counts, flushed to `PipelineMetrics` once per batch rather than once per event.
struct FormatTally {
    /// `allCases` once, not per event.
    private static let formats = AuditFormat.allCases

    var parsed = [Int64](repeating: 0, count: formats.count)
    var truncated = [Int64](repeating: 0, count: formats.count)

    mutating func add(_ format: AuditFormat, truncated isTruncated: Bool) {
        let index = Self.formats.firstIndex(of: format)!
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
