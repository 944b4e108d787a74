import Foundation
import NIOCore
import SieveSinks
import Testing

@Suite("listeners on 127.0.0.1 deliver every record to the sinks", .serialized)
struct ListenerEndToEndTests {
    @Test("LF-framed and octet-counted records on one connection all arrive, in order, field-exact")
    func bothFramings() async throws {
        let server = try TestServer()
        try await server.start()
        var bytes: [UInt8] = []
        for n in 1...50 {
            let message = Records.rfc3164(Records.json(n))
            if n % 2 == 0 { bytes += Records.octetCounted(message) } else { bytes += Array((message + "\n").utf8) }
        }
        try await TestClient.sendTCP(bytes, port: server.tcpPort)
        let events = try await server.events(count: 50)
        await server.stop()
        #expect(events.count == 50)
        #expect(events.map { $0["record"] as? String } == (1...50).map { "\($0)_1970-01-01T00:00:00" })
        let first = try #require(events.first)
        #expect(first["format"] as? String == "percona-json")
        #expect(first["sqltext"] as? String == "SELECT * FROM billing.invoices")
        #expect(first["connection_id"] as? Int == 7)
        #expect(first["status"] as? Int == 0)
        #expect(first["truncated"] as? Bool == false)
        let syslog = try #require(first["syslog"] as? [String: Any])
        #expect(syslog["hostname"] as? String == "db1")
        #expect(syslog["app_name"] as? String == "percona-audit")
        #expect(syslog["facility"] as? Int == 1)
        #expect(syslog["severity"] as? Int == 6)
        #expect((first["peer"] as? String)?.hasPrefix("127.0.0.1:") == true)
        #expect(server.counter("auditsieve_records_total", [("format", "percona-json")]) == 50)
    }

    @Test("UDP datagrams become events; a trailing LF is not part of the message")
    func udp() async throws {
        let server = try TestServer()
        try await server.start()
        let datagrams = (1...20).map { Array((Records.rfc3164(Records.json($0)) + "\n").utf8) }
        try await TestClient.sendUDP(datagrams, port: server.udpPort)
        let events = try await server.events(count: 20)
        await server.stop()
        #expect(events.count == 20)
        #expect(Set(events.compactMap { $0["record"] as? String }).count == 20)
        #expect(events.allSatisfy { $0["format"] as? String == "percona-json" })
    }

    @Test("the raw sink keeps the syslog message byte for byte")
    func rawEncoding() async throws {
        let server = try TestServer()
        try await server.start()
        let message = Records.rfc3164(Records.json(1, sql: "SELECT 'tab#011and#012newline'"))
        try await TestClient.sendTCP(Array((message + "\n").utf8), port: server.tcpPort)
        _ = try await server.events(count: 1)
        await server.settle(decided: 1)
        let raw = server.rawLines()
        await server.stop()
        #expect(raw == [message])
    }

    @Test(
        "raw: an octet-counted message holding a line break and a fake second record stays one line (HOSTILE D12), reversibly"
    )
    func rawForgedLine() async throws {
        let server = try TestServer()
        try await server.start()
        let forged =
            "\n<14>Nov 22 01:02:03 db-billing-1 percona-audit: " + Records.json(666, sql: "DROP TABLE billing.invoices")
        let message = Records.rfc3164(Records.json(1)) + forged
        try await TestClient.sendTCP(
            Records.octetCounted(message) + Records.octetCounted(Records.rfc3164(Records.json(2))), port: server.tcpPort
        )
        _ = try await server.events(count: 2)
        await server.settle(decided: 2)
        let raw = server.rawLines()
        await server.stop()
        #expect(raw.count == 2, "one line per event: \(raw)")
        #expect(raw.first?.hasPrefix("#escaped:<14>") == true)
        #expect(raw.first.map { RawLineEscaping.decode(Array($0.utf8)) } == Array(message.utf8))
        #expect(raw.last == Records.rfc3164(Records.json(2)), "a message without line breaks is written as it came")
    }

    @Test("a message that is not an audit record becomes an unknown event with its text and the reason")
    func unknownMessage() async throws {
        let server = try TestServer()
        try await server.start()
        try await TestClient.sendTCP(
            Array("<13>Nov 22 01:30:19 db1 sshd[42]: Accepted publickey\n".utf8), port: server.tcpPort)
        let events = try await server.events(count: 1)
        await server.stop()
        let event = try #require(events.first)
        #expect(event["format"] as? String == "unknown")
        #expect(event["raw"] as? String == "Accepted publickey")
        #expect((event["error"] as? String)?.isEmpty == false)
        #expect(server.counter("auditsieve_records_total", [("format", "unknown")]) == 1)
    }

    @Test("a partial frame at connection close is processed as the last message")
    func partialFrameAtClose() async throws {
        let server = try TestServer()
        try await server.start()
        let message = Records.rfc3164(Records.json(9))
        try await TestClient.sendTCP(Array(message.utf8), port: server.tcpPort)
        let events = try await server.events(count: 1)
        await server.stop()
        #expect(events.first?["record"] as? String == "9_1970-01-01T00:00:00")
        #expect(events.first?["truncated"] as? Bool == false)
    }
}

@Suite("IPv6 listeners", .serialized)
struct IPv6ListenerTests {
    @Test("TCP and UDP on [::1] deliver records and name the peer as [::1]:port")
    func ipv6() async throws {
        let server = try TestServer(
            listeners: """
                  - protocol: tcp
                    address: "[::1]:0"
                  - protocol: udp
                    address: "[::1]:0"
                """)
        try await server.start()
        try await TestClient.sendTCP(
            Array((Records.rfc3164(Records.json(1)) + "\n").utf8), port: server.tcpPort, host: "::1")
        try await TestClient.sendUDP([Array(Records.rfc3164(Records.json(2)).utf8)], port: server.udpPort, host: "::1")
        let events = try await server.events(count: 2)
        await server.stop()
        #expect(
            Set(events.compactMap { $0["record"] as? String }) == ["1_1970-01-01T00:00:00", "2_1970-01-01T00:00:00"])
        #expect(events.allSatisfy { ($0["peer"] as? String)?.hasPrefix("[::1]:") == true })
    }
}
