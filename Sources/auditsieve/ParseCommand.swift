import ArgumentParser
import Foundation
import NIOCore
import SieveAudit
import SieveEvent
import SieveSyslog

struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Print one JSON event per message of a capture file (syslog frames or bare records).",
        discussion: """
            Input starting like syslog (<PRI> or an octet count) is framed as a listener frames it; \
            anything else is read as bare audit records, split by each format's own structure. \
            Lines starting with '#### ' are comments. A message that is not an audit record prints \
            its 'unknown' event and 'parse: message N: reason' on stderr; the exit status is 1 if \
            any message failed.

            Examples:
              auditsieve parse captured.log > events.jsonl
              printf '<14>Nov 22 01:30:19 db1 percona-audit: {"audit_record":{...}}\\n' | auditsieve parse
            """
    )

    @Argument(help: "The input file (default: standard input).")
    var file: String?

    @Option(help: "Use this Unix time (seconds) as every event's received_at, for reproducible output.")
    var receivedAt: Int64?

    @Option(help: "The value of every event's peer field.")
    var peer: String = "-"

    func run() throws {
        let input = try CaptureInput.read(file, command: "parse")
        let parser = AuditParser()
        var encoder = EventJSONEncoder()
        var out: [UInt8] = []
        var failures = 0
        let time = receivedAt.map { EventTime(seconds: $0, microseconds: 0) }
        for (index, message) in MessageSplitter.split(input).enumerated() {
            if message.dropped {
                printToStandardError("parse: message \(index + 1): dropped: longer than max_message_bytes")
                failures += 1
                continue
            }
            let event = AuditEvent(input: message, peer: peer, receivedAt: time ?? .now(), parser: parser)
            // A JSON file's '[' or ']' line: framing, no event (the server counts it).
            if case .failure(let error) = event.record, error.code == .framing { continue }
            if case .failure(let error) = event.record {
                failures += 1
                printToStandardError("parse: message \(index + 1): \(error)")
            }
            encoder.encode(event, into: &out)
        }
        FileHandle.standardOutput.write(Data(out))
        if failures > 0 { throw ExitCode(1) }
    }
}
