import Foundation
import NIOCore
import SieveAudit
import SieveEvent
import Testing

/// The JSON encoding of events against docs/EVENT.md: documented keys only, in the documented order,
/// numbers as numbers, one line that Foundation parses.
@Suite("EventJSONEncoder")
struct EventJSONEncoderTests {
    static let header = "<14>Nov 22 01:30:19 db1 percona-audit: "
    static let jsonQuery =
        #"{"audit_record":{"name":"Query","record":"9_1970-01-01T00:00:00","timestamp":"2024-01-01T00:00:00Z","command_class":"select","connection_id":"5","status":0,"sqltext":"SELECT * FROM billing.invoices","user":"app[app] @ web1 [10.0.0.5]","host":"web1","os_user":"","ip":"10.0.0.5","db":"billing"}}"#
    /// 2026-11-22T01:30:19.512345Z, EVENT.md's received_at.
    static let docTime = EventTime(seconds: 1_795_311_019, microseconds: 512_345)

    /// Encodes, checks the shape, and returns the parsed event.
    static func encoded(_ event: AuditEvent, sourceLocation: SourceLocation = #_sourceLocation) throws -> OrderedJSON {
        let line = encodeJSON(event)
        let problems = eventShapeProblems(line)
        #expect(problems.isEmpty, "\(problems)\n\(line.text)", sourceLocation: sourceLocation)
        return try OrderedJSON.parse(line)
    }

