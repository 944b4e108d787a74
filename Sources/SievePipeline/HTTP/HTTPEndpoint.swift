import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// The HTTP server of `http:`: `/metrics`, `/healthz`, `/readyz` and `/tail` (NIOHTTP1, one
/// request per connection but for `/tail` streams). Plain HTTP: keep it on loopback.
final class HTTPEndpoint: Sendable {
    let config: HTTPConfig
    private let responder: HTTPResponder
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)

    init(config: HTTPConfig, responder: HTTPResponder) {
        self.config = config
        self.responder = responder
    }

    /// Binds and starts serving; returns the address bound (port 0 resolves here).
    func bind(on group: any EventLoopGroup) async throws -> SocketAddress {
        let responder = self.responder
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(HTTPRequestHandler(responder: responder))
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
        guard !token.isEmpty else { throw HTTPStartError(config: config, reason: .tokenFile(path, "the file is empty")) }
        return token
    }
}
