#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A crash-safe, bounded, append-only queue of opaque events on disk, for one (cluster, sink)
/// pair. Events leave it in append order, and only when the reader acknowledges them.
///
/// Guarantees:
/// - **Bound**: bytes on disk never exceed `maxBytes` plus one block's compression overhead
///   (admission counts the open block uncompressed); beyond it `append` answers `.full`.
/// - **Full disk**: ENOSPC, EDQUOT and EFBIG make `append` answer `.full` and are counted; the
///   events already accepted stay in memory and are written on the next successful attempt.
///   The process must ignore SIGXFSZ (`signal(SIGXFSZ, SIG_IGN)`) for EFBIG to arrive as an error.
/// - **Durability**: with `.interval`, everything appended before a `flush()` returned survives
///   kill -9 and power loss; with `.always`, everything `append` accepted (appended with
///   `commit: false`: once `commit()` returned).
/// - **Crash-atomic deletion**: the writer creates segments, the reader deletes them whole, and a
///   segment's deletion *is* the read-position update for everything in it (see `ReadPosition`).
///
/// Thread safety: a class with a mutex rather than an actor, because appends come synchronously
/// from event-loop threads: an actor would add a hop and an unbounded mailbox per event and lose
/// the immediate `.full` answer that backpressure needs. The mutex (`lock`) is held for copying an
/// event, compressing and `write(2)`-ing a block of at most 64 KiB, reading and decompressing
/// blocks in `peek`, and creating and deleting segment files; under `fsync: .always` also for the
/// fsyncs of `append(_:commit:)` and `commit()`. `flush()` does its fsyncs outside it, and the read
/// position is stored (a rename, with fsync when asked) under `positionLock` only.
public final class SpoolQueue: @unchecked Sendable {
    public enum AppendResult: Sendable, Equatable {
        case written
        /// The byte bound is reached or the disk is full; retry after acknowledgements.
        case full
        /// The event can never fit (larger than 16 MiB or than the whole bound); drop and count it.
        case tooLarge
    }

    struct Segment {
        let id: UInt64
        var size: Int
        var events: Int
        /// Where readable blocks end; below `size` only after a block failed while reading.
        var readableEnd: Int
    }

    struct DecodedBlock {
        let segmentID: UInt64
        let offset: Int
        let end: Int
        let eventsBefore: Int
        let firstEventTime: Int64
        let events: [[UInt8]]
    }

    static let maximumEventBytes = 16 << 20

    public let configuration: SpoolConfiguration
    /// What start-up recovery found and repaired.
    public let recovery: SpoolRecoveryReport
    let fileSystem: any SpoolFileSystem
    let clock: @Sendable () -> Int64
    let codec: ZstdCodec
    let lock = SpoolLock()
    /// Serialises `flush()`; taken before `lock`, never inside it.
    let flushLock = SpoolLock()
    /// Serialises read-position writes, and the reading of the position each one stores, so a
    /// newer position is never overwritten by an older one. Taken before `lock`, never inside it.
    let positionLock = SpoolLock()

    // Everything below is guarded by `lock`.
    var lockFile: (any SpoolFile)?
    var segments: [Segment]
    var nextSegmentID: UInt64
    var writer: (any SpoolFile)?
    var writerDirty = false
    var filesToSync: [any SpoolFile] = []
    var directoryDirty = false
    var openBlock = OpenBlock()
    var bytes: Int {
        didSet { budget?.add(bytes - oldValue) }
    }
    /// Shared with the other queues of the same cluster, when given.
    let budget: SpoolBudget?
    /// What the open block holds reserved in `budget` (guarded by `lock`).
    var budgetReservation = 0
    var events: Int
    var counters = SpoolStatistics()
    var readOffset: Int
    var readSkip: Int
    var eventsBeforeRead: Int
    var decoded: [DecodedBlock] = []
    var readerFile: (id: UInt64, file: any SpoolFile)?
    /// The read position moved since it was last stored with fsync (by `flush()`, or by
    /// `acknowledge` with `fsync: always`); `acknowledge` also stores it at once without fsync.
    var positionDirty = false
    var closed = false
    /// Set by a write that hit ENOSPC/EDQUOT/EFBIG: a full open block is not retried on every
    /// append (each retry costs a compression), only by `flush()` or once a segment is deleted.
    var outOfSpace = false
    /// Events at the head of the open block that `peek` handed out from memory (the block could
    /// not be written); `acknowledge` removes them from the block, a write-out caches the block.
    var memoryServed = 0

    /// Opens (creating it if needed) and recovers the queue in `configuration.directory`. Throws
    /// only when the directory cannot be created or listed, or another process holds its lock;
    /// damaged segments never stop it (see `recovery`).
    /// With a `budget`, appends must fit both `configuration.maxBytes` and the budget.
    public init(
        configuration: SpoolConfiguration, fileSystem: any SpoolFileSystem = POSIXSpoolFileSystem(),
        budget: SpoolBudget? = nil, clock: @escaping @Sendable () -> Int64 = SpoolQueue.wallClockMilliseconds
    ) throws {
        self.configuration = configuration
        self.budget = budget
        self.fileSystem = fileSystem
        self.clock = clock
        try fileSystem.makeDirectory(configuration.directory)
        lockFile = try fileSystem.lockExclusively(configuration.directory + "/" + SegmentFormat.lockName)
        let result = try SpoolRecovery(fileSystem: fileSystem, directory: configuration.directory).run()
        recovery = result.report
        segments = result.segments.map { Segment(id: $0.id, size: $0.size, events: $0.events, readableEnd: $0.size) }
        nextSegmentID = result.nextSegmentID
        bytes = result.report.bytes
        budget?.add(result.report.bytes)
        events = result.report.events
        readOffset = result.readOffset
        readSkip = result.readSkip
        eventsBeforeRead = result.eventsBeforeRead
        codec = ZstdCodec(level: configuration.compressionLevel)
    }

    /// Milliseconds since 1970 from CLOCK_REALTIME.
    @Sendable public static func wallClockMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    public var bytesOnDisk: Int { lock.withLock { bytes } }
    public var eventCount: Int { lock.withLock { events } }
    public var oldestEventTime: Int64? { lock.withLock { oldestEventTimeLocked() } }

    /// The last write found the disk full (ENOSPC, EDQUOT, EFBIG) and no write has succeeded since.
    public var isOutOfSpace: Bool { lock.withLock { outOfSpace } }

    /// Events lost so far (unreadable blocks, or an open block the disk never took); cheap.
    public var lostEvents: Int { lock.withLock { counters.lostEvents } }

    public var statistics: SpoolStatistics {
        lock.withLock {
            var snapshot = counters
            snapshot.bytesOnDisk = bytes
            snapshot.eventCount = events
            snapshot.oldestEventTime = oldestEventTimeLocked()
            snapshot.segments = segments.count
            return snapshot
        }
    }

    func path(of id: UInt64) -> String { configuration.directory + "/" + SegmentFormat.fileName(for: id) }

    /// Records a failed operation in the right counter.
    func count(_ error: any Error) {
        if let error = error as? SpoolError, error.isOutOfSpace {
            counters.outOfSpaceErrors += 1
        } else {
            counters.ioErrors += 1
        }
    }
}
