import ArgumentParser
import SieveEvent
import SieveSpool

struct SpoolCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spool",
        abstract: "Look at a spool directory.",
        subcommands: [Inspect.self]
    )

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Per queue: segments, bytes, events, oldest event's age, corrupt segments.",
            discussion: """
                Read-only and lock-free: it works on a live spool (event counts follow the read \
                position as last stored, so they may lag by one fsync interval).

                Examples:
                  auditsieve spool inspect /var/lib/auditsieve/spool
                  auditsieve spool inspect /var/lib/auditsieve/spool --json | jq .
                """
        )

        @Argument(help: "The spool directory (spool.directory in the config).")
        var directory: String

        @Flag(help: "One JSON object per queue instead of a table.")
        var json = false

        func run() throws {
            let reports: [SpoolQueueReport]
            do {
                reports = try SpoolInspector.inspect(directory: directory)
            } catch {
                printToStandardError("spool inspect: cannot read \(directory): \(error)")
                throw ExitCode(2)
            }
            if json {
                var out: [UInt8] = []
                for report in reports { Self.writeJSON(report, into: &out) }
                print(String(decoding: out, as: UTF8.self), terminator: "")
                return
            }
            print("queue\tsegments\tbytes\tevents\toldest_age\tcorrupt\ttail_bytes\tcompression")
            for r in reports {
                let age = r.oldestEventAgeMilliseconds.map { Self.age($0) } ?? "-"
                print(
                    "\(r.name)\t\(r.segments)\t\(r.bytes)\t\(r.events)\t\(age)\t\(r.corruptSegments)\t\(r.tailBytes)\t\(Self.ratio(r))"
                )
            }
            if reports.isEmpty { print("(no queues under \(directory))") }
        }

        static func writeJSON(_ r: SpoolQueueReport, into out: inout [UInt8]) {
            out.append(contentsOf: #"{"queue":"#.utf8)
            JSONStringWriter.writeQuoted(r.name, into: &out)
            let age = r.oldestEventAgeMilliseconds.map(String.init) ?? "null"
            out.append(contentsOf: #","segments":\#(r.segments),"bytes":\#(r.bytes),"events":\#(r.events),"#.utf8)
            out.append(contentsOf: #""oldest_event_age_ms":\#(age),"corrupt_segments":\#(r.corruptSegments),"#.utf8)
            out.append(contentsOf: #""tail_bytes":\#(r.tailBytes),"payload_bytes":\#(r.payloadBytes),"#.utf8)
            out.append(contentsOf: #""block_bytes":\#(r.blockBytes)}"#.utf8)
            out.append(0x0A)
        }

        /// `payload:blocks`, e.g. `6.8:1`; `-` with no blocks.
        static func ratio(_ r: SpoolQueueReport) -> String {
            guard r.blockBytes > 0 else { return "-" }
            let tenths = (r.payloadBytes * 10 + r.blockBytes / 2) / r.blockBytes
            return "\(tenths / 10).\(tenths % 10):1"
        }

        static func age(_ milliseconds: Int64) -> String {
            switch milliseconds {
            case ..<1000: "\(milliseconds)ms"
            case ..<120_000: "\(milliseconds / 1000)s"
            case ..<7_200_000: "\(milliseconds / 60_000)m"
            default: "\(milliseconds / 3_600_000)h"
            }
        }
    }
}
