import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import SieveEvent
import SieveSinkConfig

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Forwards events to a syslog receiver over one TCP (or TLS) connection, one frame per event.
///
/// `deliver` returns once every frame of the batch is in the kernel's socket buffer. That is not
/// receipt: plain syslog has no acknowledgement, so what the kernel took is lost if the peer dies
/// before reading it. What the sink does guarantee is that it never writes into a connection it
/// knows is dead: the connection's last handler watches for the peer's FIN, RST or TLS alert, and
/// a batch after that goes out on a new connection. A write the peer does not take within
/// `writeTimeoutMilliseconds` closes the connection and throws; the queue sends the whole batch
/// again later, so frames of a failed batch may arrive twice (at least once).
///
/// Connections are made on the first delivery and again after a failure, no sooner than
/// `ReconnectBackoff` allows: while it waits, `deliver` throws at once with the time left. With
/// `keepConnected()` (the server calls it) the sink also connects in the background at once and
/// whenever its connection ends, so `auditsieve_sink_up` tells whether the downstream is reachable
/// even while no events come.
///
/// What to do is decided by `SyslogLink.StateMachine` (held in `link`); this class performs it.
public final class SyslogSink: EventSink {
    typealias Link = SyslogLink.StateMachine<ContinuousClock, SyslogConnection>

    public let name: String
    public let encoding: EventEncoding
    public var gatherMilliseconds: Int { 0 }
    let configuration: SyslogSinkConfiguration
    let group: any EventLoopGroup
    let logger: Logger
    let metrics: SinkMetrics
    let tls: (context: NIOSSLContext, serverHostname: String?)?
    private let encoder: SyslogFrameEncoder
    /// Held only to ask what to do, never while waiting on the network, so `close()` returns at once.
    let link: NIOLockedValueBox<Link>
    /// Held while a delivery or a probe uses the network (one at a time); holds the buffers
    /// batches are encoded into.
    let network = NIOLockedValueBox(SyslogBatchFrames())
    /// Wakes a delivery or probe waiting on the network when `close()` is called.
    let waiter = BlockingWaiter()

    public init(
        configuration: SyslogSinkConfiguration, group: any EventLoopGroup, logger: Logger,
        metricsFactory: any MetricsFactory
    ) throws(SinkError) {
        self.name = configuration.name
        self.encoding = configuration.encoding
        self.configuration = configuration
        self.group = group
        self.logger = logger
        self.metrics = SinkMetrics(
            sink: configuration.name,
            errorCodes: [.connectFailed, .tlsRefused, .peerGone, .writeFailed, .writeTimeout],
            factory: metricsFactory
        )
        self.encoder = SyslogFrameEncoder(
            header: configuration.header, framing: configuration.framing,
            hostname: configuration.hostname ?? Self.machineHostname()
        )
        if let tls = configuration.tls {
            let context = try tls.makeClientContext(sink: configuration.name)
            self.tls = (context, tls.serverHostname(connectingTo: configuration.host))
        } else {
            self.tls = nil
        }
        self.link = NIOLockedValueBox(
            Link(
                clock: ContinuousClock(),
                backoff: ReconnectBackoff(maximumMilliseconds: configuration.reconnectMaxMilliseconds),
                provesAcceptance: configuration.tls != nil
            )
        )
        // Not known to be reachable until a connection is made.
        metrics.up.record(0)
    }

    /// Connects now in the background, and again (after the backoff) whenever the connection
    /// fails or ends, until `close()`: `sink_up` then reflects the downstream with or without
    /// traffic, and the first event does not wait for a connection.
    public func keepConnected() {
        perform(Link.Step(link.withLockedValue { $0.keepConnected() }))
    }

    public func deliver(_ batch: EventBatch) throws(SinkError) {
        guard !batch.isEmpty else { return }
        try network.withLockedValue { frames in deliver(batch, frames: &frames) }.get()
    }

    /// Nothing to reopen: a connection is made again whenever one fails, and changed settings
    /// (TLS files included) come with a new sink on reload.
    public func reopen() {}

    public func close() {
        let current = link.withLockedValue { $0.close() }
        waiter.interrupt()
        current?.close()
    }

    /// Runs one delivery: the link's steps until it says delivered or failed. The batch is
    /// encoded only when it is to be written (not on every retry while backing off).
    private func deliver(_ batch: EventBatch, frames: inout SyslogBatchFrames) -> Result<Void, SinkError> {
        var step = link.withLockedValue { $0.startDelivery() }
        var encoded: ByteBuffer?
        // The pieces the kernel took, and the connection of the last write.
        let written = NIOLockedValueBox(0)
        var used: SyslogConnection?
        while true {
            perform(step)
            switch step.action {
            case .connect, .proveAcceptance:
                step = connect(step.action)
            case .write(let connection):
                let bytes = encoded ?? frames.encode(batch, with: encoder)
                encoded = bytes
                used = connection
                step = write(bytes, chunkEnds: frames.chunkEnds, on: connection, written: written)
            case .delivered:
                metrics.writtenBytes.increment(by: Int64(encoded?.readableBytes ?? 0))
                return .success(())
            case .fail(let error, let retryAfterMilliseconds):
                var failure = SinkError(
                    error.code, sink: name, reason: error.description, retryAfterMilliseconds: retryAfterMilliseconds)
                if error == .closed, let used {
                    // `close()` cut the write short: the kernel still sends what it took, then
                    // the FIN. The pieces it took whole count as delivered (a stop resends at
                    // most one piece), read once the close is done so none can complete after.
                    used.close()
                    used.waitUntilClosed(milliseconds: 2000)
                    failure.deliveredEvents = frames.events(inPieces: written.withLockedValue { $0 })
                }
                // A write error (RST, EPIPE) or a timeout leaves unknown what reached the
                // receiver: the kernel drops its unsent bytes on a reset, and a receiver that
                // stopped reading may never read them. The whole batch is sent again (at least
                // once: it may arrive twice).
                return .failure(failure)
            case .none, .probe:
                preconditionFailure("a delivery ended without an outcome")
            }
        }
    }

    static func machineHostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
