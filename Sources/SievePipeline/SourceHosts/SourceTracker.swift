import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers
import SieveConfig

/// Per source host (the syslog HOSTNAME, else the sender's address, as a bounded `SourceLabel`):
/// when it last sent anything (`auditsieve_source_last_seen_timestamp_seconds{host}`, so a DB
/// host that falls silent raises an alert) and how many of its records never arrived
/// (`auditsieve_record_gaps_total{host}`, from the plugin's record counter; see `RecordSequence`).
///
/// At most `maxHosts` hosts are tracked (`limits.max_tracked_hosts`); messages from further hosts
/// are counted in `auditsieve_source_hosts_overflow_total`. The per-host series are written by
/// `appendPrometheus` at scrape time, not registered as metric objects: registering one more label
/// set in the Prometheus registry copies its table, so hosts would get slower to add the more there
/// are. Here a new host is one dictionary entry, and `/metrics` grows by at most two lines of at most
/// ~140 bytes per tracked host, whatever senders write in their headers.
final class SourceTracker: Sendable {
    struct Host: Sendable {
        var sequence: RecordSequence
        var lastSeen: Double = 0
        var gaps: UInt64 = 0
    }

    /// What one batch saw from one host.
    struct Observation {
        var host: String
        var records: [UInt64] = []
        var messages = 0
    }

    let maxHosts: Int
    let maxJump: UInt64
    private let hosts = NIOLockedValueBox<[String: Host]>([:])
    private let overflow: Counter
    private let jumps: Counter
    private let jumpWarning: RateLimitedLog

    init(
        factory: any MetricsFactory, limits: LimitsConfig = LimitsConfig(), logger: Logger = Logger(label: "auditsieve")
    ) {
        maxHosts = limits.maxTrackedHosts
        maxJump = limits.gapMaxJump
        overflow = Counter(label: "auditsieve_source_hosts_overflow_total", factory: factory)
        jumps = Counter(label: "auditsieve_record_counter_jumps_total", factory: factory)
        jumpWarning = RateLimitedLog(logger: logger)
    }

    /// Applies a batch's observations (one lock per batch, constant time per host).
    func record(_ observations: [Observation], now: Double = Date().timeIntervalSince1970) {
        guard !observations.isEmpty else { return }
        var jumped: [(String, UInt64)] = []
        var overflowed: Int64 = 0
        hosts.withLockedValue { hosts in
            for observation in observations {
                if hosts[observation.host] == nil {
                    guard hosts.count < maxHosts else {
                        overflowed += Int64(observation.messages)
                        continue
                    }
                    var sequence = RecordSequence()
                    sequence.maxJump = maxJump
                    hosts[observation.host] = Host(sequence: sequence)
                }
                // One look-up per host and batch, not per record (this runs under the lock every
                // connection takes).
                let newJumps = Self.apply(observation, to: &hosts[observation.host]!, now: now)
                if newJumps > 0 { jumped.append((observation.host, UInt64(newJumps))) }
            }
        }
        if overflowed > 0 { overflow.increment(by: overflowed) }
        for (host, count) in jumped {
            jumps.increment(by: Int64(count))
            jumpWarning.warning(
                "a record number jumped more than limits.gap_max_jump above the host's highest: a counter restart or a forged record; not counted as gaps",
                metadata: ["host": "\(host)", "limit": "\(maxJump)"]
            )
        }
    }

    /// Takes one host's records of a batch; returns how many times its counter jumped.
    private static func apply(_ observation: Observation, to host: inout Host, now: Double) -> Int {
        host.lastSeen = now
        let jumpsBefore = host.sequence.jumps
        var lost: UInt64 = 0
        for number in observation.records { lost += host.sequence.observe(number, now: now) }
        host.gaps += lost
        return host.sequence.jumps - jumpsBefore
    }

    /// Counts pending gaps that have aged out, for hosts that went quiet (called every few seconds).
    func settle(now: Double = Date().timeIntervalSince1970) {
        hosts.withLockedValue { hosts in
            for (name, host) in hosts where host.sequence.hasPending {
                hosts[name]!.gaps += hosts[name]!.sequence.settle(now: now)
            }
        }
    }

    var hostCount: Int { hosts.withLockedValue { $0.count } }

    /// One host's state (tests, diagnostics); nil when it is not tracked.
    func host(_ label: String) -> Host? { hosts.withLockedValue { $0[label] } }

    /// The per-host series in the Prometheus text format, appended to `buffer`. Labels are
    /// `SourceLabel`s: only `A-Z a-z 0-9 . - _ : [ ] ~`, nothing to escape.
    func appendPrometheus(into buffer: inout [UInt8]) {
        let snapshot = hosts.withLockedValue { $0.map { ($0.key, $0.value.lastSeen, $0.value.gaps) } }.sorted {
            $0.0 < $1.0
        }
        var text = "# TYPE auditsieve_source_last_seen_timestamp_seconds gauge\n"
        for (host, lastSeen, _) in snapshot {
            text +=
                "auditsieve_source_last_seen_timestamp_seconds{host=\"\(host)\"} \(String(format: "%.3f", lastSeen))\n"
        }
        text += "# TYPE auditsieve_record_gaps_total counter\n"
        for (host, _, gaps) in snapshot {
            text += "auditsieve_record_gaps_total{host=\"\(host)\"} \(gaps)\n"
        }
        buffer.append(contentsOf: text.utf8)
    }
}
