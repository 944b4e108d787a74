import Logging
import ServiceLifecycle
import UnixSignals

/// Owns the sinks' lifetime and SIGHUP: reopen sink files (logrotate) and reload the config. On
/// shutdown it drains the queues as far as the sinks allow, saves the rest to the spools and
/// closes the sinks. It comes before the listeners in the service group, so it stops after them
/// (and before the HTTP endpoint, when there is one: that comes first, so scrapes work meanwhile).
final class SinkService: Service {
    private let server: AuditSieveServer
    private let logger: Logger

    init(server: AuditSieveServer, logger: Logger) {
        self.server = server
        self.logger = logger
    }

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            logger.info("SIGHUP: reopening sink files and reloading the config")
            await server.handleHangup()
        }
        await server.stopDelivery()
        logger.info("queues saved and sinks closed")
    }
}
