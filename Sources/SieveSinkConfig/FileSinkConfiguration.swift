import SieveEvent

public struct FileSinkConfiguration: Sendable, Equatable {
    public enum Target: Sendable, Equatable {
        case file(path: String)
        case standardOutput
    }

    public var name: String
    public var target: Target
    public var encoding: EventEncoding
    /// How long a delivery thread gathers events before writing a small batch.
    public var flushIntervalMilliseconds: Int

    public init(name: String, target: Target, encoding: EventEncoding = .json, flushIntervalMilliseconds: Int = 200) {
        self.name = name
        self.target = target
        self.encoding = encoding
        self.flushIntervalMilliseconds = flushIntervalMilliseconds
    }
}
