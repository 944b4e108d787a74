import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension EndToEnd {
    @Suite("spool: kill -9, restart, file-size limit", .serialized)
    struct SpoolCrash {
        static func yaml(spool: String, collectorPort: Int, cluster: String) -> String {
            """
            listeners:
              - {protocol: tcp, address: 127.0.0.1:0}
            spool:
              directory: \(spool)
              fsync: interval
              fsync_interval_ms: 100
            default_cluster:
              spool: \(cluster)
              sinks: [siem]
            sinks:
              siem:
                type: syslog
                address: 127.0.0.1:\(collectorPort)
                framing: octet-counted
                header: rfc5424
                reconnect_max_ms: 200
            """
        }

        @Test(
            "kill -9 while spooling with durability: disk, then restart: every event older than the fsync interval arrives once, in order"
        )
        func killNineThenRestart() async throws {
            let directory = try TemporaryDirectory("spool-kill9")
            defer { directory.remove() }
            let port = try unusedPort()
            let spool = directory.path("spool")
            let yaml = Self.yaml(spool: spool, collectorPort: port, cluster: "{max_bytes: 256MiB, durability: disk}")
            let first = try await AuditsieveServer.start(yaml: yaml, in: directory, name: "first")
            defer { first.stop() }
            let records = try await Shutdown.sendAndDrain(
                port: first.tcpPort, connections: 2, perConnection: 1500, firstRecord: 1)
            // Every record was read by the server; wait well past the fsync interval, then kill.
            // kept: events older than the fsync interval are what must survive
            try await Task.sleep(for: .milliseconds(800))
            let inspect = try await runToCompletion(
                try Paths.auditsieve(), ["spool", "inspect", spool, "--json"], in: directory, name: "inspect")
            #expect(inspect.stdout.contains(#""events":3000"#), "the live spool holds every event\n\(inspect.stdout)")
            first.signal(SIGKILL)
            #expect(await first.child.waitForExit(timeout: .seconds(5)) == 128 + SIGKILL)

            let collector = try await RsyslogReceiver.start(port: port, in: directory)
            defer { collector.stop() }
            let second = try await AuditsieveServer.start(yaml: yaml, in: directory, name: "second")
            defer { second.stop() }
            let arrived = try await eventually(
                "3000 records at the collector", timeout: .seconds(60),
                diagnostics: { second.stderrTail() + "\n" + collector.child.stderrTail() }
            ) { () -> [String]? in
                let ids = collector.recordIDs()
                return ids.count >= 3000 ? ids : nil
            }
            try await Task.sleep(for: .milliseconds(300))  // kept: a duplicate would reach the collector after its copy
            #expect(collector.recordIDs().count == 3000, "no duplicates")
            #expect(Set(arrived) == Set(records), "every record once")
            let numbers = arrived.compactMap { Int($0.prefix { $0 != "_" }) }
            // Two connections interleave in arrival, but each connection's records stay in order.
            for low in [1, 1501] {
                let mine = numbers.filter { $0 >= low && $0 < low + 1500 }
                #expect(mine == Array(low..<low + 1500), "records \(low)... in order")
            }
        }

        @Test(
            "kill -9 while delivering to a live collector, then restart: no record missing up to the last delivered; at most the batch in flight twice"
        )
        func killNineWhileDelivering() async throws {
            let directory = try TemporaryDirectory("spool-kill9-live")
            defer { directory.remove() }
            let port = try unusedPort()
            let collector = try await RsyslogReceiver.start(port: port, in: directory)
            defer { collector.stop() }
            let yaml = Self.yaml(
                spool: directory.path("spool"), collectorPort: port, cluster: "{max_bytes: 256MiB, durability: disk}")
            let first = try await AuditsieveServer.start(yaml: yaml, in: directory, name: "first")
            defer { first.stop() }
            let serverPort = first.tcpPort
            // One connection, 40,000 records at about 20,000/s; the server is killed mid-stream.
            let sender = Task.detached { () -> Void in
                guard let connection = try? TCPConnection(port: serverPort) else { return }
                defer { connection.close() }
                for chunk in 0..<400 {
                    let lines = (1...100).map {
                        PluginRecords.forwardedLine(record: "\(chunk * 100 + $0)_1970-01-01T00:00:00")
                    }
                    guard (try? connection.send(lines.joined())) != nil else { return }
                    try? await Task.sleep(for: .milliseconds(5))
                }
            }
            func numbers() -> [Int] { collector.recordIDs().compactMap { Int($0.prefix { $0 != "_" }) } }
            _ = try await eventually("5000 records at the collector", diagnostics: { first.stderrTail() }) {
                numbers().count >= 5000 ? true : nil
            }
            first.signal(SIGKILL)
            #expect(await first.child.waitForExit(timeout: .seconds(5)) == 128 + SIGKILL)
            let lastBeforeKill = numbers().max() ?? 0
            await sender.value

            let second = try await AuditsieveServer.start(yaml: yaml, in: directory, name: "second")
            defer { second.stop() }
            // Wait until the collector stops growing (the spool is drained).
            var seen = -1
            _ = try await eventually(
                "the collector to settle", timeout: .seconds(60), diagnostics: { second.stderrTail() }
            ) { () -> Bool? in
                let count = numbers().count
                defer { seen = count }
                return count == seen && count > 0 ? true : nil
            }
            let arrived = numbers()
            let distinct = Set(arrived)
            let top = distinct.max() ?? 0
            #expect(top >= lastBeforeKill)
            let missing = (1...top).filter { !distinct.contains($0) }
            #expect(missing.isEmpty, "records missing below \(top): \(missing.prefix(10)) (\(missing.count))")
            // Plain TCP has no acknowledgement: what the sink wrote but had not yet marked done
            // when the process died is sent again. That is at most one delivery batch.
            let duplicates = arrived.count - distinct.count
            #expect(duplicates <= 4096, "\(duplicates) records arrived twice")
            var firstSeen: Set<Int> = []
            let firstArrivals = arrived.filter { firstSeen.insert($0).inserted }
            #expect(firstArrivals == firstArrivals.sorted(), "in order")
        }

        @Test(
            "SIGTERM while the collector black-holes the stream (accepts, never reads): exit 0 within 10 s, the queue saved; a restart delivers it"
        )
        func sigtermWithBlackHoledCollector() async throws {
            let directory = try TemporaryDirectory("spool-blackhole")
            defer { directory.remove() }
            let blackHole = try BlackHoleListener()
            defer { blackHole.close() }
            let spool = directory.path("spool")
            // A write timeout far beyond the 10 s: only the shutdown itself may end the wait.
            let yaml =
                Self.yaml(spool: spool, collectorPort: blackHole.port, cluster: "{max_bytes: 256MiB}")
                + "\n    write_timeout_ms: 120000\n"
            let first = try await AuditsieveServer.start(yaml: yaml, in: directory, name: "first")
            defer { first.stop() }
            // About 25 MB of frames: far more than the loopback buffers the black hole fills.
            _ = try await Shutdown.sendAndDrain(
                port: first.tcpPort, connections: 2, perConnection: 20_000, firstRecord: 1)
            try await Task.sleep(for: .milliseconds(500))  // kept: lets the sink's write stall on the full black hole
            let clock = ContinuousClock()
            let signalled = clock.now
            first.signal(SIGTERM)
            let status = await first.child.waitForExit(timeout: .seconds(12))
            let took = clock.now - signalled
            #expect(status == 0, "exit status (nil: still running)\n\(first.stderrTail())")
            #expect(took < .seconds(10), "exited \(took) after SIGTERM")
            #expect(first.child.stderr.contains("saved to the spool"), "\(first.stderrTail())")
            let inspect = try await runToCompletion(
                try Paths.auditsieve(), ["spool", "inspect", spool, "--json"], in: directory, name: "inspect")
            let saved =
                inspect.stdout.split(separator: ",").first { $0.hasPrefix(#""events":"#) }
                .flatMap { Int($0.dropFirst(#""events":"#.count)) } ?? 0
            #expect(saved > 1000, "the undelivered queue is in the spool: \(inspect.stdout)")

            // The collector comes back (a real one on the same port): the saved events arrive, in order.
            blackHole.close()
            let collector = try await RsyslogReceiver.start(port: blackHole.port, in: directory)
            defer { collector.stop() }
            let second = try await AuditsieveServer.start(yaml: yaml, in: directory, name: "second")
            defer { second.stop() }
            let arrived = try await eventually(
                "\(saved) saved records at the collector", timeout: .seconds(60),
                diagnostics: { second.stderrTail() }
            ) { () -> [String]? in
                let ids = collector.recordIDs()
                return ids.count >= saved ? ids : nil
            }
            // What the black hole's buffers took counted as forwarded (plain TCP, documented):
            // the spool holds what came after, per connection in order, ending with each
            // connection's last record.
            let numbers = arrived.compactMap { Int($0.prefix { $0 != "_" }) }
            for low in [1, 20_001] {
                let mine = numbers.filter { $0 >= low && $0 < low + 20_000 }
                #expect(mine == mine.sorted() && Set(mine).count == mine.count, "records \(low)... in order, once")
                #expect(mine.last == low + 19_999, "records \(low)... end with the connection's last")
            }
        }

        @Test(
            "a file-size limit (RLIMIT_FSIZE) makes the spool full, logged; the process does not exit and still serves")
        func rlimitFsizeMakesSpoolFull() async throws {
            let directory = try TemporaryDirectory("spool-fsize")
            defer { directory.remove() }
            let port = try unusedPort()
            let spool = directory.path("spool")
            let yaml = Self.yaml(
                spool: spool, collectorPort: port,
                cluster: "{max_bytes: 64MiB, memory_bytes: 64KiB, when_full: drop_newest, segment_bytes: 8MiB}"
            )
            let configPath = directory.path("limited.yml")
            try AuditsieveServer.withEphemeralHTTP(yaml).write(toFile: configPath, atomically: true, encoding: .utf8)
            let prlimit = try Paths.tool("prlimit", package: "util-linux")
            let child = try ChildProcess(
                prlimit, ["--fsize=16384", try Paths.auditsieve().path, "serve", "--config", configPath],
                name: "limited", in: directory
            )
            defer { child.stop() }
            let port0 = try await eventually("the limited server to listen", diagnostics: { child.stderrTail() }) {
                () -> Int? in
                if !child.isRunning { throw TestFailure("exited\n\(child.stderrTail())") }
                return AuditsieveServer.boundListeners(in: child.stderr).first?.1
            }
            _ = try await Shutdown.sendAndDrain(port: port0, connections: 1, perConnection: 8000, firstRecord: 1)
            _ = try await eventually("the spool-full log line", diagnostics: { child.stderrTail() }) { () -> Bool? in
                child.stderr.contains("spool full") ? true : nil
            }
            #expect(child.isRunning, "EFBIG must not end the process\n\(child.stderrTail())")
            // The metric the AuditsieveSpoolOutOfSpace alert reads (synced every second).
            let httpPort = try #require(AuditsieveServer.boundHTTPPort(in: child.stderr))
            _ = try await eventually(
                "auditsieve_spool_errors_total{kind=\"out_of_space\"} > 0", diagnostics: { child.stderrTail() }
            ) {
                try MetricsScrape(httpPort: httpPort).value("auditsieve_spool_errors_total", ["kind": "out_of_space"])
                    > 0 ? true : nil
            }
            let scrape = try MetricsScrape(httpPort: httpPort)
            #expect(scrape.value("auditsieve_spool_full_total") > 0)
            #expect(
                scrape.value("auditsieve_spool_errors_total", ["kind": "io"]) == 0,
                "EFBIG is out of space, not an I/O error")
            // Still serving.
            _ = try await Shutdown.sendAndDrain(port: port0, connections: 1, perConnection: 10, firstRecord: 9000)
            #expect(child.isRunning)
            child.signal(SIGTERM)
            #expect(await child.waitForExit(timeout: .seconds(10)) == 0, "\(child.stderrTail())")
        }
    }
}
