import Logging

/// A listener's repeated warnings, each at most once per 10 s with the count suppressed since
/// (the metrics still count every occurrence): oversize messages dropped, connections closed for
/// a framing error, connections evicted at `max_connections`.
struct ListenerWarnings: Sendable {
    let oversize: RateLimitedLog
    let framing: RateLimitedLog
    let eviction: RateLimitedLog

    init(logger: Logger) {
        oversize = RateLimitedLog(logger: logger)
        framing = RateLimitedLog(logger: logger)
        eviction = RateLimitedLog(logger: logger)
    }
}
