import Logging
import SieveConfig

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process's file descriptor limit against what the config lets connections take. Every TCP
/// connection and HTTP connection is a descriptor; so are spool segments, sink files and the event
/// loops. At start the soft limit is raised to the hard one, and when the connection limits
/// together (plus a reserve) still do not fit, a warning says so: accept(2) would then fail with
/// EMFILE before `max_connections` is reached (counted and backed off, but better avoided).
enum DescriptorLimit {
    /// Descriptors kept for everything that is not a connection.
    static let reserve = 256

    /// Raises the soft limit; returns (limit now, what the config may need).
    @discardableResult
    static func prepare(for config: AuditSieveConfig, logger: Logger) -> (limit: Int, need: Int) {
        var limits = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limits) == 0 else { return (0, 0) }
        if limits.rlim_cur < limits.rlim_max {
            var raised = limits
            raised.rlim_cur = limits.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limits = raised }
        }
        let limit = limits.rlim_cur >= rlim_t(Int.max) ? Int.max : Int(limits.rlim_cur)
        let connections = config.listeners.filter { $0.transport.isStream }.reduce(0) { $0 + $1.maxConnections }
        let need = connections + config.http.maxConnections + reserve
        if need > limit {
            logger.warning(
                "the file descriptor limit is below what the connection limits may use: accept fails (counted, backing off) before max_connections is reached; raise LimitNOFILE (ulimit -n) or lower max_connections",
                metadata: ["limit": "\(limit)", "need": "\(need)"]
            )
        }
        return (limit, need)
    }
}
