import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension EndToEnd {
    @Suite("graceful shutdown")
    struct Shutdown {
        /// Sends `perConnection` records on each of `connections` connections, half-closes each and
        /// waits until the server has closed it: the server has then read every byte, so each
        /// record was accepted before the signal.
        static func sendAndDrain(port: Int, connections: Int, perConnection: Int, firstRecord: Int) async throws
            -> [String]
        {
            var records: [String] = []
            var bodies: [@Sendable () throws -> Void] = []
            for connection in 0..<connections {
                let ids = (0..<perConnection).map {
                    "\(firstRecord + connection * perConnection + $0)_1970-01-01T00:00:00"
                }
                records += ids
                bodies.append {
                    let socket = try TCPConnection(port: port)
                    defer { socket.close() }
                    var bytes: [UInt8] = []
                    for id in ids {
                        bytes += Array(
                            PluginRecords.forwardedLine(record: id, sql: "UPDATE t SET v = v + 1 WHERE id = 42").utf8)
                    }
                    try socket.send(bytes)
                    socket.shutdownWrite()
                    guard socket.waitForServerClose() else {
                        throw TestFailure("the server did not close a drained connection")
                    }
                }
            }
            try await onThreads(bodies)
            return records
        }

        @Test(
            "SIGTERM: exit 0 within 10 s, every accepted record flushed (flush interval 60 s, so only shutdown writes them)"
        )
        func sigtermFlushes() async throws {
            let directory = try TemporaryDirectory("shutdown")
            defer { directory.remove() }
            let output = EventFile(path: directory.path("events.jsonl"))
            let server = try await AuditsieveServer.start(
                yaml: AuditsieveServer.fileSinkYAML(output: output.path, flushIntervalMilliseconds: 60_000),
                in: directory
            )
            defer { server.stop() }

            let records = try await Self.sendAndDrain(
                port: server.tcpPort, connections: 4, perConnection: 250, firstRecord: 1000)
            server.signal(SIGTERM)
            let status = await server.child.waitForExit(timeout: .seconds(10))
            #expect(status == 0, "exit status (nil: still running 10 s after SIGTERM)\n\(server.stderrTail())")
            expectUnique(try output.events(), records: records)
        }

        @Test(
            "with idle and half-sent connections still open, the signal still ends it within 10 s, exit 0, all flushed",
            arguments: [SIGTERM, SIGINT]
        )
        func signalWithOpenConnections(_ signal: Int32) async throws {
            let directory = try TemporaryDirectory("shutdown-open")
            defer { directory.remove() }
            let output = EventFile(path: directory.path("events.jsonl"))
            let server = try await AuditsieveServer.start(
                yaml: AuditsieveServer.fileSinkYAML(output: output.path, flushIntervalMilliseconds: 200), in: directory
            )
            defer { server.stop() }

            // A connection that delivered records and stays open, one that never sent a byte, and
            // one stopped in the middle of a frame.
            let open = try TCPConnection(port: server.tcpPort)
            defer { open.close() }
            let openRecords = (0..<50).map { "\(2000 + $0)_1970-01-01T00:00:00" }
            try open.send(openRecords.map { PluginRecords.forwardedLine(record: $0) }.joined())
            let idle = try TCPConnection(port: server.tcpPort)
            defer { idle.close() }
            let partial = try TCPConnection(port: server.tcpPort)
            defer { partial.close() }
            try partial.send("<14>Nov 22 01:30:19 db1 percona-audit: {\"audit_record\":{\"name\":\"Qu")
            _ = try await output.waitForRecords(openRecords, diagnostics: { server.stderrTail() })

            let drained = try await Self.sendAndDrain(
                port: server.tcpPort, connections: 2, perConnection: 200, firstRecord: 3000)
            let clock = ContinuousClock()
            let signalled = clock.now
            server.signal(signal)
            let status = await server.child.waitForExit(timeout: .seconds(10))
            #expect(status == 0, "exit status (nil: still running 10 s after the signal)\n\(server.stderrTail())")
            #expect(clock.now - signalled < .seconds(10))
            expectUnique(try output.events(), records: openRecords + drained)
        }
    }
}
