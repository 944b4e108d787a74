import ArgumentParser
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Follow the kept events of a running server live, as JSON lines.",
        discussion: """
            Connects to the server's HTTP endpoint (/tail) with the bearer token from \
            http.tail_token_file and prints every kept event that matches the filters until \
            interrupted. A client too slow to keep up misses events and is told how many in a \
            line {"notice":"dropped N events: ..."}; the server never waits for it.

            Examples:
              auditsieve tail --token-file /etc/auditsieve/tail.token
              auditsieve tail --token-file tail.token --cluster billing --table 'billing.*' --user 'app*'
              auditsieve tail --endpoint http://127.0.0.1:9514 --token-file tail.token | jq .sqltext
              auditsieve tail --endpoint https://auditsieve.internal:9514 --token-file tail.token \\
                --ca ca.pem --cert me.pem --key me.key
            """
    )

    @Option(help: "The server's HTTP endpoint (http.address).")
    var endpoint = "http://127.0.0.1:9514"

    @Option(help: "A file holding the bearer token (the server's http.tail_token_file).")
    var tokenFile: String?

    @Option(help: "https: the CA that signed the server's certificate (PEM; default: the system's).")
    var ca: String?

    @Option(help: "https: this client's certificate (PEM), for a server with http.tls.client_ca.")
    var cert: String?

    @Option(help: "https: this client's private key (PEM).")
    var key: String?

    @Option(help: "Only events of this cluster.")
    var cluster: String?

    @Option(help: "Only events touching a table that matches this pattern (as in keep_tables; repeatable).")
    var table: [String] = []

    @Option(help: "Only records whose user field matches this glob, e.g. 'app*'.")
    var user: String?

    func run() async throws {
        let request: TailRequest
        let token: String?
        var tlsContext: NIOSSLContext?
        do {
            request = try TailRequest(endpoint: endpoint, cluster: cluster, tables: table, user: user)
            token = try tokenFile.map(Self.readToken)
            if request.tls {
                tlsContext = try makeTLSContext()
            } else if ca != nil || cert != nil || key != nil {
                throw TailRequestError("--ca, --cert and --key apply to an https:// endpoint")
            }
        } catch {
            printToStandardError("auditsieve tail: \(error)")
            throw ExitCode(2)
        }
        let outcome: TailStreamHandler.Outcome
        do {
            outcome = try await Self.stream(request, token: token, tls: tlsContext)
        } catch {
            printToStandardError(
                "auditsieve tail: cannot follow \(endpoint): \(error) (is auditsieve serve running with this http.address?)"
            )
            throw ExitCode(1)
        }
        switch outcome {
        case .ended:
            printToStandardError("auditsieve tail: the server ended the stream (it is shutting down)")
            throw ExitCode(1)
        case .refused(let status, let message):
            let hint =
                status != .unauthorized
                ? ""
                : tokenFile == nil
                    ? " (pass --token-file)" : " (check --token-file against the server's http.tail_token_file)"
            printToStandardError("auditsieve tail: \(status.code) \(status.reasonPhrase): \(message)\(hint)")
            throw ExitCode(1)
        }
    }

    /// TLS 1.2 at least, the server's certificate checked against `--ca` (or the system's roots) and its name.
    private func makeTLSContext() throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        do {
            if let ca { configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca)) }
            switch (cert, key) {
            case (let cert?, let key?):
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) }
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            case (nil, nil): break
            default: throw TailRequestError("--cert and --key go together")
            }
            return try NIOSSLContext(configuration: configuration)
        } catch let error as TailRequestError {
            throw error
        } catch {
            throw TailRequestError("cannot use the TLS files (--ca, --cert, --key): \(error)")
        }
    }

    private static func readToken(_ path: String) throws -> String {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw TailRequestError("cannot read the token file \(path): \(error.localizedDescription)")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if token.isEmpty { throw TailRequestError("the token file \(path) is empty") }
        return token
    }

    /// Sends the request and prints the stream until it ends or is refused.
    private static func stream(_ request: TailRequest, token: String?, tls: NIOSSLContext?) async throws
        -> TailStreamHandler.Outcome
    {
        let group = MultiThreadedEventLoopGroup.singleton
        let outcome = group.any().makePromise(of: TailStreamHandler.Outcome.self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls {
                            let isAddress = (try? SocketAddress(ipAddress: request.host, port: 0)) != nil
                            try channel.pipeline.syncOperations.addHandler(
                                try NIOSSLClientHandler(context: tls, serverHostname: isAddress ? nil : request.host))
                        }
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(TailStreamHandler(outcome: outcome))
                    }
                }
                .connect(host: request.host, port: request.port)
                .get()
        } catch {
            outcome.fail(error)
            throw error
        }
        var headers = HTTPHeaders([("Host", "\(request.host):\(request.port)"), ("Accept", "application/x-ndjson")])
        if let token { headers.add(name: "Authorization", value: "Bearer \(token)") }
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: request.target, headers: headers)
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        try await channel.writeAndFlush(HTTPClientRequestPart.end(nil)).get()
        return try await outcome.futureResult.get()
    }
}
