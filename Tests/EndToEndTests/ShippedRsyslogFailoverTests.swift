import Foundation
import Testing

extension EndToEnd {
    /// The other shipped sender configs carry traffic too: the failover pattern with its primary
    /// down and up, and impstats reporting the forwarding queue.
    @Suite("the shipped rsyslog/forward-failover.conf and rsyslog/impstats.conf")
    struct ShippedRsyslogFailoverAndStats {
        static let primaryTarget = #"target="auditsieve-a.internal" port="5514""#
        static let standbyTarget = #"target="auditsieve-b.internal" port="5514""#

        static func failover(primary: Int, standby: Int) -> ShippedRsyslog.DropIn {
            ShippedRsyslog.DropIn(
                file: "forward-failover.conf",
                replacing: [
                    (primaryTarget, #"target="127.0.0.1" port="\#(primary)""#),
                    (standbyTarget, #"target="127.0.0.1" port="\#(standby)""#),
                ])
        }

        static let records = (1...300).map { "\($0)_1970-01-01T00:00:00" }

        static func send(_ records: [String], through rsyslog: ShippedRsyslog) throws {
            for record in records {
                try rsyslog.sendAsPlugin(
                    PluginRecords.jsonQuery(record: record, sql: "SELECT * FROM billing.invoices") + "\n")
            }
        }

        /// The record ids in a JSON sink's file, in arrival order.
        static func arrivals(_ file: EventFile) throws -> [String] {
            try file.events().compactMap { $0["record"] as? String }
        }

        @Test("failover, primary unreachable: the standby carries every record, in order")
        func standbyCarries() async throws {
            let directory = try TemporaryDirectory("shipped-failover-down")
            defer { directory.remove() }
            let output = EventFile(path: directory.path("standby.jsonl"))
            let standby = try await AuditsieveServer.start(
                yaml: AuditsieveServer.fileSinkYAML(output: output.path), in: directory)
            defer { standby.stop() }
            let primaryPort = try unusedPort()  // nothing listens there
            let rsyslog = try await ShippedRsyslog.start(
                [Self.failover(primary: primaryPort, standby: standby.tcpPort)], in: directory)
            defer { rsyslog.stop() }

            try Self.send(Self.records, through: rsyslog)
            _ = try await output.waitForRecords(
                Self.records, diagnostics: { standby.stderrTail() + "\n" + rsyslog.stderrTail() })
            let order = try Self.arrivals(output)
            var seen: Set<String> = []
            #expect(
                order.filter { seen.insert($0).inserted } == Self.records,
                "every record, in order: first \(order.prefix(5))")
            #expect(order.count - seen.count <= 1, "at most the record in hand at the failover arrives twice")
        }

        @Test("failover, primary reachable: the primary carries every record, the standby none")
        func primaryCarries() async throws {
            let directory = try TemporaryDirectory("shipped-failover-up")
            defer { directory.remove() }
            let primaryOutput = EventFile(path: directory.path("primary.jsonl"))
            let standbyOutput = EventFile(path: directory.path("standby.jsonl"))
            let primary = try await AuditsieveServer.start(
                yaml: AuditsieveServer.fileSinkYAML(output: primaryOutput.path), in: directory, name: "primary"
            )
            defer { primary.stop() }
            let standby = try await AuditsieveServer.start(
                yaml: AuditsieveServer.fileSinkYAML(output: standbyOutput.path), in: directory, name: "standby"
            )
            defer { standby.stop() }
            let rsyslog = try await ShippedRsyslog.start(
                [Self.failover(primary: primary.tcpPort, standby: standby.tcpPort)], in: directory
            )
            defer { rsyslog.stop() }

            try Self.send(Self.records, through: rsyslog)
            _ = try await primaryOutput.waitForRecords(
                Self.records, diagnostics: { primary.stderrTail() + "\n" + rsyslog.stderrTail() })
            // kept: proves rsyslog sends nothing more (to either server) meanwhile
            try await Task.sleep(for: .milliseconds(300))
            #expect(try Self.arrivals(primaryOutput) == Self.records, "once each, in order")
            #expect(standbyOutput.lines().isEmpty, "the standby gets nothing while the primary takes records")
        }

        @Test("impstats.conf writes the forwarding action's and queue's counters as JSON lines")
        func impstatsReportsTheQueue() async throws {
            let directory = try TemporaryDirectory("shipped-impstats")
            defer { directory.remove() }
            let output = EventFile(path: directory.path("events.jsonl"))
            let server = try await AuditsieveServer.start(
                yaml: AuditsieveServer.fileSinkYAML(output: output.path), in: directory)
            defer { server.stop() }
            let statsPath = directory.path("rsyslog-stats.log")
            let impstats = ShippedRsyslog.DropIn(
                file: "impstats.conf",
                replacing: [
                    (#"interval="60""#, #"interval="1""#),
                    (#"file="/var/log/rsyslog-stats.log""#, #"file="\#(statsPath)""#),
                ])
            let rsyslog = try await ShippedRsyslog.start(
                [impstats, ShippedRsyslog.forward(to: server.tcpPort)], in: directory)
            defer { rsyslog.stop() }

            try Self.send(Self.records, through: rsyslog)
            _ = try await output.waitForRecords(
                Self.records, diagnostics: { server.stderrTail() + "\n" + rsyslog.stderrTail() })
            // The lines the comments in impstats.conf tell operators to watch.
            func stats(named name: String) -> [String: Any]? {
                let text = (try? String(contentsOfFile: statsPath, encoding: .utf8)) ?? ""
                return text.split(separator: "\n").reversed().lazy.compactMap { line in
                    try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                }.first { $0["name"] as? String == name }
            }
            let action = try await eventually(
                "an impstats line for the action fwd_auditsieve with processed >= \(Self.records.count) in \(statsPath)",
                diagnostics: { rsyslog.stderrTail() }
            ) { () -> [String: Any]? in
                guard let action = stats(named: "fwd_auditsieve"),
                    (action["processed"] as? Int ?? 0) >= Self.records.count
                else { return nil }
                return action
            }
            #expect(action["failed"] as? Int == 0)
            let queue = try #require(
                stats(named: "fwd_auditsieve queue"), "the queue's line, with the counters impstats.conf names")
            for counter in ["size", "enqueued", "full", "discarded.full", "discarded.nf", "maxqsize"] {
                #expect(queue[counter] is Int, "\(counter) in \(queue)")
            }
            #expect(queue["discarded.full"] as? Int == 0)
            #expect(
                !output.lines().contains { $0.contains(#""name":"fwd_auditsieve"#) }, "stats never reach auditsieve")
        }
    }
}
