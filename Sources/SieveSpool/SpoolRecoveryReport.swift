/// What start-up recovery found and repaired in one queue directory. Recovery never refuses to
/// start: every problem ends up as a number here.
public struct SpoolRecoveryReport: Sendable, Equatable {
    /// Segments kept, and the unacknowledged events and bytes they hold.
    public var segments = 0
    public var events = 0
    public var bytes = 0
    /// Bytes of interrupted writes cut off the end of segments (expected after a crash).
    public var truncatedBytes = 0
    /// Segments with bad bytes between good blocks or a bad header. Each was copied aside as
    /// `<name>.corrupt` and rewritten with its intact blocks only.
    public var corruptSegments = 0
    public var corruptBytes = 0
    /// Segments that could not be read at all (I/O error); renamed to `<name>.corrupt`.
    public var unreadableSegments = 0
    /// Files now named `*.corrupt` because of this recovery.
    public var quarantinedFiles: [String] = []
    /// Fully acknowledged segments whose deletion had not reached the disk before a crash.
    public var removedAcknowledgedSegments = 0
    /// True when a read-position file existed but was unusable, so reading restarts at the
    /// oldest segment (events may be delivered twice, never lost).
    public var readPositionIgnored = false

    public init() {}
}
