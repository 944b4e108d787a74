import Foundation
import SieveSpool
import Testing

extension EndToEnd {
    @Suite("auditsieve spool inspect")
    struct SpoolInspect {
        @Test("reports a queue's segments, events and age, read-only, while the queue is open")
        func inspectsLiveSpool() async throws {
            let binary = try Paths.auditsieve()
            let directory = try TemporaryDirectory("spool-inspect")
            defer { directory.remove() }
            let queue = try SpoolQueue(
                configuration: SpoolConfiguration(directory: directory.path("spool/billing/siem"), maxBytes: 1 << 20))
            for n in 0..<500 {
                _ = queue.append(
                    Array(
                        #"{"format":"percona-json","record":"\#(n)_x","sqltext":"SELECT * FROM billing.invoices"}"#.utf8
                    ))
            }
            queue.flush()
            let result = try await runToCompletion(
                binary, ["spool", "inspect", directory.path("spool"), "--json"], in: directory, name: "inspect")
            queue.close()
            #expect(result.status == 0, "\(result.stderr)")
            let lines = try result.stdout.split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            #expect(lines.count == 1)
            #expect(lines.first?["queue"] as? String == "billing/siem")
            #expect(lines.first?["events"] as? Int == 500)
            #expect((lines.first?["segments"] as? Int ?? 0) >= 1)
            #expect(lines.first?["corrupt_segments"] as? Int == 0)
            #expect(lines.first?["oldest_event_age_ms"] is Int)
        }
    }
}
