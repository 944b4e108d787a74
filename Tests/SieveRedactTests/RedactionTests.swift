import Foundation
import NIOCore
import SieveAudit
import SieveEvent
import SieveRedact
import SieveSQL
import Testing

/// `Redaction`: a `redact:` list read, and applied to events as a sink's encoding sees them.
@Suite("redaction")
struct RedactionTests {
    static let header = "<14>Nov 22 01:30:19 db1 percona-audit: "

    static func query(_ sql: String) -> AuditEvent {
        let escaped = sql.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let record =
            #"{"audit_record":{"name":"Query","record":"9_1970-01-01T00:00:00","timestamp":"2024-01-01T00:00:00Z","command_class":"create_user","connection_id":"5","status":0,"sqltext":"\#(escaped)","user":"root[root] @ localhost []","host":"localhost","os_user":"","ip":"","db":""}}"#
        return event(header + record)
    }

    static func event(_ message: String) -> AuditEvent {
        AuditEvent(
            message: ByteBuffer(string: message), peer: "10.1.2.3:40112",
            receivedAt: EventTime(seconds: 1_795_000_000, microseconds: 0),
            parser: AuditParser())
    }

    static func sqltext(_ event: AuditEvent) -> String? {
        guard case .success(let record) = event.record else { return nil }
        return record.string(.sqltext)
    }

    static func redacted(_ sql: String, _ entries: [String]) throws -> AuditEvent {
        var event = query(sql)
        _ = try Redaction(entries: entries).apply(to: &event, options: SQLOptions())
        return event
    }

