import SieveEvent

/// One entry of `sinks:`.
public struct SinkConfig: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case file, stdout
    }

    public var name: String
    public var kind: Kind
    /// `file` only.
    public var path: String?
    public var encoding: EventEncoding
    public var flushIntervalMilliseconds: Int
    public var line: Int

    public init(
        name: String, kind: Kind, path: String? = nil, encoding: EventEncoding = .json,
        flushIntervalMilliseconds: Int = 200, line: Int = 0
    ) {
        self.name = name
        self.kind = kind
        self.path = path
        self.encoding = encoding
        self.flushIntervalMilliseconds = flushIntervalMilliseconds
        self.line = line
    }
}
