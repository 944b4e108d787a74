import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SieveSyslog

/// A TCP syslog listener (RFC 6587 framing, per frame). Each connection gets its own framer and
/// batcher; a bad frame or a misbehaving sender closes that connection only. At `max_connections`
/// (or `max_connections_per_sender` from one address) a new connection is refused before any of
/// its bytes is read; open connections are never closed to make room.
public final class TCPSyslogListener: SyslogListener {
    public let config: ListenerConfig
    private let router: EventRouter
    private let logger: Logger
    private let metrics: ListenerMetrics
    private let registry: ConnectionRegistry
    private let warnings: ListenerWarnings
    private let budget: FrameBufferBudget
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)

    init(
        config: ListenerConfig, router: EventRouter, logger: Logger, metricsFactory: any MetricsFactory,
        budget: FrameBufferBudget
    ) {
        self.config = config
        self.router = router
        self.logger = logger
        self.metrics = ListenerMetrics(listener: config.name, factory: metricsFactory)
        self.registry = ConnectionRegistry(maxConnections: config.maxConnections, maxPerSender: config.maxConnectionsPerSender)
        self.warnings = ListenerWarnings(logger: logger)
        self.budget = budget
    }

    public func bind(on group: any EventLoopGroup) async throws -> SocketAddress {
        let config = self.config
        let router = self.router
        let logger = self.logger
        let metrics = self.metrics
        let registry = self.registry
        let warnings = self.warnings
        let budget = self.budget
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        AcceptBackoff(name: config.name, errors: metrics.acceptErrors, warning: warnings.accept)
                    )
                }
            }
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sender = channel.remoteAddress.flatMap(PeerName.addressBytes) ?? []
                    if let refusal = registry.admit(channel, sender: sender) {
                        metrics.rejected(refusal).increment()
                        warnings.refusal.warning(
                            "\(refusal.rawValue) reached: refused a new connection (open ones are kept)",
                            metadata: [
                                "listener": "\(config.name)", "peer": "\(channel.remoteAddress.map(PeerName.of) ?? "-")",
                                "limit": "\(refusal == .maxConnections ? config.maxConnections : config.maxConnectionsPerSender)",
                            ]
                        )
                        channel.close(promise: nil)
                        return
                    }
                    // Whatever happens to the pipeline below, the slot is given back when the channel closes.
                    channel.closeFuture.whenComplete { _ in registry.remove(channel) }
                    metrics.connectionsAccepted.increment()
                    metrics.connectionsOpen.record(registry.count)
                    let activity = ConnectionActivity(channel: channel, metrics: metrics)
                    let sync = channel.pipeline.syncOperations
                    // The idle handler comes first: its events travel inbound, to the guard that acts on them.
                    try sync.addHandler(
                        IdleStateHandler(readTimeout: .milliseconds(Int64(config.idleTimeoutMilliseconds)))
                    )
                    try sync.addHandler(ConnectionGuardHandler(activity: activity, registry: registry, metrics: metrics))
                    try sync.addHandler(
                        SyslogFramingHandler(
                            decoder: SyslogFrameDecoder(config.framer), maximumBufferSize: config.framer.maxMessageBytes + (1 << 20),
                            activity: activity, budget: budget
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
