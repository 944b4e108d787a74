import Foundation
import Testing

extension EndToEnd {
    @Suite("Kafka sink against librdkafka's mock cluster", .serialized)
    struct KafkaSink {
        static func line(_ number: Int, host: String) -> String {
            "<14>Nov 22 01:30:19 \(host) percona-audit: "
                + PluginRecords.jsonQuery(record: "\(number)_1970-01-01T00:00:00", sql: "SELECT 1") + "\n"
        }

        /// Record numbers per key, in each partition's order, and how often each arrived.
        static func records(_ messages: [(partition: Int32, key: String, value: String)]) -> [String: [Int]] {
            var byKey: [String: [Int]] = [:]
            for message in messages {
                guard let range = message.value.range(of: #""record":""#),
                    let number = Int(message.value[range.upperBound...].prefix { $0 != "_" })
                else { continue }
                byKey[message.key, default: []].append(number)
            }
            return byKey
        }

        @Test(
            "fire drill: broker down mid-stream, the spool fills, broker up: every record once per host key, in order; the accounting identity holds"
        )
        func fireDrill() async throws {
            let directory = try TemporaryDirectory("kafka-drill")
            defer { directory.remove() }
            let kafka = try KafkaMockCluster()
            kafka.createTopic("audit.default", partitions: 3)
            let server = try await AuditsieveServer.start(
                yaml: """
                    listeners:
                      - {protocol: tcp, address: 127.0.0.1:0}
                    spool:
                      directory: \(directory.path("spool"))
                    default_cluster:
                      spool: {max_bytes: 256MiB, memory_bytes: 64KiB}
                      sinks: [bus]
                    sinks:
                      bus:
                        type: kafka
                        brokers: ["\(kafka.bootstraps)"]
                        topic: "audit.{cluster}"
                        delivery_timeout_ms: 2000
                    """, in: directory)
            defer { server.stop() }
            let connection = try TCPConnection(port: server.tcpPort)
            defer { connection.close() }
            let hosts = ["db1", "db2", "db3", "db4"]
            func send(_ range: ClosedRange<Int>) throws {
                try connection.send(range.map { Self.line($0, host: hosts[$0 % hosts.count]) }.joined())
            }
            func metrics() throws -> MetricsScrape { try MetricsScrape(httpPort: server.httpPort) }

            try send(1...1000)
            _ = try await eventually("1000 records stored in Kafka", diagnostics: { server.stderrTail() }) {
                try metrics().value("auditsieve_forwarded_events_total") >= 1000 ? true : nil
            }
            #expect(try metrics().value("auditsieve_sink_up", ["sink": "bus"]) == 1)
            kafka.setBroker(1, up: false)
            try send(1001...6000)
            _ = try await eventually(
                "the sink to fail and the spool to take the records", timeout: .seconds(30),
                diagnostics: { server.stderrTail() }
            ) {
                let scrape = try metrics()
                return scrape.value("auditsieve_sink_up", ["sink": "bus"]) == 0
                    && scrape.value("auditsieve_spool_bytes") > 0 ? true : nil
            }
            kafka.setBroker(1, up: true)
            try await server.waitUntilDelivered(timeout: .seconds(60))
            let scrape = try metrics()
            #expect(scrape.value("auditsieve_sink_up", ["sink": "bus"]) == 1)
            let enqueued = scrape.value("auditsieve_enqueued_events_total")
            let accounted =
                scrape.value("auditsieve_forwarded_events_total") + scrape.value("auditsieve_dropped_events_total")
                + scrape.value("auditsieve_queued_events")
            #expect(enqueued == 6000 && accounted == enqueued, "enqueued \(enqueued), accounted \(accounted)")
            #expect(scrape.value("auditsieve_dropped_events_total") == 0)
            #expect(scrape.value("auditsieve_sink_write_errors_total") > 0, "the outage failed deliveries")

            // Read until every record came, then half a second more: a duplicate would show.
            var complete: ContinuousClock.Instant?
            var seen = Set<Int>()
            var looked = 0
            let messages = try kafka.consume(topic: "audit.default", partitions: 3) { read in
                if looked < read.count {
                    seen.formUnion(Self.records(Array(read[looked...])).values.joined())
                    looked = read.count
                }
                if complete == nil, seen.count >= 6000 { complete = .now }
                return complete.map { ContinuousClock.now - $0 > .milliseconds(500) } ?? false
            }
            let byKey = Self.records(messages)
            #expect(Set(byKey.keys) == Set(hosts), "keyed by the source host: \(byKey.keys.sorted())")
            var all = Set<Int>()
            for (key, numbers) in byKey {
                var seen = Set<Int>()
                let firsts = numbers.filter { seen.insert($0).inserted }
                #expect(firsts == firsts.sorted(), "\(key): in order")
                #expect(firsts.allSatisfy { hosts[$0 % hosts.count] == key }, "\(key): only its own records")
                all.formUnion(firsts)
            }
            #expect(all == Set(1...6000), "missing: \(Set(1...6000).subtracting(all).sorted().prefix(10))")
            #expect(messages.count == all.count, "\(messages.count - all.count) duplicates: each record once")
        }
    }
}

extension EndToEnd.KafkaSink {
    @Test(
        "scripts/fire-drill on a Kafka sink: the mock broker taken down mid-drill and brought back (scripts/kafka-mock-sink.c); PASS, every record once, in order, accounting adds up"
    )
    func fireDrillScript() async throws {
        let directory = try TemporaryDirectory("kafka-fire-drill")
        defer { directory.remove() }
        let compiler = try Paths.tool("cc", package: "gcc")
        let helper = directory.path("kafka-mock-sink")
        let build = try await runToCompletion(
            compiler,
            [
                "-O2", "-o", helper, Paths.packageRoot.appendingPathComponent("scripts/kafka-mock-sink.c").path,
                "-lrdkafka",
            ],
            in: directory, name: "cc", timeout: .seconds(60))
        try #require(build.status == 0, "\(build.stderr)")
        let output = directory.path("kafka.out")
        let bootstrapFile = directory.path("kafka.bootstrap")
        let kafka = try ChildProcess(
            URL(fileURLWithPath: helper), [bootstrapFile, output, "audit", "3"], name: "kafka-mock-sink", in: directory)
        defer { kafka.stop() }
        let bootstrap = try await eventually("the mock cluster's address", diagnostics: { kafka.stderrTail() }) {
            (try? String(contentsOfFile: bootstrapFile, encoding: .utf8))?.trimmingCharacters(
                in: .whitespacesAndNewlines)
        }
        let spool = directory.path("spool")
        let server = try await AuditsieveServer.start(
            yaml: """
                listeners:
                  - {protocol: tcp, address: 127.0.0.1:0}
                spool: {directory: \(spool), fsync_interval_ms: 100}
                default_cluster:
                  spool: {max_bytes: 1GiB, memory_bytes: 256KiB}
                  sinks: [bus]
                sinks:
                  bus: {type: kafka, brokers: ["\(bootstrap)"], topic: audit, delivery_timeout_ms: 2000}
                """, in: directory)
        defer { server.stop() }
        let result = try await runToCompletion(
            Paths.packageRoot.appendingPathComponent("scripts/fire-drill"),
            [
                "--listener", "127.0.0.1:\(server.tcpPort)", "--spool", spool, "--binary", try Paths.auditsieve().path,
                "--block", "kill -USR1 \(kafka.pid)", "--unblock", "kill -USR2 \(kafka.pid)", "--records", "20000",
                "--rate", "10000", "--outage-after", "0.5", "--outage", "4", "--verify", output, "--drain-timeout",
                "90",
                "--metrics", "http://127.0.0.1:\(server.httpPort)/metrics",
            ],
            in: directory, name: "fire-drill", timeout: .seconds(180))
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)\n\(server.stderrTail())\n\(kafka.stderrTail())")
        #expect(
            result.stdout.contains("20000/20000 arrived, 0 missing, 0 duplicates, 0 out of order"), "\(result.stdout)")
        #expect(result.stdout.contains("accounting adds up for all 1 queues"), "\(result.stdout)")
        #expect(
            result.stdout.range(of: #"peak [1-9][0-9]* events"#, options: .regularExpression) != nil, "\(result.stdout)"
        )
        #expect(kafka.stderrTail().contains("broker down") && kafka.stderrTail().contains("broker up"))
    }
}
