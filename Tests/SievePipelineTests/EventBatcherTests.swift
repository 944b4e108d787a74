import Foundation
import NIOCore
import Testing

@testable import SievePipeline

/// The batcher without a socket: messages in, events out to the queues of the routing table in
/// force, through the config's queues and delivery threads (`IngestFixture`). What a queue was
/// handed is counted at `flush` (`auditsieve_enqueued_events_total`), so counts are exact at once;
/// what a sink received is awaited.
@Suite("EventBatcher: messages to queues, socket-free", .serialized)
struct EventBatcherTests {
    static let billing = """
        clusters:
          - name: billing
            match: {hostnames: ["db-billing-*"]}
            keep_tables: ["billing.*"]
            keep_other: false
            sinks: [archive]
        """

    static func add(_ batcher: inout EventBatcher, _ message: ByteBuffer, peer: String = "192.0.2.7:514") {
        batcher.add(message: message, peer: peer, senderAddress: [192, 0, 2, 7], oversizeTruncated: false)
    }

    @Test(
        "a read burst's messages share one received_at, read when the burst is added; single messages read it each"
    )
    func burstTime() async throws {
        let fixture = try IngestFixture(clusters: Self.billing, defaultCluster: "sinks: [archive]")
        var batcher = EventBatcher(ingest: fixture.ingest, blockable: true)
        let frames = (1...3).map { n in
            let message = IngestFixture.query(n, sql: "SELECT * FROM blog.posts", host: "db-blog-01")
            return (message: message, oversizeTruncated: false)
        }
        let before = Date()
        batcher.add(frames, peer: "192.0.2.7:514", senderAddress: [192, 0, 2, 7])
        let after = Date()
        try await Task.sleep(for: .milliseconds(5))
        Self.add(&batcher, IngestFixture.query(4, sql: "SELECT * FROM blog.posts", host: "db-blog-01"))
        batcher.flush()
        let events = fixture.settled("archive").sorted {
            IngestFixture.number($0) ?? 0 < IngestFixture.number($1) ?? 0
        }
        #expect(events.map { IngestFixture.number($0) } == [1, 2, 3, 4])
        let times = events.map { $0["received_at"] as? String ?? "" }
        #expect(Set(times.prefix(3)).count == 1, "one clock reading for the burst: \(times)")
        let format = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        let burst = try #require(try? format.parse(times[0]))
        let single = try #require(try? format.parse(times[3]))
        // RFC 3339 with microseconds: allow the last one's rounding.
        #expect(burst >= before.addingTimeInterval(-0.000_001) && burst <= after.addingTimeInterval(0.000_001))
        #expect(single > burst)
        await fixture.stop()
    }

