import SieveOps
import Testing

@testable import SievePipeline

/// `auditsieve plan` arithmetic, checked by hand.
@Suite("queue plan")
struct QueuePlanTests {
    @Test("the issue's example: 20000/s × 500 B × 4 h = 144.0 GB = 134.1 GiB, then each factor")
    func issueExample() {
        let plan = QueuePlan(eventsPerSecond: 20_000, eventBytes: 500, outageSeconds: 4 * 3600)
        #expect(plan.rawBytes == 144_000_000_000)
        let text = plan.render()
        #expect(text.contains("raw need               144.0 GB = 134.1 GiB"))
        // 144e9 / 3.4 = 42.35e9 B = 39.44 GiB; × 1.5 = 63.53e9 B = 59.17 GiB → 60GiB.
        #expect(text.contains("÷ compression 3.4:1    42.4 GB = 39.4 GiB"))
        #expect(text.contains("× headroom 1.5         63.5 GB = 59.2 GiB"))
        #expect(plan.spoolSetting == "60GiB")
        // rsyslog holds it uncompressed: 144e9 × 1.5 = 216e9 B = 201.2 GiB → "202g" (lower case: 1024-based).
        #expect(plan.rsyslogSetting == "202g")
        #expect(text.contains(#"queue.maxDiskSpace="202g""#))
    }

    @Test("several senders share the rate; small results round up to MiB")
    func sendersAndSmallSizes() {
        let plan = QueuePlan(name: "billing", eventsPerSecond: 10, eventBytes: 800, outageSeconds: 600, senders: 4)
        // 10 × 800 × 600 = 4.8e6 B; / 3.4 × 1.5 = 2,117,647 B = 2.02 MiB → 3MiB.
        #expect(plan.spoolSetting == "3MiB")
        // Per sender: 4.8e6 / 4 × 1.5 = 1.8e6 B = 1.72 MiB → "2m".
        #expect(plan.rsyslogSetting == "2m")
        #expect(plan.render().hasPrefix("billing: 10 events/s × 800 B × 10m outage"))
    }

    @Test("several sinks multiply the spool; senders sized from their own rate and frame size")
    func sinksAndSenders() {
        // 1000 kept/s × 600 B × 1 h = 2.16e9 B; / 3.4 = 635.3e6 B; × 2 sinks = 1270.6e6 B;
        // × 1.5 = 1905.9e6 B = 1.775 GiB → 2GiB.
        let plan = QueuePlan(
            name: "billing", eventsPerSecond: 1000, eventBytes: 600, outageSeconds: 3600, sinks: 2,
            senderRecordsPerSecond: 20_000, senderRecordBytes: 450
        )
        #expect(plan.spoolSetting == "2GiB")
        // Senders: 20000 records/s × 450 B × 3600 s = 32.4e9 B; × 1.5 = 48.6e9 B = 45.26 GiB → "46g".
        #expect(plan.senderRawBytes == 32_400_000_000)
        #expect(plan.rsyslogSetting == "46g")
        let text = plan.render()
        #expect(text.contains("× 2 sinks            1.3 GB = 1.2 GiB"), "\(text)")
        #expect(
            text.contains(
                "senders forward every record, before filtering: 20,000 records/s × 450 B × 1h = 32.4 GB = 30.2 GiB"),
            "\(text)")
        #expect(text.contains(#"queue.maxDiskSpace="46g""#))
    }

    @Test("Prometheus text: samples with labels, sums by label")
    func prometheusText() {
        let text = PrometheusText(
            """
            # HELP auditsieve_kept_events_total kept
            # TYPE auditsieve_kept_events_total counter
            auditsieve_kept_events_total{cluster="billing"} 120
            auditsieve_kept_events_total{cluster="default"} 30
            auditsieve_forwarded_events_total{cluster="billing",sink="siem"} 100
            auditsieve_forwarded_events_total{cluster="billing",sink="archive"} 120
            auditsieve_sink_written_bytes_total{sink="a \\"quoted\\" name"} 4.5e3
            plain_metric 7
            """)
        #expect(text.sum("auditsieve_kept_events_total") == 150)
        #expect(text.sum("auditsieve_kept_events_total", matching: ["cluster": "billing"]) == 120)
        #expect(text.sum("auditsieve_forwarded_events_total", matching: ["sink": "siem"]) == 100)
        #expect(text.labelValues("auditsieve_kept_events_total", label: "cluster") == ["billing", "default"])
        #expect(
            text.labelValues("auditsieve_forwarded_events_total", label: "sink", matching: ["cluster": "billing"]) == [
                "archive", "siem",
            ])
        #expect(
            text.labelValues("auditsieve_forwarded_events_total", label: "sink", matching: ["cluster": "default"])
                .isEmpty)
        #expect(text.sum("auditsieve_sink_written_bytes_total", matching: ["sink": #"a "quoted" name"#]) == 4500)
        #expect(text.sum("plain_metric") == 7)
    }
}
