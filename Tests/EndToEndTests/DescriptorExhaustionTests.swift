import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension EndToEnd {
    /// docs/HOSTILE.md D4 (T3): when the process runs out of file descriptors, accept(2) fails with
    /// EMFILE. It used to fail again at once, forever: a core spent on nothing and no log line.
    /// Now every listener backs off, counts and logs it, and accepts again once descriptors free up.
    @Suite("out of file descriptors")
    struct DescriptorExhaustion {
        @Test(
            "EMFILE on accept backs off (little CPU), is logged and counted; once descriptors free up, senders are served again"
        )
        func acceptBacksOff() async throws {
            let directory = try TemporaryDirectory("emfile")
            defer { directory.remove() }
            let output = EventFile(path: directory.path("events.jsonl"))
            let server = try await AuditsieveServer.start(
                yaml: AuditsieveServer.fileSinkYAML(output: output.path, flushIntervalMilliseconds: 50), in: directory
            )
            defer { server.stop() }
            let pid = server.child.pid
            let inUse = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []).count
            let prlimit = try Paths.tool("prlimit", package: "util-linux")
            let limited = try await runToCompletion(
                prlimit, ["--pid", "\(pid)", "--nofile=\(inUse + 6):\(inUse + 6)"], in: directory, name: "prlimit")
            #expect(limited.status == 0, "\(limited.stderr)")

            // More connections than descriptors are left, from several addresses (per-sender limit).
            var held: [TCPConnection] = []
            for index in 0..<40 {
                held.append(try TCPConnection(port: server.tcpPort, from: "127.0.0.\(2 + index % 8)"))
            }
            // Measure from the first failed accept on.
            _ = try await eventually("the first accept failure", diagnostics: { server.stderrTail() }) {
                server.child.stderr.contains("accept failed") ? true : nil
            }
            let before = HostBookkeeping.cpuSeconds(pid)
            try await Task.sleep(for: .seconds(2))  // kept: the CPU spent in this window is what is measured
            let spent = HostBookkeeping.cpuSeconds(pid) - before
            #expect(spent < 0.5, "\(spent) s of CPU in 2 s while accept fails")
            _ = try await eventually("the accept failure logged", diagnostics: { server.stderrTail() }) {
                server.child.stderr.contains("accept failed") ? true : nil
            }

            // Descriptors come back: the listener accepts again by itself.
            for connection in held { connection.close() }
            held.removeAll()
            _ = try await runToCompletion(
                prlimit, ["--pid", "\(pid)", "--nofile=4096:4096"], in: directory, name: "prlimit2")
            let sender = try TCPConnection(port: server.tcpPort)
            try sender.send(PluginRecords.forwardedLine(record: "77_1970-01-01T00:00:00"))
            sender.close()
            _ = try await eventually("the record after the exhaustion", diagnostics: { server.stderrTail() }) {
                try output.events().contains { $0["record"] as? String == "77_1970-01-01T00:00:00" } ? true : nil
            }
            let metrics = try MetricsScrape(httpPort: server.httpPort)
            #expect(metrics.value("auditsieve_listener_accept_errors_total") > 0)
        }
    }
}
