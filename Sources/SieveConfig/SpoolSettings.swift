import SieveSpool

/// The top-level `spool:` section: where queues spill and how often they reach stable storage.
/// Without a directory every queue is memory-only.
public struct SpoolSettings: Sendable, Equatable {
    /// Each (cluster, sink) queue lives in `directory/CLUSTER/SINK`.
    public var directory: String?
    public var fsync: SpoolConfiguration.Fsync = .interval
    public var fsyncIntervalMilliseconds = 500
    public var line = 0

    public init(
        directory: String? = nil, fsync: SpoolConfiguration.Fsync = .interval, fsyncIntervalMilliseconds: Int = 500
    ) {
        self.directory = directory
        self.fsync = fsync
        self.fsyncIntervalMilliseconds = fsyncIntervalMilliseconds
    }
}
