import SieveConfig

/// The HTTP endpoint could not start: its address could not be bound, or the tail token file not
/// read. Names the address or file and the config line.
public struct HTTPStartError: Error, CustomStringConvertible {
    public enum Reason: Sendable {
        case bind(any Error)
        case tokenFile(String, String)
        case tls(ListenerTLSError)
    }

    public var config: HTTPConfig
    public var reason: Reason

    public var description: String {
        let place = config.line == 0 ? "the default http.address" : "config line \(config.line)"
        switch reason {
        case .bind(let error):
            return "cannot serve HTTP on \(config.name) (\(place)): \(error)"
        case .tokenFile(let path, let why):
            return "cannot read the token file \(path) (\(place)): \(why)"
        case .tls(let error):
            return "cannot serve HTTPS on \(config.name) (\(place)): \(error)"
        }
    }
}
