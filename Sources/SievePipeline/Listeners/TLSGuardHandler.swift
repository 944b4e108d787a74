import Logging
import NIOCore
import NIOSSL
import NIOTLS
import SieveRules

/// Sits right after the TLS handler of a TCP listener's connection. Closes a connection whose
/// handshake has not completed within `handshake_timeout` (a client that never finishes cannot
/// hold a slot, and since every connection has its own handshake, cannot delay another); counts
/// and logs a failed handshake by reason (`tls_handshake`, or `client_certificate` for a missing
/// or untrusted certificate); after the handshake, refuses a certificate none of whose names fits
/// `allowed_clients`, and hands the certificate's name to the ingest handler.
final class TLSGuardHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let timeout: TimeAmount
    private let allowedClients: [Glob]
    private let metrics: ListenerMetrics
    private let warnings: ListenerWarnings
    private let listener: String
    private let onIdentity: ([String]) -> Void
    private var timer: Scheduled<Void>?
    private var handshakeDone = false
    private var refused = false

    init(
        timeout: TimeAmount, allowedClients: [String], metrics: ListenerMetrics, warnings: ListenerWarnings,
        listener: String,
        onIdentity: @escaping ([String]) -> Void
    ) {
        self.timeout = timeout
        self.allowedClients = allowedClients.map { Glob($0, caseSensitive: false) }
        self.metrics = metrics
        self.warnings = warnings
        self.listener = listener
        self.onIdentity = onIdentity
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startTimer(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        startTimer(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        context.fireChannelInactive()
    }

    private func startTimer(_ context: ChannelHandlerContext) {
        guard timer == nil, !handshakeDone else { return }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            let (handler, context) = bound.value
            guard !handler.handshakeDone else { return }
            handler.refuse(context, .tlsHandshake, "the TLS handshake did not complete within handshake_timeout")
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
            handshakeDone = true
            timer?.cancel()
            let certificate = try? context.channel.pipeline.syncOperations.nioSSL_peerCertificate()
            let names = certificate.map(ClientCertificateNames.of) ?? []
            if !allowedClients.isEmpty {
                let allowed = names.filter { name in
                    Array(name.utf8).withUnsafeBytes { bytes in allowedClients.contains { $0.matches(bytes) } }
                }
                guard !allowed.isEmpty else {
                    refuse(
                        context, .clientCertificate, "the client certificate's names are not in allowed_clients",
                        names: names)
                    return
                }
                onIdentity(allowed + names.filter { !allowed.contains($0) })
            } else {
                onIdentity(names)
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !handshakeDone else {
            context.fireErrorCaught(error)
            return
        }
        // BoringSSL names certificate failures (none sent, unknown CA, expired) in its reason.
        let text = "\(error)"
        let reason: ConnectionRegistry.Refusal =
            text.uppercased().contains("CERTIFICATE") ? .clientCertificate : .tlsHandshake
        refuse(context, reason, "TLS handshake failed: \(text)")
    }

    private func refuse(
        _ context: ChannelHandlerContext, _ reason: ConnectionRegistry.Refusal, _ message: String, names: [String] = []
    ) {
        guard !refused else { return }
        refused = true
        metrics.rejected(reason).increment()
        var metadata: Logger.Metadata = [
            "listener": "\(listener)", "peer": "\(context.remoteAddress.map(PeerName.of) ?? "-")",
            "reason": "\(reason.rawValue)",
        ]
        if !names.isEmpty { metadata["certificate_names"] = "\(names.joined(separator: ","))" }
        warnings.security.warning("refused a connection: \(message)", metadata: metadata)
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension TLSGuardHandler: Sendable {}
