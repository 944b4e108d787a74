import Foundation
import Logging
import Metrics
import SieveEvent

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Appends encoded events to a file (or standard output).
///
/// Delivery threads call `deliver`, which writes the batch with write(2) under a lock (several
/// queues may share the file) and returns once every byte is written; a failed write throws and
/// the queue keeps the batch, so a full or read-only disk holds events in the queues (and their
/// spool), never in the sink. On SIGHUP `reopen` reopens the path at once, so logrotate's
/// move-then-signal works. Delivery threads gather events for up to `flush_interval_ms` before a
/// small write.
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
    private var closed = false
    private var failing = false

    public init(configuration: FileSinkConfiguration, logger: Logger, metricsFactory: any MetricsFactory) throws {
        self.name = configuration.name
        self.encoding = configuration.encoding
        self.configuration = configuration
        self.logger = logger
        self.metrics = SinkMetrics(sink: configuration.name, factory: metricsFactory)
        self.fd = try Self.open(configuration)
        metrics.up.record(1)
    }

    public func deliver(_ batch: EventBatch) throws(SinkUnavailable) {
        guard !batch.isEmpty else { return }
        lock.lock()
        defer { lock.unlock() }
        if closed { throw SinkUnavailable(sink: name, reason: "closed", retryAfterMilliseconds: 1000) }
        if let failedErrno = writeAll(batch.bytes) {
            metrics.writeErrors.increment()
            let reason = String(cString: strerror(failedErrno))
            if !failing {
                failing = true
                metrics.up.record(0)
                logger.error(
                    "sink write failed; its queues keep the events and retry",
                    metadata: ["sink": "\(name)", "error": "\(reason)"]
                )
            }
            throw SinkUnavailable(sink: name, reason: reason, retryAfterMilliseconds: 1000)
        }
        if failing {
            failing = false
            metrics.up.record(1)
            logger.info("sink writes again", metadata: ["sink": "\(name)"])
        }
        metrics.writtenBytes.increment(by: Int64(batch.byteCount))
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

    /// Writes every byte, retrying short writes and EINTR. A short write followed by a failure
    /// leaves a partial event in the file; the queue re-sends the whole batch (at least once).
    private func writeAll(_ bytes: [UInt8]) -> Int32? {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
    }

    private func reopenOutput() {
        guard case .file(let path) = configuration.target else { return }
        do {
            let newFD = try Self.open(configuration)
            _ = Glibc.close(fd)
            fd = newFD
            logger.info("sink reopened its file", metadata: ["sink": "\(name)", "path": "\(path)"])
        } catch {
            logger.error("sink could not reopen its file; still writing to the old one", metadata: ["error": "\(error)"])
        }
    }

    private static func open(_ configuration: FileSinkConfiguration) throws -> Int32 {
        switch configuration.target {
        case .standardOutput:
            return STDOUT_FILENO
        case .file(let path):
            let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
            if fd < 0 { throw SinkError(sink: configuration.name, path: path, errno: errno, operation: "open") }
            return fd
        }
    }
}
