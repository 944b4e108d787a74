import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension EndToEnd {
    /// docs/HOSTILE.md F1/D1: the spool's filesystem fills up (a 1 MiB tmpfs against a 256 MiB
    /// max_bytes) while the downstream is down. Delivery must resume by itself when the downstream
    /// returns, the paused sender must be read again, and a stop right after loses nothing.
    @Suite(
        "full spool disk (a real 1 MiB tmpfs)", .serialized,
        .enabled(if: SmallFilesystem.available, "needs permission to mount a tmpfs"))
    struct FullDisk {
        static func yaml(spool: String, collectorPort: Int) -> String {
            """
            listeners:
              - {protocol: tcp, address: 127.0.0.1:0}
            spool:
              directory: \(spool)
              fsync: interval
              fsync_interval_ms: 100
            default_cluster:
              spool: {max_bytes: 256MiB, memory_bytes: 64KiB}
              sinks: [siem]
            sinks:
              siem:
                type: syslog
                address: 127.0.0.1:\(collectorPort)
                framing: octet-counted
                reconnect_max_ms: 300
            """
        }

        /// Octet-counted records `range` with 150 random hex digits each, so zstd cannot shrink
        /// the spool much and the 1 MiB disk fills after a few thousand.
        static func frames(_ range: Range<Int>) -> [UInt8] {
            var bytes: [UInt8] = []
            let hex = Array("0123456789abcdef".utf8)
            var random = SystemRandomNumberGenerator()
            for n in range {
                let noise = String(decoding: (0..<150).map { _ in hex[Int(random.next() % 16)] }, as: UTF8.self)
                bytes += Array(
                    PluginRecords.octetFrame(
                        record: "\(n)_1970-01-01T00:00:00", sql: "SELECT '\(noise)' FROM billing.invoices"
                    ).utf8)
            }
            return bytes
        }

        /// Sends `range` on one connection from a thread of its own (it blocks while the server
        /// pauses the connection); the task ends when every byte was handed to the kernel.
        static func send(_ range: Range<Int>, port: Int) -> Task<Bool, Never> {
            let payload = frames(range)
            return Task.detached {
                await withCheckedContinuation { continuation in
                    Thread.detachNewThread {
                        let sent: Bool
                        if let connection = try? TCPConnection(port: port) {
                            sent = (try? connection.send(payload)) != nil
                            connection.close()
                        } else {
                            sent = false
                        }
                        continuation.resume(returning: sent)
                    }
                }
            }
        }

        static func numbers(_ ids: [String]) -> [Int] { ids.compactMap { Int($0.prefix { $0 != "_" }) } }

        @Test(
            "the downstream returns: the queue drains by itself, the paused sender resumes, every record arrives once in order; a stop right after loses nothing"
        )
        func fullDiskRecovers() async throws {
            let directory = try TemporaryDirectory("full-disk")
            defer { directory.remove() }
            let disk = try SmallFilesystem(at: directory.path("disk"), size: "1m")
            defer { disk.unmount() }
            let port = try unusedPort()
            let yaml = Self.yaml(spool: disk.path + "/spool", collectorPort: port)
            let server = try await AuditsieveServer.start(yaml: yaml, in: directory, name: "first")
            defer { server.stop() }

            // 1. Downstream down: memory and the disk fill, the sender is paused.
            let first = 20_000
            let sender = Self.send(1..<first + 1, port: server.tcpPort)
            _ = try await eventually(
                "the disk to fill and the connection to pause", timeout: .seconds(60),
                diagnostics: { server.stderrTail() }
            ) { () -> Bool? in
                let metrics = try MetricsScrape(httpPort: server.httpPort)
                return metrics.value("auditsieve_spool_errors_total", ["kind": "out_of_space"]) > 0
                    && metrics.value("auditsieve_listener_paused_total") > 0 ? true : nil
            }

            // 2. Downstream back: everything arrives without outside help.
            let collector = try await RsyslogReceiver.start(port: port, in: directory, name: "collector1")
            defer { collector.stop() }
            _ = try await eventually(
                "\(first) records at the collector", timeout: .seconds(90),
                diagnostics: { server.stderrTail() + "\ncollector has \(collector.recordIDs().count)" }
            ) { collector.recordIDs().count >= first ? true : nil }
            #expect(await sender.value, "the paused sender was read to the end")
            #expect(Self.numbers(collector.recordIDs()) == Array(1...first), "every record once, in order")
            let metrics = try MetricsScrape(httpPort: server.httpPort)
            #expect(metrics.value("auditsieve_dropped_events_total") == 0)
            #expect(metrics.value("auditsieve_forwarded_events_total") == Double(first))

            // 3. Down again, the disk fills again (the space delivery freed is used), then the
            //    downstream returns and the server is stopped at once.
            collector.stop()
            let second = Self.send(first + 1..<2 * first + 1, port: server.tcpPort)
            _ = try await eventually(
                "the disk to fill again", timeout: .seconds(60), diagnostics: { server.stderrTail() }
            ) {
                () -> Bool? in
                let metrics = try MetricsScrape(httpPort: server.httpPort)
                return metrics.value("auditsieve_listener_paused_total") >= 2
                    && metrics.value("auditsieve_queued_events") > 1000
                    ? true : nil
            }
            let collector2 = try await RsyslogReceiver.start(port: port, in: directory, name: "collector2")
            defer { collector2.stop() }
            server.signal(SIGTERM)
            #expect(await server.child.waitForExit(timeout: .seconds(12)) == 0)
            _ = await second.value
            #expect(!server.child.stderr.contains("are lost"), "nothing lost at the stop\n\(server.stderrTail())")

            // 4. A restart delivers what the stop saved: no record of the sender is missing.
            let restarted = try await AuditsieveServer.start(yaml: yaml, in: directory, name: "second")
            defer { restarted.stop() }
            var seen = -1
            _ = try await eventually(
                "the collector to settle", timeout: .seconds(60), diagnostics: { restarted.stderrTail() }
            ) {
                () -> Bool? in
                let count = collector2.recordIDs().count
                defer { seen = count }
                return count == seen && count > 0 ? true : nil
            }
            let arrived = Self.numbers(collector2.recordIDs())
            let distinct = Set(arrived)
            let top = distinct.max() ?? 0
            #expect(top > first + 1000, "the second run's records arrived")
            let missing = (first + 1...top).filter { !distinct.contains($0) }
            #expect(missing.isEmpty, "records missing: \(missing.prefix(10)) (\(missing.count))")
            #expect(arrived.count - distinct.count <= 4096, "duplicates bounded by one batch")
        }
    }
}
