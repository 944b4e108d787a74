extension SinkError {
    /// What went wrong, in a word that does not change: the `reason` label of
    /// `auditsieve_sink_write_errors_total` (docs/METRICS.md lists them).
    public enum Code: String, Sendable, CaseIterable {
        /// The sink was closed (shutdown or reload); nothing more is written.
        case closed
        /// A syslog sink's connection failed lately and the reconnect backoff has not passed: no
        /// attempt was made (not counted as a write error).
        case backingOff = "backing_off"
        /// No TCP connection or TLS handshake within the connect timeout, or the peer refused it.
        case connectFailed = "connect_failed"
        /// The TLS server ended the session right after the handshake: it does not accept our
        /// certificate (or wants one we do not have).
        case tlsRefused = "tls_refused"
        /// The new connection had died (FIN, RST or TLS alert) before anything was written on it.
        case peerGone = "peer_gone"
        /// A write failed part way (RST, EPIPE, an I/O error): some events may have reached the
        /// peer or the file.
        case writeFailed = "write_failed"
        /// The peer took nothing for `write_timeout_ms` (stalled); the connection was closed.
        case writeTimeout = "write_timeout"
        /// The file sink's disk or quota is full (ENOSPC, EDQUOT).
        case noSpace = "no_space"
        /// At start: the file sink's file cannot be opened.
        case openFailed = "open_failed"
        /// At start: a syslog sink's TLS file (CA, certificate, key) cannot be used.
        case tlsFiles = "tls_files"

        /// The codes a sink's `deliver` counts in `auditsieve_sink_write_errors_total`: a failed
        /// attempt, not a refusal to try (`closed`, `backing_off`) or a start-up failure.
        public var isWriteError: Bool {
            switch self {
            case .connectFailed, .tlsRefused, .peerGone, .writeFailed, .writeTimeout, .noSpace: true
            case .closed, .backingOff, .openFailed, .tlsFiles: false
            }
        }

        /// Stops the daemon's start rather than a delivery.
        var isAtStart: Bool { self == .openFailed || self == .tlsFiles }
    }
}
