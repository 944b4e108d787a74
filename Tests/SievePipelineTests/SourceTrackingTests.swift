import Foundation
import Prometheus
import Testing

@testable import SievePipeline

/// Through a real socket: per host last-seen time and gaps in the plugin's record counter.
@Suite("source hosts: last seen and record gaps", .serialized)
struct SourceTrackingTests {
    @Test("records lost before auditsieve are counted per host; a complete host has none")
    func gapsPerHost() async throws {
        let server = try TestServer()
        try await server.start()
        let before = Date().timeIntervalSince1970
        var bytes: [UInt8] = []
        for n in 1...2000 where ![5, 6, 7, 1500].contains(n) {
            bytes += Records.octetCounted(Records.rfc3164(Records.json(n), host: "db-gappy"))
        }
        for n in 1...2000 { bytes += Records.octetCounted(Records.rfc3164(Records.json(n), host: "db-complete")) }
        try await TestClient.sendTCP(bytes, port: server.tcpPort)
        _ = try await server.events(count: 3996)
        // 5, 6, 7 are settled by the window (the counter moved 1024 past them); 1500 by age or window.
        let sources = server.server.ingest.sources
        let deadline = Date().addingTimeInterval(15)
        while (sources.host("db-gappy")?.gaps ?? 0) < 3 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(sources.host("db-gappy")?.gaps == 3)
        #expect(sources.host("db-complete")?.gaps == 0)
        #expect((sources.host("db-gappy")?.lastSeen ?? 0) >= before.rounded(.down))
        await server.stop()
    }

    @Test(
        "the audit log filter: the component's id and the XML RECORD_ID count gaps; an id without the component's prefix (MySQL Enterprise restarts it every second) does not"
    )
    func filterRecordNumbers() async throws {
        let server = try TestServer()
        try await server.start()
        func json(_ id: Int) -> String {
            #"{ "timestamp": "2026-12-05 03:10:56", "id": \#(id), "class": "general", "event": "status", "connection_id": 11, "account": { "user": "root", "host": "localhost" }, "general_data": { "command": "Query", "sql_command": "select", "query": "SELECT 1", "status": 0 } }"#
        }
        func xml(_ id: Int) -> String {
            #"<AUDIT_RECORD NAME="Query" RECORD_ID="\#(id)_2026-12-05T03:10:56" TIMESTAMP="2026-12-05T03:10:56" CONNECTION_ID="11" STATUS="0" SQLTEXT="SELECT 1"/>"#
        }
        var bytes: [UInt8] = []
        // The component over syslog, from 0: 3 and 4 never arrive.
        for id in 0...1200 where ![3, 4].contains(id) {
            bytes += Records.octetCounted("<14>Dec  5 03:10:56 db-component mysqld: audit-filter: " + json(id))
        }
        // MySQL Enterprise's JSON, tailed from its file: ids restart every second, never gaps.
        for second in 0..<3 {
            for id in 0..<500 where id != 7 {
                bytes += Records.octetCounted(
                    "<14>Dec  5 03:10:5\(second) db-enterprise enterprise-audit: " + json(id) + ",")
            }
        }
        // The filter's OLD XML: 10 never arrives.
        for id in 0...1200 where id != 10 {
            bytes += Records.octetCounted("<14>Dec  5 03:10:56 db-xml mysqld: audit-filter: " + xml(id))
        }
        try await TestClient.sendTCP(bytes, port: server.tcpPort)
        _ = try await server.events(count: 1199 + 1497 + 1200)
        let sources = server.server.ingest.sources
        let deadline = Date().addingTimeInterval(15)
        while ((sources.host("db-component")?.gaps ?? 0) < 2 || (sources.host("db-xml")?.gaps ?? 0) < 1)
            && Date() < deadline
        {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(sources.host("db-component")?.gaps == 2)
        #expect(sources.host("db-xml")?.gaps == 1)
        #expect(sources.host("db-enterprise")?.gaps == 0 && sources.host("db-enterprise") != nil)
        await server.stop()
    }

    @Test(
        "host labels are bounded (HOSTILE D2): 200 KB HOSTNAMEs over TCP and 60 KB ones over UDP keep /metrics small; max_tracked_hosts caps the hosts, the rest counted"
    )
    func boundedHostLabels() async throws {
        let registry = PrometheusCollectorRegistry()
        let server = try TestServer(
            clusters: "limits: {max_tracked_hosts: 300}", http: "http:\n  address: 127.0.0.1:0", registry: registry)
        try await server.start()
        // 50 UDP datagrams whose HOSTNAMEs are 60 KB, paced so the socket buffer takes them.
        for start in stride(from: 0, to: 50, by: 10) {
            let datagrams = (start..<start + 10).map { i in
                Array("<14>Nov 22 01:02:03 U\(String(format: "%05d", i))".utf8)
                    + [UInt8](repeating: UInt8(ascii: "y"), count: 60_000)
                    + Array(" t: y".utf8)
            }
            try await TestClient.sendUDP(datagrams, port: server.udpPort)
            try await Task.sleep(for: .milliseconds(50))
        }
        // 400 TCP messages whose HOSTNAMEs are 200 KB each (cut to max_message_bytes, 256 KiB).
        for k in 0..<8 {
            var bytes: [UInt8] = []
            for i in 0..<50 {
                bytes +=
                    Array("<14>Nov 22 01:02:03 H\(String(format: "%05d", k * 50 + i))".utf8)
                    + [UInt8](repeating: UInt8(ascii: "x"), count: 200_000)
                    + Array(" t: y\n".utf8)
            }
            try await TestClient.sendTCP(bytes, port: server.tcpPort)
        }
        let sources = server.server.ingest.sources
        let deadline = Date().addingTimeInterval(15)
        while sources.hostCount < 300 && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        // Frames are counted when read, hosts when their batch is flushed: wait until the two agree.
        func settled() throws -> Bool {
            var bytes: [UInt8] = []
            registry.emit(into: &bytes)
            let now = try ScrapedMetrics(String(decoding: bytes, as: UTF8.self))
            let frames = now.samples.filter { $0.name == "auditsieve_listener_frames_total" }.reduce(0) {
                $0 + $1.value
            }
            // All 400 TCP messages read (UDP may lose some), and every frame read is accounted for.
            return now.value("auditsieve_listener_frames_total", ["listener": "tcp://127.0.0.1:0"]) == 400
                && now.value("auditsieve_source_hosts_overflow_total") == frames - 300
        }
        while try !settled() && Date() < deadline.addingTimeInterval(10) {
            try await Task.sleep(for: .milliseconds(20))
        }
        let response = try await HTTPTestConnection.get(port: server.httpPort, "/metrics")
        await server.stop()
        #expect(sources.hostCount == 300, "max_tracked_hosts holds")
        #expect(response.text.utf8.count < 150_000, "/metrics is \(response.text.utf8.count) bytes")
        let labels = response.text.split(separator: "\n").filter { $0.hasPrefix("auditsieve_record_gaps_total{host=") }
        #expect(labels.count == 300)
        #expect(labels.allSatisfy { $0.utf8.count < 120 }, "every host label is bounded")
        #expect(Set(labels).count == labels.count, "distinct long names stay distinct")
        let scraped = try ScrapedMetrics(response.text)
        let frames = scraped.samples.filter { $0.name == "auditsieve_listener_frames_total" }.reduce(0) {
            $0 + $1.value
        }
        #expect(frames >= 400)
        #expect(
            scraped.value("auditsieve_source_hosts_overflow_total") == frames - 300,
            "messages from hosts beyond the cap are counted")
    }
}
