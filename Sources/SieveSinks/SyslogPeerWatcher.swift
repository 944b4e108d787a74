import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import NIOTLS

/// The last handler of a sink connection. A syslog receiver has nothing to say, so whatever it
/// sends is read and dropped (counted); what matters is noticing that it has gone (FIN, RST, a
/// TLS alert) before the next batch is written into a socket nobody reads. The verdict lands in
/// `status` on the event loop, where `SyslogConnection.write` checks it before writing.
///
/// It also completes `ready` once the connection can carry events: at once for TCP, after the
/// handshake for TLS, with the reason as error if the connection ends first.
final class SyslogPeerWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let status: NIOLockedValueBox<SyslogPeerStatus>
    private let ready: EventLoopPromise<Void>
    private let waitsForHandshake: Bool

    init(status: NIOLockedValueBox<SyslogPeerStatus>, ready: EventLoopPromise<Void>, waitsForHandshake: Bool) {
        self.status = status
        self.ready = ready
        self.waitsForHandshake = waitsForHandshake
    }

    func channelActive(context: ChannelHandlerContext) {
        if !waitsForHandshake { ready.succeed() }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let count = unwrapInboundIn(data).readableBytes
        status.withLockedValue { $0.discardedBytes += count }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent {
            ready.succeed()
        } else if case .inputClosed = event as? ChannelEvent {
            peerGone("the peer closed the connection", tlsError: false)
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        peerGone("\(error)", tlsError: Self.isTLSFailure(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        peerGone("the peer closed the connection", tlsError: false)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        peerGone("connection closed", tlsError: false)
    }

    /// Records the first reason only: an error is followed by the close it causes.
    private func peerGone(_ reason: String, tlsError: Bool) {
        let reason = status.withLockedValue { status in
            if status.isAlive {
                status.isAlive = false
                status.endReason = reason
                status.endedByTLSError = tlsError
            }
            return status.endReason ?? reason
        }
        ready.fail(SyslogLinkError.connectFailed(reason))
    }

    /// An alert or protocol failure; not the peer's plain TCP close without close_notify.
    private static func isTLSFailure(_ error: any Error) -> Bool {
        if case .uncleanShutdown = error as? NIOSSLError { return false }
        return error is NIOSSLError || error is BoringSSLError
    }
}
