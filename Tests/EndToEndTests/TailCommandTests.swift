import Foundation
import Testing

extension EndToEnd {
    @Suite("auditsieve tail and the HTTP endpoint")
    struct TailCommand {
        static func yaml(output: String, tokenFile: String?) -> String {
            AuditsieveServer.fileSinkYAML(output: output) + """

                http:
                  address: 127.0.0.1:0
                \(tokenFile.map { "  tail_token_file: \($0)" } ?? "")
                """
        }

        @Test("auditsieve tail prints live events that match its filters; the server's /metrics counts them")
        func followsLiveEvents() async throws {
            let directory = try TemporaryDirectory("tail")
            defer { directory.remove() }
            let tokenFile = directory.path("tail.token")
            try "correct-horse-battery\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
            let output = EventFile(path: directory.path("events.jsonl"))
            let server = try await AuditsieveServer.start(
                yaml: Self.yaml(output: output.path, tokenFile: tokenFile), in: directory)
            defer { server.stop() }
            let tail = try ChildProcess(
                try Paths.auditsieve(),
                [
                    "tail", "--endpoint", "http://127.0.0.1:\(server.httpPort)", "--token-file", tokenFile, "--table",
                    "billing.invoices",
                ],
                name: "tail", in: directory
            )
            defer { tail.stop() }

            // The tail subscribes a moment after it starts: send matching and other records until it shows some.
            let connection = try TCPConnection(port: server.tcpPort)
            defer { connection.close() }
            var sent = 0
            let lines = try await eventually("auditsieve tail to print 3 events", diagnostics: { tail.stderrTail() }) {
                () -> [String]? in
                if !tail.isRunning {
                    throw TestFailure("auditsieve tail exited \(tail.terminationStatus ?? -1)\n\(tail.stderrTail())")
                }
                sent += 1
                try connection.send(
                    PluginRecords.forwardedLine(
                        record: "\(sent)_1970-01-01T00:00:00", sql: "INSERT INTO invoices VALUES (\(sent))")
                        + PluginRecords.forwardedLine(
                            record: "\(1000 + sent)_1970-01-01T00:00:00", sql: "SELECT * FROM blog.posts")
                )
                let stdout = tail.stdout
                let complete = stdout[..<(stdout.lastIndex(of: "\n") ?? stdout.startIndex)]
                let printed = complete.split(separator: "\n").map(String.init)
                return printed.count >= 3 ? printed : nil
            }
            for line in lines {
                let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let id = Int((event["record"] as? String ?? "").prefix { $0 != "_" }) ?? 0
                #expect(id < 1000, "only events touching billing.invoices: \(line.prefix(200))")
                #expect(event["tables"] as? [[String]] == [["billing", "invoices"]])
            }

            let metrics = try httpGet(port: server.httpPort, path: "/metrics")
            #expect(metrics.status == 200)
            #expect(
                metrics.body.contains(#"auditsieve_kept_events_total{cluster="default"}"#),
                "\(metrics.body.prefix(500))")
            let ready = try httpGet(port: server.httpPort, path: "/readyz")
            #expect(ready.status == 200 && ready.body.contains("127.0.0.1:\(server.tcpPort)"))
        }

        @Test("auditsieve tail without the token, or against a server without a token file, fails with a clear message")
        func refused() async throws {
            let directory = try TemporaryDirectory("tail-refused")
            defer { directory.remove() }
            let tokenFile = directory.path("tail.token")
            try "correct-horse-battery\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
            let wrongFile = directory.path("wrong.token")
            try "guess\n".write(toFile: wrongFile, atomically: true, encoding: .utf8)
            let output = directory.path("events.jsonl")
            let server = try await AuditsieveServer.start(
                yaml: Self.yaml(output: output, tokenFile: tokenFile), in: directory)
            defer { server.stop() }
            let endpoint = "http://127.0.0.1:\(server.httpPort)"
            let binary = try Paths.auditsieve()

            let noToken = try await runToCompletion(
                binary, ["tail", "--endpoint", endpoint], in: directory, name: "no-token")
            #expect(noToken.status != 0)
            #expect(
                noToken.stderr.contains("401 Unauthorized") && noToken.stderr.contains("--token-file"),
                "\(noToken.stderr)")
            let wrong = try await runToCompletion(
                binary, ["tail", "--endpoint", endpoint, "--token-file", wrongFile], in: directory, name: "wrong-token"
            )
            #expect(wrong.status != 0 && wrong.stderr.contains("401"), "\(wrong.stderr)")
            #expect(wrong.stdout.isEmpty)

            let off = try await AuditsieveServer.start(
                yaml: Self.yaml(output: directory.path("off.jsonl"), tokenFile: nil), in: directory, name: "off"
            )
            defer { off.stop() }
            let disabled = try await runToCompletion(
                binary, ["tail", "--endpoint", "http://127.0.0.1:\(off.httpPort)", "--token-file", tokenFile],
                in: directory,
                name: "disabled"
            )
            #expect(
                disabled.status != 0 && disabled.stderr.contains("404 Not Found: tail disabled"), "\(disabled.stderr)")

            let nobody = try await runToCompletion(
                binary, ["tail", "--endpoint", "http://127.0.0.1:\(try unusedPort())", "--token-file", tokenFile],
                in: directory,
                name: "nobody"
            )
            #expect(nobody.status != 0 && nobody.stderr.contains("cannot follow"), "\(nobody.stderr)")
        }
    }
}

/// One plain HTTP GET on loopback, read to the end (the endpoint closes after answering).
func httpGet(port: Int, path: String) throws -> (status: Int, body: String) {
    let connection = try TCPConnection(port: port)
    defer { connection.close() }
    try connection.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    let text = String(decoding: try connection.readToEnd(), as: UTF8.self)
    guard let headEnd = text.range(of: "\r\n\r\n"), let status = Int(text.split(separator: " ").dropFirst().first ?? "")
    else {
        throw TestFailure("not an HTTP response: \(text.prefix(200))")
    }
    return (status, String(text[headEnd.upperBound...]))
}
