/// The bounds a queue applies; taken from its cluster's `spool:` and changeable by a reload.
struct QueueSettings: Sendable, Equatable {
    var whenFull: ClusterSpoolConfig.WhenFull
    var durability: ClusterSpoolConfig.Durability
    /// Bytes of events held in memory before spilling to disk (or, memory-only, before full).
    var memoryBytes: Int

    init(_ config: ClusterSpoolConfig) {
        whenFull = config.whenFull
        durability = config.durability
        memoryBytes = config.memoryBytes
    }
}
