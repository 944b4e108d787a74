import Foundation
import Logging
import Metrics
import SieveEvent
import SieveSinkConfig

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Appends encoded events to a file (or standard output).
///
/// Delivery threads call `deliver`, which writes the batch with write(2) under a lock (several
/// queues may share the file) and returns once every byte is written; a failed write throws and
/// the queue keeps what was not written, so a full or read-only disk holds events in the queues
/// (and their spool), never in the sink. A write that fails half way reports the events it wrote
/// whole (the queue does not send them again) and, in a regular file, cuts the partial event off
/// again, so a full disk leaves neither a duplicate nor a partial line (docs/HOSTILE.md D14). On SIGHUP
/// `reopen` reopens the path at once, so logrotate's move-then-signal works. Delivery threads
/// gather events for up to `flush_interval_ms` before a small write. With `encoding: raw` each
/// event stays on one line (`RawLineEscaping`).
public final class FileSink: EventSink, @unchecked Sendable {
    public let name: String
    public let encoding: EventEncoding
    public var gatherMilliseconds: Int { configuration.flushIntervalMilliseconds }
    private let configuration: FileSinkConfiguration
    private let logger: Logger
    private let metrics: SinkMetrics

    // Guarded by `lock`.
    private let lock = NSLock()
    private var fd: Int32
    /// A regular file (not a pipe or terminal): a partial write can be cut off again.
    private var isRegularFile: Bool
    private var closed = false
    private var failing = false
    /// `encoding: raw` lines, reused from batch to batch.
    private var lines: [UInt8] = []
    private var lineEnds: [Int] = []

    public init(configuration: FileSinkConfiguration, logger: Logger, metricsFactory: any MetricsFactory) throws {
        self.name = configuration.name
        self.encoding = configuration.encoding
        self.configuration = configuration
        self.logger = logger
        self.metrics = SinkMetrics(
            sink: configuration.name, errorCodes: [.writeFailed, .noSpace], factory: metricsFactory)
        self.fd = try Self.open(configuration)
        self.isRegularFile = Self.isRegularFile(fd)
        metrics.up.record(1)
    }

    public func deliver(_ batch: EventBatch) throws(SinkError) {
        guard !batch.isEmpty else { return }
        lock.lock()
        defer { lock.unlock() }
        if closed { throw SinkError(.closed, sink: name, reason: "closed", retryAfterMilliseconds: 1000) }
        let escaped = encoding == .raw && escapeLines(batch)
        let start = isRegularFile ? lseek(fd, 0, SEEK_END) : -1
        let (written, failure) = escaped ? writeAll(lines) : writeAll(batch.bytes)
        if let failedErrno = failure {
            let ends = escaped ? lineEnds : batch.ends
            let whole = ends.prefix { $0 <= written }.count
            let wholeBytes = whole == 0 ? 0 : ends[whole - 1]
            // Cut only when nobody else appended meanwhile (a reload's replacement sink, another
            // process on the same file): the file must end exactly where this write ended.
            if written > wholeBytes && start >= 0 {
                let sharedFile = lseek(fd, 0, SEEK_END) != start + off_t(written)
                if sharedFile || ftruncate(fd, start + off_t(wholeBytes)) != 0 {
                    logger.warning(
                        "sink could not cut a partially written event off its file; it is written again whole after a partial line",
                        metadata: [
                            "sink": "\(name)",
                            "error":
                                "\(sharedFile ? "another writer appended to the file" : String(cString: strerror(errno)))",
                        ]
                    )
                }
            }
            if whole > 0 { metrics.writtenBytes.increment(by: Int64(wholeBytes)) }
            let code: SinkError.Code = failedErrno == ENOSPC || failedErrno == EDQUOT ? .noSpace : .writeFailed
            metrics.countWriteError(code)
            let reason = String(cString: strerror(failedErrno))
            if !failing {
                failing = true
                metrics.up.record(0)
                logger.error(
                    "sink write failed; its queues keep the events and retry",
                    metadata: ["sink": "\(name)", "error": "\(reason)"]
                )
            }
            throw SinkError(code, sink: name, reason: reason, retryAfterMilliseconds: 1000, deliveredEvents: whole)
        }
        if failing {
            failing = false
            metrics.up.record(1)
            logger.info("sink writes again", metadata: ["sink": "\(name)"])
        }
        metrics.writtenBytes.increment(by: Int64(escaped ? lines.count : batch.byteCount))
    }

    /// `encoding: raw`: builds `lines` when some event of the batch must be escaped; false when
    /// none must (the batch is written as it is).
    private func escapeLines(_ batch: EventBatch) -> Bool {
        var needed = false
        for index in 0..<batch.count where RawLineEscaping.needsEscaping(batch.event(index).dropLast()) {
            needed = true
            break
        }
        guard needed else { return false }
        lines.removeAll(keepingCapacity: true)
        lineEnds.removeAll(keepingCapacity: true)
        for index in 0..<batch.count {
            RawLineEscaping.appendLine(batch.event(index).dropLast(), to: &lines)
            lines.append(UInt8(ascii: "\n"))
            lineEnds.append(lines.count)
        }
        return true
    }

    /// Reopens the path now (SIGHUP after logrotate moved the file), so the new file exists at
    /// once even if no event comes.
    public func reopen() {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        reopenOutput()
    }

    public func close() {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        if case .file = configuration.target { _ = Glibc.close(fd) }
        metrics.up.record(0)
    }

    /// Writes every byte, retrying short writes and EINTR; returns how many bytes were written
    /// and, when it stopped early, the errno.
    private func writeAll(_ bytes: [UInt8]) -> (written: Int, errno: Int32?) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return (offset, errno)
                }
                offset += written
            }
            return (offset, nil)
        }
    }

    private static func isRegularFile(_ fd: Int32) -> Bool {
        var info = stat()
        return fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    private func reopenOutput() {
        guard case .file(let path) = configuration.target else { return }
        do {
            let newFD = try Self.open(configuration)
            _ = Glibc.close(fd)
            fd = newFD
            isRegularFile = Self.isRegularFile(newFD)
            logger.info("sink reopened its file", metadata: ["sink": "\(name)", "path": "\(path)"])
        } catch {
            logger.error(
                "sink could not reopen its file; still writing to the old one", metadata: ["error": "\(error)"])
        }
    }

    private static func open(_ configuration: FileSinkConfiguration) throws -> Int32 {
        switch configuration.target {
        case .standardOutput:
            return STDOUT_FILENO
        case .file(let path):
            // Not through a symlink: whoever can write the directory must not redirect the trail.
            let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o640)
            if fd < 0 { throw SinkError(sink: configuration.name, path: path, errno: errno, operation: "open") }
            return fd
        }
    }
}
