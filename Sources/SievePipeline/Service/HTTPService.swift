import Logging
import ServiceLifecycle

/// Keeps the HTTP endpoint serving until shutdown. It is first in the service group, so it stops
/// last: `/metrics` can be scraped while the queues drain.
final class HTTPService: Service {
    private let endpoint: HTTPEndpoint
    private let logger: Logger

    init(endpoint: HTTPEndpoint, logger: Logger) {
        self.endpoint = endpoint
        self.logger = logger
    }

    func run() async throws {
        try? await gracefulShutdown()
        await endpoint.stop()
        logger.info("http endpoint stopped")
    }
}
