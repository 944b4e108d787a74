/// A rule that cannot be compiled: the text given and why.
public enum RulesError: Error, Sendable, Equatable, CustomStringConvertible {
    case badPattern(String, String)
    case badCIDR(String)

    public var description: String {
        switch self {
        case .badPattern(let pattern, let reason): "table pattern '\(pattern)': \(reason)"
        case .badCIDR(let text): "'\(text)' is not an address or CIDR block (e.g. 10.1.0.0/16 or fd00::/8)"
        }
    }
}
