/// A listener's TLS files cannot be used: which file, in which role, and why.
public struct ListenerTLSError: Error, Sendable, CustomStringConvertible {
    public var listener: String
    public var path: String
    public var role: String
    public var reason: String

    public var description: String { "listener \(listener): tls: \(role) \(path): \(reason)" }
}
