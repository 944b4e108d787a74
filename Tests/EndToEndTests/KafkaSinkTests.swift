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

            let messages = try kafka.consume(topic: "audit.default", partitions: 3) { $0.count >= 6000 }
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
            #expect(messages.count - all.count <= 4096, "\(messages.count - all.count) duplicates")
        }
    }
}
