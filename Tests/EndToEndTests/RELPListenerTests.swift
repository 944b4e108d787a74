import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension EndToEnd {
    @Suite("RELP listener: acknowledged delivery from rsyslog omrelp", .serialized)
    struct RELPListener {
        static let shippedTarget = #"target="auditsieve.internal" port="5515""#

        /// A client's `open` frame, as librelp writes it.
        static let openFrame: String = {
            let offers = "relp_version=0\nrelp_software=test\ncommands=syslog"
            return "1 open \(offers.utf8.count) \(offers)\n"
        }()

        static func yaml(port: Int, spool: String, output: String, keepTables: String = "[]") -> String {
            """
            listeners:
              - {protocol: relp, address: 127.0.0.1:\(port)}
            spool:
              directory: \(spool)
              fsync: interval
              fsync_interval_ms: 100
            default_cluster:
              keep_tables: \(keepTables)
              spool: {max_bytes: 256MiB, durability: disk}
              sinks: [events]
            sinks:
              events: {type: file, path: \(output), encoding: json, flush_interval_ms: 50}
            """
        }

        @Test(
            "the shipped forward-relp.conf: auditsieve killed -9 mid-stream and restarted, every record arrives, at most the window and a delivery batch twice"
        )
        func killNineLosesNothing() async throws {
            let directory = try TemporaryDirectory("relp-kill9")
            defer { directory.remove() }
            let output = EventFile(path: directory.path("events.jsonl"))
            let spool = directory.path("spool")
            let first = try await AuditsieveServer.start(
                yaml: Self.yaml(port: 0, spool: spool, output: output.path), in: directory, name: "first")
            defer { first.stop() }
            let port = try #require(first.relpPorts.first)
            let rsyslog = try await ShippedRsyslog.start(
                [
                    .init(
                        file: "forward-relp.conf",
                        replacing: [(Self.shippedTarget, #"target="127.0.0.1" port="\#(port)""#)])
                ], in: directory)
            defer { rsyslog.stop() }

            let total = 20_000
            let socketPath = rsyslog.socketPath
            // About 10,000 records a second, so the kill lands mid-stream.
            let sender = Task.detached { () throws -> Void in
                for number in 1...total {
                    try sendUnixDatagram(
                        Array(
                            "<14>Nov 22 01:30:19 percona-audit: \(PluginRecords.jsonQuery(record: "\(number)_1970-01-01T00:00:00", sql: "SELECT 1 FROM billing.t"))"
                                .utf8), to: socketPath)
                    if number % 100 == 0 { try await Task.sleep(for: .milliseconds(10)) }
                }
            }
            _ = try await eventually(
                "3000 records through the first server",
                diagnostics: { first.stderrTail() + "\n" + rsyslog.stderrTail() }
            ) { output.lines().count >= 3000 ? true : nil }
            first.signal(SIGKILL)
            #expect(await first.child.waitForExit(timeout: .seconds(5)) == 128 + SIGKILL)
            let beforeKill = output.lines().count
            try await sender.value

            let second = try await AuditsieveServer.start(
                yaml: Self.yaml(port: port, spool: spool, output: output.path), in: directory, name: "second")
            defer { second.stop() }
            func numbers() throws -> [Int] {
                try output.events().compactMap { $0.string("record").flatMap { Int($0.prefix { $0 != "_" }) } }
            }
            _ = try await eventually(
                "all \(total) records after the restart", timeout: .seconds(90),
                diagnostics: { second.stderrTail() + "\n" + rsyslog.stderrTail() }
            ) { Set(try numbers()).count >= total ? true : nil }
            try await second.waitUntilDelivered()
            let arrived = try numbers()
            let distinct = Set(arrived)
            #expect(beforeKill < total, "the kill came mid-stream (\(beforeKill) written before it)")
            #expect(distinct == Set(1...total), "missing: \(Set(1...total).subtracting(distinct).sorted().prefix(10))")
            // What omrelp had sent but not yet had answered (its window, 1024) comes again, and so
            // does what the file sink wrote but the spool had not yet marked done (a batch, ≤ 4096).
            #expect(arrived.count - distinct.count <= 1024 + 4096, "\(arrived.count - distinct.count) duplicates")
        }

        @Test(
            "a RELP session by hand: open answered with offers, each syslog frame with 200 OK in order (kept and filtered), an unknown command with 500, close last; then the connection closes"
        )
        func sessionByHand() async throws {
            let directory = try TemporaryDirectory("relp-session")
            defer { directory.remove() }
            let output = EventFile(path: directory.path("events.jsonl"))
            let server = try await AuditsieveServer.start(
                yaml: Self.yaml(
                    port: 0, spool: directory.path("spool"), output: output.path, keepTables: #"["billing.*"]"#),
                in: directory)
            defer { server.stop() }
            let connection = try TCPConnection(port: try #require(server.relpPorts.first))
            defer { connection.close() }
            func frame(_ txnr: Int, _ command: String, _ data: String) -> String {
                let count = data.utf8.count
                return count == 0 ? "\(txnr) \(command) 0\n" : "\(txnr) \(command) \(count) \(data)\n"
            }
            let kept =
                "<14>1 2026-11-22T01:30:19Z db1 percona-audit - - - "
                + PluginRecords.jsonQuery(record: "1_1970-01-01T00:00:00", sql: "SELECT * FROM billing.invoices")
            let filtered =
                "<14>1 2026-11-22T01:30:19Z db1 percona-audit - - - "
                + PluginRecords.jsonQuery(record: "2_1970-01-01T00:00:00", sql: "SELECT * FROM shop.carts")
            try connection.send(
                frame(1, "open", "relp_version=0\nrelp_software=test\ncommands=syslog")
                    + frame(2, "syslog", kept + "\n")
                    + frame(3, "syslog", filtered) + frame(4, "starttls", "") + frame(5, "close", ""))
            let answer = String(decoding: try connection.readToEnd(), as: UTF8.self)
            let offers = "200 OK\nrelp_version=0\nrelp_software=auditsieve\ncommands=syslog"
            #expect(
                answer
                    == "1 rsp \(offers.utf8.count) \(offers)\n2 rsp 6 200 OK\n3 rsp 6 200 OK\n"
                    + "4 rsp 25 500 command not supported\n5 rsp 0\n")
            try await server.waitUntilDelivered()
            let events = try output.events()
            #expect(events.compactMap { $0.string("record") } == ["1_1970-01-01T00:00:00"])
        }

        @Test(
            "durability: disk: a record is answered only once it is safe: with the spool full and the sink down it waits; when the sink takes it, the answer comes"
        )
        func answerWaitsForSafety() async throws {
            let directory = try TemporaryDirectory("relp-safety")
            defer { directory.remove() }
            let sinkPort = try unusedPort()  // nothing listens here until the collector starts below
            let server = try await AuditsieveServer.start(
                yaml: """
                    listeners:
                      - {protocol: relp, address: 127.0.0.1:0}
                    spool:
                      directory: \(directory.path("spool"))
                    default_cluster:
                      spool: {max_bytes: 64KiB, durability: disk, when_full: block}
                      sinks: [siem]
                    sinks:
                      siem: {type: syslog, address: 127.0.0.1:\(sinkPort), reconnect_max_ms: 200}
                    """, in: directory)
            defer { server.stop() }
            let connection = try TCPConnection(port: try #require(server.relpPorts.first))
            defer { connection.close() }
            var frames = Self.openFrame
            // 200 records of ~1.3 KB that zstd cannot shrink much: the 64 KiB spool takes a few dozen.
            var generator = SystemRandomNumberGenerator()
            let total = 200
            for number in 1...total {
                let noise = (0..<80).map { _ in String(generator.next() as UInt64, radix: 16) }.joined()
                let message =
                    "<14>1 2026-11-22T01:30:19Z db1 percona-audit - - - "
                    + PluginRecords.jsonQuery(
                        record: "\(number)_1970-01-01T00:00:00", sql: "SELECT '\(noise)' FROM billing.t")
                frames += "\(number + 1) syslog \(message.utf8.count) \(message)\n"
            }
            try connection.send(frames)
            func answered(_ text: String) -> Int { text.components(separatedBy: " rsp 6 200 OK\n").count - 1 }
            var text = String(decoding: connection.read(for: 2), as: UTF8.self)
            let early = answered(text)
            #expect(text.hasPrefix("1 rsp "), "open is answered at once")
            #expect(
                early > 0 && early < total, "\(early) of \(total) answered while the spool is full and the sink down")
            let collector = try await RsyslogReceiver.start(port: sinkPort, in: directory)
            defer { collector.stop() }
            let deadline = ContinuousClock.now + .seconds(30)
            while answered(text) < total && ContinuousClock.now < deadline {
                text += String(decoding: connection.read(for: 0.5), as: UTF8.self)
            }
            #expect(answered(text) == total, "every record answered once the sink took them")
            _ = try await eventually("all \(total) records at the collector", diagnostics: { server.stderrTail() }) {
                Set(collector.recordIDs()).count >= total ? true : nil
            }
        }

        @Test("durability: memory: a record is answered once queued, even with the sink down (the weaker promise)")
        func memoryAnswersWhenQueued() async throws {
            let directory = try TemporaryDirectory("relp-memory")
            defer { directory.remove() }
            let sinkPort = try unusedPort()  // nothing listens here
            let server = try await AuditsieveServer.start(
                yaml: """
                    listeners:
                      - {protocol: relp, address: 127.0.0.1:0}
                    default_cluster:
                      sinks: [siem]
                    sinks:
                      siem: {type: syslog, address: 127.0.0.1:\(sinkPort), reconnect_max_ms: 200}
                    """, in: directory)
            defer { server.stop() }
            let connection = try TCPConnection(port: try #require(server.relpPorts.first))
            defer { connection.close() }
            var frames = Self.openFrame
            for number in 1...50 {
                let message =
                    "<14>1 2026-11-22T01:30:19Z db1 percona-audit - - - "
                    + PluginRecords.jsonQuery(record: "\(number)_1970-01-01T00:00:00", sql: "SELECT 1")
                frames += "\(number + 1) syslog \(message.utf8.count) \(message)\n"
            }
            try connection.send(frames)
            var text = ""
            let deadline = ContinuousClock.now + .seconds(10)
            while text.components(separatedBy: " rsp 6 200 OK\n").count - 1 < 50 && ContinuousClock.now < deadline {
                text += String(decoding: connection.read(for: 0.2), as: UTF8.self)
            }
            #expect(text.components(separatedBy: " rsp 6 200 OK\n").count - 1 == 50, "\(text.prefix(300))")
            let metrics = try MetricsScrape(httpPort: server.httpPort)
            #expect(metrics.value("auditsieve_queued_events") == 50, "queued, not delivered: the sink is down")
        }

        @Test("SIGTERM: an open RELP session is told serverclose before the connection closes")
        func serverCloseOnShutdown() async throws {
            let directory = try TemporaryDirectory("relp-serverclose")
            defer { directory.remove() }
            let server = try await AuditsieveServer.start(
                yaml: Self.yaml(
                    port: 0, spool: directory.path("spool"), output: directory.path("events.jsonl")), in: directory)
            defer { server.stop() }
            let connection = try TCPConnection(port: try #require(server.relpPorts.first))
            defer { connection.close() }
            try connection.send(Self.openFrame)
            try await Task.sleep(for: .milliseconds(300))  // kept: the session is open before the signal
            server.signal(SIGTERM)
            let answer = String(decoding: try connection.readToEnd(), as: UTF8.self)
            #expect(answer.hasPrefix("1 rsp ") && answer.hasSuffix("\n0 serverclose 0\n"), "\(answer)")
        }
    }
}
