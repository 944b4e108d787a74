import NIOHTTP1

/// What a request gets, as `HTTPRequestRouter` decided it.
public enum HTTPAction {
    /// `/metrics`: the Prometheus text format.
    case metrics
    /// `/healthz`: the process is alive.
    case health
    /// `/readyz`: 200 once the listeners are bound, 503 before.
    case readiness
    /// `/tail`, authorized: a stream of the kept events that match.
    case tail(TailFilter)
    /// Everything else: a status and a one-line text body.
    case reply(HTTPResponseStatus, String, headers: [(String, String)] = [])
}
