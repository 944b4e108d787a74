/// The top-level `limits:` section: process-wide bounds that keep what senders send from
/// deciding how much memory or how many metric series auditsieve uses. Changes take effect at
/// the next restart.
public struct LimitsConfig: Sendable, Equatable {
    /// Bytes of unfinished TCP frames all connections may hold together; beyond, the connections
    /// holding the most are closed (counted).
    public var bufferedBytes = 256 << 20
    /// Source hosts tracked for `source_last_seen` and record gaps; messages from further hosts
    /// are counted in `auditsieve_source_hosts_overflow_total`.
    public var maxTrackedHosts = 10_000
    /// A host's record number more than this above its highest is taken as a counter restart (or
    /// a forged number), counted in `auditsieve_record_counter_jumps_total`, not as a gap.
    public var gapMaxJump: UInt64 = 1_000_000
    /// The config line, for messages (0: not in the file).
    public var line = 0

    public init() {}

    /// The same limits, whatever line of the file they are on.
    public func hasSameSettings(as other: LimitsConfig) -> Bool {
        var other = other
        other.line = line
        return self == other
    }
}
