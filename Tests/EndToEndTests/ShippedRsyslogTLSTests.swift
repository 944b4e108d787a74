import Foundation
import Testing

/// A throwaway PKI made with the openssl command: a CA, auditsieve's server certificate (for
/// `localhost` and 127.0.0.1), a DB host's client certificate, and a self-signed one with the same name.
struct TestPKI {
    let directory: TemporaryDirectory

    func path(_ name: String) -> String { directory.path("pki/\(name)") }

    static func make(in directory: TemporaryDirectory) async throws -> TestPKI {
        let pki = TestPKI(directory: directory)
        try FileManager.default.createDirectory(atPath: directory.path("pki"), withIntermediateDirectories: true)
        try await pki.openssl([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", pki.path("ca.key"), "-out", pki.path("ca.pem"),
            "-days", "30", "-subj", "/CN=auditsieve test CA",
        ])
        try await pki.issue("server", commonName: "localhost", altNames: "DNS:localhost,IP:127.0.0.1")
        try await pki.issue("db-1", commonName: "db-1.example.com", altNames: "DNS:db-1.example.com")
        try await pki.openssl([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", pki.path("self.key"), "-out",
            pki.path("self.pem"),
            "-days", "30", "-subj", "/CN=db-1.example.com",
        ])
        return pki
    }

