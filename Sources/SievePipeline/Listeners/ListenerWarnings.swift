import Logging

/// A listener's repeated warnings, each at most once per 10 s with the count suppressed since
/// (the metrics still count every occurrence): oversize messages dropped, connections closed for
/// a framing error, connections refused at `max_connections`, accept errors.
struct ListenerWarnings: Sendable {
    let oversize: RateLimitedLog
    let framing: RateLimitedLog
    let refusal: RateLimitedLog
    let accept: RateLimitedLog
    /// Refused TLS handshakes and client certificates, and senders outside `allowed_senders`.
    let security: RateLimitedLog
    /// HOSTNAMEs a client certificate does not cover.
    let identity: RateLimitedLog

    init(logger: Logger) {
        oversize = RateLimitedLog(logger: logger)
        framing = RateLimitedLog(logger: logger)
        refusal = RateLimitedLog(logger: logger)
        accept = RateLimitedLog(logger: logger)
        security = RateLimitedLog(logger: logger)
        identity = RateLimitedLog(logger: logger)
    }
}
