import SieveSpool
import Yams

/// Reads the top-level `spool:` section and the `spool:` of a cluster or `default_cluster`.
enum SpoolConfigReader {
    /// Generous: a bound meant to stop a typo (a missing unit is caught by the minimum instead).
    static let largestSize = 1 << 50
    /// Events a queue may hold in memory: beyond this it is a typo or a mistake about the unit.
    static let largestMemory = 64 << 30
    static let smallestSegment = 4 << 10

    static func readSettings(_ node: Node, reader: ConfigReader) -> SpoolSettings? {
        let keys = ["directory", "fsync", "fsync_interval_ms"]
        guard let section = reader.section(node, "spool", allowed: keys) else { return nil }
        var settings = SpoolSettings()
        settings.line = section.line
        if let n = section["directory"], let directory = reader.path(n, "spool: directory") {
            if directory.isEmpty {
                reader.fail(
                    reader.line(n),
                    "spool: directory must not be empty, e.g. /var/lib/auditsieve/spool; leave out 'spool' for memory-only queues"
                )
            }
            settings.directory = directory
        }
        if let n = section["fsync"], let v = reader.choice(n, "spool: fsync", as: SpoolConfiguration.Fsync.self) {
            settings.fsync = v
        }
        if let n = section["fsync_interval_ms"], let v = reader.int(n, "spool: fsync_interval_ms", range: 1...60_000) {
            settings.fsyncIntervalMilliseconds = v
        }
        return settings
    }

    /// `what` names the owner in messages (`cluster 'billing'`); `durability: disk` needs
    /// `hasDirectory`, the top-level `spool.directory`.
    static func readCluster(_ node: Node, what: String, hasDirectory: Bool, reader: ConfigReader) -> ClusterSpoolConfig?
    {
        let what = "\(what): spool"
        let keys = ["max_bytes", "when_full", "durability", "memory_bytes", "segment_bytes"]
        guard let section = reader.section(node, what, allowed: keys) else { return nil }
        let smallest = SpoolConfiguration.minimumMaxBytes
        var spool = ClusterSpoolConfig()
        if let n = section["max_bytes"], let v = reader.size(n, "\(what): max_bytes", range: smallest...largestSize) {
            spool.maxBytes = v
        }
        if let n = section["memory_bytes"],
            let v = reader.size(n, "\(what): memory_bytes", range: smallest...largestMemory)
        {
            spool.memoryBytes = v
        }
        if let n = section["segment_bytes"],
            let v = reader.size(n, "\(what): segment_bytes", range: smallestSegment...largestSize)
        {
            spool.segmentBytes = v
        }
        if let n = section["when_full"],
            let v = reader.choice(n, "\(what): when_full", as: ClusterSpoolConfig.WhenFull.self)
        {
            spool.whenFull = v
        }
        if let n = section["durability"],
            let v = reader.choice(n, "\(what): durability", as: ClusterSpoolConfig.Durability.self)
        {
            spool.durability = v
            if v == .disk && !hasDirectory {
                reader.fail(
                    reader.line(n),
                    "\(what): durability: disk needs spool.directory; add spool: {directory: /var/lib/auditsieve/spool} at the top level"
                )
            }
        }
        return spool
    }
}
