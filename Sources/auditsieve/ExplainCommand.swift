import ArgumentParser
import Foundation
import Metrics
import SieveAudit
import SieveConfig
import SieveEvent
import SievePipeline

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show, for each captured record, which cluster takes it and whether the rules keep it, and why.",
        discussion: """
            Reads syslog frames or bare records as `parse` does and prints one JSON line per message: \
            cluster, decision (kept | filtered), the step and pattern that decided, tables, tables_status, tables_source \
            (server: named by the server, as MariaDB's table lines do; sql: read from the SQL text). \
            A statement joined with the table records its server wrote before it (MariaDB TABLE lines, \
            the audit log filter's table_access records) is decided with them: under table_records: merge \
            its line lists their message numbers in table_records and they have no line of their own; \
            under separate each has its own line with the statement's decision. \
            Run it on captured traffic before deploying a rule change. Sender CIDRs cannot match \
            here (a capture has no sender address); use --sender to give one.

            Examples:
              auditsieve explain --config /etc/auditsieve/auditsieve.yml captured.log
              auditsieve explain --config new-rules.yml --sender 10.1.2.3 captured.log | jq 'select(.decision=="filtered")'
            """
    )

    @Option(name: .shortAndLong, help: "The config whose clusters and rules to apply.")
    var config: String

    @Argument(help: "Captured records (default: standard input).")
    var file: String?

    @Option(help: "The sender address to assume for every message (for `senders:` CIDR rules).")
    var sender: String?

    func run() throws {
        let loaded: AuditSieveConfig
        do {
            loaded = try AuditSieveConfig.load(file: config)
        } catch let errors as ConfigErrors {
            printToStandardError(errors.description)
            throw ExitCode(2)
        }
        let table = try RoutingTable(config: loaded, metricsFactory: NOOPMetricsHandler.instance)
        let senderAddress = sender.flatMap(SenderAddress.parse)
        if sender != nil && senderAddress == nil {
            printToStandardError("explain: --sender '\(sender!)' is not an IP address")
            throw ExitCode(2)
        }
        let input = try CaptureInput.read(file, command: "explain")
        let parser = AuditParser()
        // A capture has no time between its records: table records wait for their statement
        // until the count bound or the end of the input.
        var joiner = TableRecordJoiner(limits: loaded.limits.tableRecordLimits)
        var ready: [AuditEvent] = []
        for (index, message) in MessageSplitter.split(input).enumerated() where !message.dropped {
            var event = AuditEvent(input: message, peer: sender ?? "-", receivedAt: .now(), parser: parser)
            if case .failure(let error) = event.record, error.code == .framing { continue }
            event.inputIndex = index + 1
            joiner.add(event, now: 0, into: &ready)
        }
        joiner.releaseAll(into: &ready)
        var lines: [(index: Int, line: [UInt8])] = []
        for var event in ready {
            let (cluster, decision) = table.judge(&event, senderAddress: senderAddress)
            for record in table.separateTableRecords(of: &event, cluster: cluster) {
                lines.append((record.inputIndex, ExplainLine.line(event: record, kept: decision.kept)))
            }
            lines.append((event.inputIndex, ExplainLine.line(event: event, kept: decision.kept)))
        }
        lines.sort { $0.index < $1.index }
        var out: [UInt8] = []
        for entry in lines { out.append(contentsOf: entry.line) }
        FileHandle.standardOutput.write(Data(out))
    }
}

/// One line of `explain` output.
enum ExplainLine {
    static func line(event: AuditEvent, kept: Bool) -> [UInt8] {
        var out: [UInt8] = []
        guard let verdict = event.verdict else { return out }
        out.append(contentsOf: #"{"message":\#(event.inputIndex),"cluster":"#.utf8)
        JSONStringWriter.writeQuoted(verdict.cluster, into: &out)
        out.append(contentsOf: #","decision":"#.utf8)
        JSONStringWriter.writeQuoted(kept ? "kept" : "filtered", into: &out)
        out.append(contentsOf: #","step":"#.utf8)
        JSONStringWriter.writeQuoted(verdict.step, into: &out)
        out.append(contentsOf: #","reason":"#.utf8)
        JSONStringWriter.writeQuoted(verdict.reason, into: &out)
        out.append(contentsOf: #","format":"#.utf8)
        JSONStringWriter.writeQuoted(event.format.rawValue, into: &out)
        if case .success(let record) = event.record {
            for field in [AuditField.name, .record, .commandClass] {
                guard let value = record.value(field) else { continue }
                out.append(contentsOf: ",\"\(field.key)\":".utf8)
                JSONStringWriter.writeQuoted(value, into: &out)
            }
        }
        out.append(contentsOf: #","tables":"#.utf8)
        TableListWriter.write(event.tables?.tables ?? [], into: &out)
        out.append(contentsOf: #","tables_status":"#.utf8)
        JSONStringWriter.writeQuoted(event.tables?.status.rawValue ?? "none", into: &out)
        if event.tables != nil {
            out.append(contentsOf: #","tables_source":"#.utf8)
            JSONStringWriter.writeQuoted(event.tablesFromServer ? "server" : "sql", into: &out)
        }
        if !event.tableRecords.isEmpty {
            out.append(contentsOf: #","table_records":["#.utf8)
            out.append(contentsOf: event.tableRecords.map { String($0.inputIndex) }.joined(separator: ",").utf8)
            out.append(UInt8(ascii: "]"))
        }
        if !verdict.matchedTables.isEmpty {
            out.append(contentsOf: #","matched_tables":"#.utf8)
            TableListWriter.write(verdict.matchedTables, into: &out)
        }
        out.append(contentsOf: "}\n".utf8)
        return out
    }
}
