import Foundation
import Testing

extension EndToEnd.RELPListener {
    @Test(
        "over TLS with client certificates: omrelp (tls on, x509 name check) to a RELP listener with tls and client_ca; events carry the client's certificate name"
    )
    func overTLS() async throws {
        let directory = try TemporaryDirectory("relp-tls")
        defer { directory.remove() }
        let pki = try await TestPKI.make(in: directory)
        let output = EventFile(path: directory.path("events.jsonl"))
        let server = try await AuditsieveServer.start(
            yaml: """
                listeners:
                  - protocol: relp
                    address: 127.0.0.1:0
                    tls: {cert: \(pki.path("server.pem")), key: \(pki.path("server.key")), client_ca: \(pki.path("ca.pem"))}
                default_cluster:
                  sinks: [events]
                sinks:
                  events: {type: file, path: \(output.path), flush_interval_ms: 50}
                """, in: directory)
        defer { server.stop() }
        let port = try #require(server.relpPorts.first)
        let work = directory.path("rsyslog-work")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let socketPath = directory.path("log.sock")
        let rsyslog = try await Rsyslog.launch(
            conf: """
                global(workDirectory="\(work)" maxMessageSize="256k")
                module(load="imuxsock" SysSock.Use="off")
                input(type="imuxsock" Socket="\(socketPath)" RateLimit.Interval="0")
                module(load="omrelp")
                action(type="omrelp" target="127.0.0.1" port="\(port)" template="RSYSLOG_SyslogProtocol23Format"
                       tls="on" tls.caCert="\(pki.path("ca.pem"))" tls.myCert="\(pki.path("db-1.pem"))"
                       tls.myPrivKey="\(pki.path("db-1.key"))" tls.authMode="name" tls.permittedPeer=["localhost"]
                       action.resumeRetryCount="-1" action.resumeInterval="1")

                """, waitingFor: socketPath, in: directory)
        defer { rsyslog.stop() }
        let records = (1...50).map { "\($0)_1970-01-01T00:00:00" }
        for record in records {
            try sendUnixDatagram(
                Array(
                    "<14>Nov 22 01:30:19 percona-audit: \(PluginRecords.jsonQuery(record: record, sql: "SELECT 1"))"
                        .utf8),
                to: socketPath)
        }
        let events = try await output.waitFor(
            count: 50, diagnostics: { server.stderrTail() + "\n" + rsyslog.stderrTail() })
        #expect(Set(events.compactMap { $0.string("record") }) == Set(records))
        #expect(events.allSatisfy { $0.string("peer_certificate") == "db-1.example.com" })
    }
}