    @Test(
        "kept events reach their cluster's sinks with the cluster's decision; filtered ones reach none; decisions counted per cluster"
    )
    func routing() async throws {
        let fixture = try IngestFixture(clusters: Self.billing, defaultCluster: "sinks: [archive, audit]")
        var batcher = EventBatcher(ingest: fixture.ingest, blockable: true)
        Self.add(&batcher, IngestFixture.query(1, host: "db-billing-01"))  // billing: kept
        // billing: filtered
        Self.add(&batcher, IngestFixture.query(2, sql: "SELECT * FROM blog.posts", host: "db-billing-01"))
        // default: kept
        Self.add(&batcher, IngestFixture.query(3, sql: "SELECT * FROM blog.posts", host: "db-blog-01"))
        #expect(fixture.enqueued("archive") == 0, "nothing is handed over before the batch ends")
        batcher.flush()
        let pressured = batcher.takePressured()
        #expect(pressured.isEmpty)
        #expect(fixture.enqueued("archive") == 2 && fixture.enqueued("audit") == 1)
        // Each (cluster, sink) pair has a queue of its own: the order between clusters is not defined.
        let archive = fixture.settled("archive").sorted {
            IngestFixture.number($0) ?? 0 < IngestFixture.number($1) ?? 0
        }
        let audit = fixture.settled("audit")
        #expect(archive.map { IngestFixture.number($0) } == [1, 3])
        #expect(archive.map { $0["cluster"] as? String } == ["billing", "default"])
        #expect(
            archive.first?["decision"] as? String == "keep_tables"
                && archive.first?["decision_reason"] as? String == "billing.*")
        #expect(archive.first?["peer"] as? String == "192.0.2.7:514")
        #expect(audit.map { IngestFixture.number($0) } == [3] && audit.first?["cluster"] as? String == "default")
        #expect(fixture.counter("auditsieve_received_events_total", [("cluster", "billing")]) == 2)
        #expect(fixture.counter("auditsieve_kept_events_total", [("cluster", "billing")]) == 1)
        #expect(fixture.counter("auditsieve_filtered_events_total", [("cluster", "billing")]) == 1)
        #expect(fixture.counter("auditsieve_kept_events_total", [("cluster", "default")]) == 1)
        #expect(fixture.counter("auditsieve_records_total", [("format", "percona-json")]) == 3)
        await fixture.stop()
    }

    @Test(
        "messages in one batch that differ only in sender, APP-NAME or a HOSTNAME's last byte each go to their own cluster"
    )
    func clusterPerOrigin() async throws {
        let clusters = """
            clusters:
              - name: by-sender
                match: {senders: ["198.51.100.0/24"]}
                sinks: [archive]
              - name: by-app
                match: {app_names: ["other-audit"]}
                sinks: [archive]
              - name: by-host
                match: {hostnames: ["db-billing-1"]}
                sinks: [archive]
            """
        let fixture = try IngestFixture(clusters: clusters, defaultCluster: "sinks: [archive]")
        var batcher = EventBatcher(ingest: fixture.ingest, blockable: true)
        func message(_ n: Int, host: String, app: String = "percona-audit") -> ByteBuffer {
            let record = Records.query(n, sql: "SELECT * FROM billing.invoices")
            return ByteBuffer(string: "<14>Nov 22 01:30:19 \(host) \(app): \(record)")
        }
        let local: [UInt8] = [192, 0, 2, 7]
        let remote: [UInt8] = [198, 51, 100, 9]
        let sequence: [(ByteBuffer, [UInt8], String)] = [
            (message(1, host: "db-billing-1"), local, "by-host"),
            (message(2, host: "db-billing-1"), local, "by-host"),
            (message(3, host: "db-billing-1"), remote, "by-sender"),
            (message(4, host: "db-billing-1"), local, "by-host"),
            (message(5, host: "db-billing-1", app: "other-audit"), local, "by-app"),
            (message(6, host: "db-billing-2"), local, "default"),
            (message(7, host: "db-billing-1"), local, "by-host"),
            (message(8, host: "db-billing-"), local, "default"),
            (message(9, host: "db-billing-1"), local, "by-host"),
        ]
        for (buffer, sender, _) in sequence {
            batcher.add(message: buffer, peer: "192.0.2.7:514", senderAddress: sender, oversizeTruncated: false)
        }
        batcher.flush()
        let events = fixture.settled("archive")
        #expect(events.count == sequence.count)
        let clusterOf = Dictionary(
            uniqueKeysWithValues: events.compactMap { event in
                IngestFixture.number(event).map { ($0, event["cluster"] as? String ?? "") }
            })
        for (index, expected) in sequence.enumerated() {
            #expect(clusterOf[index + 1] == expected.2, "message \(index + 1)")
        }
        await fixture.stop()
    }

    @Test(
        "a file's '[' and ']' lines are counted as framing and are no events; a message that is no audit record is counted as unknown and delivered"
    )
    func framingAndUnknown() async throws {
        let fixture = try IngestFixture()
        var batcher = EventBatcher(ingest: fixture.ingest, blockable: true)
        let record =
            #"{ "timestamp": "2026-12-05 03:10:56", "id": 8, "class": "general", "event": "status", "connection_id": 11, "account": { "user": "root", "host": "localhost" }, "login": { "user": "root", "os": "", "ip": "", "proxy": "" }, "general_data": { "command": "Query", "sql_command": "select", "query": "SELECT 1", "status": 0 } }"#
        Self.add(&batcher, IngestFixture.filter("["))
        Self.add(&batcher, IngestFixture.filter(record))
        Self.add(&batcher, IngestFixture.filter("]"))
        Self.add(&batcher, ByteBuffer(string: "<14>Nov 22 01:30:19 db1 app: not an audit record"))
        batcher.flush()
        #expect(fixture.counter("auditsieve_framing_messages_total") == 2)
        #expect(fixture.counter("auditsieve_records_total", [("format", "unknown")]) == 1)
        #expect(fixture.counter("auditsieve_records_total", [("format", "audit-filter-json")]) == 1)
        #expect(fixture.enqueued("archive") == 2)
        let events = fixture.settled("archive")
        #expect(events.map { $0["format"] as? String } == ["audit-filter-json", "unknown"])
        #expect(events.last?["raw"] as? String == "not an audit record")
        await fixture.stop()
    }

    @Test(
        "table records wait for their statement and go into its event; one whose statement never comes goes out alone at close"
    )
    func tableRecordsJoined() async throws {
        let fixture = try IngestFixture()
        var batcher = EventBatcher(ingest: fixture.ingest, blockable: true)
        Self.add(&batcher, IngestFixture.mariadb("db1,root,localhost,3,6,WRITE,shop,orders,"))
        Self.add(&batcher, IngestFixture.mariadb("db1,root,localhost,3,6,READ,shop,customers,"))
        batcher.flush()
        #expect(
            fixture.enqueued("archive") == 0 && batcher.tableRecordDeadline != nil, "held until their statement comes")
        Self.add(
            &batcher,
            IngestFixture.mariadb("db1,root,localhost,3,6,QUERY,shop,'INSERT INTO orders SELECT * FROM customers',0"))
        Self.add(&batcher, IngestFixture.mariadb("db1,root,localhost,3,8,RENAME,shop,customers|shop.clients,"))
        batcher.flush()
        #expect(fixture.enqueued("archive") == 1 && batcher.tableRecordDeadline != nil)
        #expect(fixture.counter("auditsieve_table_records_total", [("outcome", "merged")]) == 2)
        batcher.releaseAllTableRecords()
        batcher.flush()
        #expect(batcher.tableRecordDeadline == nil)
        #expect(fixture.counter("auditsieve_table_records_total", [("outcome", "alone")]) == 1)
        let events = fixture.settled("archive")
        #expect(events.map { "\($0["query_id"] ?? "?")/\($0["operation"] ?? "?")" } == ["6/QUERY", "8/RENAME"])
        let records = events.first?["table_records"] as? [[String: String]]
        #expect(records?.map { $0["table"] } == ["orders", "customers"])
        #expect(events.first?["tables_source"] as? String == "server")
        await fixture.stop()
    }

    @Test("table records whose statement does not come within table_record_hold go out alone when their time is up")
    func tableRecordsExpire() async throws {
        let fixture = try IngestFixture(limits: "limits: {table_record_hold: 0ms}")
        var batcher = EventBatcher(ingest: fixture.ingest, blockable: true)
        Self.add(&batcher, IngestFixture.mariadb("db1,root,localhost,3,6,WRITE,shop,orders,"))
        batcher.flush()
        #expect(fixture.enqueued("archive") == 0 && batcher.tableRecordDeadline != nil, "held until its time is up")
        let released = batcher.releaseExpiredTableRecords()
        #expect(released, "its time (0 ms) is up")
        batcher.flush()
        #expect(fixture.enqueued("archive") == 1)
        #expect(batcher.tableRecordDeadline == nil)
        #expect(fixture.counter("auditsieve_table_records_total", [("outcome", "alone")]) == 1)
        #expect(fixture.settled("archive").map { $0["operation"] as? String } == ["WRITE"])
        await fixture.stop()
    }

    @Test(
        "limits.table_records_held_bytes bounds all connections together: past it, the connection adding a record sends its own oldest out alone"
    )
    func heldBytesBound() async throws {
        let fixture = try IngestFixture(limits: "limits: {table_records_held_bytes: 1KiB, table_record_hold: 10m}")
        var first = EventBatcher(ingest: fixture.ingest, blockable: true)
        var second = EventBatcher(ingest: fixture.ingest, blockable: true)
        for queryID in 10..<30 {
            Self.add(&first, IngestFixture.mariadb("db1,root,localhost,3,\(queryID),WRITE,shop,orders,"))
        }
        first.flush()
        let alone = fixture.counter("auditsieve_table_records_total", [("outcome", "alone")])
        #expect(alone > 0 && alone < 20, "some fit under the bound, the rest went out")
        #expect(fixture.enqueued("archive") == alone)
        // The first connection holds all the bound allows: the second's record goes out at once,
        // and the first's stay held.
        Self.add(&second, IngestFixture.mariadb("db1,root,localhost,4,30,WRITE,shop,orders,"))
        second.flush()
        #expect(fixture.counter("auditsieve_table_records_total", [("outcome", "alone")]) == alone + 1)
        #expect(first.tableRecordDeadline != nil && second.tableRecordDeadline == nil)
        first.releaseAllTableRecords()
        first.flush()
        let events = fixture.received("archive", count: 21)
        #expect(events.count == 21)
        let order = events.compactMap { $0["query_id"] as? Int }
        #expect(
            order == Array(10..<(10 + Int(alone))) + [30] + Array((10 + Int(alone))..<30),
            "oldest first, per connection")
        await fixture.stop()
    }

    @Test(
        "a full when_full: block queue is reported for pausing (TCP); without a way to pause (UDP) its batch is dropped and counted"
    )
    func fullQueue() async throws {
        let fixture = try IngestFixture(
            defaultCluster: "sinks: [archive]\n  spool: {memory_bytes: 64KiB, when_full: block}")
        let sink = fixture.sink("archive")
        sink.hold()
        var tcp = EventBatcher(ingest: fixture.ingest, blockable: true)
        var udp = EventBatcher(ingest: fixture.ingest, blockable: false)
        Self.add(&tcp, IngestFixture.query(0))
        tcp.flush()
        #expect(sink.waitUntilHeld(), "the delivery thread holds event 0 in the sink")
        for n in 1...150 { Self.add(&tcp, IngestFixture.query(n)) }
        tcp.flush()
        let pressured = tcp.takePressured()
        #expect(pressured.count == 1, "the connection is told to pause for archive's queue")
        let again = tcp.takePressured()
        #expect(again.isEmpty, "handed over once")
        for n in 151...160 { Self.add(&udp, IngestFixture.query(n)) }
        udp.flush()
        let udpPressured = udp.takePressured()
        #expect(udpPressured.isEmpty)
        #expect(
            fixture.counter("auditsieve_dropped_events_total", [("sink", "archive"), ("reason", "queue_full")]) == 10)
        sink.release()
        let events = fixture.received("archive", count: 151)
        #expect(
            events.compactMap(IngestFixture.number) == Array(0...150), "everything the queue accepted arrives, in order"
        )
        await fixture.stop()
    }
}