    @Test("EVENT.md's example record is encoded exactly as documented")
    func documentedExample() throws {
        let line = encodeJSON(event(Self.header + Self.jsonQuery, receivedAt: Self.docTime))
        #expect(
            line.text == """
                {"format":"percona-json","name":"Query","record":"9_1970-01-01T00:00:00","timestamp":"2024-01-01T00:00:00Z",\
                "command_class":"select","connection_id":5,"status":0,"sqltext":"SELECT * FROM billing.invoices",\
                "user":"app[app] @ web1 [10.0.0.5]","host":"web1","os_user":"","ip":"10.0.0.5","db":"billing",\
                "truncated":false,\
                "syslog":{"facility":1,"severity":6,"timestamp":"Nov 22 01:30:19","hostname":"db1","app_name":"percona-audit"},\
                "peer":"10.1.2.3:40112","received_at":"2026-11-22T01:30:19.512345Z"}

                """)
        #expect(eventShapeProblems(line).isEmpty)
        let object = try #require(try foundationJSON(line) as? [String: Any])
        #expect(object["connection_id"] as? Int == 5)
        #expect(object["status"] as? Int == 0)
        #expect(object["truncated"] as? Bool == false)
    }

    @Test("a NEW XML failed login: connection template, status a number, entities undone")
    func newXMLConnection() throws {
        let record = """
            <AUDIT_RECORD>#012  <NAME>Connect</NAME>#012  <RECORD>3_1970-01-01T00:00:00</RECORD>#012  \
            <TIMESTAMP>2021-06-30T17:45:16 UTC</TIMESTAMP>#012  <CONNECTION_ID>42</CONNECTION_ID>#012  \
            <STATUS>1045</STATUS>#012  <USER>bob&amp;&quot;co&quot;&#10;&#9;x</USER>#012  <PRIV_USER></PRIV_USER>#012  \
            <OS_LOGIN></OS_LOGIN>#012  <PROXY_USER></PROXY_USER>#012  <HOST>web&lt;1&gt;</HOST>#012  <IP>10.0.0.7</IP>#012  \
            <DB>#012</DB>#012</AUDIT_RECORD>
            """
        let json = try Self.encoded(event(Self.header + record))
        #expect(json.keys == ["format"] + Template.connection + ["truncated", "syslog", "peer", "received_at"])
        #expect(json["format"] == .string("percona-new-xml"))
        #expect(json["connection_id"] == .number("42"))
        #expect(json["status"] == .number("1045"))
        #expect(json["user"] == .string("bob&\"co\"\n\tx"))
        #expect(json["host"] == .string("web<1>"))
        #expect(json["priv_user"] == .string(""))
        #expect(json["timestamp"] == .string("2021-06-30T17:45:16 UTC"))
        #expect(json["db"] == .string("#012"), "#012 inside an XML value is text")
    }

    @Test("an OLD XML audit record: audit template, no connection_id or status")
    func oldXMLAudit() throws {
        let record = """
            <AUDIT_RECORD#012  NAME="NoAudit"#012  RECORD="2_1970-01-01T00:00:00"#012  TIMESTAMP="2021-06-30T11:56:53Z"#012  \
            MYSQL_VERSION="8.0.27-18"#012  STARTUP_OPTIONS="--daemonize --user=&quot;mysql&quot;"#012  OS_VERSION="x86_64-Linux"#012/>
            """
        let json = try Self.encoded(event(Self.header + record))
        #expect(json.keys == ["format"] + Template.audit + ["truncated", "syslog", "peer", "received_at"])
        #expect(json["format"] == .string("percona-old-xml"))
        #expect(json["startup_options"] == .string("--daemonize --user=\"mysql\""))
    }

    @Test("a JSON Audit record's startup_optionsi key is written as startup_options")
    func jsonAudit() throws {
        let record =
            #"{"audit_record":{"name":"Audit","record":"1_2019-01-22T09:54:38","timestamp":"2019-01-22T09:54:38 UTC","mysql_version":"5.7.23","startup_optionsi":"--port=3306","os_version":"x86_64-debian-linux-gnu"}}"#
        let json = try Self.encoded(event(Self.header + record))
        #expect(json.keys == ["format"] + Template.audit + ["truncated", "syslog", "peer", "received_at"])
        #expect(json["startup_options"] == .string("--port=3306"))
    }

    @Test("a CSV Init DB record with empty SQL keeps sqltext as an empty string")
    func csvInitDB() throws {
        let record =
            #""Init DB","7_1970-01-01T00:00:00","2024-01-01T00:00:00Z","error","12",0,"","u[u] @ localhost []","localhost","","","test""#
        let json = try Self.encoded(event(Self.header + record))
        #expect(json.keys == ["format"] + Template.general + ["truncated", "syslog", "peer", "received_at"])
        #expect(json["format"] == .string("percona-csv"))
        #expect(json["name"] == .string("Init DB"))
        #expect(json["sqltext"] == .string(""))
        #expect(json["connection_id"] == .number("12"))
    }

    @Test("a masked connection id is kept as text with a warning")
    func warnings() throws {
        let record = #""Quit","<ID>","<DATETIME>","<CONN_ID>",0,"root","root","","","localhost","","test""#
        let json = try Self.encoded(event(Self.header + record))
        #expect(json["connection_id"] == .string("<CONN_ID>"))
        #expect(json["status"] == .number("0"))
        #expect(json["warnings"] == .array([.string("connection_id is not a number; kept as text")]))
        #expect(json.keys.suffix(5) == ["truncated", "warnings", "syslog", "peer", "received_at"])
    }

    @Test("a record cut inside sqltext: fields up to the cut, truncated_field names it")
    func truncatedInText() throws {
        let cut = String(Self.jsonQuery.prefix(while: { $0 != "F" }))  // ends inside "SELECT * "
        let json = try Self.encoded(event(Self.header + cut))
        #expect(json["truncated"] == .bool(true))
        #expect(json["truncated_field"] == .string("sqltext"))
        #expect(json["sqltext"] == .string("SELECT * "))
        #expect(
            json.keys == [
                "format", "name", "record", "timestamp", "command_class", "connection_id", "status", "sqltext",
                "truncated", "truncated_field", "syslog", "peer", "received_at",
            ])
    }

    @Test("a number cut mid-digits is absent, and truncated_field names it")
    func truncatedInNumber() throws {
        let cut =
            #"{"audit_record":{"name":"Query","record":"1","timestamp":"t","command_class":"x","connection_id":"5","status":12"#
        let json = try Self.encoded(event(Self.header + cut))
        #expect(json["status"] == nil)
        #expect(json["truncated_field"] == .string("status"))
        #expect(json["connection_id"] == .number("5"))
    }

    @Test("a record cut before its NAME was complete has no fields and no truncated_field")
    func truncatedBeforeName() throws {
        let json = try Self.encoded(event(Self.header + #"{"audit_record":{"na"#))
        #expect(json.keys == ["format", "truncated", "syslog", "peer", "received_at"])
        #expect(json["format"] == .string("percona-json"))
        #expect(json["truncated"] == .bool(true))
    }

    @Test("a message that is not an audit record: format unknown, error, raw MSG")
    func unknown() throws {
        let json = try Self.encoded(event("<38>Nov 22 01:30:19 db1 sshd[912]: Accepted publickey for deploy"))
        #expect(json.keys == ["format", "truncated", "error", "raw", "syslog", "peer", "received_at"])
        #expect(json["format"] == .string("unknown"))
        #expect(
            json["error"]
                == .string(#"not an audit record in a known format (starts with "Accepted publickey for d") at byte 0"#)
        )
        #expect(json["raw"] == .string("Accepted publickey for deploy"))
        #expect(json["syslog"]?["app_name"] == .string("sshd"))
        #expect(json["syslog"]?["facility"] == .number("4"))
        #expect(json["syslog"]?["severity"] == .number("6"))
    }

    @Test("an unknown event's raw keeps control characters and invalid UTF-8 readable as JSON")
    func unknownRawBytes() throws {
        let message = Array("<14>Nov 22 01:30:19 db1 app: x\u{01}\"\\".utf8) + [0xFF, 0x0A, 0x7F]
        let json = try Self.encoded(event(message))
        #expect(json["raw"] == .string("x\u{01}\"\\\u{FFFD}\n\u{7F}"))
    }

    @Test("message_truncated is present (true) only when the listener cut the message")
    func messageTruncated() throws {
        let cut = String(Self.jsonQuery.prefix(120))
        let json = try Self.encoded(event(Self.header + cut, oversizeTruncated: true))
        #expect(json["message_truncated"] == .bool(true))
        #expect(json["truncated"] == .bool(true))
        let unknown = try Self.encoded(event(Self.header + "hello", oversizeTruncated: true))
        #expect(
            unknown.keys == [
                "format", "truncated", "error", "raw", "message_truncated", "syslog", "peer", "received_at",
            ])
        let whole = try Self.encoded(event(Self.header + Self.jsonQuery))
        #expect(!whole.keys.contains("message_truncated"))
    }

    @Test("message_truncated comes before warnings, as in EVENT.md's key table")
    func messageTruncatedBeforeWarnings() throws {
        let record = #""Query","<ID>","<DATETIME>","select","<CONN_ID>",0,"SELECT 1","u","h","","","""#
        let line = encodeJSON(event(Self.header + record, oversizeTruncated: true))
        let json = try OrderedJSON.parse(line)
        #expect(json["message_truncated"] == .bool(true))
        #expect(json["warnings"] != nil)
        #expect(eventShapeProblems(line).isEmpty, "\(line.text)")
        #expect(json.keys.suffix(6) == ["truncated", "warnings", "message_truncated", "syslog", "peer", "received_at"])
    }

    @Test("redacted: present only when a sink's redaction changed the event, after message_truncated")
    func redacted() throws {
        var redacted = event(Self.header + Self.jsonQuery, oversizeTruncated: true)
        redacted.redacted = ["passwords", #"re:\d+"#]
        let json = try Self.encoded(redacted)
        #expect(json["redacted"] == .array([.string("passwords"), .string(#"re:\d+"#)]))
        #expect(json.keys.suffix(6) == ["truncated", "message_truncated", "redacted", "syslog", "peer", "received_at"])
        var unknown = event(Self.header + "hello")
        unknown.redacted = ["literals"]
        #expect(
            try Self.encoded(unknown).keys == [
                "format", "truncated", "error", "raw", "redacted", "syslog", "peer", "received_at",
            ])
        #expect(try !Self.encoded(event(Self.header + Self.jsonQuery)).keys.contains("redacted"))
    }

    @Test("a bare record without <PRI>: syslog has no facility or severity and empty parts")
    func noPRI() throws {
        let json = try Self.encoded(event(Self.jsonQuery))
        #expect(
            json["syslog"]
                == .object([("timestamp", .string("")), ("hostname", .string("")), ("app_name", .string(""))]))
        #expect(json["format"] == .string("percona-json"))
    }

    @Test("an RFC 5424 header: timestamp is the header's own text, app_name the APP-NAME")
    func rfc5424() throws {
        let record = #""Quit","1_x","2024-01-01T00:00:00Z","5",0,"u","u","","","h","","""#
        let json = try Self.encoded(
            event("<134>1 2026-11-22T01:28:43.816561+00:00 db1 percona-audit 1234 - - " + record))
        #expect(
            json["syslog"]
                == .object([
                    ("facility", .number("16")), ("severity", .number("6")),
                    ("timestamp", .string("2026-11-22T01:28:43.816561+00:00")), ("hostname", .string("db1")),
                    ("app_name", .string("percona-audit")),
                ]))
    }

    @Test("an RFC 3164 header without hostname or tag writes the missing parts as empty strings")
    func sparseHeader() throws {
        let json = try Self.encoded(event("<13>" + Self.jsonQuery))
        let syslog = try #require(json["syslog"])
        #expect(syslog["facility"] == .number("1"))
        #expect(syslog["severity"] == .number("5"))
        #expect(syslog.keys == ["facility", "severity", "timestamp", "hostname", "app_name"])
    }

    @Test(
        "peers: IPv4 and [IPv6]:port are written as given",
        arguments: ["10.1.2.3:40112", "[2001:db8::1]:514", "[::1]:6514", "-"])
    func peers(_ peer: String) throws {
        let json = try Self.encoded(event(Self.header + Self.jsonQuery, peer: peer))
        #expect(json["peer"] == .string(peer))
    }

    @Test("received_at is RFC 3339 UTC with microseconds")
    func receivedAt() throws {
        let json = try Self.encoded(
            event(Self.header + Self.jsonQuery, receivedAt: EventTime(seconds: 0, microseconds: 42)))
        #expect(json["received_at"] == .string("1970-01-01T00:00:00.000042Z"))
    }

    @Test("values with every escape class survive the round trip through Foundation")
    func valuesRoundTrip() throws {
        let sql = "SELECT '\\u00e9 \\\"q\\\" \\\\ \\/ \\t\\n\\u0001 ąž 😀 #012'"
        let record =
            #"{"audit_record":{"name":"Query","record":"1","timestamp":"t","command_class":"select","connection_id":"1","status":0,"sqltext":"\#(sql)","user":"u","host":"h","os_user":"","ip":"","db":""}}"#
        let line = encodeJSON(event(Self.header + record))
        #expect(eventShapeProblems(line).isEmpty)
        let object = try #require(try foundationJSON(line) as? [String: Any])
        #expect(object["sqltext"] as? String == "SELECT 'é \"q\" \\ / \t\n\u{01} ąž 😀 #012'")
        #expect(!line.text.contains(#"\/"#), "/ is not escaped")
    }

    @Test("encode(_:into:) appends one line per event to the same buffer")
    func appends() throws {
        var encoder = EventJSONEncoder()
        var out: [UInt8] = []
        encoder.encode(event(Self.header + Self.jsonQuery), into: &out)
        encoder.encode(event(Self.header + "not a record"), into: &out)
        let lines = out.split(separator: 0x0A).map(Array.init)
        #expect(lines.count == 2)
        #expect(out.last == 0x0A)
        #expect(try OrderedJSON.parse(lines[1])["format"] == .string("unknown"))
    }

    /// The plain array output, written through the generic path (no reserved capacity).
    struct PlainOutput: EventOutput {
        var bytes: [UInt8] = []
        mutating func write(_ byte: UInt8) { bytes.append(byte) }
        mutating func write(_ bytes: UnsafeRawBufferPointer) { self.bytes.append(contentsOf: bytes) }
    }

    @Test(
        "an event that outgrows its reserved capacity is written again whole, after what the output held",
        arguments: [0, 1, 5000])
    func outgrowsReservation(invalidBytes: Int) throws {
        // Each invalid UTF-8 byte becomes U+FFFD, 3 bytes: with thousands in a value that needs no
        // unescaping, the event is larger than the record's storage and the message together plus
        // the reserve for keys, and is written a second time. `user` holds escapes (unescaped into
        // the record after its copy of the message).
        let sql = Array("SELECT '".utf8) + [UInt8](repeating: 0xFF, count: invalidBytes) + Array("' FROM t".utf8)
        let record =
            Array(#"{"audit_record":{"name":"Query","record":"9_1970-01-01T00:00:00","timestamp":"t","#.utf8)
            + Array(#""command_class":"select","connection_id":"5","status":0,"sqltext":""#.utf8) + sql
            + Array(#"","user":"a\u0001b\"c\\","host":"h","os_user":"","ip":"","db":""}}"#.utf8)
        let message = event(Array(Self.header.utf8) + record)
        #expect(message.isParsed)
        var encoder = EventJSONEncoder()
        var plain = PlainOutput()
        encoder.encode(message, into: &plain)
        let before = Array("earlier event\n".utf8)
        var out = before
        encoder.encode(message, into: &out)
        #expect(out.count == before.count + plain.bytes.count)
        #expect(Array(out.prefix(before.count)) == before)
        #expect(Array(out.dropFirst(before.count)) == plain.bytes)
        #expect(eventShapeProblems(plain.bytes).isEmpty)
        let object = try #require(try foundationJSON(plain.bytes) as? [String: Any])
        let text = try #require(object["sqltext"] as? String)
        #expect(text.unicodeScalars.filter { $0 == "\u{FFFD}" }.count == invalidBytes)
        #expect(object["user"] as? String == "a\u{1}b\"c\\")
        if invalidBytes == 5000 {
            let estimate = message.parsed.storage.count + message.message.readableBytes + 1024
            #expect(plain.bytes.count > estimate, "the case must outgrow the first reservation")
        }
    }
}
