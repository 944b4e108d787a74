import Foundation
import Logging
import MetricsTestKit
import NIOCore
import NIOPosix
import Prometheus
import Testing
import SieveConfig

@testable import SievePipeline

/// A server on 127.0.0.1 port 0 writing JSON lines to a temporary file, with in-memory metrics.
final class TestServer {
    let server: AuditSieveServer
    let metrics = TestMetrics()
    let directory: URL
    let outputPath: String
    let rawPath: String
    let configPath: String
    private(set) var tcpPort = 0
    private(set) var udpPort = 0
    /// With a `registry` the HTTP endpoint is served (`http` should give it `address: 127.0.0.1:0`).
    let registry: PrometheusCollectorRegistry?

    /// `listeners` replaces the default pair (TCP then UDP on 127.0.0.1:0); `tcp`/`udp` add keys to them.
    /// `http` is a whole top-level `http:` section. `sinks` adds sinks after `archive` and
    /// `evidence` (indented as entries of `sinks:`). With a `registry` metrics go there (and to
    /// `/metrics`) instead of `metrics`.
    init(
        listeners: String? = nil, tcp: String = "", udp: String = "", clusters: String? = nil, http: String? = nil,
        sinks: String = "", registry: PrometheusCollectorRegistry? = nil
    ) throws {
        self.registry = registry
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "auditsieve-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        outputPath = directory.appendingPathComponent("events.jsonl").path
        rawPath = directory.appendingPathComponent("raw.log").path
        let yaml = """
            listeners:
            \(listeners ?? """
                  - protocol: tcp
                    address: 127.0.0.1:0
                \(tcp)
                  - protocol: udp
                    address: 127.0.0.1:0
                \(udp)
                """)
            \(clusters ?? "")
            \(http ?? "")
            default_cluster:
              sinks: [archive, evidence]
            sinks:
              archive:
                type: file
                path: \(outputPath)
                flush_interval_ms: 20
              evidence:
                type: file
                path: \(rawPath)
                encoding: raw
                flush_interval_ms: 20
            \(sinks)
            """
        configPath = directory.appendingPathComponent("auditsieve.yml").path
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
        let config = try AuditSieveConfig.load(file: configPath)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        server = try AuditSieveServer(
            config: config, configPath: configPath, logger: logger,
            metricsFactory: registry.map { PrometheusMetricsFactory(registry: $0) } ?? metrics,
            metricsRegistry: registry
        )
    }

    func start() async throws {
        let addresses = try await server.start()
        tcpPort = addresses[0].port!
        udpPort = addresses[1].port!
    }

    /// The HTTP endpoint's port (0 when it is not served).
    var httpPort: Int { server.httpAddress?.port ?? 0 }

