import SieveRedact

/// The top-level `http:` section: where `/metrics`, `/healthz`, `/readyz` and `/tail` are served.
/// Absent, the defaults apply: loopback port 9514, `/tail` off. Without `tls` the address should
/// stay on loopback (a local Prometheus agent or an SSH tunnel reaches it).
public struct HTTPConfig: Sendable, Equatable {
    public static let defaultAddress = "127.0.0.1:9514"

    public var host = "127.0.0.1"
    public var port = 9514
    /// A file holding the bearer token `/tail` requires; `nil`: `/tail` is off.
    public var tailTokenFile: String?
    /// What each tail client may have waiting; beyond it its events are dropped (and it is told).
    public var tailBufferBytes = 1 << 20
    /// `tail_redact`: what is masked in the events `/tail` streams, as a sink's `redact`; `nil`:
    /// the events as received. Unlike the rest of `http:`, a reload applies it.
    public var tailRedaction: Redaction?
    /// Connections open at once (`/tail` streams included); beyond, a new one is closed at once,
    /// so the endpoint can never take the file descriptors the syslog listeners need.
    public var maxConnections = 32
    /// A request (head, no body) must arrive whole within this time, else 408 and close.
    public var requestTimeoutMilliseconds = 10_000
    /// HTTPS: the server certificate and key, and with `client_ca` client certificates required.
    public var tls: ListenerTLSConfig?
    /// A file holding the bearer token `/metrics` requires; `nil`: `/metrics` is open.
    public var metricsTokenFile: String?
    /// The config line, for messages about the endpoint (0: not in the file).
    public var line = 0

    public init(
        host: String = "127.0.0.1", port: Int = 9514, tailTokenFile: String? = nil, tailBufferBytes: Int = 1 << 20
    ) {
        self.host = host
        self.port = port
        self.tailTokenFile = tailTokenFile
        self.tailBufferBytes = tailBufferBytes
    }

    /// `http://127.0.0.1:9514`, `https://[::1]:9514`: the endpoint's name in logs and errors.
    public var name: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(tls == nil ? "http" : "https")://\(shownHost):\(port)"
    }

    /// Whether `host` is a loopback address (127.0.0.0/8, ::1, localhost): the only place `/tail`
    /// may be served without TLS.
    public var isLoopback: Bool {
        let lowered = host.lowercased()
        if lowered == "localhost" || lowered == "::1" || lowered == "0:0:0:0:0:0:0:1" { return true }
        let octets = lowered.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// The same endpoint, whatever line of the file it is on. `tail_redact` is not the endpoint's:
    /// a reload applies it with the sinks' `redact`.
    public func hasSameSettings(as other: HTTPConfig) -> Bool {
        var other = other
        other.line = line
        other.tailRedaction = tailRedaction
        return self == other
    }
}
