import NIOHTTP1
import SieveConfig
import SieveHTTPRouting
import Testing

@testable import SievePipeline

@Suite("http config and request routing")
struct HTTPConfigTests {
    static let base = """
        listeners:
          - {protocol: tcp, address: 127.0.0.1:0}
        default_cluster: {sinks: [out]}
        sinks: {out: {type: stdout}}

        """

    static func errors(_ yaml: String) -> [String] {
        let errors = #expect(throws: ConfigErrors.self) {
            try AuditSieveConfig.parse(yaml: Self.base + yaml, file: "h.yml")
        }
        return errors?.errors.map(\.description) ?? []
    }

    @Test("no http section: 127.0.0.1:9514 with /tail off, in the embedded default too")
    func defaults() throws {
        let config = try AuditSieveConfig.parse(yaml: Self.base, file: "h.yml")
        #expect(config.http == HTTPConfig())
        #expect(config.http.name == "http://127.0.0.1:9514" && config.http.tailTokenFile == nil)
        #expect(config.http.tailBufferBytes == 1 << 20)
        #expect(AuditSieveConfig.embeddedDefault().http == HTTPConfig())
    }

    @Test("every key is read")
    func keys() throws {
        let config = try AuditSieveConfig.parse(
            yaml: Self.base + """
                http:
                  address: "[::1]:0"
                  tail_token_file: /etc/auditsieve/tail.token
                  tail_buffer_bytes: 256KiB
                """, file: "h.yml")
        #expect(config.http.host == "::1" && config.http.port == 0 && config.http.line == 6)
        #expect(config.http.name == "http://[::1]:0")
        #expect(config.http.tailTokenFile == "/etc/auditsieve/tail.token")
        #expect(config.http.tailBufferBytes == 256 << 10)
    }

    @Test("mistakes name file and line")
    func mistakes() {
        #expect(
            Self.errors("http: {address: localhost}") == [
                "h.yml:5: http: address 'localhost' must be HOST:PORT, e.g. 127.0.0.1:9514"
            ])
        #expect(
            Self.errors("http:\n  port: 9514") == [
                "h.yml:6: http: unknown key 'port'; expected one of: address, tail_token_file, tail_buffer_bytes, max_connections, request_timeout, tls, metrics_token_file, tail_redact"
            ])
        #expect(
            Self.errors("http:\n  tail_buffer_bytes: 1KiB") == [
                "h.yml:6: http: tail_buffer_bytes must be at least 64KiB; got 1KiB"
            ])
        #expect(
            Self.errors("http:\n  max_connections: 0") == [
                "h.yml:6: http: max_connections must be between 1 and 1024; got 0"
            ])
        #expect(
            Self.errors("http:\n  request_timeout: 1h").first?.hasPrefix(
                "h.yml:6: http: request_timeout must be at most 5m") == true)
        #expect(throws: Never.self) {
            let config = try AuditSieveConfig.parse(
                yaml: Self.base + "http: {max_connections: 8, request_timeout: 2s}", file: "h.yml")
            #expect(config.http.maxConnections == 8 && config.http.requestTimeoutMilliseconds == 2000)
        }
        #expect(
            Self.errors("http: {tail_token_file: ''}").first?.hasPrefix(
                "h.yml:5: http: tail_token_file must not be empty") == true)
        // /tail carries audit events and its token in clear text: loopback only until TLS.
        let exposed = Self.errors("http:\n  address: 0.0.0.0:9514\n  tail_token_file: /etc/auditsieve/tail.token")
        #expect(
            exposed.count == 1 && exposed[0].hasPrefix("h.yml:7: http: tail_token_file needs a loopback http: address"),
            "\(exposed)")
        #expect(
            exposed.first?.contains("set address: 127.0.0.1:9514") == true && exposed.first?.contains("add tls") == true
        )
        // With TLS, /tail may be served off loopback.
        #expect(throws: Never.self) {
            let config = try AuditSieveConfig.parse(
                yaml: Self.base
                    + "http:\n  address: 0.0.0.0:9514\n  tail_token_file: /t\n  tls: {cert: /c.pem, key: /k.pem, client_ca: /ca.pem}\n  metrics_token_file: /m",
                file: "h.yml")
            #expect(
                config.http.tls?.clientCAPath == "/ca.pem" && config.http.metricsTokenFile == "/m"
                    && config.http.name == "https://0.0.0.0:9514")
        }
        #expect(
            Self.errors("http:\n  tls: {cert: /c.pem}").first?.hasPrefix("h.yml:6: http: tls needs cert and key")
                == true)
        #expect(Self.errors("http:\n  address: 10.0.0.5:9514\n  tail_token_file: /t").count == 1)
        #expect(throws: Never.self, "/metrics alone may be served on any address") {
            try AuditSieveConfig.parse(yaml: Self.base + "http: {address: 0.0.0.0:9514}", file: "h.yml")
        }
        for loopback in ["127.0.0.1:9514", "127.1.2.3:0", "localhost:9514", "\"[::1]:9514\""] {
            #expect(throws: Never.self, "\(loopback)") {
                try AuditSieveConfig.parse(
                    yaml: Self.base + "http:\n  address: \(loopback)\n  tail_token_file: /t", file: "h.yml")
            }
        }
    }

    @Test("routing: GET only, known paths, /tail needs its token and is off without one")
    func routing() {
        func route(_ method: HTTPMethod, _ target: String, _ authorization: String? = nil, token: String? = "t0k")
            -> String
        {
            switch HTTPRequestRouter(tailToken: token).route(
                method: method, target: target, authorization: authorization)
            {
            case .metrics: "metrics"
            case .health: "health"
            case .readiness: "readiness"
            case .tail(let filter):
                "tail \(filter.cluster ?? "-") \(filter.tables?.patterns.map(\.text) ?? []) \(filter.user?.pattern.count ?? 0)"
            case .reply(let status, _, _): "\(status.code)"
            }
        }
        #expect(route(.GET, "/metrics") == "metrics")
        #expect(route(.GET, "/healthz?x=1") == "health")
        #expect(route(.GET, "/readyz") == "readiness")
        #expect(route(.POST, "/metrics") == "405")
        #expect(route(.GET, "/") == "404")
        #expect(route(.GET, "/tail", "Bearer t0k", token: nil) == "404")
        #expect(route(.GET, "/tail") == "401")
        #expect(route(.GET, "/tail", "Bearer t0kk") == "401")
        #expect(route(.GET, "/tail", "Basic t0k") == "401")
        #expect(route(.GET, "/tail", "bearer t0k") == "tail - [] 0")
        #expect(
            route(.GET, "/tail?cluster=billing&table=billing.%2A&table=users.accounts&user=app%2A", "Bearer t0k")
                == "tail billing [\"billing.*\", \"users.accounts\"] 4")
        #expect(route(.GET, "/tail?table=%ZZ", "Bearer t0k") == "400")
        #expect(route(.GET, "/tail?db=x", "Bearer t0k") == "400")
        // http.metrics_token_file: /metrics needs its own token; /healthz and /readyz stay open.
        let guarded = HTTPRequestRouter(tailToken: "t0k", metricsToken: "m3t")
        func status(_ action: HTTPAction) -> String {
            if case .reply(let status, _, _) = action { return "\(status.code)" }
            if case .metrics = action { return "metrics" }
            return "other"
        }
        #expect(status(guarded.route(method: .GET, target: "/metrics", authorization: nil)) == "401")
        #expect(status(guarded.route(method: .GET, target: "/metrics", authorization: "Bearer t0k")) == "401")
        #expect(status(guarded.route(method: .GET, target: "/metrics", authorization: "Bearer m3t")) == "metrics")
        #expect(status(guarded.route(method: .GET, target: "/healthz", authorization: nil)) == "other")
    }

    @Test("a tail filter matches cluster, any table, and the user glob together")
    func filter() throws {
        let filter = try TailFilter(parameters: [("cluster", "billing"), ("table", "billing.*"), ("user", "app*")])
        let event = TailEvent(
            line: [], cluster: "billing",
            tables: [.init(db: "blog", name: "posts"), .init(db: "billing", name: "invoices")],
            user: "app[app] @ web1 [10.0.0.5]"
        )
        #expect(filter.matches(event))
        var other = event
        other.cluster = "default"
        #expect(!filter.matches(other))
        other = event
        other.tables = [.init(db: "blog", name: "posts")]
        #expect(!filter.matches(other))
        other = event
        other.user = nil
        #expect(!filter.matches(other), "a record without a user does not match a user filter")
        #expect(TailFilter().matches(TailEvent(line: [], cluster: "x")))
    }
}
