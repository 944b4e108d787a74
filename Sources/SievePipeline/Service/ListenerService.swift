import Logging
import ServiceLifecycle

/// Keeps the bound listeners open until shutdown, then stops them: intake ends first, so the
/// sinks can drain everything that was accepted.
final class ListenerService: Service {
    private let listeners: [any SyslogListener]
    private let logger: Logger

    init(listeners: [any SyslogListener], logger: Logger) {
        self.listeners = listeners
        self.logger = logger
    }

    func run() async throws {
        try? await gracefulShutdown()
        for listener in listeners {
            await listener.stop()
        }
        logger.info("listeners stopped")
    }
}
