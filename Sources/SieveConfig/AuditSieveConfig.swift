import Foundation
import SieveEvent
import SieveSyslog
import Yams

/// The whole configuration: listeners, the default cluster's sinks, and the sinks.
public struct AuditSieveConfig: Sendable, Equatable {
    public var listeners: [ListenerConfig]
    /// Tried in order; the first whose `match` fits takes a record.
    public var clusters: [ClusterConfig]
    /// Records no cluster matches.
    public var defaultCluster: ClusterConfig
    /// In the order the file lists them.
    public var sinks: [SinkConfig]
    /// The top-level `spool:` section; no directory: memory-only queues.
    public var spool = SpoolSettings()
    /// The top-level `http:` section; absent: the defaults (loopback port 9514, `/tail` off).
    public var http = HTTPConfig()
    /// The top-level `limits:` section; absent: the defaults.
    public var limits = LimitsConfig()
    /// Where the config came from, for messages.
    public var source: String

    /// Reads and checks a config file; throws `ConfigErrors` listing every problem with its line.
    public static func load(file path: String) throws -> AuditSieveConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigErrors([
                ConfigError(file: path, line: 1, message: "cannot read the file: \(error.localizedDescription)")
            ])
        }
        return try parse(yaml: text, file: path)
    }

    /// The embedded default: TCP and UDP on 127.0.0.1:5514, keep everything, JSON lines to stdout.
    public static func embeddedDefault() -> AuditSieveConfig {
        // The embedded text is covered by a test; it cannot fail.
        try! parse(yaml: DefaultConfig.yaml, file: "<embedded default>")
    }

    public static func parse(yaml: String, file: String) throws -> AuditSieveConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ConfigErrors([Self.syntaxError(error, file: file)])
        }
        let reader = ConfigReader(file: file)
        guard let root else {
            throw ConfigErrors([
                ConfigError(
                    file: file, line: 1, message: "the file is empty; it needs at least 'listeners' and 'sinks'")
            ])
        }
        let config = read(root, reader: reader, file: file)
        if let config, reader.errors.isEmpty { return config }
        throw ConfigErrors(reader.errors.sorted { $0.line < $1.line })
    }

    private static func read(_ root: Node, reader: ConfigReader, file: String) -> AuditSieveConfig? {
        guard
            let top = reader.section(
                root, "the config",
                allowed: ["listeners", "spool", "clusters", "default_cluster", "sinks", "http", "limits"])
        else {
            return nil
        }
        var listeners: [ListenerConfig] = []
        if let node = top["listeners"], let items = reader.sequence(node, "listeners") {
            listeners = items.compactMap { readListener($0, reader: reader) }
            if items.isEmpty { reader.fail(reader.line(node), "listeners: give at least one listener") }
        } else if top["listeners"] == nil {
            reader.fail(
                top.line, "missing 'listeners': add at least one, e.g. '- {protocol: tcp, address: 127.0.0.1:5514}'")
        }

        let spool = top["spool"].flatMap { SpoolConfigReader.readSettings($0, reader: reader) } ?? SpoolSettings()
        let hasSpoolDirectory = spool.directory != nil
        let http = top["http"].flatMap { HTTPConfigReader.read($0, reader: reader) } ?? HTTPConfig()
        let limits = top["limits"].flatMap { LimitsConfigReader.read($0, reader: reader) } ?? LimitsConfig()

        var sinks: [SinkConfig] = []
        if let node = top["sinks"], case .mapping(let mapping) = node {
            for (key, value) in mapping {
                guard let name = reader.string(key, "a sink name") else { continue }
                reader.checkDirectoryName(name, "sink name", line: reader.line(key))
                if let sink = SinkConfigReader.read(name: name, value, reader: reader) { sinks.append(sink) }
            }
        } else if let node = top["sinks"] {
            reader.fail(reader.line(node), "sinks must be a mapping of sink names to their settings")
        } else {
            reader.fail(top.line, "missing 'sinks': define at least one, e.g. 'sinks: {out: {type: stdout}}'")
        }

        // Two file sinks on one path would interleave their writes, and a failed write's cut could
        // take the other's lines: one sink per file (clusters may share that sink).
        var filePaths: [String: String] = [:]
        for sink in sinks where sink.kind == .file {
            guard let path = sink.path.map({ ($0 as NSString).standardizingPath }) else { continue }
            if let first = filePaths[path] {
                reader.fail(
                    sink.line,
                    "sink '\(sink.name)': path \(path) is already the file of sink '\(first)'; list '\(first)' in the clusters' sinks instead of a second sink on one file"
                )
            } else {
                filePaths[path] = sink.name
            }
        }
        let sinkNames = sinks.map(\.name)
        var clusters =
            top["clusters"].map {
                ClusterConfigReader.readClusters(
                    $0, reader: reader, sinkNames: sinkNames, hasSpoolDirectory: hasSpoolDirectory)
            } ?? []
        var cluster = ClusterConfig(name: "default", sinks: [])
        if let node = top["default_cluster"] {
            cluster =
                ClusterConfigReader.readDefault(
                    node, reader: reader, sinkNames: sinkNames, hasSpoolDirectory: hasSpoolDirectory
                ) ?? cluster
        } else {
            reader.fail(
                top.line,
                "missing 'default_cluster': add 'default_cluster: {sinks: [NAME]}' for records no cluster matches")
        }

        // A raw sink writes each original message as one line (one syslog message): it cannot
        // carry a statement with its table records inside it.
        let rawSinks = Set(sinks.filter { $0.encoding == .raw }.map(\.name))
        func settleTableRecords(_ cluster: inout ClusterConfig, what: String) {
            let raw = cluster.sinks.filter(rawSinks.contains)
            if cluster.tableRecords == .merge, let first = raw.first {
                reader.fail(
                    cluster.tableRecordsLine,
                    "\(what): table_records: merge cannot go to sink '\(first)' (encoding: raw writes each original message on its own line); set table_records: separate, or use JSON sinks only"
                )
            }
            cluster.tableRecords = cluster.tableRecords ?? (raw.isEmpty ? .merge : .separate)
        }
        for index in clusters.indices {
            settleTableRecords(&clusters[index], what: "cluster '\(clusters[index].name)'")
        }
        settleTableRecords(&cluster, what: "default_cluster")

        var seen: [String: Int] = [:]
        for listener in listeners {
            if listener.port != 0, let first = seen[listener.name] {
                reader.fail(listener.line, "listener \(listener.name) is given twice (first on line \(first))")
            }
            seen[listener.name] = listener.line
        }
        return AuditSieveConfig(
            listeners: listeners, clusters: clusters, defaultCluster: cluster, sinks: sinks, spool: spool, http: http,
            limits: limits, source: file
        )
    }

    private static func readListener(_ node: Node, reader: ConfigReader) -> ListenerConfig? {
        let keys = [
            "protocol", "address", "framing", "max_message_bytes", "oversize", "max_frame_bytes", "max_connections",
            "max_connections_per_sender", "idle_timeout", "receive_buffer_bytes", "allowed_senders", "tls",
            "source_identity",
            "relays",
        ]
        guard let section = reader.section(node, "listener", allowed: keys) else { return nil }
        guard let protocolNode = section["protocol"] else {
            reader.fail(section.line, "listener: missing 'protocol' (tcp | udp | relp)")
            return nil
        }
        guard let transport = reader.choice(protocolNode, "protocol", as: ListenerConfig.TransportProtocol.self) else {
            return nil
        }
        guard let addressNode = section["address"] else {
            reader.fail(section.line, "listener: missing 'address', e.g. 127.0.0.1:5514 or [::1]:5514")
            return nil
        }
        guard let address = reader.string(addressNode, "address") else { return nil }
        guard let (host, port) = ListenerConfig.splitAddress(address) else {
            reader.fail(
                reader.line(addressNode), "address '\(address)' must be HOST:PORT, e.g. 0.0.0.0:5514 or [::]:5514")
            return nil
        }
        var listener = ListenerConfig(transport: transport, host: host, port: port, line: section.line)
        if let node = section["max_message_bytes"],
            let value = reader.size(node, "max_message_bytes", range: 1024...(1 << 30))
        {
            listener.framer.maxMessageBytes = value
        }
        if let node = section["oversize"], let value = reader.choice(node, "oversize", as: OversizePolicy.self) {
            listener.framer.oversize = value
        }
        ListenerSecurityReader.read(section, into: &listener, reader: reader)
        let tcpOnly = [
            "framing", "max_frame_bytes", "max_connections", "max_connections_per_sender", "idle_timeout", "tls",
            "relays",
        ]
        if transport == .udp {
            for key in tcpOnly where section[key] != nil {
                reader.fail(
                    section.keyLines[key] ?? section.line,
                    "\(key) applies to tcp and relp listeners only; remove it here")
            }
            if let node = section["receive_buffer_bytes"],
                let value = reader.size(node, "receive_buffer_bytes", range: (4 << 10)...(1 << 30))
            {
                listener.receiveBufferBytes = value
            }
            if listener.framer.maxMessageBytes > 65_535 {
                listener.framer.maxMessageBytes = 65_535
            }
            return listener
        }
        if section["receive_buffer_bytes"] != nil {
            reader.fail(
                section.keyLines["receive_buffer_bytes"] ?? section.line,
                "receive_buffer_bytes applies to udp listeners only; remove it here")
        }
        if let node = section["framing"] {
            if transport == .relp {
                reader.fail(
                    reader.line(node), "framing applies to tcp listeners only (RELP frames itself); remove it here")
            } else if let value = reader.choice(node, "framing", as: SyslogFraming.self) {
                listener.framer.framing = value
            }
        }
        if let node = section["max_frame_bytes"],
            let value = reader.size(node, "max_frame_bytes", range: 1024...(1 << 40))
        {
            listener.framer.maxFrameBytes = value
        }
        if listener.framer.maxFrameBytes < listener.framer.maxMessageBytes {
            reader.fail(section.line, "max_frame_bytes must be at least max_message_bytes")
        }
        if let node = section["max_connections"], let value = reader.int(node, "max_connections", range: 1...100_000) {
            listener.maxConnections = value
        }
        if let node = section["max_connections_per_sender"],
            let value = reader.int(node, "max_connections_per_sender", range: 1...100_000)
        {
            listener.maxConnectionsPerSender = value
        }
        if let node = section["idle_timeout"], let value = reader.durationMilliseconds(node, "idle_timeout", minimum: 1)
        {
            listener.idleTimeoutMilliseconds = value
        }
        return listener
    }

    private static func syntaxError(_ error: YamlError, file: String) -> ConfigError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return ConfigError(file: file, line: mark.line, message: "YAML syntax: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigError(
                file: file, line: context.mark.line,
                message: "key given twice: \(duplicates.joined(separator: ", "))"
            )
        default:
            return ConfigError(file: file, line: 1, message: "YAML: \(error)")
        }
    }
}