    func stop() async {
        await server.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Waits until the JSON sink holds `count` lines (or 15 s pass), then returns them parsed.
    func events(count: Int, timeout: Double = 15) async throws -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let lines = readLines(outputPath)
            if lines.count >= count || Date() > deadline {
                return try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func rawLines() -> [String] { readLines(rawPath) }

    /// Waits until the server is done with what was sent: the rules decided `decided` events
    /// (`auditsieve_received_events_total`, all clusters), no batch is open (so every batch
    /// counted there has been handed to its queues), and every queue's sink took what it was
    /// handed (forwarded + dropped = enqueued + recovered). The sinks' files then hold everything
    /// they will get from it: a test that must see that nothing more arrives reads after this,
    /// instead of after a sleep. Records a test issue at `timeout`. Needs the in-memory metrics
    /// (no `registry`).
    func settle(decided: Int64, timeout: Duration = .seconds(15), sourceLocation: SourceLocation = #_sourceLocation)
        async
    {
        await waitUntil("\(decided) events decided and delivered", timeout: timeout, sourceLocation: sourceLocation) {
            // A batch counts its decisions before it hands its events over, and holds the table until then.
            guard counter("auditsieve_received_events_total") >= decided,
                server.ingest.current.activeBatches.load(ordering: .acquiring) == 0
            else { return false }
            let done = counter("auditsieve_forwarded_events_total") + counter("auditsieve_dropped_events_total")
            return done == counter("auditsieve_enqueued_events_total") + counter("auditsieve_recovered_events_total")
        }
    }

    /// Polls a counter until it reaches `value` (or 15 s pass).
    func waitFor(_ label: String, _ dimensions: [(String, String)], toReach value: Int64) async throws {
        let deadline = Date().addingTimeInterval(15)
        while counter(label, dimensions) < value && Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
    }

    func counter(_ label: String, _ dimensions: [(String, String)] = []) -> Int64 {
        dimensions.isEmpty
            ? metrics.counterTotal(label: label) : metrics.counterTotal(label: label, dimensions: dimensions)
    }

    /// The last value of a gauge (0 when it was never set).
    func gauge(_ label: String, _ dimensions: [(String, String)]) -> Int64 {
        Int64((try? metrics.expectGauge(label, dimensions).lastValue) ?? 0)
    }

    /// Polls a gauge until it equals `value` (or 15 s pass).
    func waitForGauge(_ label: String, _ dimensions: [(String, String)], toBe value: Int64) async throws {
        let deadline = Date().addingTimeInterval(15)
        while gauge(label, dimensions) != value && Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
    }

    /// The complete lines (a line the sink is still writing has no LF yet and is left out).
    private func readLines(_ path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast()
        return lines.filter { !$0.isEmpty }.map(String.init)
    }
}

/// A plain TCP or UDP client on loopback.
enum TestClient {
    /// `from`: the local address to connect from (another loopback address, e.g. 127.0.0.2).
    static func connect(port: Int, host: String = "127.0.0.1", from: String? = nil) async throws -> any Channel {
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { $0.eventLoop.makeSucceededVoidFuture() }
        if let from { bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: from, port: 0)) }
        return try await bootstrap.connect(host: host, port: port).get()
    }

    static func send(_ bytes: [UInt8], on channel: any Channel) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
    }

    static func sendTCP(_ bytes: [UInt8], port: Int, host: String = "127.0.0.1") async throws {
        let channel = try await connect(port: port, host: host)
        try await send(bytes, on: channel)
        try await channel.close()
    }

    static func sendUDP(_ datagrams: [[UInt8]], port: Int, host: String = "127.0.0.1") async throws {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: host, port: 0).get()
        let target = try SocketAddress(ipAddress: host, port: port)
        for datagram in datagrams {
            try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: target, data: ByteBuffer(bytes: datagram)))
                .get()
        }
        try await channel.close()
    }
}

enum Records {
    static func json(_ n: Int, sql: String = "SELECT * FROM billing.invoices") -> String {
        #"{"audit_record":{"name":"Query","record":"\#(n)_1970-01-01T00:00:00","timestamp":"2026-11-22T01:02:03Z","command_class":"select","connection_id":"7","status":0,"sqltext":"\#(sql)","user":"app[app] @ web1 [10.0.0.5]","host":"web1","os_user":"","ip":"10.0.0.5","db":"billing"}}"#
    }

    static func rfc3164(_ record: String, host: String = "db1") -> String {
        "<14>Nov 22 01:30:19 \(host) percona-audit: \(record)"
    }

    static func octetCounted(_ message: String) -> [UInt8] {
        Array("\(message.utf8.count) \(message)".utf8)
    }
}

extension Records {
    static func query(_ n: Int, sql: String, db: String = "billing", commandClass: String = "select") -> String {
        let escaped = sql.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return
            #"{"audit_record":{"name":"Query","record":"\#(n)_1970-01-01T00:00:00","timestamp":"2026-11-22T01:02:03Z","command_class":"\#(commandClass)","connection_id":"7","status":0,"sqltext":"\#(escaped)","user":"app[app] @ web1 [10.0.0.5]","host":"web1","os_user":"","ip":"10.0.0.5","db":"\#(db)"}}"#
    }

    static func connect(_ n: Int, status: Int) -> String {
        #"{"audit_record":{"name":"Connect","record":"\#(n)_1970-01-01T00:00:00","timestamp":"2026-11-22T01:02:03Z","connection_id":"9","status":\#(status),"user":"app","priv_user":"app","os_login":"","proxy_user":"","host":"web1","ip":"10.0.0.5","db":"billing"}}"#
    }

    static func audit(_ n: Int) -> String {
        #"{"audit_record":{"name":"NoAudit","record":"\#(n)_1970-01-01T00:00:00","timestamp":"2026-11-22T01:02:03Z","mysql_version":"8.0.36","startup_optionsi":"","os_version":"x86_64-linux"}}"#
    }
}
