import SieveConfig

/// The bounds a queue applies; taken from its cluster's `spool:` and changeable by a reload.
package struct QueueSettings: Sendable, Equatable {
    package var whenFull: ClusterSpoolConfig.WhenFull
    package var durability: ClusterSpoolConfig.Durability
    /// Bytes of events held in memory before spilling to disk (or, memory-only, before full).
    package var memoryBytes: Int

    package init(_ config: ClusterSpoolConfig) {
        whenFull = config.whenFull
        durability = config.durability
        memoryBytes = config.memoryBytes
    }
}
