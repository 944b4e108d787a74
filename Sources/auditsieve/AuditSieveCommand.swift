import ArgumentParser
import SievePipeline

@main
struct AuditSieveCommand: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "auditsieve",
        abstract: "Receive MySQL audit records over syslog, read them, and deliver them without loss.",
        discussion: """
            auditsieve listens for syslog over TCP and UDP, understands Percona Server audit_log \
            records (JSON, NEW/OLD XML, CSV), and writes one JSON event per record.

            Examples:
              auditsieve serve                              # embedded default: 127.0.0.1:5514, JSON to stdout
              auditsieve serve --config /etc/auditsieve/auditsieve.yml
              auditsieve check-config /etc/auditsieve/auditsieve.yml
              auditsieve parse captured.log > events.jsonl
              auditsieve tail --token-file /etc/auditsieve/tail.token --table 'billing.*'
            """,
        version: "\(version) (\(LinkedLibraries.summary))",
        subcommands: [
            ServeCommand.self, CheckConfigCommand.self, ParseCommand.self, TablesCommand.self, ExplainCommand.self,
            SpoolCommand.self,
            PlanCommand.self,
            TailCommand.self,
        ]
    )
}
