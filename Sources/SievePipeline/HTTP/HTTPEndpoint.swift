import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SieveConfig

/// The HTTP server of `http:`: `/metrics`, `/healthz`, `/readyz` and `/tail` (NIOHTTP1, one
/// request per connection but for `/tail` streams). Plain HTTP: keep it on loopback.
///
/// Bounded against abuse: at most `max_connections` open at once (a new one beyond is closed at
/// once, so the endpoint never takes the file descriptors syslog ingest needs); a request must
/// arrive whole within `request_timeout` (slowloris); a request announcing a body is refused; a
/// failing accept(2) (EMFILE) backs off instead of spinning.
final class HTTPEndpoint: Sendable {
    let config: HTTPConfig
    private let responder: HTTPResponder
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)
    private let openConnections = NIOLockedValueBox(0)
    private let acceptWarning: RateLimitedLog
    /// `http.tls`: every connection starts with a TLS handshake (client certificates with `client_ca`).
    private let tlsContext: NIOSSLContext?

    init(
        config: HTTPConfig, responder: HTTPResponder, logger: Logger = Logger(label: "auditsieve"),
        tlsContext: NIOSSLContext? = nil
    ) {
        self.tlsContext = tlsContext
        self.config = config
        self.responder = responder
        self.acceptWarning = RateLimitedLog(logger: logger)
    }

    /// Binds and starts serving; returns the address bound (port 0 resolves here).
    func bind(on group: any EventLoopGroup) async throws -> SocketAddress {
        let responder = self.responder
        let metrics = responder.metrics
        let config = self.config
        let openConnections = self.openConnections
        let acceptWarning = self.acceptWarning
        let tlsContext = self.tlsContext
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        AcceptBackoff(name: config.name, errors: metrics.acceptErrors, warning: acceptWarning)
                    )
                }
            }
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let admitted = openConnections.withLockedValue { open -> Bool in
                        guard open < config.maxConnections else { return false }
                        open += 1
                        metrics.open.record(open)
                        return true
                    }
                    guard admitted else {
                        metrics.refused(.maxConnections).increment()
                        channel.close(promise: nil)
                        return
                    }
                    channel.closeFuture.whenComplete { _ in
                        openConnections.withLockedValue { open in
                            open -= 1
                            metrics.open.record(open)
                        }
                    }
                    if let tlsContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tlsContext))
                    }
                    // One request per connection (then close): no pipelining assistance, which would
                    // also refuse the 408 sent before any request head is complete.
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: false)
                    try channel.pipeline.syncOperations.addHandler(
                        HTTPRequestHandler(
                            responder: responder,
                            requestTimeout: .milliseconds(Int64(config.requestTimeoutMilliseconds)))
                    )
                }
            }
            .bind(host: config.host, port: config.port)
            .get()
        channel.withLockedValue { $0 = server }
        return server.localAddress!
    }

    /// Stops accepting and ends every `/tail` stream.
    func stop() async {
        let server = channel.withLockedValue { channel in
            defer { channel = nil }
            return channel
        }
        try? await server?.close()
        responder.tail.closeAll()
    }

    /// The token in `path`, trimmed; a start error when unreadable or empty.
    static func readToken(_ config: HTTPConfig, path: String) throws(HTTPStartError) -> String {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw HTTPStartError(config: config, reason: .tokenFile(path, error.localizedDescription))
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw HTTPStartError(config: config, reason: .tokenFile(path, "the file is empty"))
        }
        return token
    }
}
