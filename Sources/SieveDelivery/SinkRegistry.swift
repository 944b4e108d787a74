import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import SieveConfig
import SieveSinks

/// The open sinks by name. A reload reuses a sink whose settings did not change (its file stays
/// open, nothing is lost), opens new ones, and hands back the ones no longer wanted.
package final class SinkRegistry: Sendable {
    private struct Open {
        var config: SinkConfig
        var sink: any EventSink
    }

    private let open = NIOLockedValueBox<[String: Open]>([:])
    private let logger: Logger
    private let metricsFactory: any MetricsFactory

    private let group: any EventLoopGroup

    package init(logger: Logger, metricsFactory: any MetricsFactory, group: any EventLoopGroup) {
        self.group = group
        self.logger = logger
        self.metricsFactory = metricsFactory
    }

    /// The sinks the config's clusters use, in config order; and the previously open sinks that
    /// the new set no longer holds (close them once the new routing table is in force). On an error
    /// nothing changes.
    package func prepare(_ config: AuditSieveConfig) throws -> (
        sinks: [String: any EventSink], retired: [any EventSink]
    ) {
        let used = Set((config.clusters + [config.defaultCluster]).flatMap(\.sinks))
        let current = open.withLockedValue { $0 }
        var next: [String: Open] = [:]
        var sinks: [String: any EventSink] = [:]
        var created: [any EventSink] = []
        do {
            for sinkConfig in config.sinks where used.contains(sinkConfig.name) {
                var comparable = sinkConfig
                comparable.line = current[sinkConfig.name]?.config.line ?? sinkConfig.line
                // `redact` applies before the sink (the routing table's): a change needs no new sink.
                if let existing = current[sinkConfig.name] { comparable.redaction = existing.config.redaction }
                if let existing = current[sinkConfig.name], existing.config == comparable {
                    next[sinkConfig.name] = existing
                    sinks[sinkConfig.name] = existing.sink
                    continue
                }
                let sink = try makeSink(sinkConfig)
                created.append(sink)
                next[sinkConfig.name] = Open(config: sinkConfig, sink: sink)
                sinks[sinkConfig.name] = sink
            }
        } catch {
            for sink in created { sink.close() }
            throw error
        }
        let kept = Set(next.values.map { ObjectIdentifier($0.sink) })
        let retired = current.values.map(\.sink).filter { !kept.contains(ObjectIdentifier($0)) }
        open.withLockedValue { $0 = next }
        return (sinks, retired)
    }

    private func makeSink(_ config: SinkConfig) throws -> any EventSink {
        switch config {
        case .file(let configuration, _):
            return try FileSink(configuration: configuration, logger: logger, metricsFactory: metricsFactory)
        case .syslog(let configuration, _):
            let sink = try SyslogSink(
                configuration: configuration, group: group, logger: logger, metricsFactory: metricsFactory)
            sink.keepConnected()
            return sink
        case .relp(let configuration, _):
            return RELPSink(configuration: configuration, logger: logger, metricsFactory: metricsFactory)
        case .kafka(let configuration, _):
            return try KafkaSink(configuration: configuration, logger: logger, metricsFactory: metricsFactory)
        }
    }

    package var all: [any EventSink] { open.withLockedValue { Array($0.values.map(\.sink)) } }
}
