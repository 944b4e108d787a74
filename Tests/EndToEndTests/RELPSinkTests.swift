import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension EndToEnd {
    @Suite("RELP sink: acknowledged delivery to rsyslog imrelp", .serialized)
    struct RELPSink {
        @Test(
            "to a real imrelp, stopped and started again mid-stream: every record arrives (at most the window twice), sink_up goes 0 and back to 1"
        )
        func receiverStoppedAndStarted() async throws {
            let directory = try TemporaryDirectory("relp-sink")
            defer { directory.remove() }
            let port = try unusedPort()
            var collector = try await RsyslogReceiver.start(port: port, in: directory, relp: true)
            let server = try await AuditsieveServer.start(
                yaml: """
                    listeners:
                      - {protocol: tcp, address: 127.0.0.1:0}
                    default_cluster:
                      sinks: [siem]
                    sinks:
                      siem: {type: relp, address: 127.0.0.1:\(port), window: 256, reconnect_max_ms: 200}
                    """, in: directory)
            defer { server.stop() }
            let connection = try TCPConnection(port: server.tcpPort)
            defer { connection.close() }
            func send(_ range: ClosedRange<Int>) throws {
                try connection.send(
                    range.map { PluginRecords.forwardedLine(record: "\($0)_1970-01-01T00:00:00") }.joined())
            }
            func sinkUp() throws -> Double {
                try MetricsScrape(httpPort: server.httpPort).value("auditsieve_sink_up", ["sink": "siem"])
            }
            try send(1...2000)
            _ = try await eventually("2000 records at imrelp", diagnostics: { server.stderrTail() }) {
                collector.recordIDs().count >= 2000 ? true : nil
            }
            #expect(try sinkUp() == 1)
            collector.stop()
            try send(2001...4000)
            _ = try await eventually("the sink to see imrelp gone", diagnostics: { server.stderrTail() }) {
                try sinkUp() == 0 ? true : nil
            }
            let queued = try MetricsScrape(httpPort: server.httpPort).value("auditsieve_queued_events")
            #expect(queued > 0, "the records wait in the queue while imrelp is down")
            collector = try await RsyslogReceiver.start(port: port, in: directory, name: "collector2", relp: true)
            defer { collector.stop() }
            try await server.waitUntilDelivered(timeout: .seconds(30))
            #expect(try sinkUp() == 1)
            let first = try String(contentsOfFile: directory.path("collector.log"), encoding: .utf8)
            let ids =
                (first.split(separator: "\n").map(String.init) + collector.recordIDs().map { #""record":"\#($0)""# })
                .compactMap { line -> Int? in
                    guard let range = line.range(of: #""record":""#) else { return nil }
                    return Int(line[range.upperBound...].prefix { $0 != "_" })
                }
            let distinct = Set(ids)
            #expect(distinct == Set(1...4000), "missing: \(Set(1...4000).subtracting(distinct).sorted().prefix(10))")
            #expect(ids.count - distinct.count <= 256, "\(ids.count - distinct.count) duplicates, the window is 256")
        }
    }
}
