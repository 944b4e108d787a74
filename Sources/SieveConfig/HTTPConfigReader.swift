import Yams

/// Reads the top-level `http:` section.
enum HTTPConfigReader {
    static func read(_ node: Node, reader: ConfigReader) -> HTTPConfig? {
        let keys = [
            "address", "tail_token_file", "tail_buffer_bytes", "max_connections", "request_timeout", "tls",
            "metrics_token_file", "tail_redact",
        ]
        guard let section = reader.section(node, "http", allowed: keys) else { return nil }
        var http = HTTPConfig()
        http.line = section.line
        if let n = section["address"], let address = reader.string(n, "http: address") {
            if let (host, port) = ListenerConfig.splitAddress(address) {
                http.host = host
                http.port = port
            } else {
                reader.fail(
                    reader.line(n), "http: address '\(address)' must be HOST:PORT, e.g. \(HTTPConfig.defaultAddress)")
            }
        }
        if let n = section["tls"] {
            http.tls = ListenerSecurityReader.readTLS(
                n, what: "http", reader: reader, keys: ["cert", "key", "client_ca"])
        }
        if let n = section["metrics_token_file"], let path = reader.path(n, "http: metrics_token_file") {
            if path.isEmpty {
                reader.fail(
                    reader.line(n), "http: metrics_token_file must not be empty; leave it out to keep /metrics open")
            }
            http.metricsTokenFile = path
        }
        if let n = section["tail_token_file"], let path = reader.path(n, "http: tail_token_file") {
            if path.isEmpty {
                reader.fail(reader.line(n), "http: tail_token_file must not be empty; leave it out to turn /tail off")
            }
            http.tailTokenFile = path
            if !http.isLoopback && http.tls == nil {
                reader.fail(
                    reader.line(n),
                    "http: tail_token_file needs a loopback http: address (127.0.0.1 or ::1) or http.tls: "
                        + "/tail streams audit events and its token in clear text; got \(http.name). "
                        + "Fix: add tls (cert, key, and client_ca to require client certificates), or set address: "
                        + "\(HTTPConfig.defaultAddress) and reach /tail through SSH or a local proxy, or leave tail_token_file out"
                )
            }
        }
        if let n = section["tail_buffer_bytes"],
            let v = reader.size(n, "http: tail_buffer_bytes", range: (64 << 10)...(1 << 30))
        {
            http.tailBufferBytes = v
        }
        if let n = section["tail_redact"] {
            http.tailRedaction = RedactionConfigReader.read(n, "http: tail_redact", reader: reader)
        }
        if let n = section["max_connections"], let v = reader.int(n, "http: max_connections", range: 1...1024) {
            http.maxConnections = v
        }
        if let n = section["request_timeout"],
            let v = reader.durationMilliseconds(n, "http: request_timeout", minimum: 100, maximum: 300_000)
        {
            http.requestTimeoutMilliseconds = v
        }
        return http
    }
}
