import ArgumentParser
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

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
            """
    )

    @Option(help: "The server's HTTP endpoint (http.address).")
    var endpoint = "http://127.0.0.1:9514"

    @Option(help: "A file holding the bearer token (the server's http.tail_token_file).")
    var tokenFile: String?

    @Option(help: "Only events of this cluster.")
    var cluster: String?

    @Option(help: "Only events touching a table that matches this pattern (as in keep_tables; repeatable).")
    var table: [String] = []

    @Option(help: "Only records whose user field matches this glob, e.g. 'app*'.")
    var user: String?

    func run() async throws {
        let request: TailRequest
        let token: String?
        do {
            request = try TailRequest(endpoint: endpoint, cluster: cluster, tables: table, user: user)
            token = try tokenFile.map(Self.readToken)
        } catch {
            printToStandardError("auditsieve tail: \(error)")
            throw ExitCode(2)
        }
        let outcome: TailStreamHandler.Outcome
        do {
            outcome = try await Self.stream(request, token: token)
        } catch {
            printToStandardError("auditsieve tail: cannot follow \(endpoint): \(error) (is auditsieve serve running with this http.address?)")
            throw ExitCode(1)
        }
        switch outcome {
        case .ended:
            printToStandardError("auditsieve tail: the server ended the stream (it is shutting down)")
            throw ExitCode(1)
        case .refused(let status, let message):
            let hint =
                status != .unauthorized ? ""
                : tokenFile == nil ? " (pass --token-file)" : " (check --token-file against the server's http.tail_token_file)"
            printToStandardError("auditsieve tail: \(status.code) \(status.reasonPhrase): \(message)\(hint)")
            throw ExitCode(1)
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
    private static func stream(_ request: TailRequest, token: String?) async throws -> TailStreamHandler.Outcome {
        let group = MultiThreadedEventLoopGroup.singleton
        let outcome = group.any().makePromise(of: TailStreamHandler.Outcome.self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
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
