import NIOCore

/// Sits first on a TCP connection: counts bytes, and closes the connection when the idle timeout
/// fires (unless it is paused: a connection the server stopped reading is not idle).
final class ConnectionGuardHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let activity: ConnectionActivity
    private let registry: ConnectionRegistry
    private let metrics: ListenerMetrics

    init(activity: ConnectionActivity, registry: ConnectionRegistry, metrics: ListenerMetrics) {
        self.activity = activity
        self.registry = registry
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        metrics.bytes.increment(by: Int64(buffer.readableBytes))
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        registry.remove(context.channel)
        metrics.connectionsOpen.record(registry.count)
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            if activity.paused.load(ordering: .relaxed) { return }
            metrics.connectionsClosedIdle.increment()
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

@available(*, unavailable)
extension ConnectionGuardHandler: Sendable {}
