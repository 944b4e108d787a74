/// What the event loop knows about a sink connection's peer, read by the delivery thread.
struct SyslogPeerStatus: Sendable {
    /// False once the peer closed or reset the connection, or TLS failed on it.
    var isAlive = true
    /// Bytes the peer sent us; a syslog receiver has nothing to say, so they are dropped.
    var discardedBytes = 0
    /// Why the connection ended, when it did.
    var endReason: String?
    /// The connection ended with a TLS error (an alert from the server): after the handshake that
    /// means the server refused our certificate, or our lack of one.
    var endedByTLSError = false
}
