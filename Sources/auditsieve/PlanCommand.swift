import ArgumentParser
import Foundation
import SieveConfig
import SieveOps
import SievePipeline

#if canImport(Glibc)
    import Glibc
#endif

/// `auditsieve plan`: queue space per cluster for an outage of a given length.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract:
            "Size the spool (spool.max_bytes) and the senders' rsyslog queues (queue.maxDiskSpace) for an outage.",
        discussion: """
            With --rate and --event-bytes it needs no config and no server. Without --rate it reads \
            a running server's /metrics twice, --sample apart, and plans each cluster from its kept \
            events per second and the mean event size its sinks wrote (spool: one copy per sink of \
            the cluster), and the senders' queues from the records per second the cluster received \
            and the mean syslog frame size the listeners read (senders forward before filtering).

            Example: auditsieve plan --rate 20000 --event-bytes 500 --outage 4h
            """
    )

    @Option(help: "Events per second to plan for (kept events, i.e. what the queues take).")
    var rate: Double?

    @Option(help: "Mean size of one event in bytes (JSON event as the sink gets it).")
    var eventBytes: Double?

    @Option(help: "Outage to ride out: 30m, 4h, 1d.")
    var outage: String = "4h"

    @Option(help: "Spool compression ratio (zstd on audit JSON; `auditsieve spool inspect` shows yours).")
    var compression: Double = QueuePlan.defaultCompression

    @Option(help: "Safety factor for bursts and growth.")
    var headroom: Double = QueuePlan.defaultHeadroom

    @Option(help: "rsyslog senders sharing the rate (each holds its share).")
    var senders: Int = 1

    @Option(help: "Sinks of the cluster that may be down at once (each queue keeps its own copy in the spool).")
    var sinks: Int = 1

    @Option(help: "Records per second the senders forward, before filtering (default: --rate).")
    var senderRate: Double?

    @Option(help: "Bytes per syslog frame the senders send (default: --event-bytes).")
    var recordBytes: Double?

    @Option(help: "Cluster name to put in the output (offline mode).")
    var cluster: String = "cluster"

    @Option(help: "A running server's HTTP endpoint (without --rate).")
    var endpoint: String = "http://127.0.0.1:9514"

    @Option(help: "Seconds between the two /metrics reads (without --rate).")
    var sample: Double = 10

    func validate() throws {
        guard (ConfigValue.durationMilliseconds(outage) ?? 0) > 0 else {
            throw ValidationError("--outage '\(outage)' is not a duration; use e.g. 30m, 4h, 1d")
        }
        if rate != nil && eventBytes == nil {
            throw ValidationError("--rate needs --event-bytes (the mean event size)")
        }
        if let rate, rate <= 0 { throw ValidationError("--rate must be positive") }
        if let eventBytes, eventBytes <= 0 { throw ValidationError("--event-bytes must be positive") }
        guard compression >= 1 else { throw ValidationError("--compression is a ratio ≥ 1, e.g. 3.4") }
        guard headroom >= 1 else { throw ValidationError("--headroom is a factor ≥ 1, e.g. 1.5") }
        guard senders >= 1 else { throw ValidationError("--senders must be at least 1") }
        guard sinks >= 1 else { throw ValidationError("--sinks must be at least 1") }
        if let senderRate, senderRate <= 0 { throw ValidationError("--sender-rate must be positive") }
        if let recordBytes, recordBytes <= 0 { throw ValidationError("--record-bytes must be positive") }
    }

    func run() throws {
        let seconds = Double(ConfigValue.durationMilliseconds(outage)!) / 1000
        if let rate, let eventBytes {
            let plan = QueuePlan(
                name: cluster, eventsPerSecond: rate, eventBytes: eventBytes, outageSeconds: seconds,
                compression: compression, headroom: headroom, senders: senders, sinks: sinks,
                senderRecordsPerSecond: senderRate, senderRecordBytes: recordBytes
            )
            print(plan.render(), terminator: "")
            return
        }
        let first = try MetricsFetch.scrape(endpoint)
        Thread.sleep(forTimeInterval: sample)
        let second = try MetricsFetch.scrape(endpoint)
        let clusters = second.labelValues("auditsieve_kept_events_total", label: "cluster")
        guard !clusters.isEmpty else {
            throw ValidationError("\(endpoint)/metrics has no auditsieve_kept_events_total")
        }
        let bytes = second.sum("auditsieve_sink_written_bytes_total") - first.sum("auditsieve_sink_written_bytes_total")
        let events = second.sum("auditsieve_forwarded_events_total") - first.sum("auditsieve_forwarded_events_total")
        let meanBytes = events > 0 ? bytes / events : 800
        if events <= 0 {
            print(
                "(no events forwarded while sampling: assuming 800 B per event; pass --rate/--event-bytes to plan by hand)"
            )
        }
        let frameBytes = second.sum("auditsieve_listener_bytes_total") - first.sum("auditsieve_listener_bytes_total")
        let frames = second.sum("auditsieve_listener_frames_total") - first.sum("auditsieve_listener_frames_total")
        let meanFrameBytes = frames > 0 ? frameBytes / frames : meanBytes
        for name in clusters {
            func rate(_ metric: String) -> Double {
                max(
                    (second.sum(metric, matching: ["cluster": name]) - first.sum(metric, matching: ["cluster": name]))
                        / sample, 0)
            }
            let clusterSinks = second.labelValues(
                "auditsieve_forwarded_events_total", label: "sink", matching: ["cluster": name]
            ).count
            let plan = QueuePlan(
                name: name, eventsPerSecond: rate("auditsieve_kept_events_total"), eventBytes: meanBytes.rounded(),
                outageSeconds: seconds, compression: compression, headroom: headroom, senders: senders,
                sinks: max(sinks, clusterSinks),
                senderRecordsPerSecond: rate("auditsieve_received_events_total"),
                senderRecordBytes: meanFrameBytes.rounded()
            )
            print(plan.render(), terminator: "")
        }
    }
}
