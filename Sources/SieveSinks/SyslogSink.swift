import Dispatch
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import SieveEvent

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Forwards events to a syslog receiver over one TCP (or TLS) connection, one frame per event.
///
/// `deliver` returns once every frame of the batch is in the kernel's socket buffer. That is not
/// receipt: plain syslog has no acknowledgement, so what the kernel took is lost if the peer dies
/// before reading it. What the sink does guarantee is that it never writes into a connection it
/// knows is dead: the connection's last handler watches for the peer's FIN, RST or TLS alert, and
/// a batch after that goes out on a new connection. A write the peer does not take within
/// `writeTimeoutMilliseconds` closes the connection and throws; the queue sends the whole batch
/// again later, so frames of a failed batch may arrive twice (at least once).
///
/// Connections are made on the first delivery and again after a failure, no sooner than
/// `ReconnectBackoff` allows: while it waits, `deliver` throws at once with the time left. With
/// `keepConnected()` (the server calls it) the sink also connects in the background at once and
/// whenever its connection ends, so `auditsieve_sink_up` tells whether the downstream is reachable
/// even while no events come.
public final class SyslogSink: EventSink, @unchecked Sendable {
    public let name: String
    public let encoding: EventEncoding
    public var gatherMilliseconds: Int { 0 }
    private let configuration: SyslogSinkConfiguration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let metrics: SinkMetrics
    private let encoder: SyslogFrameEncoder
    private let tls: (context: NIOSSLContext, serverHostname: String?)?
    private let waiter = BlockingWaiter()

    /// Serialises deliveries; held while one waits on the network.
    private let deliveryLock = NIOLock()
    // Guarded by `deliveryLock`.
    private var backoff: ReconnectBackoff
    private var retryNotBefore: NIODeadline?
    /// nil before the first delivery, then whether the last one succeeded: logs transitions only.
    private var isUp: Bool?
    /// When the current connection was made (for the probe's short-lived check).
    private var connectedAt: NIODeadline?
    /// `encodeFrames`' buffers, reused.
    private var scratch: [UInt8] = []
    private var frameBuffer = ByteBuffer()
    /// Where each piece of the last encoded batch ends in `frameBuffer`, and how many events the
    /// pieces up to it hold (see `SyslogConnection.write`).
    private var chunkEnds: [Int] = []
    private var eventsAtChunkEnd: [Int] = []

    /// A batch goes out in pieces of about this many bytes (whole frames): what a failed or cut
    /// write can send twice on retry.
    static let chunkBytes = 64 << 10
    /// TLS 1.3 ends the client's handshake before the server has checked the client's
    /// certificate, so a server that refuses us says so just after our first write, which is then
    /// lost. Until a connection has shown that the server accepts us, wait briefly before writing.
    private var mustProveAcceptance = true

    /// Guards `closed` and `connection`; never held while waiting, so `close()` returns at once.
    private let stateLock = NIOLock()
    private var closed = false
    private var connection: SyslogConnection?
    private var keepingConnected = false
    private var pendingProbe: Scheduled<Void>?

    /// A connection the peer ends sooner than this after it was made counts as a failed connect.
    private static let shortLivedMilliseconds = 1000

    /// How long a new TLS connection is watched for a refusal before the first write.
    private static let acceptanceProbeMilliseconds = 500

    public init(
        configuration: SyslogSinkConfiguration, group: any EventLoopGroup, logger: Logger, metricsFactory: any MetricsFactory
    ) throws(SinkTLSError) {
        self.name = configuration.name
        self.encoding = configuration.encoding
        self.configuration = configuration
        self.group = group
        self.logger = logger
        self.metrics = SinkMetrics(sink: configuration.name, factory: metricsFactory)
        self.encoder = SyslogFrameEncoder(
            header: configuration.header, framing: configuration.framing,
            hostname: configuration.hostname ?? Self.machineHostname()
        )
        if let tls = configuration.tls {
            let context = try tls.makeClientContext(sink: configuration.name)
            self.tls = (context, tls.serverHostname(connectingTo: configuration.host))
        } else {
            self.tls = nil
        }
        self.backoff = ReconnectBackoff(maximumMilliseconds: configuration.reconnectMaxMilliseconds)
        // Not known to be reachable until a connection is made.
        metrics.up.record(0)
    }

