/// A consistent snapshot of one queue's gauges and counters. Counters only grow during the life
/// of the `SpoolQueue` object (they start at zero on every open; recovery has its own report).
public struct SpoolStatistics: Sendable, Equatable {
    /// Bytes of segment files on disk now.
    public var bytesOnDisk = 0
    /// Events appended and not yet acknowledged (on disk or in the open block).
    public var eventCount = 0
    /// Append time of the first event of the oldest unacknowledged block, in milliseconds since
    /// 1970; nil when the queue is empty.
    public var oldestEventTime: Int64?
    public var segments = 0

    /// Appends answered `.full` (byte bound reached or disk full).
    public var fullRejections = 0
    /// Appends answered `.tooLarge`.
    public var oversizeRejections = 0
    /// Writes that failed with ENOSPC, EDQUOT or EFBIG.
    public var outOfSpaceErrors = 0
    /// Other failed writes, fsyncs, deletions or read-position updates.
    public var ioErrors = 0
    /// Blocks that failed their checksum or did not decode while reading; the rest of their
    /// segment is skipped and its events counted in `lostEvents`.
    public var corruptBlocks = 0
    /// Accepted events that will never be read: in a block that went bad on disk, or still in
    /// memory at `close()` because the disk stayed full.
    public var lostEvents = 0

    public init() {}
}
