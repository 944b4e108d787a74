/// A TCP listener's `tls:` section: the server certificate, and optionally the CA whose client
/// certificates it requires and the names it lets in.
public struct ListenerTLSConfig: Sendable, Equatable {
    public var certPath: String
    public var keyPath: String
    /// Given: every client must present a certificate signed by it (mutual TLS).
    public var clientCAPath: String?
    /// Globs over a client certificate's subject CN and DNS SANs; empty lets in any certificate the CA signed.
    public var allowedClients: [String] = []
    /// A connection whose handshake has not completed by then is closed.
    public var handshakeTimeoutMilliseconds = 10_000
    public var line: Int

    public init(certPath: String, keyPath: String, clientCAPath: String? = nil, line: Int = 0) {
        self.certPath = certPath
        self.keyPath = keyPath
        self.clientCAPath = clientCAPath
        self.line = line
    }
}
