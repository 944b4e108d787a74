import Foundation
import NIOCore
import SieveAudit
import SieveEvent
import SieveSQL
import SieveTestSupport
import Testing

/// The joiner on its own: records in, events out, time given by the test (no clock, no sleeps).
extension Result where Success == AuditRecord {
    fileprivate var record: AuditRecord? { try? get() }
}

@Suite("Joining statements with their server-reported table records")
struct TableRecordJoinerTests {
    static let parser = AuditParser()

    static func event(_ syslog: String) -> AuditEvent {
        AuditEvent(
            message: ByteBuffer(string: syslog), peer: "127.0.0.1:1",
            receivedAt: EventTime(seconds: 1_795_000_000, microseconds: 0),
            parser: parser)
    }

    /// A MariaDB syslog-form line from `host`.
    static func mariadb(_ line: String, host: String = "db1") -> AuditEvent {
        event("<14>Dec  5 03:10:56 \(host) mysql-server_auditing:  \(host),\(line)")
    }

    static func filter(_ json: String, host: String = "db1") -> AuditEvent {
        event("<14>Dec  5 03:10:56 \(host) mysqld: audit-filter: \(json)")
    }

    static func sqltext(_ event: AuditEvent) -> String? { event.record.record?.string(.sqltext) }
    static func operation(_ event: AuditEvent) -> String? { event.record.record?.string(.operation) }

    struct Run {
        var joiner: TableRecordJoiner
        var out: [AuditEvent] = []

        init(_ limits: TableRecordJoiner.Limits = .init(holdNanoseconds: 1_000, maxHeld: 100)) {
            joiner = TableRecordJoiner(limits: limits)
        }

        mutating func add(_ event: AuditEvent, at now: UInt64 = 0) { joiner.add(event, now: now, into: &out) }

        mutating func take() -> [AuditEvent] {
            defer { out.removeAll() }
            return out
        }
    }

