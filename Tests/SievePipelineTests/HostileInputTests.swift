import Foundation
import NIOCore
import Testing

@Suite("hostile input never crashes, hangs or disturbs other connections", .serialized)
struct HostileInputTests {
    @Test(
        "random bytes, NULs, invalid UTF-8, a 10 MB message and a 2^40 octet claim: counted; valid records elsewhere all arrive"
    )
    func hostileMix() async throws {
        let server = try TestServer()
        try await server.start()
        var generator = SystemRandomNumberGenerator()

        // Hostile connections, all at once.
        let randomBytes = (0..<200_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let nuls = [UInt8](repeating: 0, count: 5000) + Array("\n".utf8)
        let invalidUTF8: [UInt8] =
            Array("<14>Nov 22 01:30:19 db1 percona-audit: ".utf8) + [0xFF, 0xFE, 0xC0, 0x80, 0xED, 0xA0, 0x80] + [0x0A]
        let huge =
            Array("<14>Nov 22 01:30:19 db1 percona-audit: ".utf8)
            + [UInt8](repeating: UInt8(ascii: "x"), count: 10_000_000) + [0x0A]
        let liar = Array("1099511627776 <14>Nov 22 01:30:19 db1 x: y".utf8)
        let tcpPort = server.tcpPort
        let udpPort = server.udpPort
        async let a: Void = TestClient.sendTCP(randomBytes, port: tcpPort)
        async let b: Void = TestClient.sendTCP(nuls, port: tcpPort)
        async let c: Void = TestClient.sendTCP(invalidUTF8, port: tcpPort)
        async let d: Void = TestClient.sendTCP(huge, port: tcpPort)
        async let e: Void = Self.sendIgnoringReset(liar, port: tcpPort)
        async let f: Void = TestClient.sendUDP(
            [randomBytes.prefix(60_000).map { $0 }, [0, 0, 0], [0xFF]], port: udpPort)

        // Meanwhile a well-behaved sender on its own connection.
        var valid: [UInt8] = []
        for n in 1...200 { valid += Array((Records.rfc3164(Records.json(n)) + "\n").utf8) }
        try await TestClient.sendTCP(valid, port: server.tcpPort)
        _ = try await (a, b, c, d, e, f)

        let deadline = Date().addingTimeInterval(20)
        var records: [String] = []
        while Date() < deadline {
            let events = try await server.events(count: 0, timeout: 0)
            records = events.compactMap { $0["format"] as? String == "percona-json" ? $0["record"] as? String : nil }
            if records.count >= 200 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(Set(records) == Set((1...200).map { "\($0)_1970-01-01T00:00:00" }))
        #expect(server.counter("auditsieve_listener_framing_errors_total") >= 1)
        #expect(server.counter("auditsieve_listener_oversize_total") >= 1)
        #expect(server.counter("auditsieve_records_total", [("format", "unknown")]) >= 3)

        // The server still serves after all of it.
        try await TestClient.sendTCP(Array((Records.rfc3164(Records.json(999)) + "\n").utf8), port: server.tcpPort)
        let after = try await server.events(count: 0, timeout: 0)
        await server.stop()
        _ = after
    }

    @Test("a 10 MB message is truncated to max_message_bytes and its rest is never read as new messages")
    func oversizeRemainderIsNotANewMessage() async throws {
        let server = try TestServer()
        try await server.start()
        let body = String(repeating: "<14>Nov 22 01:30:19 db1 fake: fake\\n", count: 300_000)
        let message = Records.rfc3164(Records.json(1, sql: body))
        try await TestClient.sendTCP(
            Array((message + "\n" + Records.rfc3164(Records.json(2)) + "\n").utf8), port: server.tcpPort)
        let events = try await server.events(count: 2)
        await server.settle(decided: 2)
        let settled = try await server.events(count: 0, timeout: 0)
        await server.stop()
        #expect(settled.count == 2)
        let first = try #require(events.first)
        #expect(first["truncated"] as? Bool == true)
        #expect(first["truncated_field"] as? String == "sqltext")
        #expect(first["message_truncated"] as? Bool == true)
        #expect(events.last?["record"] as? String == "2_1970-01-01T00:00:00")
        #expect(
            server.counter(
                "auditsieve_listener_oversize_total", [("listener", "tcp://127.0.0.1:0"), ("action", "truncate")]) == 1)
    }

    @Test("hundreds of idle connections do not stop a new sender")
    func manyIdleConnections() async throws {
        let server = try TestServer()
        try await server.start()
        var idle: [any Channel] = []
        // From five addresses: one address may hold at most max_connections_per_sender (64).
        for index in 0..<300 {
            idle.append(try await TestClient.connect(port: server.tcpPort, from: "127.0.0.\(2 + index % 5)"))
        }
        try await TestClient.sendTCP(Array((Records.rfc3164(Records.json(1)) + "\n").utf8), port: server.tcpPort)
        let events = try await server.events(count: 1)
        for channel in idle { try? await channel.close() }
        await server.stop()
        #expect(events.count == 1)
        #expect(server.counter("auditsieve_listener_connections_total") == 301)
    }

    @Test("a connection silent for idle_timeout is closed")
    func idleTimeout() async throws {
        let server = try TestServer(tcp: "    idle_timeout: 200ms")
        try await server.start()
        let channel = try await TestClient.connect(port: server.tcpPort)
        try await channel.closeFuture.get()
        await server.stop()
        #expect(
            server.counter(
                "auditsieve_listener_closed_connections_total",
                [("listener", "tcp://127.0.0.1:0"), ("reason", "idle_timeout")]) == 1)
    }

    private static func sendIgnoringReset(_ bytes: [UInt8], port: Int) async throws {
        do { try await TestClient.sendTCP(bytes, port: port) } catch {}
    }
}
