import Logging
import ServiceLifecycle
import SieveSinks
import UnixSignals

/// Owns the sinks' lifetime: reopens them on SIGHUP (logrotate), and on shutdown flushes and
/// closes them. It is first in the service group, so it stops last, after the listeners.
final class SinkService: Service {
    private let sinks: [any EventSink]
    private let logger: Logger

    init(sinks: [any EventSink], logger: Logger) {
        self.sinks = sinks
        self.logger = logger
    }

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            logger.info("SIGHUP: reopening sink files")
            for sink in sinks { sink.reopen() }
        }
        for sink in sinks { sink.close() }
        logger.info("sinks flushed and closed")
    }
}
