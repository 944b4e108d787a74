import SieveAudit
import Testing

/// The audit log filter's JSON and JSONL (docs/FORMATS.md §3.1) as they arrive over syslog.
@Suite("audit log filter JSON dialect")
struct FilterJSONDialectTests {
    static let jsonl =
        #"{ "timestamp": "2026-12-05 03:10:56", "id": 8, "class": "table_access", "event": "read", "connection_id": 11, "account": { "user": "root", "host": "localhost" }, "login": { "user": "root", "os": "", "ip": "", "proxy": "" }, "table_access_data": { "db": "shop", "table": "orders", "query": "SELECT * FROM orders", "sql_command": "select" } }"#

    @Test("JSONL after the component's audit-filter: prefix; a file tailer's trailing comma")
    func jsonl() throws {
        for message in ["audit-filter: " + Self.jsonl, Self.jsonl + ",", "  " + Self.jsonl] {
            let record = try parse(message).get()
            #expect(record.format == .auditFilterJSON && record.kind == .table)
            #expect(
                record.string(.db) == "shop" && record.string(.table) == "orders"
                    && record.string(.sqltext) == "SELECT * FROM orders")
            #expect(record.string(.id) == "8" && record.string(.connectionID) == "11" && record.string(.user) == "root")
            #expect(String(decoding: record.extraJSON, as: UTF8.self) == #","login_user":"root""#)
        }
    }

    @Test("pretty JSON with rsyslog's #012 between tokens; #012 inside a string is text")
    func pretty() throws {
        let message =
            #"audit-filter:   {#012    "timestamp": "2026-12-05 03:10:56",#012    "id": 9,#012    "class": "general",#012    "event": "status",#012    "connection_id": 11,#012    "general_data": {#012      "command": "Query",#012      "sql_command": "select",#012      "query": "SELECT '#012' FROM t",#012      "status": 0#012    }#012  }"#
        let record = try parse(message).get()
        #expect(
            record.kind == .general && record.string(.sqltext) == "SELECT '#012' FROM t"
                && record.string(.status) == "0")
        #expect(String(decoding: record.extraJSON, as: UTF8.self) == #","command":"Query""#)
    }

    @Test("a record cut by rsyslog is truncated in the field the cut fell in; a cut number is left out")
    func truncated() throws {
        let cut = try parse(Self.jsonl.components(separatedBy: "FROM orders")[0] + "FROM o").get()
        #expect(cut.truncated && cut.truncatedField == .sqltext && cut.string(.sqltext) == "SELECT * FROM o")
        let number = try parse(#"{ "timestamp": "2026-12-05 03:10:56", "id": 12"#).get()
        #expect(number.truncated && !number.has(.id))
        let inExtra = try parse(#"{ "timestamp": "x", "id": 1, "startup_data": { "args": ["a", "b"#).get()
        #expect(inExtra.truncated && inExtra.extraJSON.isEmpty, "a member cut short is not kept half")
    }

    @Test("hostile input: deep nesting, trailing data, a bare [ or ], an empty message, the plugin's own JSON")
    func hostile() throws {
        let deep = #"{ "timestamp": "x", "extra": "# + String(repeating: "[", count: 50_000)
        #expect(parse(deep).error?.code == .syntax)
        #expect(parse(Self.jsonl + " trailing").error?.code == .trailingData)
        #expect(parse("[").error?.code == .framing && parse("audit-filter: ] ,").error?.code == .framing)
        #expect(parse("[1]").error?.code == .notAnAuditRecord)
        #expect(parse("").error?.code == .notAnAuditRecord)
        #expect(
            parse(
                #"{"audit_record":{"name":"Quit","record":"1_x","timestamp":"t","connection_id":"1","status":0,"user":"","priv_user":"","os_login":"","proxy_user":"","host":"","ip":"","db":""}}"#
            ).record?.format == .perconaJSON)
    }

    @Test(
        "filter NEW XML: RECORD_ID tells it from the plugin's; elements by name, any missing, others kept in lower case"
    )
    func newXML() throws {
        let message =
            "audit-filter:   <AUDIT_RECORD>#012  <NAME>TableRead</NAME>#012  <RECORD_ID>7_2026-12-05T03:10:56</RECORD_ID>#012  <TIMESTAMP>2026-12-05T03:10:56 UTC</TIMESTAMP>#012  <CONNECTION_ID>11</CONNECTION_ID>#012  <DB>shop</DB>#012  <TABLE>orders</TABLE>#012  <CONNECTION_TYPE>Socket</CONNECTION_TYPE>#012</AUDIT_RECORD>"
        let record = try parse(message).get()
        #expect(record.format == .auditFilterNewXML && record.kind == .table)
        #expect(
            record.string(.db) == "shop" && record.string(.table) == "orders"
                && record.string(.timestamp) == "2026-12-05T03:10:56 UTC")
        #expect(record.extraFields.map(\.key) == ["record_id", "connection_type"])
        let cut = try parse(String(message.prefix(message.count - 60))).get()
        #expect(cut.truncated && cut.string(.db) == "shop")
        #expect(
            parse("<AUDIT>").error?.code == .framing
                && parse(#"<?xml version="1.0" encoding="utf-8"?>"#).error?.code == .framing)
        let plugin =
            "<AUDIT_RECORD><NAME>Quit</NAME><RECORD>1_x</RECORD><TIMESTAMP>t</TIMESTAMP><CONNECTION_ID>1</CONNECTION_ID><STATUS>0</STATUS><USER></USER><PRIV_USER></PRIV_USER><OS_LOGIN></OS_LOGIN><PROXY_USER></PROXY_USER><HOST></HOST><IP></IP><DB></DB></AUDIT_RECORD>"
        #expect(parse(plugin).record?.format == .perconaNewXML)
    }
    @Test(
        "filter OLD XML: a RECORD_ID attribute tells it from the plugin's; attributes by name, any missing, others kept in lower case"
    )
    func oldXML() throws {
        let message =
            ##"audit-filter:   <AUDIT_RECORD#012    NAME="TableRead"#012    RECORD_ID="7_2026-12-05T03:10:56"#012    TIMESTAMP="2026-12-05T03:10:56 UTC"#012    CONNECTION_ID="11"#012    DB="shop"#012    TABLE="orders"#012    SQLTEXT="SELECT &quot;a&quot; FROM orders"#012    CONNECTION_TYPE="Socket"/>"##
        let record = try parse(message).get()
        #expect(record.format == .auditFilterOldXML && record.kind == .table)
        #expect(
            record.string(.db) == "shop" && record.string(.table) == "orders"
                && record.string(.timestamp) == "2026-12-05T03:10:56 UTC")
        #expect(record.string(.connectionID) == "11" && record.string(.sqltext) == #"SELECT "a" FROM orders"#)
        #expect(record.extraFields.map(\.key) == ["record_id", "connection_type"])
        // Cut inside CONNECTION_ID's digits: the number is dropped, the fields before it kept.
        let cut = try parse(#"<AUDIT_RECORD NAME="Query" RECORD_ID="1_x" DB="shop" CONNECTION_ID="1"#).get()
        #expect(
            cut.truncated && cut.truncatedField == .connectionID && !cut.has(.connectionID) && cut.string(.db) == "shop"
        )
        let cutText = try parse(#"<AUDIT_RECORD NAME="Query" RECORD_ID="1_x" SQLTEXT="SELECT * FR"#).get()
        #expect(cutText.truncated && cutText.truncatedField == .sqltext && cutText.string(.sqltext) == "SELECT * FR")
        #expect(
            parse(#"<AUDIT_RECORD NAME="Query" RECORD_ID="1_x" STATUS="0"/> trailing"#).error?.code == .trailingData)
        // The plugin's OLD XML, even when its SQL text holds RECORD_ID="…", stays the plugin's.
        let plugin =
            #"<AUDIT_RECORD NAME="Query" RECORD="1_x" TIMESTAMP="t" COMMAND_CLASS="select" CONNECTION_ID="1" STATUS="0" SQLTEXT="select 1 as RECORD_ID=&quot;x&quot;" USER="" HOST="" OS_USER="" IP="" DB=""/>"#
        #expect(parse(plugin).record?.format == .perconaOldXML)
        #expect(
            parse(#"<AUDIT_RECORD NAME="Query" RECORD="1_x" SQLTEXT=" RECORD_ID=&quot;1&quot;"/>"#).record?.format
                != .auditFilterOldXML)
    }
    @Test(
        "filter OLD XML cut at every byte after its RECORD_ID: a truncated record whose fields are the original's or a prefix of them"
    )
    func oldXMLEveryPrefix() throws {
        let sample = try #require(Fixture.chunks("percona-filter-old-xml.txt").first { $0.text.contains("SQLTEXT") })
            .bytes
        let original = try parse(sample).get()
        #expect(original.format == .auditFilterOldXML && original.string(.sqltext) == "CREATE TABLE t1 (c1 INT)")
        let recordID = try #require(sample.indices.first { sample[$0...].starts(with: Array("RECORD_ID".utf8)) })
        for cut in (recordID + 9)..<sample.count {
            let record = try parse(Array(sample[..<cut])).get()
            #expect(record.format == .auditFilterOldXML, "cut at \(cut)")
            for field in original.order {
                guard let value = record.value(field), let whole = original.value(field) else { continue }
                if field == record.truncatedField {
                    #expect(whole.starts(with: value), "cut at \(cut): \(field)")
                } else {
                    #expect(value.elementsEqual(whole), "cut at \(cut): \(field)")
                }
            }
            #expect(record.truncated || cut >= sample.count - 2, "cut at \(cut)")
        }
    }
    @Test("a record cut inside rsyslog's #012 between members is truncated, not an error (JSON, NEW and OLD XML)")
    func cutInsideEscape() throws {
        for tail in ["#", "#0", "#01"] {
            let json = try parse(
                ##"audit-filter:   {#012    "timestamp": "2026-12-05 03:10:56",#012    "id": 8,"## + tail
            ).get()
            #expect(json.format == .auditFilterJSON && json.truncated && json.string(.id) == "8", "\(tail)")
            let old = try parse(##"audit-filter:   <AUDIT_RECORD#012    NAME="Query"#012    RECORD_ID="1_x""## + tail)
                .get()
            #expect(old.format == .auditFilterOldXML && old.truncated && old.string(.name) == "Query", "\(tail)")
            let new = try parse(
                "audit-filter:   <AUDIT_RECORD>#012  <NAME>Query</NAME>#012  <RECORD_ID>1_x</RECORD_ID>" + tail
            ).get()
            #expect(new.format == .auditFilterNewXML && new.truncated && new.string(.name) == "Query", "\(tail)")
        }
    }
    @Test(
        "NEW XML: an element holding elements keeps its markup, rsyslog's #012 between its tags undone, text inside kept"
    )
    func nestedMarkup() throws {
        let message =
            "<AUDIT_RECORD>#012  <RECORD_ID>1_x</RECORD_ID>#012  <NAME>Message</NAME>#012  <MAP>#012   <ELEMENT>#012    <KEY>k#012ey</KEY>#012    <VALUE>-9</VALUE>#012   </ELEMENT>#012  </MAP>#012 </AUDIT_RECORD>"
        let record = try parse(message).get()
        let map = try #require(record.extraFields.first { $0.key == "map" })
        #expect(
            String(decoding: record.storage[map.range], as: UTF8.self)
                == "\n   <ELEMENT>\n    <KEY>k#012ey</KEY>\n    <VALUE>-9</VALUE>\n   </ELEMENT>\n  ")
    }

    @Test(
        "a member named like a key the receiver writes (peer_certificate, decision, …) is kept as record_NAME: a record cannot forge them"
    )
    func envelopeKeysNotForged() throws {
        let record = try parse(
            #"{ "id": 1, "class": "general", "connection_id": 1, "peer_certificate": "db-1.example.com", "decision": "kept", "misc": 2 }"#
        ).get()
        let extra = String(decoding: record.extraJSON, as: UTF8.self)
        #expect(
            extra == #","record_peer_certificate":"db-1.example.com","record_decision":"kept","misc":2"#, "\(extra)")
        let new = try parse(
            "<AUDIT_RECORD><RECORD_ID>1_x</RECORD_ID><NAME>Query</NAME><PEER_CERTIFICATE>x</PEER_CERTIFICATE></AUDIT_RECORD>"
        ).get()
        #expect(new.extraFields.map(\.key) == ["record_id", "record_peer_certificate"])
        let old = try parse(#"<AUDIT_RECORD NAME="Query" RECORD_ID="1_x" CLUSTER="billing"/>"#).get()
        #expect(old.extraFields.map(\.key) == ["record_id", "record_cluster"])
    }
}
