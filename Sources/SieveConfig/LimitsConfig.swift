import SieveEvent

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
    /// How far behind a host's highest record number a late record still closes a gap (the
    /// record sequence's window); `gap_max_jump` must be larger.
    public static let recordReorderWindow: UInt64 = 1024
    /// How long table records wait for their statement before they go out on their own.
    public var tableRecordHoldMilliseconds = 5_000
    /// Table records one connection (a UDP listener: all its senders) may hold while their
    /// statements have not come; past it the oldest go out on their own.
    public var tableRecordsHeld = 10_000
    /// Bytes all connections' held table records may pin together; past it, the connection that
    /// adds one sends its oldest statement's records out alone.
    public var tableRecordsHeldBytes = 64 << 20
    /// The config line, for messages (0: not in the file).
    public var line = 0

    public init() {}

    /// The table record joiner's bounds.
    public var tableRecordLimits: TableRecordJoiner.Limits {
        TableRecordJoiner.Limits(
            holdNanoseconds: UInt64(tableRecordHoldMilliseconds) * 1_000_000, maxHeld: tableRecordsHeld)
    }

    /// The same limits, whatever line of the file they are on.
    public func hasSameSettings(as other: LimitsConfig) -> Bool {
        var other = other
        other.line = line
        return self == other
    }
}
