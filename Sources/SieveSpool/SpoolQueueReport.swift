/// What `SpoolInspector` found in one queue directory.
public struct SpoolQueueReport: Sendable, Equatable {
    /// The queue directory relative to the inspected spool directory (`.` for itself).
    public var name: String
    public var segments = 0
    /// Bytes of segment files, acknowledged parts of the oldest segment included.
    public var bytes = 0
    /// Unacknowledged events, per the stored read position (so at most one flush interval stale).
    public var events = 0
    /// Append time of the oldest unacknowledged block's first event (ms since 1970), and its age.
    public var oldestEventTime: Int64?
    public var oldestEventAgeMilliseconds: Int64?
    /// Segments with bad bytes between good blocks now, plus quarantined `*.corrupt` files.
    public var corruptSegments = 0
    /// Bytes after the last good block of a segment: a write in progress on a live spool, or a
    /// torn tail the next start will cut.
    public var tailBytes = 0
    /// Event bytes before compression and the block bytes holding them, over every good block:
    /// `payloadBytes / blockBytes` is the compression ratio the spool achieves on this traffic.
    public var payloadBytes = 0
    public var blockBytes = 0

    public init(name: String) { self.name = name }
}