    @Test("a redact list reads passwords, literals and re:PATTERN, in its order")
    func entries() throws {
        let redaction = try Redaction(entries: ["literals", #"re:\d{16}"#, "passwords"])
        #expect(redaction.entries == ["literals", #"re:\d{16}"#, "passwords"])
        #expect(try Redaction(entries: ["re:a", "passwords"]) == Redaction(entries: ["re:a", "passwords"]))
        #expect(try Redaction(entries: ["re:a"]) != Redaction(entries: ["re:b"]))
    }

    @Test(
        "a bad entry is refused with the entry and the reason",
        arguments: [
            ("password", "'password': unknown; use passwords, literals or \"re:PATTERN\""),
            ("re:", "'re:': the pattern after re: is empty"),
            ("re:(unclosed", "'re:(unclosed': not a PCRE2 pattern: missing closing parenthesis at offset 9"),
        ])
    func badEntries(entry: String, message: String) {
        #expect(throws: RedactionError.self) { try Redaction(entries: [entry]) }
        do {
            _ = try Redaction(entries: [entry])
        } catch {
            #expect(error.description == message)
        }
        #expect(throws: RedactionError(entry: "literals", reason: "listed twice")) {
            try Redaction(entries: ["literals", "literals"])
        }
    }

    @Test("passwords: the secret in sqltext becomes '***', listed in redacted")
    func passwords() throws {
        let event = try Self.redacted("CREATE USER 'app'@'%' IDENTIFIED BY 'hunter2'", ["passwords"])
        #expect(Self.sqltext(event) == "CREATE USER 'app'@'%' IDENTIFIED BY '***'")
        #expect(event.redacted == ["passwords"])
    }

    @Test("only the entries that changed something are listed, in the order applied")
    func listedWhenChanged() throws {
        let both = try Self.redacted("CREATE USER u IDENTIFIED BY 'pw' PASSWORD HISTORY 5", ["passwords", "literals"])
        #expect(Self.sqltext(both) == "CREATE USER u IDENTIFIED BY ? PASSWORD HISTORY ?")
        #expect(both.redacted == ["passwords", "literals"])
        let one = try Self.redacted("SELECT * FROM t WHERE id = 7", ["passwords", "literals"])
        #expect(Self.sqltext(one) == "SELECT * FROM t WHERE id = ?")
        #expect(one.redacted == ["literals"])
        let none = try Self.redacted("SELECT * FROM t", ["passwords", "literals", "re:secret"])
        #expect(Self.sqltext(none) == "SELECT * FROM t")
        #expect(none.redacted.isEmpty)
    }

    @Test("re: every match becomes ?, empty matches replace nothing")
    func pattern() throws {
        let cards = try Self.redacted(
            "INSERT INTO pay VALUES ('4111111111111111', '5500 0000 0000 0004')",
            [#"re:\b\d{4} ?\d{4} ?\d{4} ?\d{4}\b"#])
        #expect(Self.sqltext(cards) == "INSERT INTO pay VALUES ('?', '?')")
        #expect(cards.redacted == [#"re:\b\d{4} ?\d{4} ?\d{4} ?\d{4}\b"#])
        let empty = try Self.redacted("SELECT axb", ["re:x*"])
        #expect(Self.sqltext(empty) == "SELECT a?b")
        let caseless = try Self.redacted("SELECT Secret, SECRET", ["re:(?i)secret"])
        #expect(Self.sqltext(caseless) == "SELECT ?, ?")
    }

    @Test("re: bytes that are not UTF-8 never match but do not stop the search")
    func invalidUTF8() throws {
        // A MariaDB line can carry any byte in its query.
        var event = Self.query("placeholder")
        guard case .success(var record) = event.record else {
            Issue.record("not parsed")
            return
        }
        record.set(.sqltext, Array("SELECT '".utf8) + [0xFF] + Array("', 'token-123'".utf8))
        event.record = .success(record)
        _ = try Redaction(entries: [#"re:token-\d+"#]).apply(to: &event, options: SQLOptions())
        guard case .success(let redacted) = event.record else { return }
        #expect(Array(redacted.value(.sqltext)!) == Array("SELECT '".utf8) + [0xFF] + Array("', '?'".utf8))
    }

    @Test("a pattern reaching PCRE2's match limit makes the whole text ? (fail closed), fast, and is counted")
    func limitHit() throws {
        var event = Self.query("SELECT '" + String(repeating: "a", count: 40) + "' FROM t WHERE x = 'secret'")
        let clock = ContinuousClock()
        let started = clock.now
        let outcome = try Redaction(entries: ["passwords", "re:(a|aa)*[bc]", "literals"]).apply(
            to: &event, options: SQLOptions())
        #expect(clock.now - started < .seconds(1))
        #expect(outcome.regexLimitHits == 1)
        #expect(Self.sqltext(event) == "?")
        #expect(event.redacted == ["re:(a|aa)*[bc]"])
    }

    @Test("a message that is not an audit record: its raw MSG is redacted")
    func unknownMessage() throws {
        var event = Self.event(Self.header + "CREATE USER u IDENTIFIED BY 'pw' sent as plain text")
        _ = try Redaction(entries: ["passwords"]).apply(to: &event, options: SQLOptions())
        #expect(event.format == .unknown)
        let raw = event.message.withUnsafeReadableBytes { String(decoding: $0[event.header.msg], as: UTF8.self) }
        #expect(raw == "CREATE USER u IDENTIFIED BY '***' sent as plain text")
        let hostname = event.message.withUnsafeReadableBytes {
            String(decoding: $0[event.header.hostname!], as: UTF8.self)
        }
        #expect(hostname == "db1")
        #expect(event.redacted == ["passwords"])
    }

    @Test("a record without SQL (a login) is left as it is")
    func noSQL() throws {
        var event = Self.event(
            Self.header
                + #"{"audit_record":{"name":"Connect","record":"3_1970-01-01T00:00:00","timestamp":"2024-01-01T00:00:00Z","connection_id":"5","status":1045,"user":"bob","priv_user":"","os_login":"","proxy_user":"","host":"web1","ip":"10.0.0.7","db":""}}"#
        )
        _ = try Redaction(entries: ["passwords", "literals", "re:."]).apply(to: &event, options: SQLOptions())
        #expect(event.redacted.isEmpty)
        guard case .success(let record) = event.record else {
            Issue.record("not parsed")
            return
        }
        #expect(record.string(.user) == "bob")
    }

    @Test("the encoded event carries the redacted text and the redacted key after message_truncated")
    func encoded() throws {
        let event = try Self.redacted("ALTER USER u IDENTIFIED BY 'pw'", ["passwords"])
        var encoder = EventJSONEncoder()
        let line = String(decoding: encoder.encode(event), as: UTF8.self)
        #expect(line.contains(#""sqltext":"ALTER USER u IDENTIFIED BY '***'""#))
        #expect(line.contains(#""truncated":false,"redacted":["passwords"],"syslog":"#))
        #expect(!line.contains("pw'"))
        var plain = encoder.encode(Self.query("ALTER USER u IDENTIFIED BY 'pw'"))
        plain.removeLast()
        #expect(!String(decoding: plain, as: UTF8.self).contains("redacted"))
    }
}