    /// `name.pem` and `name.key`, signed by the CA.
    func issue(_ name: String, commonName: String, altNames: String) async throws {
        try await openssl([
            "req", "-newkey", "rsa:2048", "-nodes", "-keyout", path("\(name).key"), "-out", path("\(name).csr"),
            "-subj", "/CN=\(commonName)",
        ])
        try "subjectAltName=\(altNames)\n".write(toFile: path("\(name).ext"), atomically: true, encoding: .utf8)
        try await openssl([
            "x509", "-req", "-in", path("\(name).csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
            "-CAcreateserial",
            "-out", path("\(name).pem"), "-days", "30", "-extfile", path("\(name).ext"),
        ])
    }

    func openssl(_ arguments: [String]) async throws {
        let result = try await runToCompletion(
            try Paths.tool("openssl", package: "openssl"), arguments, in: directory, name: "openssl")
        guard result.status == 0 else {
            throw TestFailure("openssl \(arguments.joined(separator: " ")): \(result.stderr)")
        }
    }

    /// Sends `text` with `openssl s_client` (a certificate and key, or none) and returns when it exits.
    func sClient(port: Int, certificate: String?, text: String) async throws -> String {
        var command =
            "printf '%s' \"$1\" | openssl s_client -quiet -no_ign_eof -connect 127.0.0.1:\(port) -CAfile \(path("ca.pem"))"
        if let certificate { command += " -cert \(path("\(certificate).pem")) -key \(path("\(certificate).key"))" }
        let result = try await runToCompletion(
            URL(fileURLWithPath: "/bin/sh"), ["-c", command, "sh", text], in: directory, name: "s_client",
            timeout: .seconds(20))
        return result.stderr
    }

    /// The serial of the certificate a new connection to `port` is shown.
    func serverSerial(port: Int) async throws -> String {
        let command =
            "openssl s_client -connect 127.0.0.1:\(port) -CAfile \(path("ca.pem")) -cert \(path("db-1.pem")) -key \(path("db-1.key")) </dev/null 2>/dev/null | openssl x509 -noout -serial"
        let result = try await runToCompletion(
            URL(fileURLWithPath: "/bin/sh"), ["-c", command], in: directory, name: "s_client-serial",
            timeout: .seconds(20))
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension EventFile {
    /// Waits until the file holds `count` events (or 30 s pass) and returns them.
    func waitFor(count: Int, diagnostics: () -> String = { "" }) async throws -> [Event] {
        try await eventually("\(count) events in \(path)", timeout: .seconds(30), diagnostics: diagnostics) {
            () -> [Event]? in
            let all = try events()
            return all.count >= count ? all : nil
        }
    }
}

extension EndToEnd {
    @Suite(
        "the TLS listener with client certificates, fed by the shipped rsyslog/forward-tls.conf (gtls, x509/name)",
        .serialized,
        .enabled(
            if: FileManager.default.fileExists(atPath: "/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so"),
            "needs rsyslog-gnutls (make test-deps)"))
    struct ShippedRsyslogTLS {
        static func yaml(pki: TestPKI, output: String) -> String {
            """
            listeners:
              - protocol: tcp
                address: 127.0.0.1:0
                tls:
                  cert: \(pki.path("server.pem"))
                  key: \(pki.path("server.key"))
                  client_ca: \(pki.path("ca.pem"))
                  allowed_clients: ["db-*.example.com"]
                  handshake_timeout: 2s
                source_identity: certificate
              - protocol: tcp
                address: 127.0.0.1:0
                allowed_senders: ["10.0.0.0/8"]
            clusters:
              - name: db1
                match: {hostnames: ["db-1.example.com"]}
                sinks: [events]
            default_cluster: {sinks: [events]}
            sinks:
              events: {type: file, path: \(output), flush_interval_ms: 50}
            """
        }

        static func dropIn(pki: TestPKI, port: Int) -> ShippedRsyslog.DropIn {
            ShippedRsyslog.DropIn(
                file: "forward-tls.conf",
                replacing: [
                    (#"target="auditsieve.internal" port="6514""#, #"target="127.0.0.1" port="\#(port)""#),
                    (#"StreamDriverPermittedPeers="auditsieve.internal""#, #"StreamDriverPermittedPeers="localhost""#),
                    ("/etc/rsyslog.d/tls/ca.pem", pki.path("ca.pem")),
                    ("/etc/rsyslog.d/tls/db-host.pem", pki.path("db-1.pem")),
                    ("/etc/rsyslog.d/tls/db-host.key", pki.path("db-1.key")),
                ])
        }

        static func record(_ n: Int) -> String {
            #"{"audit_record":{"name":"Query","record":"\#(n)_1970-01-01T00:00:00","timestamp":"2026-12-05T03:10:56Z","command_class":"select","connection_id":"7","status":0,"sqltext":"SELECT \#(n)","user":"app","host":"web1","os_user":"","ip":"","db":"shop"}}"#
        }

        @Test(
            "rsyslog over mutual TLS: every record arrives, routed by the certificate; a HOSTNAME the certificate does not cover is counted, still routed by the certificate; no certificate, a self-signed one, plain text, a slow handshake and a sender outside allowed_senders are refused and counted by reason"
        )
        func mutualTLS() async throws {
            let directory = try TemporaryDirectory("tls")
            defer { directory.remove() }
            let pki = try await TestPKI.make(in: directory)
            let output = EventFile(path: directory.path("events.jsonl"))
            let server = try await AuditsieveServer.start(yaml: Self.yaml(pki: pki, output: output.path), in: directory)
            defer { server.stop() }
            let tlsPort = server.tcpPorts[0]

            // A client that connects and never sends a ClientHello: it must not delay rsyslog.
            let slow = try TCPConnection(port: tlsPort)
            defer { slow.close() }

            // The DB host names itself as its certificate does: routed to db1, no mismatch.
            let good = try await ShippedRsyslog.start(
                [Self.dropIn(pki: pki, port: tlsPort)], in: directory,
                preamble: #"global(localHostname="db-1.example.com")"#)
            for n in 1...100 { try good.sendAsPlugin(Self.record(n)) }
            let first = try await output.waitFor(
                count: 100, diagnostics: { "\(server.stderrTail())\n\(good.stderrTail())" })
            #expect(first.count == 100)
            #expect(
                first.allSatisfy {
                    $0.string("cluster") == "db1" && $0.string("peer_certificate") == "db-1.example.com"
                })
            #expect(
                first.map { $0.string("record") ?? "" } == (1...100).map { "\($0)_1970-01-01T00:00:00" },
                "in order, none twice")
            good.stop()

            // The same certificate sending another HOSTNAME: counted, routed by the certificate.
            let forgedDirectory = try TemporaryDirectory("tls-forged")
            defer { forgedDirectory.remove() }  // after `forged.stop()` below (defers run in reverse)
            let forged = try await ShippedRsyslog.start(
                [Self.dropIn(pki: pki, port: tlsPort)], in: forgedDirectory,
                preamble: #"global(localHostname="db-billing-9")"#)
            defer { forged.stop() }
            for n in 101...150 { try forged.sendAsPlugin(Self.record(n)) }
            let all = try await output.waitFor(
                count: 150, diagnostics: { "\(server.stderrTail())\n\(forged.stderrTail())" })
            let late = all.dropFirst(100)
            #expect(
                late.count == 50
                    && late.allSatisfy {
                        $0.string("cluster") == "db1" && $0.syslog["hostname"] as? String == "db-billing-9"
                    })

            // The refusals.
            _ = try await pki.sClient(port: tlsPort, certificate: nil, text: "<14>no certificate\n")
            _ = try await pki.sClient(port: tlsPort, certificate: "self", text: "<14>self-signed\n")
            let plain = try TCPConnection(port: tlsPort)
            try plain.send("<14>Dec  5 03:10:56 db-1.example.com percona-audit: \(Self.record(999))\n")
            _ = try? plain.readToEnd(timeout: 5)
            plain.close()
            let outside = try TCPConnection(port: server.tcpPorts[1])
            _ = try? outside.readToEnd(timeout: 5)
            outside.close()
            let metrics = try await eventually("the refusals to be counted", diagnostics: { server.stderrTail() }) {
                () -> MetricsScrape? in
                let scrape = try MetricsScrape(httpPort: server.httpPort)
                return scrape.value("auditsieve_rejected_connections_total", ["reason": "tls_handshake"]) >= 2
                    && scrape.value("auditsieve_rejected_connections_total", ["reason": "client_certificate"]) >= 2
                    ? scrape : nil
            }
            #expect(
                metrics.value("auditsieve_rejected_connections_total", ["reason": "client_certificate"]) == 2,
                "no certificate, self-signed")
            #expect(
                metrics.value("auditsieve_rejected_connections_total", ["reason": "tls_handshake"]) == 2,
                "plain text, the slow handshake")
            #expect(metrics.value("auditsieve_rejected_connections_total", ["reason": "sender_not_allowed"]) == 1)
            #expect(metrics.value("auditsieve_source_identity_mismatches_total") == 50)
            #expect(try output.events().count == 150, "nothing from the refused clients")
        }

        @Test(
            "certificate rotation by SIGHUP under a steady sender: nothing lost, new connections get the new certificate; a broken pair keeps the old one"
        )
        func rotation() async throws {
            let directory = try TemporaryDirectory("tls-rotation")
            defer { directory.remove() }
            let pki = try await TestPKI.make(in: directory)
            let output = EventFile(path: directory.path("events.jsonl"))
            let server = try await AuditsieveServer.start(yaml: Self.yaml(pki: pki, output: output.path), in: directory)
            defer { server.stop() }
            let tlsPort = server.tcpPorts[0]
            let before = try await pki.serverSerial(port: tlsPort)
            let rsyslog = try await ShippedRsyslog.start(
                [Self.dropIn(pki: pki, port: tlsPort)], in: directory,
                preamble: #"global(localHostname="db-1.example.com")"#)
            defer { rsyslog.stop() }
            for n in 1...200 { try rsyslog.sendAsPlugin(Self.record(n)) }
            try await pki.issue("server", commonName: "localhost", altNames: "DNS:localhost,IP:127.0.0.1")
            server.signal(SIGHUP)
            for n in 201...400 { try rsyslog.sendAsPlugin(Self.record(n)) }
            let events = try await output.waitFor(
                count: 400, diagnostics: { "\(server.stderrTail())\n\(rsyslog.stderrTail())" })
            #expect(
                Set(events.compactMap { $0.string("record") }).count == 400 && events.count == 400,
                "nothing lost, nothing twice")
            var after = ""
            for _ in 0..<50 where after.isEmpty || after == before {
                after = try await pki.serverSerial(port: tlsPort)
                if after == before { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(after.hasPrefix("serial="))
            #expect(after != before)
            // A key that does not belong to the certificate: the reload is refused and logged; the
            // listener keeps serving the certificate it has.
            try FileManager.default.removeItem(atPath: pki.path("server.key"))
            try FileManager.default.copyItem(atPath: pki.path("self.key"), toPath: pki.path("server.key"))
            server.signal(SIGHUP)
            _ = try await eventually("the refused TLS reload to be logged", diagnostics: { server.stderrTail() }) {
                () -> Bool? in
                server.stderrTail().contains("TLS files not reloaded") ? true : nil
            }
            #expect(try await pki.serverSerial(port: tlsPort) == after)
        }

        @Test(
            "check-config loads the listener's TLS files: an unreadable file or a key of another certificate names the file and fails"
        )
        func checkConfig() async throws {
            let directory = try TemporaryDirectory("tls-check")
            defer { directory.remove() }
            let pki = try await TestPKI.make(in: directory)
            let config = directory.path("auditsieve.yml")
            try Self.yaml(pki: pki, output: directory.path("events.jsonl")).write(
                toFile: config, atomically: true, encoding: .utf8)
            let good = try await runToCompletion(
                try Paths.auditsieve(), ["check-config", config], in: directory, name: "check")
            #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
            try Self.yaml(pki: pki, output: directory.path("events.jsonl"))
                .replacingOccurrences(of: pki.path("server.key"), with: pki.path("self.key"))
                .write(toFile: config, atomically: true, encoding: .utf8)
            let mismatched = try await runToCompletion(
                try Paths.auditsieve(), ["check-config", config], in: directory, name: "check")
            #expect(
                mismatched.status != 0
                    && (mismatched.stdout + mismatched.stderr).contains("does the key belong to the certificate?"))
            try Self.yaml(pki: pki, output: directory.path("events.jsonl"))
                .replacingOccurrences(of: pki.path("ca.pem"), with: pki.path("missing.pem"))
                .write(toFile: config, atomically: true, encoding: .utf8)
            let missing = try await runToCompletion(
                try Paths.auditsieve(), ["check-config", config], in: directory, name: "check")
            #expect(
                missing.status != 0
                    && (missing.stdout + missing.stderr).contains("client_ca \(pki.path("missing.pem"))"))
        }

        @Test(
            "the HTTP endpoint over TLS with client certificates: /metrics needs its bearer token; plain HTTP and a client without a certificate get nothing"
        )
        func https() async throws {
            let directory = try TemporaryDirectory("https")
            defer { directory.remove() }
            let pki = try await TestPKI.make(in: directory)
            try "metrics-secret\n".write(toFile: directory.path("metrics.token"), atomically: true, encoding: .utf8)
            try "tail-secret\n".write(toFile: directory.path("tail.token"), atomically: true, encoding: .utf8)
            let yaml =
                Self.yaml(pki: pki, output: directory.path("events.jsonl")) + """

                    http:
                      address: 127.0.0.1:0
                      tls: {cert: \(pki.path("server.pem")), key: \(pki.path("server.key")), client_ca: \(pki.path("ca.pem"))}
                      metrics_token_file: \(directory.path("metrics.token"))
                      tail_token_file: \(directory.path("tail.token"))
                    """
            let server = try await AuditsieveServer.start(yaml: yaml, in: directory)
            defer { server.stop() }
            let curl = try Paths.tool("curl", package: "curl")
            func get(_ arguments: [String]) async throws -> (status: Int32, stdout: String) {
                let result = try await runToCompletion(
                    curl, ["-s", "-o", "-", "-w", "\n%{http_code}", "--max-time", "10"] + arguments, in: directory,
                    name: "curl")
                return (result.status, result.stdout)
            }
            let base = "https://localhost:\(server.httpPort)/metrics"
            let client = [
                "--cacert", pki.path("ca.pem"), "--cert", pki.path("db-1.pem"), "--key", pki.path("db-1.key"),
            ]
            let authorized = try await get(client + ["-H", "Authorization: Bearer metrics-secret", base])
            #expect(
                authorized.status == 0 && authorized.stdout.hasSuffix("\n200")
                    && authorized.stdout.contains("auditsieve_listener_up"))
            let noToken = try await get(client + [base])
            #expect(noToken.stdout.hasSuffix("\n401"))
            let wrongToken = try await get(client + ["-H", "Authorization: Bearer tail-secret", base])
            #expect(wrongToken.stdout.hasSuffix("\n401"))
            let noCertificate = try await get([
                "--cacert", pki.path("ca.pem"), "-H", "Authorization: Bearer metrics-secret", base,
            ])
            #expect(
                noCertificate.status != 0 && !noCertificate.stdout.contains("auditsieve_"),
                "the handshake fails without a client certificate")
            let plain = try await get([
                "-H", "Authorization: Bearer metrics-secret", "http://127.0.0.1:\(server.httpPort)/metrics",
            ])
            #expect(!plain.stdout.contains("auditsieve_"), "plain HTTP gets nothing")

            // `auditsieve tail` over HTTPS with its client certificate follows the kept events.
            let tls = ["--ca", pki.path("ca.pem"), "--cert", pki.path("db-1.pem"), "--key", pki.path("db-1.key")]
            let endpoint = "https://localhost:\(server.httpPort)"
            let refused = try await runToCompletion(
                try Paths.auditsieve(),
                ["tail", "--endpoint", endpoint, "--token-file", directory.path("metrics.token")] + tls,
                in: directory, name: "tail-refused")
            #expect(refused.status == 1 && refused.stderr.contains("401"), "\(refused.stderr)")
            let tail = try ChildProcess(
                try Paths.auditsieve(),
                ["tail", "--endpoint", endpoint, "--token-file", directory.path("tail.token")] + tls,
                name: "tail", in: directory)
            defer { tail.stop() }
            // kept: lets the tail client subscribe (HTTPS with a token: no plain scrape of its gauge)
            try await Task.sleep(for: .milliseconds(500))
            _ = try await pki.sClient(
                port: server.tcpPorts[0], certificate: "db-1",
                text: "<14>Dec  5 03:10:56 db-1.example.com percona-audit: \(Self.record(4242))\n")
            _ = try await eventually("the tail client to print the record", diagnostics: { tail.stderrTail() }) {
                () -> Bool? in
                tail.stdout.contains("4242_1970-01-01T00:00:00") ? true : nil
            }
        }
    }
}
