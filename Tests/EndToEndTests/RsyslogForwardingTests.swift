import Foundation
import Testing

extension EndToEnd {
    @Suite("real rsyslog forwards Percona records to auditsieve")
    struct RsyslogForwarding {
        static let variants: [Rsyslog.Forwarding] = [
            .init(
                global: #"maxMessageSize="64k""#, omfwd: "",
                label: "@@ traditional LF framing, default template, control characters escaped (#012)"
            ),
            .init(
                global: #"maxMessageSize="64k""#,
                omfwd: #"TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format""#,
                label: "octet-counted RFC 5424 (RSYSLOG_SyslogProtocol23Format)", rfc5424: true
            ),
            .init(
                global: #"maxMessageSize="64k" parser.escapeControlCharactersOnReceive="off""#,
                omfwd: #"TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format""#,
                label: "octet-counted RFC 5424 with raw LFs kept (escapeControlCharactersOnReceive off)", rfc5424: true
            ),
        ]

        @Test("every record in all four formats arrives field-exact", arguments: variants)
        func allFormatsFieldExact(_ forwarding: Rsyslog.Forwarding) async throws {
            let directory = try TemporaryDirectory("rsyslog")
            defer { directory.remove() }
            let output = EventFile(path: directory.path("events.jsonl"))
            let server = try await AuditsieveServer.start(
                yaml: AuditsieveServer.fileSinkYAML(output: output.path), in: directory)
            defer { server.stop() }
            let rsyslog = try await Rsyslog.start(forwardingTo: server.tcpPort, forwarding, in: directory)
            defer { rsyslog.stop() }

            for sample in PluginRecords.all { try rsyslog.sendAsPlugin(sample.text) }

            let events = try await output.waitForRecords(
                PluginRecords.all.map(\.record),
                diagnostics: { server.stderrTail() + "\n" + rsyslog.stderrTail() }
            )
            for sample in PluginRecords.all {
                let event = try #require(events[sample.record], "\(sample.label)")
                #expect(event.string("format") == sample.format, "\(sample.label)")
                #expect(event.bool("truncated") == false, "\(sample.label)")
                expectFields(event, sample.fields, sample.label)
                let syslog = event.syslog
                #expect(syslog["app_name"] as? String == "percona-audit", "\(sample.label)")
                #expect(FieldValue(syslog["facility"]) == 1, "\(sample.label): LOG_USER")
                #expect(FieldValue(syslog["severity"]) == 6, "\(sample.label): LOG_INFO")
                #expect((syslog["hostname"] as? String ?? "").isEmpty == false, "\(sample.label): rsyslog's hostname")
                let timestamp = syslog["timestamp"] as? String ?? ""
                #expect(
                    timestamp.contains("T") == forwarding.rfc5424,
                    "\(sample.label): the header timestamp \(timestamp) matches the template"
                )
                #expect(event.string("peer")?.hasPrefix("127.0.0.1:") == true, "\(sample.label)")
            }
            expectUnique(try output.events(), records: PluginRecords.all.map(\.record))
        }

        @Test(
            "with rsyslog's default 8k maxMessageSize a 20 KB JSON record arrives cut in sqltext, earlier fields intact"
        )
        func defaultMaxMessageSizeTruncates() async throws {
            let directory = try TemporaryDirectory("rsyslog-8k")
            defer { directory.remove() }
            let output = EventFile(path: directory.path("events.jsonl"))
            let server = try await AuditsieveServer.start(
                yaml: AuditsieveServer.fileSinkYAML(output: output.path), in: directory)
            defer { server.stop() }
            let rsyslog = try await Rsyslog.start(
                forwardingTo: server.tcpPort, .init(global: "", omfwd: "", label: "defaults"), in: directory
            )
            defer { rsyslog.stop() }

            let sql = "INSERT INTO t VALUES ('" + String(repeating: "0123456789abcdef", count: 1250) + "')"
            let record = "201_1970-01-01T00:00:00"
            let text = PluginRecords.jsonQuery(record: record, sql: sql, connection: 77) + "\n"
            #expect(text.utf8.count > 20_000)
            try rsyslog.sendAsPlugin(text)
            // A small record after it: the cut must not swallow the next message.
            let next = "202_1970-01-01T00:00:00"
            try rsyslog.sendAsPlugin(PluginRecords.jsonQuery(record: next, sql: "SELECT 2") + "\n")

            let events = try await output.waitForRecords(
                [record, next], diagnostics: { server.stderrTail() + "\n" + rsyslog.stderrTail() }
            )
            let event = try #require(events[record])
            #expect(event.string("format") == "percona-json")
            #expect(event.bool("truncated") == true)
            #expect(event.string("truncated_field") == "sqltext")
            #expect(event["message_truncated"] == nil, "the cut was rsyslog's, not the listener's")
            expectFields(
                event,
                [
                    ("name", "Query"), ("record", .text(record)), ("timestamp", "2026-11-22T01:30:19Z"),
                    ("command_class", "insert"), ("connection_id", 77), ("status", 0),
                ],
                extraKeys: ["sqltext", "truncated_field"]
            )
            let cut = try #require(event.string("sqltext"))
            #expect(sql.hasPrefix(cut), "sqltext is the part of the SQL that arrived")
            #expect(cut.utf8.count > 7_000 && cut.utf8.count < 8_192, "cut near 8 KiB, got \(cut.utf8.count) bytes")
            for absent in ["user", "host", "os_user", "ip", "db"] {
                #expect(event[absent] == nil, "\(absent) came after the cut: absent, not empty")
            }
            let after = try #require(events[next])
            #expect(after.bool("truncated") == false)
            #expect(after.string("sqltext") == "SELECT 2")
        }
    }
}
