import SieveAudit
import Testing

/// MariaDB server_audit lines (docs/FORMATS.md §4), file and syslog forms, and the hostile variants.
@Suite("MariaDB server_audit dialect")
struct MariaDBDialectTests {
    static func record(_ text: String) throws -> AuditRecord {
        try parse(text).get()
    }

    static func record(_ bytes: [UInt8]) throws -> AuditRecord {
        try parse(bytes).get()
    }

    @Test("file form with its timestamp, syslog form without, and with server_audit_syslog_info")
    func forms() throws {
        let file = try Self.record("20261122 01:29:03,vm,root,localhost,3,4,QUERY,shop,'SELECT 1',0")
        #expect(file.format == .mariadbAudit && file.kind == .general)
        #expect(file.string(.timestamp) == "20261122 01:29:03" && file.string(.serverhost) == "vm")
        #expect(
            file.order == [
                .timestamp, .serverhost, .user, .host, .connectionID, .queryID, .operation, .db, .sqltext, .status,
            ])
        let syslog = try Self.record("vm,root,localhost,3,4,QUERY,shop,'SELECT 1',0\n")
        #expect(syslog.string(.timestamp) == nil && syslog.string(.serverhost) == "vm" && syslog.string(.status) == "0")
        let info = try Self.record("db01-info vm,root,localhost,3,4,QUERY,shop,'SELECT 1',0")
        #expect(info.string(.serverhost) == "vm" && info.string(.user) == "root")
    }

    @Test("query escapes undone exactly once; rsyslog's #ooo control escapes undone; other bytes kept as sent")
    func queryEscapes() throws {
        let record = try Self.record(#"vm,u,h,1,2,QUERY,d,'a\'b\\c\nd\te\rf\bg\fh"i`j#001k',0"#)
        #expect(
            record.value(.sqltext).map(Array.init) == Array("a'b\\c\nd\te\rf".utf8) + [0x08] + Array("g".utf8) + [0x0C]
                + Array("h\"i`j".utf8) + [0x01] + Array("k".utf8))
        let latin1 = try Self.record(Array("vm,u,h,1,2,QUERY,d,'caf".utf8) + [0xE9] + Array("',0".utf8))
        #expect(latin1.value(.sqltext).map(Array.init) == Array("caf".utf8) + [0xE9])
        let masked = try Self.record(
            #"vm,root,localhost,3,18,QUERY,shop,'CREATE USER \'app\'@\'localhost\' IDENTIFIED BY *****\'pw\'',0"#)
        #expect(masked.string(.sqltext) == "CREATE USER 'app'@'localhost' IDENTIFIED BY *****'pw'")
        let failed = try Self.record("vm,root,localhost,3,19,QUERY,shop,'SELECT * FROM nope',1146")
        #expect(failed.string(.status) == "1146")
    }

    @Test("a line rsyslog cut (no closing ',RETCODE') is a truncated record with the text that arrived")
    func truncated() throws {
        let cut = try Self.record("vm,root,localhost,3,20,QUERY,shop,'INSERT INTO big VALUES (\\'AAAA")
        #expect(cut.truncated && cut.truncatedField == .sqltext)
        #expect(cut.string(.sqltext) == "INSERT INTO big VALUES ('AAAA" && !cut.has(.status))
        // Cut in the middle of a backslash escape or of rsyslog's #012.
        let midEscape = try Self.record("vm,root,localhost,3,20,QUERY,shop,'a\\")
        #expect(midEscape.truncated && midEscape.string(.sqltext) == "a")
        let midHash = try Self.record("vm,root,localhost,3,20,QUERY,shop,'a#01")
        #expect(midHash.truncated && midHash.string(.sqltext) == "a")
        let table = try Self.record("vm,root,localhost,3,21,READ,shop,ord")
        #expect(table.truncated && table.string(.table) == "ord")
    }

    @Test("connection lines: db, object, status; 12.3+ host:port and a TLS version; PROXY_CONNECT's object")
    func connections() throws {
        let connect = try Self.record("vm,root,localhost,3,0,CONNECT,shop,,0")
        #expect(
            connect.kind == .connection && connect.string(.db) == "shop" && connect.string(.object) == ""
                && connect.string(.status) == "0")
        let failed = try Self.record("vm,app,127.0.0.1,4,0,FAILED_CONNECT,,,1045")
        #expect(failed.string(.operation) == "FAILED_CONNECT" && failed.string(.status) == "1045")
        let tls = try Self.record("vm,root,::1:54321,5,0,CONNECT,shop,TLSv1.3,0")
        #expect(tls.string(.host) == "::1:54321" && tls.string(.object) == "TLSv1.3")
        let proxy = try Self.record("vm,plug,localhost,6,0,PROXY_CONNECT,test,`plug_dest`@`%`,0")
        #expect(proxy.string(.object) == "`plug_dest`@`%`" && proxy.string(.db) == "test")
    }

    @Test("ambiguous splits are flagged in warnings, never guessed silently")
    func ambiguous() throws {
        let tableComma = try Self.record("vm,root,localhost,3,7,READ,shop,tbl,with|comma,")
        #expect(
            tableComma.kind == .table && tableComma.string(.db) == "shop"
                && tableComma.string(.table) == "tbl,with|comma")
        #expect(tableComma.warnings == ["db or table holds a comma: split at the first comma"])
        let dbComma = try Self.record("vm,root,localhost,3,8,CONNECT,weird,db,,0")
        #expect(dbComma.warnings == ["db or object holds a comma: split at the last comma"])
        #expect(dbComma.string(.db) == "weird,db" && dbComma.string(.object) == "")
        let rename = try Self.record("vm,root,localhost,3,9,RENAME,shop,orders|shop.orders_old,")
        #expect(
            rename.string(.table) == "orders" && rename.string(.newDB) == "shop"
                && rename.string(.newTable) == "orders_old")
        #expect(rename.warnings.isEmpty)
        let dotted = try Self.record("vm,root,localhost,3,9,RENAME,shop,a|my.db.t,")
        #expect(dotted.warnings == ["the new name holds more than one '.': split at the first"])
        let userComma = try Self.record("vm,we,ird,localhost,3,1,QUERY,,'SELECT 1',0")
        #expect(
            userComma.string(.user) == "we,ird" && userComma.string(.host) == "localhost" && userComma.warnings.isEmpty)
    }

    @Test("not server_audit: an empty message, Percona records, prose; a broken tail is a syntax error")
    func notMariaDB() throws {
        #expect(parse("").error?.code == .notAnAuditRecord)
        #expect(parse("hello, world, 1, 2, QUERY").error?.code == .notAnAuditRecord)
        #expect(parse(#"{"audit_record":{"name":"Query"}}"#).record?.format != .mariadbAudit)
        let broken = parse("vm,root,localhost,3,4,QUERY,shop,'SELECT 1' and more")
        #expect(broken.error?.code == .syntax && broken.error?.format == .mariadbAudit)
    }

    @Test("every line of the four captures is read, none unknown, none ambiguous")
    func captures() throws {
        for name in ["mariadb-server-audit-file.txt", "mariadb-server-audit-syslog-devlog.txt"] {
            let lines = try Fixture.bytes(name).split(separator: 0x0A).map(Array.init)
            let messages = name.contains("devlog") ? try Fixture.syslogMessages(name) : lines
            #expect(messages.count == 118)
            for message in messages {
                let record = try #require(parse(message).record, "\(String(decoding: message, as: UTF8.self))")
                #expect(record.format == .mariadbAudit && !record.truncated && record.warnings.isEmpty)
            }
        }
    }
}
