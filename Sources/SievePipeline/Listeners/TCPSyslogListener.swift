import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import SieveConfig
import SieveSyslog

/// A TCP syslog listener (RFC 6587 framing, per frame), or a RELP one (`RELPSessionHandler`). Each connection gets its own framer and
/// batcher; a bad frame or a misbehaving sender closes that connection only. At `max_connections`
/// (or `max_connections_per_sender` from one address) a new connection is refused before any of
/// its bytes is read; open connections are never closed to make room.
public final class TCPSyslogListener: SyslogListener {
    public let config: ListenerConfig
    private let ingest: IngestContext
    private let logger: Logger
    private let metrics: ListenerMetrics
    private let registry: ConnectionRegistry
    private let warnings: ListenerWarnings
    private let budget: FrameBufferBudget
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)
    private let allowList: SenderAllowList
    /// The TLS context new connections get; a reload swaps it (certificate rotation).
    private let tlsContext: NIOLockedValueBox<NIOSSLContext?>

    /// Fails when the listener's TLS files cannot be used (the start stops with the file named).
    init(
        config: ListenerConfig, ingest: IngestContext, logger: Logger, metricsFactory: any MetricsFactory,
        budget: FrameBufferBudget
    ) throws(ListenerTLSError) {
        self.allowList = SenderAllowList(config.allowedSenders)
        self.tlsContext = NIOLockedValueBox(
            try config.tls.map { tls throws(ListenerTLSError) in try ListenerTLSContext.make(tls, listener: config.name)
            })
        self.config = config
        self.ingest = ingest
        self.logger = logger
        self.metrics = ListenerMetrics(listener: config.name, factory: metricsFactory)
        self.registry = ConnectionRegistry(
            maxConnections: config.maxConnections, maxPerSender: config.maxConnectionsPerSender)
        self.warnings = ListenerWarnings(logger: logger)
        self.budget = budget
    }

    public func bind(on group: any EventLoopGroup) async throws -> SocketAddress {
        let config = self.config
        let ingest = self.ingest
        let logger = self.logger
        let metrics = self.metrics
        let registry = self.registry
        let warnings = self.warnings
        let budget = self.budget
        let allowList = self.allowList
        let tlsContext = self.tlsContext
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
                    guard allowList.allows(sender) else {
                        metrics.rejected(.senderNotAllowed).increment()
                        warnings.security.warning(
                            "refused a connection from outside allowed_senders",
                            metadata: [
                                "listener": "\(config.name)",
                                "peer": "\(channel.remoteAddress.map(PeerName.of) ?? "-")",
                            ]
                        )
                        channel.close(promise: nil)
                        return
                    }
                    if let refusal = registry.admit(channel, sender: sender) {
                        metrics.rejected(refusal).increment()
                        warnings.refusal.warning(
                            "\(refusal.rawValue) reached: refused a new connection (open ones are kept)",
                            metadata: [
                                "listener": "\(config.name)",
                                "peer": "\(channel.remoteAddress.map(PeerName.of) ?? "-")",
                                "limit":
                                    "\(refusal == .maxConnections ? config.maxConnections : config.maxConnectionsPerSender)",
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
                    try sync.addHandler(
                        ConnectionGuardHandler(activity: activity, registry: registry, metrics: metrics))
                    let relp: RELPSessionHandler?
                    let syslog: SyslogIngestHandler?
                    if config.transport == .relp {
                        relp = RELPSessionHandler(
                            ingest: ingest, metrics: metrics, activity: activity, logger: logger, warnings: warnings,
                            framer: config.framer, sourceIdentity: config.sourceIdentity, relays: config.relays)
                        syslog = nil
                    } else {
                        syslog = SyslogIngestHandler(
                            ingest: ingest, metrics: metrics, activity: activity, logger: logger, warnings: warnings,
                            sourceIdentity: config.sourceIdentity, relays: config.relays
                        )
                        relp = nil
                    }
                    if let tls = config.tls, let context = tlsContext.withLockedValue({ $0 }) {
                        try sync.addHandler(NIOSSLServerHandler(context: context))
                        try sync.addHandler(
                            TLSGuardHandler(
                                timeout: .milliseconds(Int64(tls.handshakeTimeoutMilliseconds)),
                                allowedClients: tls.allowedClients,
                                metrics: metrics, warnings: warnings, listener: config.name,
                                onIdentity: { names in
                                    syslog?.clientCertificate(names: names)
                                    relp?.clientCertificate(names: names)
                                }
                            )
                        )
                    }
                    if let relp {
                        // A frame's data is read whole (up to max_frame_bytes), then cut to max_message_bytes.
                        try sync.addHandler(
                            SyslogFramingHandler(
                                decoder: RELPFrameDecoder(maxFrameBytes: config.framer.maxFrameBytes),
                                maximumBufferSize: config.framer.maxFrameBytes + (1 << 20),
                                activity: activity, budget: budget
                            )
                        )
                        try sync.addHandler(relp)
                    } else if let syslog {
                        try sync.addHandler(
                            SyslogFramingHandler(
                                decoder: SyslogFrameDecoder(config.framer),
                                maximumBufferSize: config.framer.maxMessageBytes + (1 << 20),
                                activity: activity, budget: budget
                            )
                        )
                        try sync.addHandler(syslog)
                    }
                }
            }
            .bind(host: config.host, port: config.port)
            .get()
        channel.withLockedValue { $0 = server }
        metrics.up.record(1)
        server.closeFuture.whenComplete { _ in metrics.up.record(0) }
        return server.localAddress!
    }

    /// Re-reads the TLS files (SIGHUP): new connections get the new certificate; open ones keep
    /// theirs. On an error the old context stays and the error is returned for the log.
    func reloadTLS(_ tls: ListenerTLSConfig?) -> ListenerTLSError? {
        guard let tls else { return nil }
        do {
            let context = try ListenerTLSContext.make(tls, listener: config.name)
            tlsContext.withLockedValue { $0 = context }
            return nil
        } catch {
            return error
        }
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
