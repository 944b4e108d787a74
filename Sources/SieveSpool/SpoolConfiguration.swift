/// Settings of one spool queue (one cluster and sink pair).
public struct SpoolConfiguration: Sendable, Equatable {
    /// When written blocks are forced to stable storage.
    public enum Fsync: String, Sendable, Equatable, CaseIterable {
        /// `append` writes its event out and fsyncs before it returns (with `commit: false`,
        /// `commit()` does, once per batch): durable on return, but the caller blocks on the disk,
        /// holding the queue's lock.
        case always
        /// `flush()`, which the owner calls every `fsyncIntervalMilliseconds` (see
        /// `SpoolFlushTimer`), writes out the open block and fsyncs. A kill -9 loses at most the
        /// events appended since the last flush.
        case interval
        /// Blocks reach the kernel on `flush()` but are never fsynced; the OS decides.
        case never
    }

    /// The queue's own directory; created when missing.
    public var directory: String
    /// Bytes on disk this queue may hold (headers and acknowledged but not yet deleted segments
    /// included). Never exceeded by more than one block's compression overhead.
    public var maxBytes: Int
    /// A segment is closed once the next block would take it past this size. Space is freed a
    /// whole segment at a time: the default is min(64 MiB, `maxBytes / 8`), and any value is
    /// capped at `maxBytes / 2` (and raised to at least 4 KiB).
    public var segmentBytes: Int
    /// Uncompressed payload per block; a single larger event gets a block of its own.
    public var blockBytes: Int
    public var fsync: Fsync
    public var fsyncIntervalMilliseconds: Int
    /// zstd level; 1 favours throughput, audit JSON still compresses several-fold.
    public var compressionLevel: Int32

    /// The smallest `maxBytes` accepted; smaller values are raised to it.
    public static let minimumMaxBytes = 64 << 10

    public init(
        directory: String, maxBytes: Int, segmentBytes: Int? = nil, blockBytes: Int = 64 << 10,
        fsync: Fsync = .interval, fsyncIntervalMilliseconds: Int = 500, compressionLevel: Int32 = 1
    ) {
        self.directory = directory
        self.maxBytes = max(maxBytes, SpoolConfiguration.minimumMaxBytes)
        self.segmentBytes = max(min(segmentBytes ?? min(64 << 20, self.maxBytes / 8), self.maxBytes / 2), 4 << 10)
        self.blockBytes = max(1, min(blockBytes, 64 << 10))
        self.fsync = fsync
        self.fsyncIntervalMilliseconds = max(1, fsyncIntervalMilliseconds)
        self.compressionLevel = compressionLevel
    }
}
