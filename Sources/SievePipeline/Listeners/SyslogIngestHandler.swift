import Logging
import NIOCore
import SieveSyslog

/// The end of a TCP connection's pipeline: frames in, events out to the router, batched per read
/// burst. A framing error closes this connection only.
final class SyslogIngestHandler: ChannelInboundHandler {
    typealias InboundIn = SyslogFrame

    private var batcher: EventBatcher
    private let metrics: ListenerMetrics
    private let logger: Logger
    private var peer = "-"
    private var senderAddress: [UInt8]?

    init(router: EventRouter, metrics: ListenerMetrics, logger: Logger) {
        self.batcher = EventBatcher(router: router)
        self.metrics = metrics
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        notePeer(context)
        context.fireChannelActive()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { notePeer(context) }
    }

    private func notePeer(_ context: ChannelHandlerContext) {
        peer = context.remoteAddress.map(PeerName.of) ?? "-"
        senderAddress = context.remoteAddress.flatMap(PeerName.addressBytes)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .message(let message, let info):
            metrics.frames.increment()
            if info.oversizeTruncated { metrics.oversizeTruncated.increment() }
            batcher.add(
                message: message, peer: peer, senderAddress: senderAddress, oversizeTruncated: info.oversizeTruncated
            )
        case .oversizeDropped(let length, _):
            metrics.frames.increment()
            metrics.oversizeDropped.increment()
            logger.warning(
                "dropped an oversize message (oversize: drop)",
                metadata: ["peer": "\(peer)", "bytes": "\(length)"]
            )
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        batcher.flush()
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        batcher.flush()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        batcher.flush()
        if let framing = error as? SyslogFramingError {
            metrics.frameTooLarge.increment()
            logger.warning(
                "closing connection: \(framing)", metadata: ["peer": "\(peer)", "reason": "\(framing.code)"]
            )
        } else {
            metrics.connectionErrors.increment()
            logger.info("closing connection after an error", metadata: ["peer": "\(peer)", "error": "\(error)"])
        }
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension SyslogIngestHandler: Sendable {}
