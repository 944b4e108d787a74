import Foundation
import SieveConfig
import Testing

@testable import SievePipeline

/// The listener keys of #11: allowed_senders, tls, source_identity, relays.
@Suite("listener security config")
struct ListenerSecurityConfigTests {
    static let tail = """
        default_cluster: {sinks: [out]}
        sinks: {out: {type: stdout}}
        """

    @Test("every key is read")
    func keys() throws {
        let config = try AuditSieveConfig.parse(
            yaml: """
                listeners:
                  - protocol: tcp
                    address: 127.0.0.1:6514
                    allowed_senders: ["10.1.0.0/16", "fd00::/8"]
                    tls:
                      cert: /etc/auditsieve/server.pem
                      key: /etc/auditsieve/server.key
                      client_ca: /etc/auditsieve/ca.pem
                      allowed_clients: ["db-*.example.com"]
                      handshake_timeout: 3s
                    source_identity: certificate
                    relays: {relay-1.example.com: ["db-*", "web-?"]}
                  - protocol: udp
                    address: 127.0.0.1:5514
                    allowed_senders: ["127.0.0.1/32"]
                \(Self.tail)
                """, file: "s.yml")
        let tcp = config.listeners[0]
        #expect(tcp.allowedSenders == ["10.1.0.0/16", "fd00::/8"] && tcp.sourceIdentity == .certificate)
        #expect(tcp.tls?.certPath == "/etc/auditsieve/server.pem" && tcp.tls?.clientCAPath == "/etc/auditsieve/ca.pem")
        #expect(tcp.tls?.allowedClients == ["db-*.example.com"] && tcp.tls?.handshakeTimeoutMilliseconds == 3000)
        #expect(tcp.relays == ["relay-1.example.com": ["db-*", "web-?"]])
        #expect(config.listeners[1].allowedSenders == ["127.0.0.1/32"] && config.listeners[1].tls == nil)
    }

    @Test("errors name the line and the fix")
    func errors() throws {
        let yaml = """
            listeners:
              - protocol: udp
                address: 127.0.0.1:5514
                tls: {cert: a, key: b}
                allowed_senders: ["10.0.0.0/33"]
              - protocol: tcp
                address: 127.0.0.1:6514
                tls: {cert: a, key: b, allowed_clients: ["x"]}
                source_identity: certificate
              - protocol: tcp
                address: 127.0.0.1:6515
                relays: {r: ["x"]}
                allowed_senders: []
              - protocol: tcp
                address: 127.0.0.1:6516
                tls: {cert: a}
            \(Self.tail)
            """
        let errors = #expect(throws: ConfigErrors.self) { try AuditSieveConfig.parse(yaml: yaml, file: "e.yml") }
        let lines = errors?.errors.map(\.description) ?? []
        #expect(lines.contains { $0.hasPrefix("e.yml:4: tls applies to tcp and relp listeners only") }, "\(lines)")
        #expect(
            lines.contains { $0.hasPrefix("e.yml:5: listener udp://127.0.0.1:5514: allowed_senders: '10.0.0.0/33'") },
            "\(lines)")
        #expect(
            lines.contains {
                $0.hasPrefix("e.yml:8: listener tcp://127.0.0.1:6514: tls: allowed_clients needs client_ca")
            }, "\(lines)")
        #expect(
            lines.contains {
                $0.hasPrefix(
                    "e.yml:9: listener tcp://127.0.0.1:6514: source_identity: certificate needs client certificates")
            }, "\(lines)")
        #expect(
            lines.contains {
                $0.hasPrefix("e.yml:12: listener tcp://127.0.0.1:6515: relays apply with source_identity: certificate")
            }, "\(lines)")
        #expect(
            lines.contains { $0.hasPrefix("e.yml:13: listener tcp://127.0.0.1:6515: allowed_senders is empty") },
            "\(lines)")
        #expect(
            lines.contains { $0.hasPrefix("e.yml:16: listener tcp://127.0.0.1:6516: tls needs cert and key") },
            "\(lines)")
    }
}

/// allowed_senders over real sockets: a datagram from outside is dropped unread and counted.
@Suite("allowed_senders over UDP and TCP", .serialized)
struct AllowedSendersTests {
    @Test("outside the allow-list: datagrams and connections are refused and counted; inside: delivered")
    func allowList() async throws {
        let server = try TestServer(
            tcp: "    allowed_senders: [\"10.0.0.0/8\"]", udp: "    allowed_senders: [\"10.0.0.0/8\"]")
        try await server.start()
        let message = Array(Records.rfc3164(Records.json(1)).utf8)
        try await TestClient.sendUDP([message, message, message], port: server.udpPort)
        try await server.waitFor("auditsieve_rejected_datagrams_total", [("reason", "sender_not_allowed")], toReach: 3)
        let channel = try await TestClient.connect(port: server.tcpPort)
        try? await TestClient.send(message + [0x0A], on: channel)
        try await server.waitFor(
            "auditsieve_rejected_connections_total", [("reason", "sender_not_allowed")], toReach: 1)
        try? await channel.close()
        let events = try await server.events(count: 0, timeout: 0)
        let datagrams = server.counter("auditsieve_rejected_datagrams_total", [("reason", "sender_not_allowed")])
        let connections = server.counter("auditsieve_rejected_connections_total", [("reason", "sender_not_allowed")])
        await server.stop()
        #expect(datagrams == 3 && connections == 1 && events.isEmpty)

        let open = try TestServer(
            tcp: "    allowed_senders: [\"127.0.0.0/8\"]", udp: "    allowed_senders: [\"127.0.0.1/32\", \"::1/128\"]")
        try await open.start()
        try await TestClient.sendUDP([message], port: open.udpPort)
        try await TestClient.sendTCP(message + [0x0A], port: open.tcpPort)
        let delivered = try await open.events(count: 2)
        await open.stop()
        #expect(delivered.count == 2)
    }
}

/// `source_identity: certificate`: which HOSTNAME a certificate covers.
@Suite("certified source host")
struct CertifiedSourceTests {
    func host(_ source: CertifiedSource, _ hostname: String) -> (String?, Bool) {
        let (host, mismatch) = Array(hostname.utf8).withUnsafeBytes { source.host(for: $0) }
        return (host.map { String(decoding: $0, as: UTF8.self) }, mismatch)
    }

    @Test(
        "a host certificate covers its own name (any case); a relay's covers the HOSTNAMEs listed for it; anything else is the certificate's name, counted"
    )
    func covers() throws {
        let host = try #require(CertifiedSource(names: ["db-1.example.com", "db-1"], relays: [:]))
        #expect(self.host(host, "db-1.example.com") == (nil, false))
        #expect(self.host(host, "DB-1.Example.COM") == (nil, false))
        #expect(self.host(host, "db-2.example.com") == ("db-1.example.com", true))
        #expect(self.host(host, "") == ("db-1.example.com", true))
        let relay = try #require(
            CertifiedSource(names: ["relay-1.example.com"], relays: ["RELAY-1.example.com": ["db-*", "web-?"]]))
        #expect(self.host(relay, "db-7") == (nil, false) && self.host(relay, "web-3") == (nil, false))
        #expect(self.host(relay, "web-33") == ("relay-1.example.com", true))
        #expect(self.host(relay, "relay-1.example.com") == (nil, false))
        #expect(CertifiedSource(names: [], relays: [:]) == nil)
    }
}