    @Test(
        "MariaDB: the table lines of a query_id go into that QUERY line's event; its tables are the server's, RENAME both names"
    )
    func mariadbMerge() throws {
        var run = Run()
        run.add(Self.mariadb("root,localhost,3,7,READ,shop,orders,"))
        run.add(Self.mariadb("root,localhost,3,7,RENAME,shop,customers|shop.clients,"))
        #expect(run.take().isEmpty && run.joiner.heldCount == 2)
        run.add(Self.mariadb("root,localhost,3,7,QUERY,shop,'SELECT 1',0"))
        var out = run.take()
        #expect(out.count == 1 && out[0].tableRecords.count == 2 && run.joiner.heldCount == 0)
        #expect(run.joiner.takeCounts() == (merged: 2, alone: 0))
        out[0].extractTables(options: SQLOptions())
        #expect(out[0].tablesFromServer && out[0].tables?.status == .complete)
        #expect(out[0].tables?.tables.map(\.description) == ["shop.clients", "shop.customers", "shop.orders"])
        var encoder = EventJSONEncoder()
        let json = String(decoding: encoder.encode(out[0]), as: UTF8.self)
        #expect(
            json.contains(
                #""tables_source":"server","table_records":[{"operation":"READ","db":"shop","table":"orders"},{"operation":"RENAME","db":"shop","table":"customers","new_db":"shop","new_table":"clients"}]"#
            ), "\(json)")
        var raw: [UInt8] = []
        EventRawEncoder.encode(out[0], into: &raw)
        #expect(
            String(decoding: raw, as: UTF8.self).split(separator: "\n").map {
                $0.contains("READ") ? "READ" : $0.contains("RENAME") ? "RENAME" : "QUERY"
            } == ["READ", "RENAME", "QUERY"], "raw sinks get every message, in order")
    }

    @Test("a DISCONNECT, a QUERY of an earlier query_id, another user: held lines go out alone, before it, in order")
    func mariadbNotTheirs() {
        var run = Run()
        run.add(Self.mariadb("root,localhost,3,7,READ,shop,orders,"))
        run.add(Self.mariadb("root,localhost,3,8,QUERY,shop,'SELECT 2',0"))
        #expect(
            run.take().map { Self.operation($0) ?? "" } == ["QUERY"],
            "query 7 may still be running the statement 8 was part of")
        run.add(Self.mariadb("root,localhost,3,0,DISCONNECT,,,0"))
        #expect(run.take().map { Self.operation($0) ?? "" } == ["READ", "DISCONNECT"])
        run.add(Self.mariadb("root,localhost,3,12,WRITE,shop,orders,"))
        run.add(Self.mariadb("root,localhost,3,11,QUERY,shop,'SELECT 3',0"))
        #expect(
            run.take().map { Self.operation($0) ?? "" } == ["WRITE", "QUERY"],
            "a later query's lines cannot belong to a statement still open")
        run.add(Self.mariadb("root,localhost,3,13,WRITE,shop,orders,"))
        run.add(Self.mariadb("app,localhost,3,13,QUERY,shop,'DELETE FROM orders',0"))
        let out = run.take()
        #expect(
            out.map { Self.operation($0) ?? "" } == ["WRITE", "QUERY"] && out[1].tableRecords.isEmpty,
            "never joined to another account's statement")
        #expect(run.joiner.takeCounts() == (merged: 0, alone: 3) && !run.joiner.isHolding)
    }

    @Test(
        "a trigger's and a procedure's statements are logged before the statement that ran them: each takes its own lines"
    )
    func mariadbNested() {
        // As MariaDB 11 wrote them in the live test: INSERT fires a trigger (query 20 inside 19),
        // CALL runs a SELECT (query 23 inside 22).
        var run = Run()
        run.add(Self.mariadb("root,localhost,4,19,WRITE,shop,orders,"))
        run.add(Self.mariadb("root,localhost,4,19,WRITE,shop,order_log,"))
        run.add(Self.mariadb("root,localhost,4,20,QUERY,shop,'INSERT INTO order_log VALUES (NEW.id)',0"))
        run.add(Self.mariadb("root,localhost,4,19,QUERY,shop,'INSERT INTO orders VALUES (6, \\'x\\', 6)',0"))
        run.add(Self.mariadb("root,localhost,4,22,READ,mysql,proc,"))
        run.add(Self.mariadb("root,localhost,4,23,READ,shop,orders,"))
        run.add(Self.mariadb("root,localhost,4,23,QUERY,shop,'SELECT COUNT(*) FROM orders',0"))
        run.add(Self.mariadb("root,localhost,4,22,QUERY,shop,'CALL p_count(1)',0"))
        let out = run.take()
        #expect(out.map { $0.record.record?.string(.queryID) ?? "" } == ["20", "19", "23", "22"])
        #expect(
            out.map { $0.tableRecords.map { $0.record.record?.string(.table) ?? "" } } == [
                [], ["orders", "order_log"], ["orders"], ["proc"],
            ])
        #expect(!run.joiner.isHolding)
    }

    @Test("connections are told apart by source host and connection_id")
    func keys() {
        var run = Run()
        run.add(Self.mariadb("root,localhost,3,7,READ,shop,orders,", host: "db1"))
        run.add(Self.mariadb("root,localhost,4,7,READ,shop,clients,", host: "db1"))
        run.add(Self.mariadb("root,localhost,3,7,QUERY,shop,'SELECT 1',0", host: "db2"))
        #expect(run.take().map { $0.tableRecords.count } == [0], "db2's statement takes nothing of db1's")
        run.add(Self.mariadb("root,localhost,4,7,QUERY,shop,'SELECT 1',0", host: "db1"))
        run.add(Self.mariadb("root,localhost,3,7,QUERY,shop,'SELECT 1',0", host: "db1"))
        #expect(run.take().map { $0.tableRecords.first?.record.record?.string(.table) ?? "" } == ["clients", "orders"])
    }

    @Test("bounded in time: records whose statement did not come by their deadline go out alone, oldest first")
    func timeBound() {
        var run = Run(.init(holdNanoseconds: 1_000, maxHeld: 100))
        run.add(Self.mariadb("root,localhost,3,7,READ,shop,a,"), at: 100)
        run.add(Self.mariadb("root,localhost,4,7,READ,shop,b,"), at: 600)
        #expect(run.joiner.earliestDeadline == 1_100)
        run.joiner.releaseExpired(now: 1_099, into: &run.out)
        #expect(run.out.isEmpty)
        run.joiner.releaseExpired(now: 1_100, into: &run.out)
        #expect(
            run.take().map { $0.record.record?.string(.table) ?? "" } == ["a"] && run.joiner.earliestDeadline == 1_600)
        run.joiner.releaseAll(into: &run.out)
        #expect(run.take().map { $0.record.record?.string(.table) ?? "" } == ["b"] && !run.joiner.isHolding)
    }

    @Test("bounded in count: past maxHeld the oldest connection's records go out alone")
    func countBound() {
        var run = Run(.init(holdNanoseconds: 1_000_000, maxHeld: 3))
        for connection in 1...3 { run.add(Self.mariadb("root,localhost,\(connection),7,READ,shop,t\(connection),")) }
        #expect(run.take().isEmpty)
        run.add(Self.mariadb("root,localhost,9,7,READ,shop,t9,"))
        #expect(run.take().map { $0.record.record?.string(.table) ?? "" } == ["t1"] && run.joiner.heldCount == 3)
        var zero = Run(.init(holdNanoseconds: 1_000_000, maxHeld: 0))
        zero.add(Self.mariadb("root,localhost,1,7,READ,shop,t1,"))
        #expect(zero.take().count == 1, "table_records_held: 0 holds nothing")
    }

    @Test("audit log filter: table_access records wait through the query class for the general record with their query")
    func filterMerge() {
        var run = Run()
        let account = #""connection_id": 11, "account": { "user": "root", "host": "localhost" }"#
        run.add(
            Self.filter(
                #"{ "id": 7, "class": "table_access", "event": "read", \#(account), "table_access_data": { "db": "shop", "table": "orders", "query": "SELECT * FROM v", "sql_command": "select" } }"#
            ))
        run.add(
            Self.filter(
                #"{ "id": 8, "class": "query", "event": "status_end", \#(account), "query_data": { "query": "SELECT * FROM v", "status": 0 } }"#
            ))
        #expect(
            run.take().map { $0.record.record?.string(.id) ?? "" } == ["8"],
            "the query class passes; the table record stays held")
        run.add(
            Self.filter(
                #"{ "id": 9, "class": "general", "event": "status", \#(account), "general_data": { "command": "Query", "sql_command": "select", "query": "SELECT * FROM v", "status": 0 } }"#
            ))
        var out = run.take()
        #expect(out.count == 1 && out[0].tableRecords.count == 1)
        out[0].extractTables(options: SQLOptions())
        #expect(out[0].tables?.tables.map(\.description) == ["shop.orders"] && out[0].tablesFromServer)
        var encoder = EventJSONEncoder()
        #expect(
            String(decoding: encoder.encode(out[0]), as: UTF8.self).contains(
                #""table_records":[{"id":7,"event":"read","command_class":"select","db":"shop","table":"orders"}]"#))
        run.add(
            Self.filter(
                #"{ "id": 10, "class": "table_access", "event": "read", \#(account), "table_access_data": { "db": "shop", "table": "orders", "query": "SELECT 1 FROM orders", "sql_command": "select" } }"#
            ))
        run.add(
            Self.filter(
                #"{ "id": 11, "class": "general", "event": "status", \#(account), "general_data": { "query": "SELECT 2", "status": 0 } }"#
            ))
        #expect(run.take().map { $0.tableRecords.count } == [0, 0], "another query's general record takes nothing")
    }

    @Test("records of other dialects and unparsed messages pass straight through")
    func passThrough() {
        var run = Run()
        run.add(
            Self.event(
                #"<14>Dec  5 03:10:56 db1 percona-audit: {"audit_record":{"name":"Quit","record":"1_x","timestamp":"t","connection_id":"1","status":0,"user":"","priv_user":"","os_login":"","proxy_user":"","host":"","ip":"","db":""}}"#
            ))
        run.add(Self.event("<14>Dec  5 03:10:56 db1 x: not a record"))
        #expect(run.take().count == 2 && !run.joiner.isHolding)
    }
    @Test(
        "seeded random streams over a few connections: every record comes out exactly once, each connection's statements in order, bounds held",
        arguments: [1, 2, 3, 4, 5])
    func randomStreams(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        var run = Run(.init(holdNanoseconds: 50, maxHeld: 6))
        var sent: [String] = []
        var nextQuery = [1, 1, 1]
        var now: UInt64 = 0
        for step in 0..<2_000 {
            now += UInt64.random(in: 0...20, using: &random)
            let connection = Int.random(in: 0..<3, using: &random)
            let query = nextQuery[connection]
            let line: String
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<5:
                line =
                    "root,localhost,\(connection + 1),\(query + Int.random(in: 0...1, using: &random)),READ,shop,t\(step),"
            case 5..<8:
                line = "root,localhost,\(connection + 1),\(query),QUERY,shop,'SELECT \(step)',0"
                nextQuery[connection] += 1
            case 8: line = "root,localhost,\(connection + 1),0,DISCONNECT,,,0"
            default: line = "other,localhost,\(connection + 1),\(query),QUERY,shop,'SELECT \(step)',0"
            }
            sent.append(line)
            run.add(Self.mariadb(line), at: now)
            if step % 7 == 0 { run.joiner.releaseExpired(now: now, into: &run.out) }
            #expect(run.joiner.heldCount <= 6)
        }
        run.joiner.releaseAll(into: &run.out)
        let out = run.take()
        func text(_ event: AuditEvent) -> String {
            event.message.withUnsafeReadableBytes { String(decoding: $0, as: UTF8.self) }.components(
                separatedBy: "  db1,"
            ).last ?? ""
        }
        var received: [String] = []
        for event in out {
            received += event.tableRecords.map(text)
            received.append(text(event))
        }
        #expect(received.sorted() == sent.sorted(), "nothing lost, nothing doubled")
        #expect(!run.joiner.isHolding && run.joiner.heldBytes == 0)
        // Statements (not table lines) leave in the order they came.
        let statements = sent.filter { !$0.contains(",READ,") }
        #expect(out.map(text).filter { !$0.contains(",READ,") } == statements)
        // Joined records belong to their statement: same connection and query.
        for event in out where !event.tableRecords.isEmpty {
            let statement = event.record.record
            for record in event.tableRecords.compactMap({ $0.record.record }) {
                #expect(
                    record.value(.connectionID) == statement?.value(.connectionID)
                        && record.value(.queryID) == statement?.value(.queryID))
                #expect(record.value(.user) == statement?.value(.user))
            }
        }
    }
}