    /// Connects now in the background, and again (after the backoff) whenever the connection
    /// fails or ends, until `close()`: `sink_up` then reflects the downstream with or without
    /// traffic, and the first event does not wait for a connection.
    public func keepConnected() {
        let start = stateLock.withLock { () -> Bool in
            defer { keepingConnected = true }
            return !keepingConnected && !closed
        }
        if start { scheduleProbe(afterMilliseconds: 0) }
    }

    /// Schedules the next background probe, unless one is pending already or the sink is closed.
    private func scheduleProbe(afterMilliseconds delay: Int) {
        stateLock.withLock {
            guard !closed, pendingProbe == nil else { return }
            // The probe blocks on the network: never on an event loop.
            pendingProbe = group.next().scheduleTask(in: .milliseconds(Int64(delay))) {
                DispatchQueue.global().async { self.probe() }
            }
        }
    }

    /// One background connection attempt (skipped while a connection is open); on failure the
    /// next one follows the reconnect backoff. A connection that ends within
    /// `shortLivedMilliseconds` of being made counts as a failure (a peer that accepts and
    /// closes at once), and `sink_up` turns 1 only once a connection has lasted that long or
    /// taken a batch, so such a peer is reported down and retried with backoff, not every 100 ms.
    private func probe() {
        deliveryLock.lock()
        defer { deliveryLock.unlock() }
        let (isClosed, current) = stateLock.withLock { () -> (Bool, SyslogConnection?) in
            pendingProbe = nil
            return (closed, connection)
        }
        guard !isClosed else { return }
        let age = connectedAt.map { Int((NIODeadline.now() - $0).nanoseconds / 1_000_000) } ?? .max
        if let current {
            if current.endReason == nil {
                // Open and alive: up once it has lasted, else look again when it will have.
                if age >= Self.shortLivedMilliseconds {
                    markUp("syslog sink connected")
                } else {
                    scheduleProbe(afterMilliseconds: Self.shortLivedMilliseconds - age)
                }
                return
            }
            discard(current)
            if age < Self.shortLivedMilliseconds {
                markDown(.connectFailed("the peer closed the connection \(age) ms after it was made"))
                return
            }
        }
        if let retryNotBefore {
            let remaining = Int((retryNotBefore - .now()).nanoseconds / 1_000_000)
            if remaining > 0 {
                scheduleProbe(afterMilliseconds: remaining)
                return
            }
        }
        do throws(SyslogLinkError) {
            _ = try connect()
            retryNotBefore = nil
            scheduleProbe(afterMilliseconds: Self.shortLivedMilliseconds)
        } catch {
            if case .closed = error { return }
            markDown(error)
        }
    }

    /// Reachable: `sink_up` 1, logged on the transition only (deliveryLock held). The backoff is
    /// reset by a delivered batch only.
    private func markUp(_ message: Logger.Message) {
        guard isUp != true else { return }
        metrics.up.record(1)
        logger.info(message, metadata: metadata([:]))
        isUp = true
    }

    /// Not reachable: the next attempt waits for the backoff; `sink_up` 0 and `warning` logged on
    /// the transition only (deliveryLock held). Returns the delay and whether this was the transition.
    private func backOff(_ error: SyslogLinkError, warning: Logger.Message) -> (delay: Int, wentDown: Bool) {
        let delay = backoff.nextDelay()
        retryNotBefore = .now() + .milliseconds(Int64(delay))
        guard isUp != false else { return (delay, false) }
        metrics.up.record(0)
        logger.warning(warning, metadata: metadata(["error": "\(error)"]))
        isUp = false
        return (delay, true)
    }

    /// Probe result: not reachable; probed again after the backoff.
    private func markDown(_ error: SyslogLinkError) {
        let (delay, _) = backOff(error, warning: "syslog sink cannot connect; it retries, and its queues keep the events")
        scheduleProbe(afterMilliseconds: delay)
    }

