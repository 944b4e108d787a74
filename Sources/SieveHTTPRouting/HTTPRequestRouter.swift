import NIOHTTP1

/// Decides what a request gets from its method, target and `Authorization` header: no socket, no
/// state, so every answer is testable as a value.
public struct HTTPRequestRouter: Sendable {
    /// The bearer token `/tail` requires; `nil`: `/tail` is off.
    public let tailToken: String?
    /// The bearer token `/metrics` requires; `nil`: `/metrics` is open.
    public var metricsToken: String? = nil

    public init(tailToken: String?, metricsToken: String? = nil) {
        self.tailToken = tailToken
        self.metricsToken = metricsToken
    }

    public func route(method: HTTPMethod, target: String, authorization: String?) -> HTTPAction {
        guard method == .GET else {
            return .reply(.methodNotAllowed, "only GET is served here", headers: [("Allow", "GET")])
        }
        guard let query = HTTPQuery(target: target) else {
            return .reply(.badRequest, "malformed percent-escape in the request target")
        }
        switch query.path {
        case "/metrics":
            if let metricsToken, !Self.authorized(authorization, token: metricsToken) {
                return .reply(
                    .unauthorized, "missing or wrong bearer token (Authorization: Bearer TOKEN)",
                    headers: [("WWW-Authenticate", "Bearer")]
                )
            }
            return .metrics
        case "/healthz": return .health
        case "/readyz": return .readiness
        case "/tail": return tail(query, authorization: authorization)
        default: return .reply(.notFound, "not found; served: /metrics, /healthz, /readyz, /tail")
        }
    }

    private func tail(_ query: HTTPQuery, authorization: String?) -> HTTPAction {
        guard let tailToken else {
            return .reply(.notFound, "tail disabled: set http.tail_token_file in the config to turn it on")
        }
        guard Self.authorized(authorization, token: tailToken) else {
            return .reply(
                .unauthorized, "missing or wrong bearer token (Authorization: Bearer TOKEN)",
                headers: [("WWW-Authenticate", "Bearer")]
            )
        }
        do {
            return .tail(try TailFilter(parameters: query.parameters))
        } catch {
            return .reply(.badRequest, error.description)
        }
    }

    /// `Authorization: Bearer TOKEN` with the right token, compared in constant time. A header far
    /// longer than any token (4 KiB) is refused before any work on it.
    public static func authorized(_ authorization: String?, token: String) -> Bool {
        guard let authorization, authorization.utf8.count <= max(4096, token.utf8.count + 64) else { return false }
        return bearerToken(authorization).map { constantTimeEqual($0, token) } == true
    }

    /// `Bearer TOKEN` (the scheme in any case) → `TOKEN`.
    public static func bearerToken(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].drop { $0 == " " }
        return String(token[..<(token.lastIndex { $0 != " " }.map(token.index(after:)) ?? token.startIndex)])
    }

    /// Compares without stopping at the first difference, so timing does not reveal the token.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
