import Logging
import SieveEvent
import SieveSinks

/// Hands encoded batches to the sinks of the cluster they belong to. Today every record belongs
/// to the default cluster; cluster matching and table rules plug in here.
public final class EventRouter: Sendable {
    public let sinks: [any EventSink]
    public let metrics: PipelineMetrics
    /// Messages that are not audit records: counted in metrics, logged at most once per 10 s.
    let unknownMessages: RateLimitedLog
    let needsJSON: Bool
    let needsRaw: Bool

    public init(sinks: [any EventSink], metrics: PipelineMetrics, logger: Logger) {
        self.sinks = sinks
        self.metrics = metrics
        self.unknownMessages = RateLimitedLog(logger: logger)
        self.needsJSON = sinks.contains { $0.encoding == .json }
        self.needsRaw = sinks.contains { $0.encoding == .raw }
    }

    func deliver(json: [UInt8], raw: [UInt8], events: Int) {
        for sink in sinks {
            sink.append(sink.encoding == .json ? json : raw, events: events)
        }
    }
}