    public func deliver(_ batch: EventBatch) throws(SinkUnavailable) {
        guard !batch.isEmpty else { return }
        deliveryLock.lock()
        defer { deliveryLock.unlock() }
        if stateLock.withLock({ closed }) { throw unavailable(.closed, retryAfterMilliseconds: 1000) }
        if let retryNotBefore {
            let remaining = (retryNotBefore - .now()).nanoseconds / 1_000_000
            if remaining > 0 { throw unavailable(.backingOff, retryAfterMilliseconds: Int(remaining)) }
        }
        // Encoded only when it will be sent (not on every retry while backing off).
        let frames = encodeFrames(batch)
        let written = NIOLockedValueBox(0)
        var used: SyslogConnection?
        do throws(SyslogLinkError) {
            try send(frames, written: written, on: &used)
        } catch {
            // A delivery that `close()` cut short fails as closed, whatever the channel said.
            let stopped = stateLock.withLock { closed }
            var failure = failed(stopped ? .closed : error)
            if stopped || error.isClosed, let used {
                // We closed the connection ourselves: the kernel still sends what it took, then
                // the FIN. The pieces it took whole count as delivered (a stop resends at most one
                // piece), read once the close is done so none can complete after the count.
                used.close()
                used.waitUntilClosed(milliseconds: 2000)
                let pieces = written.withLockedValue { $0 }
                failure.deliveredEvents = pieces == 0 ? 0 : eventsAtChunkEnd[pieces - 1]
            }
            // A write error (RST, EPIPE) or a timeout leaves unknown what reached the receiver: the
            // kernel drops its unsent bytes on a reset, and a receiver that stopped reading may
            // never read them. The whole batch is sent again (at least once: it may arrive twice).
            throw failure
        }
        succeeded(byteCount: frames.readableBytes)
    }

    /// Nothing to reopen: a connection is made again whenever one fails, and changed settings
    /// (TLS files included) come with a new sink on reload.
    public func reopen() {}

    public func close() {
        let current: SyslogConnection? = stateLock.withLock {
            closed = true
            pendingProbe?.cancel()
            pendingProbe = nil
            defer { connection = nil }
            return connection
        }
        waiter.interrupt()
        current?.close()
        // `sink_up` is left as it is: a reload's replacement sink of the same name shares it.
    }

    /// One frame per event, all in one buffer, so the batch is a single write. Under
    /// `deliveryLock`: both buffers are reused from batch to batch (no allocation, and no fresh
    /// pages to fault in, once they have grown to a batch's size).
    private func encodeFrames(_ batch: EventBatch) -> ByteBuffer {
        scratch.removeAll(keepingCapacity: true)
        scratch.reserveCapacity(batch.byteCount + batch.count * 96)
        chunkEnds.removeAll(keepingCapacity: true)
        eventsAtChunkEnd.removeAll(keepingCapacity: true)
        let header = encoder.header(at: EventTime.now())
        var pieceStart = 0
        for index in 0..<batch.count {
            encoder.encode(batch.event(index), header: header, into: &scratch)
            if scratch.count - pieceStart >= Self.chunkBytes || index == batch.count - 1 {
                chunkEnds.append(scratch.count)
                eventsAtChunkEnd.append(index + 1)
                pieceStart = scratch.count
            }
        }
        // The previous batch's write has completed (deliver waits for it), so the buffer's
        // storage is ours alone again and `clear()` keeps it.
        frameBuffer.clear()
        frameBuffer.writeBytes(scratch)
        return frameBuffer
    }

    /// Writes on the open connection, or on a new one if there is none or the peer left it.
    /// `written` counts the pieces the kernel took.
    private func send(_ frames: ByteBuffer, written: NIOLockedValueBox<Int>, on used: inout SyslogConnection?) throws(SyslogLinkError) {
        var (connection, isNew) = try currentConnection()
        while true {
            used = connection
            let write = connection.write(frames, chunkEnds: chunkEnds, written: written)
            switch waiter.wait(for: write, milliseconds: configuration.writeTimeoutMilliseconds) {
            case .success:
                return
            case .failure(SyslogLinkError.peerGone(let reason)) where !isNew:
                // Nothing was written: the peer left an idle connection. Write on a new one now.
                discard(connection)
                logger.debug("syslog peer closed the connection; reconnecting", metadata: metadata(["reason": "\(reason)"]))
                (connection, isNew) = (try connect(), true)
            case .failure(let error):
                discard(connection)
                throw error as? SyslogLinkError ?? .writeFailed("\(error)")
            case .timedOut:
                discard(connection)
                throw .writeTimedOut(milliseconds: configuration.writeTimeoutMilliseconds)
            case .interrupted:
                throw .closed
            }
        }
    }

