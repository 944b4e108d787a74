import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension EndToEnd {
    /// `packaging/auditsieve.logrotate` run by Debian's logrotate against a running server.
    @Suite("the shipped logrotate snippet")
    struct ShippedLogrotate {
        @Test("logrotate rotates the archive while records stream in: each record is in exactly one file")
        func rotatesUnderLoad() async throws {
            let logrotate = try Paths.tool("logrotate", package: "logrotate")
            let directory = try TemporaryDirectory("logrotate")
            defer { directory.remove() }
            let logs = directory.path("logs")
            try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
            let output = EventFile(path: "\(logs)/audit.jsonl")
            let server = try await AuditsieveServer.start(
                yaml: AuditsieveServer.fileSinkYAML(output: output.path), in: directory)
            defer { server.stop() }

            // The shipped snippet with only what ties it to an installed system replaced: the log
            // directory, the owner of the file it creates (the service user), and the reload
            // (`systemctl reload auditsieve` is the unit's ExecReload: SIGHUP to the process).
            var snippet = try String(
                contentsOf: Paths.packageRoot.appendingPathComponent("packaging/auditsieve.logrotate"), encoding: .utf8)
            for (original, replacement) in [
                ("/var/log/auditsieve/", "\(logs)/"),
                ("create 0640 auditsieve auditsieve", "create 0640"),
                ("systemctl reload auditsieve", "kill -HUP \(server.child.pid)"),
            ] {
                #expect(snippet.contains(original), "packaging/auditsieve.logrotate no longer holds \(original)")
                snippet = snippet.replacingOccurrences(of: original, with: replacement)
            }
            let conf = directory.path("logrotate.conf")
            try snippet.write(toFile: conf, atomically: true, encoding: .utf8)

            // One sender streams 4000 records at about 8000/s; logrotate runs in the middle.
            let records = (1...4000).map { "\($0)_1970-01-01T00:00:00" }
            let port = server.tcpPort
            let sender = Task.detached {
                let connection = try TCPConnection(port: port)
                defer { connection.close() }
                for chunk in stride(from: 0, to: records.count, by: 80) {
                    try connection.send(
                        records[chunk..<min(chunk + 80, records.count)].map { PluginRecords.forwardedLine(record: $0) }
                            .joined())
                    try await Task.sleep(for: .milliseconds(10))
                }
            }
            _ = try await eventually("the first records in \(output.path)", diagnostics: { server.stderrTail() }) {
                output.lines().count >= 500 ? true : nil
            }
            let result = try await runToCompletion(
                logrotate, ["--force", "--state", directory.path("logrotate.state"), conf], in: directory,
                name: "logrotate"
            )
            #expect(result.status == 0, "logrotate: \(result.stderr)")
            try await sender.value

            let rotatedNames = try FileManager.default.contentsOfDirectory(atPath: logs).filter {
                $0.hasPrefix("audit.jsonl-")
            }
            #expect(
                rotatedNames.count == 1,
                "one rotated file (dateext, not yet compressed: delaycompress): \(rotatedNames)")
            let rotated = EventFile(path: "\(logs)/\(rotatedNames.first ?? "missing")")
            var union: [Event] = []
            _ = try await eventually("all 4000 records across the two files", diagnostics: { server.stderrTail() }) {
                () -> Bool? in
                union = try rotated.events() + output.events()
                return union.count >= records.count ? true : nil
            }
            try await server.waitUntilDelivered()
            union = try rotated.events() + output.events()
            expectUnique(union, records: records)
            #expect(
                union.compactMap { $0["record"] as? String } == records, "in order: the rotated file, then the new one")
            #expect(try !rotated.events().isEmpty && !output.events().isEmpty, "the rotation happened mid-stream")
            var info = stat()
            #expect(
                stat(output.path, &info) == 0 && info.st_mode & 0o777 == 0o640, "the new file has the snippet's mode")
            #expect(server.isRunning, "\(server.stderrTail())")
        }
    }
}
