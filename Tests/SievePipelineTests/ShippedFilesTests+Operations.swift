import Foundation
import SieveConfig
import Testing
import Yams

/// The operations files: alert rules and their runbooks, the DB hosts' rsyslog and MySQL configs,
/// the systemd unit and logrotate snippet. Checked as committed.
extension ShippedFilesTests {
    static let runbookBase = "https://github.com/auditsieve/auditsieve/blob/main/runbooks/"
    static let teams: Set<String> = ["dba", "infosec", "ops"]
    /// Metrics the alerts use that docs/METRICS.md may not list yet (another change adds them).
    static let pendingMetrics: Set<String> = [
        "auditsieve_source_last_seen_timestamp_seconds", "auditsieve_record_gaps_total",
        "auditsieve_oldest_queued_seconds", "auditsieve_listener_open_connections",
    ]

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
    }

    static func files(in directory: String, suffix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(directory).path)
            .filter { $0.hasSuffix(suffix) }.sorted()
    }

    /// Runs a tool to completion; stdout and stderr together.
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func tool(_ name: String) -> String? {
        ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin"].map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    struct Alert {
        var name: String
        var expr: String
        var labels: [String: String]
        var annotations: [String: String]
    }

    static func alerts() throws -> [Alert] {
        let document = try #require(try Yams.load(yaml: text("runbooks/alerts.yml")) as? [String: Any])
        let groups = try #require(document["groups"] as? [[String: Any]], "alerts.yml: groups is a list")
        var alerts: [Alert] = []
        for group in groups {
            #expect(group["name"] is String, "every group has a name")
            let rules = try #require(
                group["rules"] as? [[String: Any]], "group \(group["name"] ?? "?"): rules is a list")
            for rule in rules {
                let name = try #require(rule["alert"] as? String, "only alerting rules: \(rule)")
                let expr = try #require(rule["expr"] as? String, "\(name): expr is a string")
                alerts.append(
                    Alert(
                        name: name, expr: expr,
                        labels: rule["labels"] as? [String: String] ?? [:],
                        annotations: rule["annotations"] as? [String: String] ?? [:]
                    )
                )
            }
        }
        return alerts
    }

    @Test("runbooks/alerts.yml: every alert has severity, team, summary, description and its runbook")
    func alertRules() throws {
        let alerts = try Self.alerts()
        #expect(alerts.count >= 10)
        #expect(Set(alerts.map(\.name)).count == alerts.count, "alert names are unique")
        let runbooks = Set(try Self.files(in: "runbooks", suffix: ".md")).subtracting(["README.md"])
        let index = try Self.text("runbooks/README.md")
        for alert in alerts {
            #expect(
                alert.name.range(of: "^Auditsieve[A-Z][A-Za-z]+$", options: .regularExpression) != nil, "\(alert.name)")
            #expect(["critical", "warning"].contains(alert.labels["severity"] ?? ""), "\(alert.name): labels.severity")
            let team = alert.labels["team"] ?? ""
            #expect(Self.teams.contains(team), "\(alert.name): labels.team is one of \(Self.teams.sorted())")
            for key in ["summary", "description"] {
                #expect((alert.annotations[key] ?? "").count > 20, "\(alert.name): annotations.\(key)")
            }
            let file = "\(alert.name).md"
            #expect(alert.annotations["runbook_url"] == Self.runbookBase + file, "\(alert.name): runbook_url")
            #expect(runbooks.contains(file), "runbooks/\(file) exists")
            if runbooks.contains(file) {
                let runbook = try Self.text("runbooks/\(file)")
                #expect(runbook.hasPrefix("# \(alert.name)\n"), "\(file) is titled with the alert's name")
                #expect(runbook.contains("**Owner: \(team)"), "\(file) names the same owner team as the rule (\(team))")
                for section in ["## What it means", "## Confirm", "## Fix"] {
                    #expect(runbook.contains(section), "\(file) has '\(section)'")
                }
            }
            #expect(index.contains("](\(file))"), "runbooks/README.md links \(file)")
        }
        let referenced = Set(alerts.map { "\($0.name).md" })
        #expect(
            runbooks.subtracting(referenced).isEmpty,
            "runbooks no alert links: \(runbooks.subtracting(referenced).sorted())")
    }

    @Test("the alerts cover the required conditions, with the documented metrics only")
    func alertMetrics() throws {
        let alerts = try Self.alerts()
        let metricsDoc = try Self.text("docs/METRICS.md")
        let pattern = try Regex("auditsieve_[a-z_]+")
        let documented = Set(metricsDoc.matches(of: pattern).map { String(metricsDoc[$0.range]) }).union(
            Self.pendingMetrics)
        var used: Set<String> = []
        for alert in alerts {
            for match in alert.expr.matches(of: pattern) {
                let name = String(alert.expr[match.range])
                used.insert(name)
                #expect(
                    documented.contains(name), "\(alert.name) uses \(name), which docs/METRICS.md does not document")
            }
        }
        let expressions = alerts.map(\.expr).joined(separator: "\n")
        for required in [
            "auditsieve_spool_bytes", "auditsieve_oldest_queued_seconds", "auditsieve_spool_full_total",
            #"auditsieve_dropped_events_total"#, "auditsieve_sink_up", "auditsieve_source_last_seen_timestamp_seconds",
            "auditsieve_record_gaps_total", #"auditsieve_records_total{format="unknown"}"#,
            "auditsieve_truncated_records_total", #"up{job="auditsieve"}"#, #"step="unparsed""#,
            "auditsieve_listener_up",
        ] {
            #expect(expressions.contains(required), "an alert expression uses \(required)")
        }
        // The decision step the unparsed alert counts is a real one.
        #expect(metricsDoc.contains("auditsieve_decisions_total"))
        #expect(try Self.text("docs/EVENT.md").contains("`unparsed`"))
    }

    @Test(
        "promtool checks runbooks/alerts.yml and runs its unit tests: every alert fires on a bad series and not on a good one"
    )
    func promtool() throws {
        let promtool = try #require(
            Self.tool("promtool"), "promtool: Debian's prometheus package (make test-deps installs it)")
        let rules = Self.root.appendingPathComponent("runbooks/alerts.yml").path
        let check = try Self.run(promtool, ["check", "rules", rules])
        #expect(check.status == 0, "\(check.output)")
        let tests = Self.root.appendingPathComponent("runbooks/alerts.test.yml").path
        let run = try Self.run(promtool, ["test", "rules", tests])
        #expect(run.status == 0 && run.output.contains("SUCCESS"), "\(run.output)")
        let testText = try Self.text("runbooks/alerts.test.yml")
        for alert in try Self.alerts() {
            #expect(
                testText.contains(#"ALERTS{alertname="\#(alert.name)",alertstate="firing"}"#),
                "runbooks/alerts.test.yml tests \(alert.name)")
        }
    }

    static let rsyslogConfs: [String] = (try? files(in: "rsyslog", suffix: ".conf")) ?? []

    @Test(
        "every rsyslog/*.conf is valid as committed for Debian's rsyslogd (rsyslogd -N1 -f FILE)",
        arguments: rsyslogConfs)
    func rsyslogConfig(_ file: String) throws {
        let rsyslogd = try #require(Self.tool("rsyslogd"), "install rsyslog: make test does it")
        var path = Self.root.appendingPathComponent("rsyslog/\(file)").path
        // rsyslogd -N1 checks that the TLS files exist: the TLS config is checked with its
        // /etc/rsyslog.d/tls/ pointing at a directory holding files of those names (their
        // contents are checked by the TLS end-to-end test, with real certificates).
        let text = try Self.text("rsyslog/\(file)")
        if text.contains("/etc/rsyslog.d/tls/") {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "rsyslog-tls-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            for name in ["ca.pem", "db-host.pem", "db-host.key"] {
                FileManager.default.createFile(atPath: directory.appendingPathComponent(name).path, contents: Data())
            }
            path = directory.appendingPathComponent(file).path
            try text.replacingOccurrences(of: "/etc/rsyslog.d/tls/", with: directory.path + "/").write(
                toFile: path, atomically: true, encoding: .utf8)
            let result = try Self.run(rsyslogd, ["-N1", "-f", path])
            #expect(result.status == 0, "\(file): \(result.output)")
            #expect(!result.output.lowercased().contains("error"), "\(file): \(result.output)")
            return
        }
        let result = try Self.run(rsyslogd, ["-N1", "-f", path])
        #expect(result.status == 0, "\(file): \(result.output)")
        #expect(!result.output.lowercased().contains("error"), "\(file): \(result.output)")
        #expect(!result.output.lowercased().contains("warning"), "\(file): \(result.output)")
    }

    @Test(
        "rsyslog/ forwards octet-counted through a disk-assisted queue that never blocks, with impstats, failover and TLS"
    )
    func rsyslogContents() throws {
        #expect(
            Set(Self.rsyslogConfs).isSuperset(of: [
                "forward-to-auditsieve.conf", "forward-failover.conf", "impstats.conf",
            ]))
        let queue = [
            #"queue.type="LinkedList""#, "queue.filename=", "queue.maxDiskSpace=", #"queue.saveOnShutdown="on""#,
            #"queue.timeoutEnqueue="0""#,
        ]
        let forward = [#"maxMessageSize="256k""#, #"TCP_Framing="octet-counted""#, #"action.resumeRetryCount="-1""#]
        for file in ["forward-to-auditsieve.conf", "forward-failover.conf", "forward-tls.conf"] {
            let text = try Self.text("rsyslog/\(file)")
            for needed in queue + forward { #expect(text.contains(needed), "\(file) has \(needed)") }
        }
        let primary = try Self.text("rsyslog/forward-to-auditsieve.conf")
        #expect(primary.contains("AUDITSIEVE-TARGET"), "the end-to-end test's substitution marker")
        #expect(
            try Self.text("rsyslog/forward-failover.conf").contains(#"action.execOnlyWhenPreviousIsSuspended="on""#))
        let stats = try Self.text("rsyslog/impstats.conf")
        for needed in [#"module(load="impstats""#, #"interval="60""#, #"format="json""#] {
            #expect(stats.contains(needed))
        }
        let tls = try Self.text("rsyslog/forward-tls.conf")
        for needed in [#"StreamDriverMode="1""#, #"StreamDriverAuthMode="x509/name""#, #"StreamDriver="gtls""#] {
            #expect(tls.contains(needed), "forward-tls.conf has \(needed)")
        }
    }

    @Test("rsyslog/*.cnf: the Percona plugin and audit_log_filter settings for syslog")
    func mysqlConfigs() throws {
        let plugin = try Self.text("rsyslog/percona-audit.cnf")
        for needed in [
            "[mysqld]", "audit_log_handler = SYSLOG", "audit_log_format = JSON",
            "audit_log_syslog_ident = percona-audit",
            "audit_log_syslog_facility = LOG_USER", "audit_log_syslog_priority = LOG_INFO",
        ] {
            #expect(plugin.contains(needed), "percona-audit.cnf has \(needed)")
        }
        let filter = try Self.text("rsyslog/percona-audit-filter.cnf")
        for needed in [
            "[mysqld]", "audit_log_filter.handler = SYSLOG", "audit_log_filter.syslog_tag",
            "audit_log_filter.syslog_facility",
            "audit_log_filter_syslog_ident",
        ] {
            #expect(filter.contains(needed), "percona-audit-filter.cnf has \(needed)")
        }
    }

    @Test(
        "packaging/auditsieve.service: reload is SIGHUP, unprivileged user, hardened, and systemd-analyze verify passes"
    )
    func systemdUnit() throws {
        let unit = try Self.text("packaging/auditsieve.service")
        let keys = Dictionary(
            unit.split(separator: "\n").filter { !$0.hasPrefix("#") && $0.contains("=") }.map { line in
                let parts = line.split(separator: "=", maxSplits: 1)
                return (String(parts[0]), String(parts.count > 1 ? parts[1] : ""))
            },
            uniquingKeysWith: { first, second in first + " " + second }
        )
        #expect(keys["ExecStart"] == "/usr/local/bin/auditsieve serve --config /etc/auditsieve/auditsieve.yml")
        #expect(keys["ExecReload"] == "/bin/kill -HUP $MAINPID")
        #expect(keys["User"] == "auditsieve")
        #expect(keys["StateDirectory"] == "auditsieve")
        #expect(keys["LogsDirectory"] == "auditsieve")
        #expect(keys["Restart"] == "on-failure")
        #expect(keys["TimeoutStopSec"] == "15", "above serve's own 10 s shutdown bound")
        #expect(keys["RestrictAddressFamilies"] == "AF_INET AF_INET6 AF_UNIX")
        for hardening in [
            "NoNewPrivileges", "ProtectHome", "PrivateTmp", "PrivateDevices", "ProtectKernelTunables",
            "ProtectKernelModules",
            "ProtectKernelLogs", "ProtectControlGroups",
        ] {
            #expect(keys[hardening] == "yes", "\(hardening)=yes")
        }
        #expect(keys["ProtectSystem"] == "strict")
        #expect(keys["LimitNOFILE"] != nil)

        let logrotate = try Self.text("packaging/auditsieve.logrotate")
        #expect(logrotate.contains("/var/log/auditsieve/"))
        #expect(logrotate.contains("postrotate") && logrotate.contains("systemctl reload auditsieve"))

        let analyze = try #require(
            Self.tool("systemd-analyze"), "systemd-analyze: Debian's systemd package (make test-deps installs it)")
        // verify wants ExecStart's binary to exist: point it at one that does.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("unit-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let copy = directory.appendingPathComponent("auditsieve.service")
        try unit.replacingOccurrences(of: "/usr/local/bin/auditsieve", with: "/bin/true").write(
            to: copy, atomically: true, encoding: .utf8)
        let result = try Self.run(analyze, ["verify", copy.path])
        #expect(result.status == 0 && result.output.isEmpty, "systemd-analyze verify: \(result.output)")
    }
}
