import Foundation
import Metrics
import NIOConcurrencyHelpers

/// Per source host (the syslog HOSTNAME, else the sender's address): when it last sent anything
/// (`auditsieve_source_last_seen_timestamp_seconds{host}`, so a DB host that falls silent raises an
/// alert) and how many of its records never arrived (`auditsieve_record_gaps_total{host}`, from
/// the plugin's record counter; see `RecordSequence`). At most `maxHosts` hosts are tracked;
/// messages from further hosts are counted in `auditsieve_source_hosts_overflow_total`.
final class SourceTracker: Sendable {
    private struct Host {
        var sequence = RecordSequence()
        let lastSeen: Gauge
        let gaps: Counter
    }

    /// What one batch saw from one host.
    struct Observation {
        var host: [UInt8]
        var records: [UInt64] = []
        var messages = 0
    }

    static let maxHosts = 10_000

    private let hosts = NIOLockedValueBox<[String: Host]>([:])
    private let overflow: Counter
    private let factory: any MetricsFactory

    init(factory: any MetricsFactory) {
        self.factory = factory
        overflow = Counter(label: "auditsieve_source_hosts_overflow_total", factory: factory)
    }

    /// Applies a batch's observations (one lock per batch).
    func record(_ observations: [Observation], now: Double = Date().timeIntervalSince1970) {
        guard !observations.isEmpty else { return }
        hosts.withLockedValue { hosts in
            for observation in observations {
                let name = String(decoding: observation.host, as: UTF8.self)
                if hosts[name] == nil {
                    guard hosts.count < Self.maxHosts else {
                        overflow.increment(by: Int64(observation.messages))
                        continue
                    }
                    hosts[name] = Host(
                        lastSeen: Gauge(label: "auditsieve_source_last_seen_timestamp_seconds", dimensions: [("host", name)], factory: factory),
                        gaps: Counter(label: "auditsieve_record_gaps_total", dimensions: [("host", name)], factory: factory)
                    )
                    hosts[name]!.gaps.increment(by: 0)
                }
                var host = hosts[name]!
                host.lastSeen.record(now)
                var lost: UInt64 = 0
                for number in observation.records { lost += host.sequence.observe(number, now: now) }
                if lost > 0 { host.gaps.increment(by: Int64(lost)) }
                hosts[name] = host
            }
        }
    }

    /// Counts pending gaps that have aged out, for hosts that went quiet (called every few seconds).
    func settle(now: Double = Date().timeIntervalSince1970) {
        hosts.withLockedValue { hosts in
            for (name, var host) in hosts where !host.sequence.pending.isEmpty {
                let lost = host.sequence.settle(now: now)
                if lost > 0 { host.gaps.increment(by: Int64(lost)) }
                hosts[name] = host
            }
        }
    }

    var hostCount: Int { hosts.withLockedValue { $0.count } }
}
