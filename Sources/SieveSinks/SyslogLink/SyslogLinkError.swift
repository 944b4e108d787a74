/// Why a syslog sink's connection could not carry a batch, with the details the network gave;
/// the sink throws it as a `SinkError` (`code`, and `description` as its reason).
enum SyslogLinkError: Error, Equatable, CustomStringConvertible {
    /// `close()` was called.
    case closed
    /// A connection failed lately and `ReconnectBackoff` says it is too soon to try again.
    case backingOff
    /// The connection had died (peer's FIN, RST or TLS alert) before the write started: nothing
    /// of the batch was written, so it may go out on a new connection at once.
    case peerGone(String)
    case connectFailed(String)
    /// The TLS server ended the session right after the handshake: it does not accept our
    /// certificate (or wants one we do not have).
    case refused(String)
    /// The write failed part way: some frames may have reached the peer.
    case writeFailed(String)
    /// The peer took nothing for this long (stalled); some frames may have reached it.
    case writeTimedOut(milliseconds: Int)

    var code: SinkError.Code {
        switch self {
        case .closed: .closed
        case .backingOff: .backingOff
        case .peerGone: .peerGone
        case .connectFailed: .connectFailed
        case .refused: .tlsRefused
        case .writeFailed: .writeFailed
        case .writeTimedOut: .writeTimeout
        }
    }

    var description: String {
        switch self {
        case .closed: "sink closed"
        case .backingOff: "waiting before reconnecting"
        case .peerGone(let reason): "connection lost: \(reason)"
        case .connectFailed(let reason): "cannot connect: \(reason)"
        case .refused(let reason): "TLS server refused the session: \(reason)"
        case .writeFailed(let reason): "write failed: \(reason)"
        case .writeTimedOut(let milliseconds): "peer took nothing for \(milliseconds) ms (stalled); connection closed"
        }
    }
}
