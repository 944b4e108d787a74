import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension EndToEnd.SpoolCrash {
    @Test(
        "durability: memory (the default), kill -9 with the sink down: what the queue held in memory is lost, as the README's guarantees table says; a SIGTERM would have saved it"
    )
    func memoryDurabilityLosesOnKillNine() async throws {
        let directory = try TemporaryDirectory("memory-kill9")
        defer { directory.remove() }
        let port = try unusedPort()  // nothing listens here until the collector starts below
        let spool = directory.path("spool")
        let yaml = Self.yaml(spool: spool, collectorPort: port, cluster: "{max_bytes: 256MiB}")
        let first = try await AuditsieveServer.start(yaml: yaml, in: directory, name: "first")
        defer { first.stop() }
        _ = try await EndToEnd.Shutdown.sendAndDrain(
            port: first.tcpPort, connections: 1, perConnection: 200, firstRecord: 1)
        _ = try await eventually("200 events queued", diagnostics: { first.stderrTail() }) {
            try MetricsScrape(httpPort: first.httpPort).value("auditsieve_queued_events") == 200 ? true : nil
        }
        first.signal(SIGKILL)
        #expect(await first.child.waitForExit(timeout: .seconds(5)) == 128 + SIGKILL)

        let collector = try await RsyslogReceiver.start(port: port, in: directory)
        defer { collector.stop() }
        let second = try await AuditsieveServer.start(yaml: yaml, in: directory, name: "second")
        defer { second.stop() }
        try await second.waitUntilDelivered()
        try await Task.sleep(for: .seconds(1))  // kept: a record from the spool would reach the collector by now
        let recovered = try MetricsScrape(httpPort: second.httpPort).value("auditsieve_recovered_events_total")
        #expect(recovered == 0 && collector.recordIDs().isEmpty, "memory held them; nothing was spooled")
    }
}
