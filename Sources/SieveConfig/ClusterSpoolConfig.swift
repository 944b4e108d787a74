/// A cluster's `spool:` settings, shared by the queues of all its sinks.
public struct ClusterSpoolConfig: Sendable, Equatable {
    public enum WhenFull: String, Sendable, CaseIterable {
        /// Stop reading the TCP connections that feed the cluster until there is room again.
        case block
        /// Drop new events, counting each one.
        case dropNewest = "drop_newest"
    }

    public enum Durability: String, Sendable, CaseIterable {
        /// Events wait in memory and spill to disk only when `memory_bytes` is reached.
        case memory
        /// Every event is written to the spool before it is forwarded.
        case disk
    }

    /// Bytes on disk all of the cluster's queues together may hold.
    public var maxBytes = 1 << 30
    public var whenFull: WhenFull = .block
    public var durability: Durability = .memory
    /// Bytes of events each queue holds in memory before spilling (or, without a spool
    /// directory, before it is full).
    public var memoryBytes = 64 << 20
    /// Segment file size; nil: min(64 MiB, max_bytes / 8).
    public var segmentBytes: Int?

    public init() {}
}
