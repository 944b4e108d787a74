import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SieveSyslog

/// A TCP syslog listener (RFC 6587 framing, per frame). Each connection gets its own framer and
/// batcher; a bad frame or a misbehaving sender closes that connection only.
public final class TCPSyslogListener: SyslogListener {
    public let config: ListenerConfig
    private let router: EventRouter
    private let logger: Logger
    private let metrics: ListenerMetrics
    private let registry: ConnectionRegistry
    private let warnings: ListenerWarnings
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)

    public init(config: ListenerConfig, router: EventRouter, logger: Logger, metricsFactory: any MetricsFactory) {
        self.config = config
        self.router = router
        self.logger = logger
        self.metrics = ListenerMetrics(listener: config.name, factory: metricsFactory)
        self.registry = ConnectionRegistry(maxConnections: config.maxConnections)
        self.warnings = ListenerWarnings(logger: logger)
    }

    public func bind(on group: any EventLoopGroup) async throws -> SocketAddress {
        let config = self.config
        let router = self.router
        let logger = self.logger
        let metrics = self.metrics
        let registry = self.registry
        let warnings = self.warnings
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let activity = ConnectionActivity()
                    metrics.connectionsAccepted.increment()
                    if registry.admit(channel, activity: activity) != nil {
                        metrics.connectionsEvicted.increment()
                        warnings.eviction.warning(
                            "max_connections reached: closed the longest-idle connection",
                            metadata: ["listener": "\(config.name)", "limit": "\(config.maxConnections)"]
                        )
                    }
                    metrics.connectionsOpen.record(registry.count)
                    let sync = channel.pipeline.syncOperations
                    // The idle handler comes first: its events travel inbound, to the guard that acts on them.
                    try sync.addHandler(
                        IdleStateHandler(readTimeout: .milliseconds(Int64(config.idleTimeoutMilliseconds)))
                    )
                    try sync.addHandler(ConnectionGuardHandler(activity: activity, registry: registry, metrics: metrics))
                    try sync.addHandler(
                        ByteToMessageHandler(
                            SyslogFrameDecoder(config.framer),
                            maximumBufferSize: config.framer.maxMessageBytes + (1 << 20)
                        )
                    )
                    try sync.addHandler(
                        SyslogIngestHandler(
                            router: router, metrics: metrics, activity: activity, logger: logger, warnings: warnings
                        )
                    )
                }
            }
            .bind(host: config.host, port: config.port)
            .get()
        channel.withLockedValue { $0 = server }
        metrics.up.record(1)
        server.closeFuture.whenComplete { _ in metrics.up.record(0) }
        return server.localAddress!
    }

    public func stop() async {
        let server = channel.withLockedValue { channel in
            defer { channel = nil }
            return channel
        }
        try? await server?.close()
        await registry.closeAll()
    }
}
