import SieveSyslog

/// One `listeners:` entry.
public struct ListenerConfig: Sendable, Equatable {
    public enum TransportProtocol: String, Sendable, CaseIterable {
        case tcp, udp, relp

        /// A stream listener (TCP or RELP): connections, idle timeout, TLS.
        public var isStream: Bool { self != .udp }
    }

    public var transport: TransportProtocol
    public var host: String
    public var port: Int
    public var framer: SyslogFramerConfiguration
    /// TCP only: at the limit a new connection is refused (open ones are never closed for it).
    public var maxConnections: Int
    /// TCP only: the most connections one sender address may hold; beyond, new ones are refused.
    public var maxConnectionsPerSender: Int
    /// TCP only: a connection that sends nothing for this long is closed.
    public var idleTimeoutMilliseconds: Int
    /// UDP only: the socket receive buffer asked of the kernel (SO_RCVBUF).
    public var receiveBufferBytes = 8 << 20
    /// Sender addresses let in (CIDR blocks); empty lets everyone in. TCP: checked at accept,
    /// before a byte is read; UDP: per datagram.
    public var allowedSenders: [String] = []
    /// TCP only: TLS, with client certificates when `client_ca` is given.
    public var tls: ListenerTLSConfig?
    public var sourceIdentity: SourceIdentity = .header
    /// With `source_identity: certificate`: relay certificate names and the HOSTNAME globs each may
    /// vouch for.
    public var relays: [String: [String]] = [:]
    /// The config line, for messages about this listener.
    public var line: Int

    public init(
        transport: TransportProtocol, host: String, port: Int, framer: SyslogFramerConfiguration = .init(),
        maxConnections: Int = 4096, maxConnectionsPerSender: Int = 64, idleTimeoutMilliseconds: Int = 600_000,
        line: Int = 0
    ) {
        self.transport = transport
        self.host = host
        self.port = port
        self.framer = framer
        self.maxConnections = maxConnections
        self.maxConnectionsPerSender = maxConnectionsPerSender
        self.idleTimeoutMilliseconds = idleTimeoutMilliseconds
        self.line = line
    }

    /// The same listener, whatever line of the file it is on.
    public func hasSameSettings(as other: ListenerConfig) -> Bool {
        var other = other
        other.line = line
        return self == other
    }

    /// `tcp://127.0.0.1:5514`, `udp://[::1]:5514`: the listener's name in logs and metrics.
    public var name: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(transport.rawValue)://\(shownHost):\(port)"
    }

    /// Splits `host:port`, `[v6]:port`; `nil` when malformed.
    public static func splitAddress(_ address: String) -> (host: String, port: Int)? {
        let host: Substring
        let portText: Substring
        if address.hasPrefix("[") {
            guard let close = address.firstIndex(of: "]") else { return nil }
            host = address[address.index(after: address.startIndex)..<close]
            let rest = address[address.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
        } else {
            guard let colon = address.lastIndex(of: ":") else { return nil }
            host = address[..<colon]
            if host.contains(":") { return nil }
            portText = address[address.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (0...65535).contains(port) else { return nil }
        return (String(host), port)
    }
}
