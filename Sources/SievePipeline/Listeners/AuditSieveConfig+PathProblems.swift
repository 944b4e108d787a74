import SieveConfig

extension AuditSieveConfig {
    /// Problems with the paths this config names, as the current user sees them: the files and
    /// directories (`fileProblems()`), and the TLS files, loaded as `serve` loads them: unreadable,
    /// not PEM, or a key that is not the certificate's fails the check.
    public func pathProblems() -> [ConfigError] {
        var problems = fileProblems()
        for listener in listeners {
            guard let tls = listener.tls else { continue }
            do {
                _ = try ListenerTLSContext.make(tls, listener: listener.name)
            } catch {
                problems.append(ConfigError(file: source, line: tls.line, message: "\(error)"))
            }
        }
        if let tls = http.tls {
            do {
                _ = try ListenerTLSContext.make(tls, listener: http.name)
            } catch {
                problems.append(ConfigError(file: source, line: tls.line, message: "http: \(error)"))
            }
        }
        return problems
    }
}
