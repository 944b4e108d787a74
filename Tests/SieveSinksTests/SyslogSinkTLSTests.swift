import Foundation
import NIOSSL
import SieveSinkConfig
import SieveSinks
import Testing

@Suite("syslog sink over TLS", .serialized)
struct SyslogSinkTLSTests {
    /// A receiver that requires a client certificate signed by the test CA (speaking TLS up to
    /// `maximumVersion`).
    static func mutualTLSServer(maximumVersion: TLSVersion? = nil) throws -> SyslogTestServer {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(SinkHarness.fixture("server.pem")).map {
                .certificate($0)
            },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: SinkHarness.fixture("server-key.pem"), format: .pem))
        )
        configuration.certificateVerification = .noHostnameVerification
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(SinkHarness.fixture("ca.pem")))
        if let maximumVersion {
            configuration.minimumTLSVersion = .tlsv1
            configuration.maximumTLSVersion = maximumVersion
        }
        return try SyslogTestServer(tls: NIOSSLContext(configuration: configuration))
    }

    @Test(
        "a receiver that speaks only TLS 1.1 or 1.0 is refused (HOSTILE D11); TLS 1.2 is accepted",
        arguments: [TLSVersion.tlsv11, .tlsv1, .tlsv12])
    func minimumVersion(serverMaximum: TLSVersion) throws {
        let harness = try SinkHarness(server: Self.mutualTLSServer(maximumVersion: serverMaximum))
        defer { try? harness.shutdown() }
        let tls = try Self.clientTLS()
        let sink = try harness.sink { $0.tls = tls }
        let events = SinkHarness.events(0..<20)
        if serverMaximum == .tlsv12 {
            try sink.deliver(events)
            #expect(try harness.messages(count: 20) == SinkHarness.messages(of: events))
        } else {
            #expect(throws: SinkUnavailable.self) { try sink.deliver(events) }
            #expect(harness.server.received.joined().isEmpty)
        }
    }

    static func clientTLS(ca: String = "ca.pem", withCertificate: Bool = true, serverName: String? = nil) throws
        -> SyslogSinkConfiguration.TLS
    {
        SyslogSinkConfiguration.TLS(
            caPath: try SinkHarness.fixture(ca),
            certPath: withCertificate ? try SinkHarness.fixture("client.pem") : nil,
            keyPath: withCertificate ? try SinkHarness.fixture("client-key.pem") : nil,
            serverName: serverName
        )
    }

    @Test(
        "mutual TLS: events arrive whole; the server's certificate is checked against the host or the server name",
        arguments: [nil, "localhost"]
    )
    func mutualTLS(serverName: String?) throws {
        let harness = try SinkHarness(server: Self.mutualTLSServer())
        defer { try? harness.shutdown() }
        let tls = try Self.clientTLS(serverName: serverName)
        let sink = try harness.sink { $0.tls = tls }
        let events = SinkHarness.events(0..<300)
        try sink.deliver(events.slice(0..<100))
        try sink.deliver(events.slice(100..<300))
        #expect(try harness.messages(count: 300) == SinkHarness.messages(of: events))
        #expect(harness.server.received.count == 1)
    }

    @Test("a receiver that closes an idle TLS connection loses nothing: the next batch arrives on a new one")
    func peerClosedIdleConnection() throws {
        let harness = try SinkHarness(server: Self.mutualTLSServer())
        defer { try? harness.shutdown() }
        let tls = try Self.clientTLS()
        let sink = try harness.sink { $0.tls = tls }
        let first = SinkHarness.events(0..<100)
        let second = SinkHarness.events(100..<200)
        try sink.deliver(first)
        _ = try harness.messages(count: 100)
        try harness.server.closeConnections()
        try sink.deliver(second)
        #expect(try harness.messages(count: 200) == SinkHarness.messages(of: first) + SinkHarness.messages(of: second))
    }

    @Test("without a client certificate the receiver refuses the sink: delivery fails and nothing arrives")
    func noClientCertificate() throws {
        let harness = try SinkHarness(server: Self.mutualTLSServer())
        defer { try? harness.shutdown() }
        let tls = try Self.clientTLS(withCertificate: false)
        let sink = try harness.sink { $0.tls = tls }
        let failure = try #require(throws: SinkUnavailable.self) { try sink.deliver(SinkHarness.events(0..<10)) }
        #expect(failure.reason.contains("refused"))
        #expect(harness.server.received.joined().isEmpty)
    }

    @Test("a sink that trusts another CA refuses the receiver: delivery fails and nothing is sent")
    func untrustedServer() throws {
        let harness = try SinkHarness(server: Self.mutualTLSServer())
        defer { try? harness.shutdown() }
        let tls = try Self.clientTLS(ca: "other-ca.pem")
        let sink = try harness.sink { $0.tls = tls }
        let failure = try #require(throws: SinkUnavailable.self) { try sink.deliver(SinkHarness.events(0..<10)) }
        #expect(failure.reason.contains("CERTIFICATE_VERIFY_FAILED"))
        #expect(harness.server.received.joined().isEmpty)
    }

    @Test("PEM files that cannot be used stop the sink at creation, naming the file")
    func unusableFiles() throws {
        let harness = try SinkHarness()
        defer { try? harness.shutdown() }
        let readme = try SinkHarness.fixture("README.md")
        let (client, serverKey) = (try SinkHarness.fixture("client.pem"), try SinkHarness.fixture("server-key.pem"))
        let cases: [(SyslogSinkConfiguration.TLS, path: String, says: String)] = [
            (.init(caPath: "/nonexistent/ca.pem"), "/nonexistent/ca.pem", "No such file"),
            (.init(caPath: readme), readme, "not a PEM CA certificate"),
            (.init(certPath: client), client, "needs its private key"),
            (.init(certPath: client, keyPath: "/nonexistent/key.pem"), "/nonexistent/key.pem", "No such file"),
            (.init(certPath: client, keyPath: serverKey), "\(client), \(serverKey)", "failedToLoadPrivateKey"),
        ]
        for (tls, path, says) in cases {
            let error = try #require(throws: SinkTLSError.self) { _ = try harness.sink { $0.tls = tls } }
            #expect(error.path == path)
            #expect(error.description.contains(path) && error.description.contains(says))
        }
    }
}
