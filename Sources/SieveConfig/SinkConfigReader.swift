import SieveEvent
import SieveSinkConfig
import Yams

/// Reads one `sinks:` entry. Each type takes its own keys; a key of another type is an error that
/// names the types taking it.
enum SinkConfigReader {
    static let commonKeys = ["type", "encoding", "redact"]
    static let keysByKind: [SinkConfig.Kind: [String]] = [
        .file: ["path", "flush_interval_ms"],
        .stdout: ["flush_interval_ms"],
        .syslog: ["address", "framing", "header", "reconnect_max_ms", "write_timeout_ms", "hostname", "tls"],
        .relp: ["address", "header", "window", "reconnect_max_ms", "write_timeout_ms", "hostname"],
        .kafka: ["brokers", "topic", "key", "acks", "compression", "delivery_timeout_ms", "settings"],
    ]
    /// Every key some type takes, in a stable order for messages.
    static let allKeys = SinkConfig.Kind.allCases.reduce(commonKeys) { keys, kind in
        keys + (keysByKind[kind] ?? []).filter { !keys.contains($0) }
    }

    static func read(name: String, _ node: Node, reader: ConfigReader) -> SinkConfig? {
        let what = "sink '\(name)'"
        guard let section = reader.section(node, what, allowed: allKeys) else { return nil }
        guard let typeNode = section["type"] else {
            reader.fail(section.line, "\(what): missing 'type' (file | stdout | syslog | relp | kafka)")
            return nil
        }
        guard let kind = reader.choice(typeNode, "\(what): type", as: SinkConfig.Kind.self) else { return nil }
        let own = commonKeys + (keysByKind[kind] ?? [])
        for key in allKeys where section[key] != nil && !own.contains(key) {
            let takers = SinkConfig.Kind.allCases.filter { keysByKind[$0]?.contains(key) == true }.map(\.rawValue)
            reader.fail(
                section.keyLines[key] ?? section.line,
                "\(what): a \(kind.rawValue) sink takes no '\(key)' (only \(takers.joined(separator: " and ")) sinks do); remove it or change the type"
            )
        }
        var encoding = EventEncoding.json
        if let n = section["encoding"], let v = reader.choice(n, "\(what): encoding", as: EventEncoding.self) {
            encoding = v
        }
        var options = SinkOptions(line: section.line)
        if let n = section["redact"] {
            options.redaction = RedactionConfigReader.read(n, "\(what): redact", reader: reader)
            if encoding == .raw, options.redaction != nil {
                reader.fail(
                    reader.line(n),
                    "\(what): redact cannot apply to encoding: raw, which writes each message byte for byte as evidence; remove redact, or set encoding: json (keep an unredacted raw sink apart if the evidence is needed)"
                )
            }
        }
        switch kind {
        case .file, .stdout:
            var sink = FileSinkConfiguration(name: name, target: .standardOutput, encoding: encoding)
            if let n = section["flush_interval_ms"],
                let v = reader.int(n, "\(what): flush_interval_ms", range: 1...60_000)
            {
                sink.flushIntervalMilliseconds = v
            }
            if kind == .file {
                if let n = section["path"], let path = reader.path(n, "\(what): path") {
                    if path.isEmpty { reader.fail(reader.line(n), "\(what): path must not be empty") }
                    sink.target = .file(path: path)
                } else if section["path"] == nil {
                    reader.fail(section.line, "\(what): a file sink needs 'path', e.g. /var/log/auditsieve/audit.jsonl")
                }
            }
            return .file(sink, options)
        case .syslog:
            return .syslog(readSyslog(section, name: name, encoding: encoding, what: what, reader: reader), options)
        case .relp:
            // The keys it shares with a syslog sink are read the same way.
            let syslog = readSyslog(section, name: name, encoding: encoding, what: what, reader: reader, kind: "relp")
            var sink = RELPSinkConfiguration(
                name: name, host: syslog.host, port: syslog.port, encoding: encoding, header: syslog.header,
                reconnectMaxMilliseconds: syslog.reconnectMaxMilliseconds,
                writeTimeoutMilliseconds: syslog.writeTimeoutMilliseconds, hostname: syslog.hostname)
            if let n = section["window"], let v = reader.int(n, "\(what): window", range: 1...100_000) {
                sink.window = v
            }
            return .relp(sink, options)
        case .kafka:
            return .kafka(
                KafkaSinkConfigReader.read(section, name: name, encoding: encoding, what: what, reader: reader), options
            )
        }
    }

