import Foundation
import Logging
import Metrics
import SieveEvent

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Appends encoded events to a file (or standard output) from a writer thread of its own.
///
/// Event loops only copy bytes into `pending` under a lock; the writer thread calls write(2)
/// when `flush_interval_ms` has passed since the oldest pending byte arrived, or at once when
/// `eagerFlushBytes` are pending. So every accepted event reaches the file within the interval at
/// any rate, and a slow disk never blocks an event loop. On SIGHUP the writer reopens the path, so
/// logrotate's move-then-signal works. A failing write keeps the bytes and retries; while it fails,
/// at most `maxPendingBytes` are held and batches beyond that are dropped and counted.
public final class FileSink: EventSink, @unchecked Sendable {
    public let name: String
    public let encoding: EventEncoding
    private let configuration: FileSinkConfiguration
    private let logger: Logger
    private let metrics: SinkMetrics

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var pending: [UInt8] = []
    private var pendingEvents = 0
    private var oldestPendingAt: Date?
    private var reopenRequested = false
    private var closing = false
    private var closed = false
    private var flushRequested = 0
    private var flushCompleted = 0
    private var writerExited = false
    private var fd: Int32

    public init(configuration: FileSinkConfiguration, logger: Logger, metricsFactory: any MetricsFactory) throws {
        self.name = configuration.name
        self.encoding = configuration.encoding
        self.configuration = configuration
        self.logger = logger
        self.metrics = SinkMetrics(sink: configuration.name, factory: metricsFactory)
        self.fd = try Self.open(configuration)
        let thread = Thread { [self] in self.writerLoop() }
        thread.name = "auditsieve-sink-\(configuration.name)"
        thread.start()
    }

    public func append(_ bytes: [UInt8], events: Int) {
        guard !bytes.isEmpty else { return }
        condition.lock()
        defer { condition.unlock() }
        if closed || pending.count + bytes.count > configuration.maxPendingBytes {
            metrics.dropped.increment(by: Int64(events))
            return
        }
        if pending.isEmpty {
            oldestPendingAt = Date()
            condition.signal()
        }
        pending.append(contentsOf: bytes)
        pendingEvents += events
        if pending.count >= configuration.eagerFlushBytes { condition.signal() }
    }

    public func reopen() {
        condition.lock()
        reopenRequested = true
        condition.signal()
        condition.unlock()
    }

    public func flush() {
        condition.lock()
        defer { condition.unlock() }
        flushRequested += 1
        let ticket = flushRequested
        condition.broadcast()
        while flushCompleted < ticket && !writerExited { condition.wait() }
    }

    public func close() {
        condition.lock()
        closing = true
        condition.broadcast()
        while !writerExited { condition.wait() }
        condition.unlock()
    }

    private func writerLoop() {
        condition.lock()
        while true {
            let wantFlush = flushRequested > flushCompleted
            if pending.isEmpty && !reopenRequested {
                if wantFlush {
                    flushCompleted = flushRequested
                    condition.broadcast()
                    continue
                }
                if closing { break }
                condition.wait()
                continue
            }
            let deadline = (oldestPendingAt ?? Date()).addingTimeInterval(
                Double(configuration.flushIntervalMilliseconds) / 1000
            )
            let due = wantFlush || closing || reopenRequested || pending.count >= configuration.eagerFlushBytes
                || Date() >= deadline
            if !due {
                _ = condition.wait(until: deadline)
                continue
            }
            var batch: [UInt8] = []
            swap(&batch, &pending)
            let events = pendingEvents
            pendingEvents = 0
            oldestPendingAt = nil
            let reopenNow = reopenRequested
            reopenRequested = false
            let ticket = flushRequested
            condition.unlock()

            if reopenNow { reopenOutput() }
            let failed = writeAll(batch, events: events)

            condition.lock()
            if failed {
                // Keep the bytes, in order, ahead of anything that arrived meanwhile; retry later.
                pending = batch + pending
                pendingEvents += events
                oldestPendingAt = Date()
                if closing { break }
                _ = condition.wait(until: Date().addingTimeInterval(Double(configuration.flushIntervalMilliseconds) / 1000))
            } else {
                flushCompleted = max(flushCompleted, ticket)
                condition.broadcast()
            }
        }
        if !pending.isEmpty {
            metrics.dropped.increment(by: Int64(pendingEvents))
            logger.error(
                "sink could not write its last events at shutdown",
                metadata: ["sink": "\(name)", "events": "\(pendingEvents)"]
            )
        }
        closed = true
        writerExited = true
        if case .file = configuration.target { _ = Glibc.close(fd) }
        condition.broadcast()
        condition.unlock()
    }

    /// Writes the whole batch, retrying short writes and EINTR. Returns true on failure.
    private func writeAll(_ batch: [UInt8], events: Int) -> Bool {
        let failedErrno: Int32? = batch.withUnsafeBytes { raw in
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
        if let failedErrno {
            metrics.writeErrors.increment()
            logger.error(
                "sink write failed; keeping the events and retrying",
                metadata: [
                    "sink": "\(name)", "error": "\(String(cString: strerror(failedErrno)))",
                    "pending_bytes": "\(batch.count)",
                ]
            )
            return true
        }
        metrics.written.increment(by: Int64(events))
        metrics.writtenBytes.increment(by: Int64(batch.count))
        return false
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