    private func currentConnection() throws(SyslogLinkError) -> (SyslogConnection, isNew: Bool) {
        if let open = stateLock.withLock({ connection }) { return (open, false) }
        return (try connect(), true)
    }

    private func connect() throws(SyslogLinkError) -> SyslogConnection {
        let timeout = configuration.connectTimeoutMilliseconds
        let future = SyslogConnection.open(
            host: configuration.host, port: configuration.port, group: group, tls: tls,
            timeout: .milliseconds(Int64(timeout))
        )
        let opened: SyslogConnection
        // The future settles within `timeout` on its own; the margin only covers a busy event loop.
        switch waiter.wait(for: future, milliseconds: timeout + 1000) {
        case .success(let connection):
            opened = connection
        case .failure(let error):
            throw error as? SyslogLinkError ?? .connectFailed("\(error)")
        case .timedOut:
            future.whenSuccess { $0.close() }
            throw .connectFailed("no connection within \(timeout) ms")
        case .interrupted:
            future.whenSuccess { $0.close() }
            throw .closed
        }
        if tls != nil && mustProveAcceptance { try proveAcceptance(opened) }
        let isClosed = stateLock.withLock {
            if !closed { connection = opened }
            return closed
        }
        if isClosed {
            opened.close()
            throw .closed
        }
        metrics.connects.increment()
        connectedAt = .now()
        logger.debug("syslog sink connected", metadata: metadata([:]))
        // Kept connected: when this connection ends (the peer left, or a failure discarded it),
        // connect again in the background.
        opened.channel.closeFuture.whenComplete { _ in
            let again = self.stateLock.withLock { self.keepingConnected && !self.closed }
            if again { self.scheduleProbe(afterMilliseconds: 100) }
        }
        return opened
    }

    /// Gives a new TLS connection a moment in which the server may refuse our certificate.
    private func proveAcceptance(_ opened: SyslogConnection) throws(SyslogLinkError) {
        switch waiter.wait(for: opened.channel.closeFuture, milliseconds: Self.acceptanceProbeMilliseconds) {
        case .timedOut:
            mustProveAcceptance = false
        case .success, .failure:
            throw .refused(opened.endReason ?? "connection closed")
        case .interrupted:
            opened.close()
            throw .closed
        }
    }

    /// Forgets a connection that failed; a TLS error on it means the server may refuse us, so the
    /// next one has to prove otherwise before it carries events.
    private func discard(_ failed: SyslogConnection) {
        failed.close()
        if failed.endedByTLSError { mustProveAcceptance = true }
        stateLock.withLock {
            if connection === failed { connection = nil }
        }
        if failed.discardedBytes > 0 {
            logger.debug("syslog peer sent bytes; dropped", metadata: metadata(["bytes": "\(failed.discardedBytes)"]))
        }
    }

    private func succeeded(byteCount: Int) {
        backoff.reset()
        retryNotBefore = nil
        metrics.writtenBytes.increment(by: Int64(byteCount))
        markUp(isUp == nil ? "syslog sink forwarding" : "syslog sink forwarding again")
    }

    /// Schedules the next attempt and logs the first failure of a run only.
    private func failed(_ error: SyslogLinkError) -> SinkUnavailable {
        if case .closed = error { return unavailable(error, retryAfterMilliseconds: 1000) }
        metrics.writeErrors.increment()
        let (delay, wentDown) = backOff(error, warning: "syslog sink cannot deliver; its queues keep the events and retry")
        if !wentDown {
            logger.debug(
                "syslog sink still cannot deliver", metadata: metadata(["error": "\(error)", "retry_ms": "\(delay)"])
            )
        }
        return unavailable(error, retryAfterMilliseconds: delay)
    }

    private func unavailable(_ error: SyslogLinkError, retryAfterMilliseconds: Int) -> SinkUnavailable {
        SinkUnavailable(sink: name, reason: error.description, retryAfterMilliseconds: retryAfterMilliseconds)
    }

    private func metadata(_ extra: Logger.Metadata) -> Logger.Metadata {
        extra.merging(["sink": "\(name)", "peer": "\(configuration.host):\(configuration.port)"]) { $1 }
    }

    private static func machineHostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
