import ArgumentParser
#if canImport(Glibc)
    import Glibc
#endif
import Logging
import Metrics
import Prometheus
import SieveConfig
import SievePipeline

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Receive syslog, parse audit records, write events to the sinks.",
        discussion: """
            Without --config it runs the embedded default: TCP and UDP on 127.0.0.1:5514, every \
            record kept, JSON lines to stdout. SIGTERM/SIGINT stop the listeners, flush the sinks \
            and exit within 10 s; SIGHUP reopens sink files (logrotate). Metrics, health and the \
            live tail are served over HTTP on http.address (default 127.0.0.1:9514).

            Examples:
              auditsieve serve
              auditsieve serve --config /etc/auditsieve/auditsieve.yml --log-level debug
              logger --tcp -n 127.0.0.1 -P 5514 -t percona-audit '{"audit_record":{...}}'
            """
    )

    @Option(name: .shortAndLong, help: "YAML config file (default: the embedded config).")
    var config: String?

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        // A file-size limit must surface as EFBIG (handled as a full spool), not kill the process.
        signal(SIGXFSZ, SIG_IGN)
        let logger = logging.bootstrap(label: "auditsieve")
        let loaded: AuditSieveConfig
        do {
            loaded = try config.map { try AuditSieveConfig.load(file: $0) } ?? AuditSieveConfig.embeddedDefault()
        } catch let errors as ConfigErrors {
            printToStandardError(errors.description)
            throw ExitCode(2)
        }
        logger.info(
            "starting",
            metadata: [
                "version": "\(AuditSieveCommand.version)", "libraries": "\(LinkedLibraries.summary)",
                "config": "\(loaded.source)",
            ])
        // The one place Prometheus is set up: the server emits into this registry, /metrics shows it.
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetricsFactory(registry: registry)
        MetricsSystem.bootstrap(factory)
        let server: AuditSieveServer
        do {
            server = try AuditSieveServer(
                config: loaded, configPath: config, logger: logger, metricsFactory: factory, metricsRegistry: registry
            )
            _ = try await server.start()
        } catch {
            printToStandardError("auditsieve: \(error)")
            throw ExitCode(1)
        }
        try await server.run()
        logger.info("stopped")
    }
}
