import Logging
import NIOCore
import SieveSyslog

/// Turns datagrams into events: a trailing LF or CRLF is not part of the message, and
/// `max_message_bytes` applies as on TCP (truncate or drop, counted).
final class UDPIngestHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private var batcher: EventBatcher
    private let framer: SyslogFramerConfiguration
    private let metrics: ListenerMetrics
    private let logger: Logger
    private var lastAddress: SocketAddress?
    private var lastPeer = "-"
    private var lastSenderAddress: [UInt8]?
    private var releaseTimer = TableRecordReleaseTimer()

    /// `allowed_senders`, and whether the last datagram's address was in it.
    private let allowList: SenderAllowList
    private var lastAllowed = true
    private let warnings: ListenerWarnings
    private let listener: String

    init(
        ingest: IngestContext, framer: SyslogFramerConfiguration, metrics: ListenerMetrics, logger: Logger,
        allowList: SenderAllowList = SenderAllowList([]), listener: String = "-"
    ) {
        self.allowList = allowList
        self.warnings = ListenerWarnings(logger: logger)
        self.listener = listener
        self.batcher = EventBatcher(ingest: ingest, blockable: false)
        self.framer = framer
        self.metrics = metrics
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        var message = envelope.data
        metrics.frames.increment()
        metrics.bytes.increment(by: Int64(message.readableBytes))
        Self.stripTrailingNewline(&message)
        if message.readableBytes == 0 { return }
        var truncated = false
        if message.readableBytes > framer.maxMessageBytes {
            if framer.oversize == .drop {
                metrics.oversizeDropped.increment()
                return
            }
            message = message.getSlice(at: message.readerIndex, length: framer.maxMessageBytes)!
            metrics.oversizeTruncated.increment()
            truncated = true
        }
        if envelope.remoteAddress != lastAddress {
            lastAddress = envelope.remoteAddress
            lastPeer = PeerName.of(envelope.remoteAddress)
            lastSenderAddress = PeerName.addressBytes(envelope.remoteAddress)
            lastAllowed = allowList.allows(lastSenderAddress ?? [])
        }
        guard lastAllowed else {
            metrics.rejectedDatagrams.increment()
            warnings.security.warning(
                "dropped a datagram from outside allowed_senders",
                metadata: ["listener": "\(listener)", "peer": "\(lastPeer)"])
            return
        }
        batcher.add(message: message, peer: lastPeer, senderAddress: lastSenderAddress, oversizeTruncated: truncated)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        batcher.flush()
        armReleaseTimer(context: context)
        context.fireChannelReadComplete()
    }

    /// Table records whose statement has not come go out once their time is up.
    private func armReleaseTimer(context: ChannelHandlerContext) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        releaseTimer.arm(deadline: batcher.tableRecordDeadline, on: context.eventLoop) {
            let (handler, context) = bound.value
            handler.releaseTimer.fired()
            if handler.batcher.releaseExpiredTableRecords() { handler.batcher.flush() }
            handler.armReleaseTimer(context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        releaseTimer.cancel()
        batcher.releaseAllTableRecords()
        batcher.flush()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A receive error on a datagram socket concerns one datagram; the socket stays open.
        metrics.receiveErrors.increment()
        logger.debug("UDP receive error", metadata: ["error": "\(error)"])
    }

    static func stripTrailingNewline(_ buffer: inout ByteBuffer) {
        if buffer.readableBytes > 0, buffer.getInteger(at: buffer.writerIndex - 1, as: UInt8.self) == 0x0A {
            buffer.moveWriterIndex(to: buffer.writerIndex - 1)
            if buffer.readableBytes > 0, buffer.getInteger(at: buffer.writerIndex - 1, as: UInt8.self) == 0x0D {
                buffer.moveWriterIndex(to: buffer.writerIndex - 1)
            }
        }
    }
}

@available(*, unavailable)
extension UDPIngestHandler: Sendable {}
