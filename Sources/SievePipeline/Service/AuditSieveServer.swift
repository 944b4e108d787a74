import Logging
import Metrics
import NIOCore
import NIOPosix
import ServiceLifecycle
import SieveSinks
import UnixSignals

/// The daemon: sinks, router and listeners built from a config. `start` opens the sinks and binds
/// every listener (so errors surface before anything runs); `run` serves until SIGTERM/SIGINT.
public final class AuditSieveServer: Sendable {
    public let config: AuditSieveConfig
    public let router: EventRouter
    public let listeners: [any SyslogListener]
    private let sinks: [any EventSink]
    private let logger: Logger
    private let group: any EventLoopGroup

    public init(
        config: AuditSieveConfig, logger: Logger, metricsFactory: any MetricsFactory = MetricsSystem.factory,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws {
        self.config = config
        self.logger = logger
        self.group = group
        var sinks: [any EventSink] = []
        for sink in config.sinks where config.defaultCluster.sinks.contains(sink.name) {
            let target: FileSinkConfiguration.Target =
                sink.kind == .stdout ? .standardOutput : .file(path: sink.path ?? "")
            sinks.append(
                try FileSink(
                    configuration: FileSinkConfiguration(
                        name: sink.name, target: target, encoding: sink.encoding,
                        flushIntervalMilliseconds: sink.flushIntervalMilliseconds
                    ),
                    logger: logger, metricsFactory: metricsFactory
                )
            )
        }
        self.sinks = sinks
        let router = EventRouter(sinks: sinks, metrics: PipelineMetrics(factory: metricsFactory), logger: logger)
        self.router = router
        self.listeners = config.listeners.map { listener -> any SyslogListener in
            switch listener.transport {
            case .tcp: TCPSyslogListener(config: listener, router: router, logger: logger, metricsFactory: metricsFactory)
            case .udp: UDPSyslogListener(config: listener, router: router, logger: logger, metricsFactory: metricsFactory)
            }
        }
    }

    /// Binds every listener and logs each bound address; returns them in config order.
    public func start() async throws -> [SocketAddress] {
        var bound: [SocketAddress] = []
        for listener in listeners {
            do {
                let address = try await listener.bind(on: group)
                bound.append(address)
                logger.info(
                    "listening",
                    metadata: ["listener": "\(listener.config.name)", "bound": "\(PeerName.of(address))"]
                )
            } catch {
                for started in listeners { await started.stop() }
                throw ListenerBindError(listener: listener.config, underlying: error)
            }
        }
        return bound
    }

    /// Serves until SIGTERM or SIGINT; then stops the listeners, flushes the sinks and returns
    /// (within 10 s, whatever the sinks do).
    public func run() async throws {
        var configuration = ServiceGroupConfiguration(
            services: [
                .init(service: SinkService(sinks: sinks, logger: logger)),
                .init(service: ListenerService(listeners: listeners, logger: logger)),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        configuration.maximumGracefulShutdownDuration = .seconds(8)
        configuration.maximumCancellationDuration = .seconds(1)
        try await ServiceGroup(configuration: configuration).run()
    }

    /// Stops without signals (tests, embedding): listeners first, then sinks.
    public func shutdown() async {
        for listener in listeners { await listener.stop() }
        for sink in sinks { sink.close() }
    }
}

/// A listener could not bind; names the listener, its config line and the OS's reason.
public struct ListenerBindError: Error, CustomStringConvertible {
    public var listener: ListenerConfig
    public var underlying: any Error

    public var description: String {
        "cannot listen on \(listener.name) (config line \(listener.line)): \(underlying)"
    }
}
