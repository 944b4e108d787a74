/// An entry of a `redact:` list that cannot be used: the entry as written and why.
public struct RedactionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var entry: String
    public var reason: String

    public init(entry: String, reason: String) {
        self.entry = entry
        self.reason = reason
    }

    public var description: String { "'\(entry)': \(reason)" }
}
