import Foundation
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
        try await server.waitFor("auditsieve_record_gaps_total", [("host", "db-gappy")], toReach: 3)
        #expect(server.counter("auditsieve_record_gaps_total", [("host", "db-gappy")]) == 3)
        #expect(server.counter("auditsieve_record_gaps_total", [("host", "db-complete")]) == 0)
        let seen = try server.metrics.expectGauge("auditsieve_source_last_seen_timestamp_seconds", [("host", "db-gappy")])
        #expect((seen.lastValue ?? 0) >= before.rounded(.down))
        await server.stop()
    }
}
