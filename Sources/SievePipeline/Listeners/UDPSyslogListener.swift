import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SieveConfig
import SieveSyslog

/// A UDP syslog listener: one datagram is one message. UDP cannot push back on a sender, so what
/// the kernel drops before we read it is lost; we ask for a large receive buffer
/// (`receive_buffer_bytes`) and read in vectors to keep that rare, warn when the kernel caps the
/// buffer (`net.core.rmem_max`), and export the kernel's own drop count for the socket
/// (`auditsieve_udp_kernel_drops_total`), so the loss is never invisible.
public final class UDPSyslogListener: SyslogListener {
    public let config: ListenerConfig
    private let ingest: IngestContext
    private let logger: Logger
    private let metrics: ListenerMetrics
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)
    private let kernelDrops: Counter
    private let receiveBuffer: Gauge
    /// The bound address and the drop count last read.
    private let kernel = NIOLockedValueBox<(address: SocketAddress?, drops: UInt64?)>((nil, nil))

    /// Datagrams read per system call, and the buffer each one gets (the largest UDP payload fits).
    static let vectorCount = 32
    static let datagramCapacity = 65_536

    public init(config: ListenerConfig, ingest: IngestContext, logger: Logger, metricsFactory: any MetricsFactory) {
        self.config = config
        self.ingest = ingest
        self.logger = logger
        self.metrics = ListenerMetrics(listener: config.name, factory: metricsFactory)
        self.kernelDrops = Counter(
            label: "auditsieve_udp_kernel_drops_total", dimensions: [("listener", config.name)], factory: metricsFactory
        )
        self.receiveBuffer = Gauge(
            label: "auditsieve_udp_receive_buffer_bytes", dimensions: [("listener", config.name)],
            factory: metricsFactory
        )
    }

    public func bind(on group: any EventLoopGroup) async throws -> SocketAddress {
        let ingest = self.ingest
        let metrics = self.metrics
        let logger = self.logger
        let framer = self.config.framer
        let allowList = SenderAllowList(config.allowedSenders)
        let name = config.name
        // No SO_REUSEADDR: on UDP it lets a second socket bind the same port (a second instance,
        // or an ephemeral port chosen for another listener) and take the datagrams silently;
        // UDP has no TIME_WAIT for it to help with.
        let datagrams = try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(config.receiveBufferBytes))
            .channelOption(.datagramVectorReadMessageCount, value: Self.vectorCount)
            .channelOption(
                .recvAllocator,
                value: FixedSizeRecvByteBufferAllocator(capacity: Self.vectorCount * Self.datagramCapacity)
            )
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        UDPIngestHandler(
                            ingest: ingest, framer: framer, metrics: metrics, logger: logger, allowList: allowList,
                            listener: name)
                    )
                }
            }
            .bind(host: config.host, port: config.port)
            .get()
        channel.withLockedValue { $0 = datagrams }
        metrics.up.record(1)
        datagrams.closeFuture.whenComplete { _ in metrics.up.record(0) }
        // Linux reports twice what it grants (its bookkeeping), and grants at most rmem_max.
        let granted = Int((try? await datagrams.getOption(.socketOption(.so_rcvbuf)).get()) ?? 0) / 2
        receiveBuffer.record(granted)
        if granted > 0 && granted < config.receiveBufferBytes {
            logger.warning(
                "the kernel capped the UDP receive buffer (net.core.rmem_max): bursts beyond it are dropped by the kernel (counted in auditsieve_udp_kernel_drops_total); raise net.core.rmem_max or lower receive_buffer_bytes",
                metadata: [
                    "listener": "\(config.name)", "requested": "\(config.receiveBufferBytes)", "granted": "\(granted)",
                ]
            )
        }
        let address = datagrams.localAddress!
        kernel.withLockedValue { $0 = (address, UDPKernelStatistics.drops(for: address)) }
        return address
    }

    /// Adds what the kernel dropped since the last call to `auditsieve_udp_kernel_drops_total`
    /// (called every second).
    func refreshKernelStatistics() {
        let delta = kernel.withLockedValue { state -> UInt64 in
            guard let address = state.address, let now = UDPKernelStatistics.drops(for: address) else { return 0 }
            defer { state.drops = now }
            return now - min(now, state.drops ?? now)
        }
        if delta > 0 { kernelDrops.increment(by: Int64(delta)) }
    }

    public func stop() async {
        let datagrams = channel.withLockedValue { channel in
            defer { channel = nil }
            return channel
        }
        try? await datagrams?.close()
    }
}
