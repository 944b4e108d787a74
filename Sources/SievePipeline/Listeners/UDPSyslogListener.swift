import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SieveSyslog

/// A UDP syslog listener: one datagram is one message. UDP cannot push back on a sender, so what
/// the kernel drops before we read it is lost (the kernel counts it); we ask for a large receive
/// buffer and read in vectors to keep that rare.
public final class UDPSyslogListener: SyslogListener {
    public let config: ListenerConfig
    private let router: EventRouter
    private let logger: Logger
    private let metrics: ListenerMetrics
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)

    /// Datagrams read per system call, and the buffer each one gets (the largest UDP payload fits).
    static let vectorCount = 32
    static let datagramCapacity = 65_536

    public init(config: ListenerConfig, router: EventRouter, logger: Logger, metricsFactory: any MetricsFactory) {
        self.config = config
        self.router = router
        self.logger = logger
        self.metrics = ListenerMetrics(listener: config.name, factory: metricsFactory)
    }

    public func bind(on group: any EventLoopGroup) async throws -> SocketAddress {
        let router = self.router
        let metrics = self.metrics
        let logger = self.logger
        let framer = self.config.framer
        let datagrams = try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.socketOption(.so_rcvbuf), value: 8 << 20)
            .channelOption(.datagramVectorReadMessageCount, value: Self.vectorCount)
            .channelOption(
                .recvAllocator,
                value: FixedSizeRecvByteBufferAllocator(capacity: Self.vectorCount * Self.datagramCapacity)
            )
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        UDPIngestHandler(router: router, framer: framer, metrics: metrics, logger: logger)
                    )
                }
            }
            .bind(host: config.host, port: config.port)
            .get()
        channel.withLockedValue { $0 = datagrams }
        metrics.up.record(1)
        datagrams.closeFuture.whenComplete { _ in metrics.up.record(0) }
        return datagrams.localAddress!
    }

    public func stop() async {
        let datagrams = channel.withLockedValue { channel in
            defer { channel = nil }
            return channel
        }
        try? await datagrams?.close()
    }
}
