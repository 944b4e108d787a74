import Foundation

/// `auditsieve serve --config FILE` started from a YAML text with `127.0.0.1:0` listeners; knows
/// the ports it bound (from the `listening ... bound=` lines on its stderr).
final class AuditsieveServer: @unchecked Sendable {
    let child: ChildProcess
    let configPath: String
    /// Bound ports in config order, per protocol.
    let tcpPorts: [Int]
    let udpPorts: [Int]
    let relpPorts: [Int]
    /// The HTTP endpoint's port (`/metrics`, `/readyz`, `/tail`).
    let httpPort: Int

    var tcpPort: Int { tcpPorts[0] }
    var udpPort: Int { udpPorts[0] }

    private init(
        child: ChildProcess, configPath: String, tcpPorts: [Int], udpPorts: [Int], relpPorts: [Int], httpPort: Int
    ) {
        self.child = child
        self.configPath = configPath
        self.tcpPorts = tcpPorts
        self.udpPorts = udpPorts
        self.relpPorts = relpPorts
        self.httpPort = httpPort
    }

    /// Starts the server and waits until every listener in `yaml` has logged its bound port.
    /// Without an `http:` section in `yaml` the HTTP endpoint goes on 127.0.0.1:0 (not the default
    /// port, which another run on the machine may hold). The caller must `stop()` it (use `defer`).
    static func start(yaml: String, in directory: TemporaryDirectory, name: String = "auditsieve") async throws
        -> AuditsieveServer
    {
        let binary = try Paths.auditsieve()
        let configPath = directory.path("\(name).yml")
        try withEphemeralHTTP(yaml).write(toFile: configPath, atomically: true, encoding: .utf8)
        let listenerCount = yaml.components(separatedBy: "protocol:").count - 1
        let child = try ChildProcess(binary, ["serve", "--config", configPath], name: name, in: directory)
        do {
            let bound = try await eventually(
                "\(name) to log 'listening ... bound=' for \(listenerCount) listener(s)",
                diagnostics: { child.stderrTail() }
            ) { () -> ([(String, Int)], Int)? in
                if !child.isRunning {
                    throw TestFailure(
                        "\(name) exited with status \(child.terminationStatus ?? -1) before listening\n\(child.stderrTail())"
                    )
                }
                let stderr = child.stderr
                let found = Self.boundListeners(in: stderr)
                guard found.count >= listenerCount, let http = Self.boundHTTPPort(in: stderr) else { return nil }
                return (found, http)
            }
            return AuditsieveServer(
                child: child, configPath: configPath,
                tcpPorts: bound.0.filter { $0.0 == "tcp" }.map(\.1),
                udpPorts: bound.0.filter { $0.0 == "udp" }.map(\.1),
                relpPorts: bound.0.filter { $0.0 == "relp" }.map(\.1),
                httpPort: bound.1
            )
        } catch {
            child.stop()
            throw error
        }
    }

    /// `(protocol, port)` of every `listening` line, e.g. `bound=127.0.0.1:41234 listener=tcp://127.0.0.1:0`.
    static func boundListeners(in stderr: String) -> [(String, Int)] {
        stderr.split(separator: "\n").compactMap { line -> (String, Int)? in
            guard line.contains("listening"),
                let bound = line.split(separator: " ").first(where: { $0.hasPrefix("bound=") }),
                let listener = line.split(separator: " ").first(where: { $0.hasPrefix("listener=") }),
                let colon = bound.lastIndex(of: ":"), let port = Int(bound[bound.index(after: colon)...])
            else { return nil }
            let scheme = listener.dropFirst("listener=".count).prefix { $0 != ":" }
            return (String(scheme), port)
        }
    }

    /// The port of the `http endpoint bound ... bound=127.0.0.1:41235` line.
    static func boundHTTPPort(in stderr: String) -> Int? {
        stderr.split(separator: "\n").lazy.compactMap { line -> Int? in
            guard line.contains("http endpoint bound"),
                let bound = line.split(separator: " ").first(where: { $0.hasPrefix("bound=") }),
                let colon = bound.lastIndex(of: ":")
            else { return nil }
            return Int(bound[bound.index(after: colon)...])
        }.first
    }

    /// `yaml` with `http: {address: 127.0.0.1:0}` added unless it has an `http:` section.
    static func withEphemeralHTTP(_ yaml: String) -> String {
        yaml.split(separator: "\n").contains { $0.hasPrefix("http:") }
            ? yaml : yaml + "\nhttp: {address: 127.0.0.1:0}\n"
    }

    /// The usual test config: one TCP listener on 127.0.0.1:0 (extra YAML keys in `tcpOptions`),
    /// one JSON file sink at `output`.
    static func fileSinkYAML(output: String, flushIntervalMilliseconds: Int = 50, tcpOptions: String = "") -> String {
        """
        listeners:
          - protocol: tcp
            address: 127.0.0.1:0
        \(tcpOptions.isEmpty ? "" : tcpOptions.split(separator: "\n").map { "    \($0)" }.joined(separator: "\n"))
        default_cluster:
          sinks: [events]
        sinks:
          events:
            type: file
            path: \(output)
            encoding: json
            flush_interval_ms: \(flushIntervalMilliseconds)
        """
    }

    /// Waits until every queue's sink has taken all it was handed (forwarded + dropped =
    /// enqueued + recovered, nothing queued; read from `/metrics`). A file sink's output is then
    /// final for everything the server has parsed: read it after this, not after a sleep.
    func waitUntilDelivered(timeout: Duration = .seconds(20)) async throws {
        _ = try await eventually(
            "every queue delivered what it was handed", timeout: timeout, diagnostics: { self.stderrTail() }
        ) {
            () -> Bool? in
            let metrics = try MetricsScrape(httpPort: httpPort)
            let done =
                metrics.value("auditsieve_forwarded_events_total") + metrics.value("auditsieve_dropped_events_total")
            let handed =
                metrics.value("auditsieve_enqueued_events_total") + metrics.value("auditsieve_recovered_events_total")
            return done == handed && metrics.value("auditsieve_queued_events") == 0 ? true : nil
        }
    }

    var isRunning: Bool { child.isRunning }
    func signal(_ signal: Int32) { child.signal(signal) }
    func stop() { child.stop() }
    func stderrTail() -> String { child.stderrTail() }
}
