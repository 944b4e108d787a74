import Foundation
import Testing

extension EndToEnd {
    /// The README's one-minute demo: the embedded default's shape (TCP with auto framing and UDP,
    /// JSON lines to stdout), fed by util-linux `logger`.
    @Suite("logger into the default-shaped server")
    struct LoggerDemo {
        /// DefaultConfig.yaml with port 0 instead of 5514.
        static let defaultShapedYAML = """
            listeners:
              - protocol: tcp
                address: 127.0.0.1:0
                framing: auto
                max_message_bytes: 256KiB
                oversize: truncate
              - protocol: udp
                address: 127.0.0.1:0
            default_cluster:
              sinks: [stdout]
            sinks:
              stdout:
                type: stdout
                encoding: json
                flush_interval_ms: 200
            """

        @Test(
            "logger over TCP (RFC 5424 LF, octet-counted RFC 5424, RFC 3164) and UDP: each record is one event on stdout"
        )
        func loggerRecordsArrive() async throws {
            let logger = try Paths.tool("logger", package: "bsdutils")
            let directory = try TemporaryDirectory("logger")
            defer { directory.remove() }
            let server = try await AuditsieveServer.start(yaml: Self.defaultShapedYAML, in: directory)
            defer { server.stop() }
            #expect(server.tcpPorts.count == 1 && server.udpPorts.count == 1)
            let tcp = "\(server.tcpPort)"
            let udp = "\(server.udpPort)"

            let sends: [(record: String, arguments: [String], rfc5424: Bool)] = [
                ("301_1970-01-01T00:00:00", ["--tcp", "-n", "127.0.0.1", "-P", tcp], true),
                (
                    "302_1970-01-01T00:00:00", ["--tcp", "--octet-count", "--rfc5424", "-n", "127.0.0.1", "-P", tcp],
                    true
                ),
                ("303_1970-01-01T00:00:00", ["--tcp", "--rfc3164", "-n", "127.0.0.1", "-P", tcp], false),
                ("304_1970-01-01T00:00:00", ["--udp", "-n", "127.0.0.1", "-P", udp], true),
            ]
            for send in sends {
                let record = PluginRecords.jsonQuery(
                    record: send.record, sql: "SELECT * FROM billing.invoices WHERE id = 1")
                let result = try await runToCompletion(
                    logger, send.arguments + ["-t", "percona-audit", record], in: directory, name: "logger"
                )
                #expect(result.status == 0, "logger \(send.arguments): \(result.stderr)")
            }

            let stdout = EventFile(path: server.child.stdoutPath)
            let events = try await stdout.waitForRecords(sends.map(\.record), diagnostics: { server.stderrTail() })
            for send in sends {
                let event = try #require(events[send.record])
                #expect(event.string("format") == "percona-json", "\(send.arguments)")
                #expect(event.bool("truncated") == false)
                #expect(event.string("sqltext") == "SELECT * FROM billing.invoices WHERE id = 1", "\(send.arguments)")
                #expect(event.int("connection_id") == 7)
                #expect(event.string("db") == "billing")
                #expect(event.syslog["app_name"] as? String == "percona-audit", "\(send.arguments)")
                #expect(FieldValue(event.syslog["facility"]) == 1, "logger's default user.notice")
                #expect(FieldValue(event.syslog["severity"]) == 5, "logger's default user.notice")
                let timestamp = event.syslog["timestamp"] as? String ?? ""
                #expect(timestamp.contains("T") == send.rfc5424, "header timestamp \(timestamp) for \(send.arguments)")
            }
            expectUnique(try stdout.events(), records: sends.map(\.record))
        }
    }
}
