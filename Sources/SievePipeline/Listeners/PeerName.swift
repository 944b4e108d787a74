import NIOCore

/// `ip:port`, or `[v6]:port`: how an event names its sender.
enum PeerName {
    static func of(_ address: SocketAddress) -> String {
        guard let ip = address.ipAddress else { return "\(address)" }
        let port = address.port ?? 0
        if case .v6 = address { return "[\(ip)]:\(port)" }
        return "\(ip):\(port)"
    }
}
