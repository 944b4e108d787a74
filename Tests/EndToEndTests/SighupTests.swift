import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension EndToEnd {
    @Suite("SIGHUP reopens the file sink")
    struct Sighup {
        @Test("logrotate's move-then-SIGHUP: later records land in a new file at the original path")
        func moveThenSighup() async throws {
            let directory = try TemporaryDirectory("sighup")
            defer { directory.remove() }
            let output = EventFile(path: directory.path("events.jsonl"))
            let rotated = EventFile(path: directory.path("events.jsonl.1"))
            let server = try await AuditsieveServer.start(
                yaml: AuditsieveServer.fileSinkYAML(output: output.path), in: directory)
            defer { server.stop() }

            let before = (0..<20).map { "\(4000 + $0)_1970-01-01T00:00:00" }
            let connection = try TCPConnection(port: server.tcpPort)
            defer { connection.close() }
            try connection.send(before.map { PluginRecords.forwardedLine(record: $0) }.joined())
            _ = try await output.waitForRecords(before, diagnostics: { server.stderrTail() })

            try FileManager.default.moveItem(atPath: output.path, toPath: rotated.path)
            server.signal(SIGHUP)
            // The sink reopens (creates) its path on SIGHUP; records sent before that moment would
            // rightly still go to the moved file, so wait for the new file first.
            _ = try await eventually("a new \(output.path) after SIGHUP", diagnostics: { server.stderrTail() }) {
                FileManager.default.fileExists(atPath: output.path) ? true : nil
            }

            // The same connection keeps working across the reopen; a new one too.
            let after = (0..<20).map { "\(4100 + $0)_1970-01-01T00:00:00" }
            try connection.send(after[..<10].map { PluginRecords.forwardedLine(record: $0) }.joined())
            let second = try TCPConnection(port: server.tcpPort)
            defer { second.close() }
            try second.send(after[10...].map { PluginRecords.forwardedLine(record: $0) }.joined())
            _ = try await output.waitForRecords(after, diagnostics: { server.stderrTail() })

            expectUnique(try output.events(), records: after)
            expectUnique(try rotated.events(), records: before)
            #expect(try output.eventsByRecord().keys.allSatisfy { !before.contains($0) }, "nothing old in the new file")
            #expect(
                try rotated.eventsByRecord().keys.allSatisfy { !after.contains($0) }, "nothing new in the moved file")
            #expect(server.isRunning, "SIGHUP must not stop the server\n\(server.stderrTail())")
        }
    }
}
