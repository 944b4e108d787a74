import Foundation
import Testing

extension EndToEnd {
    @Suite("auditsieve parse on capture files")
    struct ParseCommand {
        static let replay = Paths.fixtures.appendingPathComponent("percona-plugin-syslog-replay-rsyslog-fwd.txt")

        @Test("the rsyslog replay capture: one event per message, exit 1 for its non-records, the cut record flagged")
        func rsyslogReplayCapture() async throws {
            let binary = try Paths.auditsieve()
            let directory = try TemporaryDirectory("parse")
            defer { directory.remove() }
            let input = try String(contentsOf: Self.replay, encoding: .utf8)
            let messages = input.split(separator: "\n").filter { !$0.hasPrefix("#### ") }
            try #require(messages.count == 8, "fixture changed? \(Self.replay.path)")

            let result = try await runToCompletion(
                binary, ["parse", Self.replay.path, "--received-at", "0", "--peer", "192.0.2.1:514"],
                in: directory, name: "parse"
            )
            #expect(result.status == 1, "exit status 1: the capture holds messages that are not audit records")

            let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            #expect(lines.count == messages.count, "one stdout line per message")
            let events: [Event] = try lines.map {
                try #require(
                    try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "\($0.prefix(200))")
            }
            try #require(events.count == 8)
            for event in events {
                #expect(event.string("peer") == "192.0.2.1:514")
                #expect(event.string("received_at") == "1970-01-01T00:00:00.000000Z")
                #expect(event.syslog["hostname"] as? String == "vm")
            }
            #expect(
                events.map { $0.string("format") ?? "?" } == [
                    "percona-old-xml", "percona-new-xml", "percona-json", "percona-csv", "percona-json",
                    "audit-filter-json",
                    "percona-csv", "unknown",
                ]
            )

            // stderr: exactly one `parse: message N: reason` line per failed message (8).
            let stderrLines = result.stderr.split(separator: "\n")
            #expect(stderrLines.count == 1, "\(result.stderr)")
            #expect(stderrLines.last?.hasPrefix("parse: message 8: ") == true, "\(result.stderr)")
            #expect(
                events[5].string("sqltext") == "CREATE TABLE t1 (c1 INT)",
                "the 8.4 component's record, after its audit-filter: prefix")
            #expect(events[7].string("raw") == "ctl:#001#007#033[31m\u{7F}|utf8: ąžą 𦉘|cr:#015|end")

            // Message 5: rsyslog cut the JSON record at 8 KiB inside sqltext.
            let cut = events[4]
            #expect(cut.bool("truncated") == true)
            #expect(cut.string("truncated_field") == "sqltext")
            expectFields(
                cut,
                [
                    ("name", "Query"), ("record", "9_1970-01-01T00:00:00"), ("timestamp", "2024-01-01T00:00:00Z"),
                    ("command_class", "insert"), ("connection_id", 5), ("status", 0),
                ],
                extraKeys: ["sqltext", "truncated_field"]
            )
            #expect(cut.string("sqltext")?.hasPrefix("INSERT INTO t VALUES ('xxxx") == true)
            for (index, event) in events.enumerated() where index != 4 {
                #expect(event.bool("truncated") == false, "message \(index + 1)")
            }

            // The control characters rsyslog escaped: undone in CSV and in XML structure.
            #expect(
                events[3].string("sqltext") == "CREATE PROCEDURE p1()\nBEGIN\nINSERT INTO t1 (a, b) VALUES (1, 1);\nEND"
            )
            #expect(events[6].string("sqltext") == "use \t`db1`")
            #expect(events[0].string("sqltext") == "show variables like 'audit%'")
            #expect(events[2].string("name") == "Connect" && events[2].int("status") == 1156)
        }

        @Test("bare records (no syslog header, raw LFs), all four formats: one event each, field-exact, exit 0")
        func bareRecords() async throws {
            let binary = try Paths.auditsieve()
            let directory = try TemporaryDirectory("parse-stdin")
            defer { directory.remove() }
            let input = directory.path("records.txt")
            try PluginRecords.all.map(\.text).joined().write(toFile: input, atomically: true, encoding: .utf8)
            let result = try await runToCompletion(
                binary, ["parse", input, "--received-at", "0"], in: directory, name: "parse"
            )
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.isEmpty)
            let events = try EventFile(path: directory.path("parse.stdout")).eventsByRecord()
            #expect(events.count == PluginRecords.all.count)
            for sample in PluginRecords.all {
                let event = try #require(events[sample.record], "\(sample.label)")
                #expect(event.string("format") == sample.format, "\(sample.label)")
                expectFields(event, sample.fields, sample.label)
            }
        }
    }
}
