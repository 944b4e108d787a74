import SieveEvent

public struct FileSinkConfiguration: Sendable, Equatable {
    public enum Target: Sendable, Equatable {
        case file(path: String)
        case standardOutput
    }

    public var name: String
    public var target: Target
    public var encoding: EventEncoding
    /// Every accepted event reaches write(2) within this time, at any rate.
    public var flushIntervalMilliseconds: Int
    /// Bytes waiting for the writer at which it is woken at once instead of at the next interval.
    public var eagerFlushBytes: Int
    /// Bytes the sink holds while its output fails; beyond this new batches are dropped and counted.
    public var maxPendingBytes: Int

    public init(
        name: String, target: Target, encoding: EventEncoding = .json, flushIntervalMilliseconds: Int = 200,
        eagerFlushBytes: Int = 1 << 20, maxPendingBytes: Int = 64 << 20
    ) {
        self.name = name
        self.target = target
        self.encoding = encoding
        self.flushIntervalMilliseconds = flushIntervalMilliseconds
        self.eagerFlushBytes = eagerFlushBytes
        self.maxPendingBytes = maxPendingBytes
    }
}
