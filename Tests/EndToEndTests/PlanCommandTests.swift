import Foundation
import Testing

extension EndToEnd {
    @Suite("auditsieve plan")
    struct PlanCommand {
        @Test("offline: the issue's example prints 144.0 GB = 134.1 GiB, each factor, and both settings")
        func offline() async throws {
            let directory = try TemporaryDirectory("plan")
            defer { directory.remove() }
            let result = try await runToCompletion(
                try Paths.auditsieve(), ["plan", "--rate", "20000", "--event-bytes", "500", "--outage", "4h"],
                in: directory, name: "plan"
            )
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("raw need               144.0 GB = 134.1 GiB"))
            #expect(result.stdout.contains("spool: {max_bytes: 60GiB}"))
            #expect(result.stdout.contains(#"queue.maxDiskSpace="202g""#))
            let bad = try await runToCompletion(
                try Paths.auditsieve(), ["plan", "--rate", "5"], in: directory, name: "plan-bad")
            #expect(bad.status != 0 && bad.stderr.contains("--event-bytes"))
        }

        @Test("from a running server's /metrics: plans each cluster from its kept rate")
        func fromServer() async throws {
            let directory = try TemporaryDirectory("plan-server")
            defer { directory.remove() }
            let output = EventFile(path: directory.path("events.jsonl"))
            let server = try await AuditsieveServer.start(
                yaml: AuditsieveServer.fileSinkYAML(output: output.path), in: directory)
            defer { server.stop() }
            let port = server.tcpPort
            let sender = Task.detached {
                let socket = try TCPConnection(port: port)
                defer { socket.close() }
                for n in 1...60 {
                    var bytes: [UInt8] = []
                    for i in 0..<50 {
                        bytes += Array(PluginRecords.forwardedLine(record: "\(n * 100 + i)_1970-01-01T00:00:00").utf8)
                    }
                    try socket.send(bytes)
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            let result = try await runToCompletion(
                try Paths.auditsieve(),
                ["plan", "--endpoint", "http://127.0.0.1:\(server.httpPort)", "--sample", "1", "--outage", "1h"],
                in: directory, name: "plan"
            )
            try await sender.value
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
            #expect(result.stdout.hasPrefix("default: "), "\(result.stdout)")
            #expect(result.stdout.contains("queue.maxDiskSpace="))
            // About 1000 events/s were sent; the sampled rate is of that order, not 0.
            let rate = result.stdout.split(separator: " ").dropFirst().first.map {
                $0.replacingOccurrences(of: ",", with: "")
            }
            #expect((Double(rate ?? "0") ?? 0) > 100, "\(result.stdout)")
            // The senders' part comes from the received rate and the frames' mean size: each
            // forwarded line here is a few hundred bytes.
            let senders = try #require(
                result.stdout.split(separator: "\n").first { $0.contains("senders forward every record") })
            let frameBytes = senders.components(separatedBy: " × ").dropFirst().first.flatMap {
                Double($0.replacingOccurrences(of: " B", with: ""))
            }
            let line = Double(PluginRecords.forwardedLine(record: "100_1970-01-01T00:00:00").utf8.count)
            #expect(frameBytes.map { abs($0 - line) <= 3 } == true, "\(senders) vs \(line) B per line")
        }
    }
}