    /// A syslog sink's settings. Without a valid `address` the error is reported and the sink
    /// gets host "" and port 0: the config is refused, so that sink never runs.
    private static func readSyslog(
        _ section: ConfigReader.Section, name: String, encoding: EventEncoding, what: String, reader: ConfigReader,
        kind: String = "syslog"
    ) -> SyslogSinkConfiguration {
        var sink = SyslogSinkConfiguration(name: name, host: "", port: 0, encoding: encoding)
        if let n = section["address"], let address = reader.string(n, "\(what): address") {
            if let (host, port) = ListenerConfig.splitAddress(address), port > 0 {
                sink.host = host
                sink.port = port
            } else {
                reader.fail(
                    reader.line(n),
                    "\(what): address '\(address)' must be HOST:PORT with a port from 1 to 65535, e.g. siem.internal:6514 or \"[fd00::1]:6514\""
                )
            }
        } else if section["address"] == nil {
            reader.fail(section.line, "\(what): a \(kind) sink needs 'address', e.g. siem.internal:6514")
        }
        if let n = section["framing"], let v = reader.choice(n, "\(what): framing", as: SyslogSinkFraming.self) {
            sink.framing = v
        }
        if let n = section["header"], let v = reader.choice(n, "\(what): header", as: SyslogSinkHeader.self) {
            sink.header = v
        }
        if let n = section["reconnect_max_ms"], let v = reader.int(n, "\(what): reconnect_max_ms", range: 100...600_000)
        {
            sink.reconnectMaxMilliseconds = v
        }
        if let n = section["write_timeout_ms"], let v = reader.int(n, "\(what): write_timeout_ms", range: 100...600_000)
        {
            sink.writeTimeoutMilliseconds = v
        }
        if let n = section["hostname"], let hostname = reader.string(n, "\(what): hostname") {
            if !(1...255).contains(hostname.utf8.count) || !hostname.utf8.allSatisfy({ (33...126).contains($0) }) {
                reader.fail(
                    reader.line(n),
                    "\(what): hostname must be 1 to 255 printable ASCII characters without spaces, e.g. auditsieve-01; leave it out to send this machine's name"
                )
            }
            sink.hostname = hostname
        }
        if let n = section["tls"] { sink.tls = readTLS(n, what: "\(what): tls", reader: reader) }
        return sink
    }

    private static func readTLS(_ node: Node, what: String, reader: ConfigReader) -> SyslogSinkConfiguration.TLS? {
        guard let section = reader.section(node, what, allowed: ["ca", "cert", "key", "server_name"]) else {
            return nil
        }
        func text(_ key: String) -> String? {
            guard let n = section[key], let value = reader.path(n, "\(what): \(key)") else { return nil }
            if value.isEmpty {
                reader.fail(reader.line(n), "\(what): \(key) must not be empty; leave the key out instead")
            }
            return value
        }
        let tls = SyslogSinkConfiguration.TLS(
            caPath: text("ca"), certPath: text("cert"), keyPath: text("key"), serverName: text("server_name"))
        if (section["cert"] == nil) != (section["key"] == nil) {
            let (given, missing) = section["cert"] != nil ? ("cert", "key") : ("key", "cert")
            reader.fail(
                section.keyLines[given] ?? section.line,
                "\(what): '\(given)' needs '\(missing)' too: give both to authenticate with a client certificate, or neither"
            )
        }
        return tls
    }
}
