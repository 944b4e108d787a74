import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import SieveEvent
import SieveSinkConfig
import SieveSyslog
import Synchronization

/// Forwards events over RELP (`type: relp`): one session to the receiver (rsyslog's `imrelp`,
/// another auditsieve), each event one `syslog` frame, at most `window` of them unanswered.
/// `deliver` returns once the receiver answered every frame of the batch "200 OK": only then do
/// the events leave their queue. A failure (no connection, a refusal, no answer within
/// `write_timeout_ms`, the receiver's `serverclose`) ends the session and reports the events
/// answered from the batch's start (`SinkError.deliveredEvents`); the rest is sent again on the
/// next session: at least once, duplicates bounded by the window. Blocking sockets on the
/// delivery thread (`BlockingTCPConnection`); the frames are parsed by the listener's decoder.
public final class RELPSink: EventSink, @unchecked Sendable {
    public let name: String
    public let encoding: EventEncoding
    public var gatherMilliseconds: Int { 0 }
    public let metrics: SinkMetrics
    private let configuration: RELPSinkConfiguration
    private let encoder: SyslogFrameEncoder
    private let logger: Logger
    /// Held for a whole delivery: one session, one batch at a time.
    private let lock = NIOLock()
    private let stopped = Atomic<Bool>(false)
    /// The session (under `lock`).
    private var connection: BlockingTCPConnection?
    private var nextTxnr = 1
    /// What the receiver sent and was not read as a frame yet.
    private var received = ByteBuffer()
    private var decoder = RELPFrameDecoder(maxFrameBytes: 1 << 20)
    private var backoff: ReconnectBackoff
    private var retryAt = 0

    public init(configuration: RELPSinkConfiguration, logger: Logger, metricsFactory: any MetricsFactory) {
        self.name = configuration.name
        self.encoding = configuration.encoding
        self.configuration = configuration
        self.encoder = SyslogFrameEncoder(
            header: configuration.header, framing: .octetCounted,
            hostname: configuration.hostname ?? SyslogSink.machineHostname())
        self.logger = logger
        self.backoff = ReconnectBackoff(maximumMilliseconds: configuration.reconnectMaxMilliseconds)
        self.metrics = SinkMetrics(
            sink: configuration.name, errorCodes: [.connectFailed, .peerGone, .writeFailed, .writeTimeout],
            factory: metricsFactory)
        metrics.up.record(0)
    }

    public func deliver(_ batch: EventBatch) throws(SinkError) {
        lock.lock()
        defer { lock.unlock() }
        try deliverLocked(batch)
    }

    private func deliverLocked(_ batch: EventBatch) throws(SinkError) {
        guard !stopped.load(ordering: .relaxed) else {
            throw SinkError(.closed, sink: name, reason: "the sink is closed", retryAfterMilliseconds: 0)
        }
        let session = try openSession()
        var answered = [Bool](repeating: false, count: batch.count)
        var answeredPrefix = 0
        let firstTxnr = nextTxnr
        do throws(BlockingTCPConnection.Failure) {
            let header = encoder.header(at: .now())
            var out: [UInt8] = []
            out.reserveCapacity(64 << 10)
            var unanswered = 0
            for index in 0..<batch.count {
                appendFrame(batch.event(index), header: header, into: &out)
                unanswered += 1
                let last = index == batch.count - 1
                if out.count >= 64 << 10 || unanswered >= configuration.window || last {
                    try session.writeAll(
                        out, timeoutMilliseconds: configuration.writeTimeoutMilliseconds, stop: isStopped)
                    metrics.writtenBytes.increment(by: Int64(out.count))
                    out.removeAll(keepingCapacity: true)
                }
                // A full window is drained to half before more is written: writes of many frames
                // at a time, not one write and one read per answer.
                let drainTo = last ? 0 : (unanswered >= configuration.window ? configuration.window / 2 : unanswered)
                while unanswered > drainTo {
                    unanswered -= try readAnswer(
                        session, firstTxnr: firstTxnr, answered: &answered, prefix: &answeredPrefix)
                }
            }
        } catch {
            throw fail(error, delivered: answeredPrefix)
        }
        backoff.reset()
        metrics.up.record(1)
    }

    /// One frame: `TXNR syslog LEN HEADER+EVENT LF` (the event's own trailing LF dropped).
    private func appendFrame(_ event: ArraySlice<UInt8>, header: [UInt8], into out: inout [UInt8]) {
        var payload = event
        while payload.last == 0x0A || payload.last == 0x0D { payload = payload.dropLast() }
        out.append(contentsOf: "\(nextTxnr) syslog \(header.count + payload.count) ".utf8)
        out.append(contentsOf: header)
        out.append(contentsOf: payload)
        out.append(0x0A)
        nextTxnr = nextTxnr == 999_999_999 ? 1 : nextTxnr + 1
    }

    /// Reads the receiver's next answer: 1 when it answers a frame of this batch not answered
    /// before, else 0. A refusal (`500`) or `serverclose` ends the session.
    private func readAnswer(
        _ session: BlockingTCPConnection, firstTxnr: Int, answered: inout [Bool], prefix: inout Int
    ) throws(BlockingTCPConnection.Failure) -> Int {
        let frame = try nextFrame(session)
        switch frame.command {
        case .rsp:
            guard frame.data.readableBytesView.starts(with: "200".utf8) else {
                throw .refused("the receiver refused frame \(frame.txnr): \(String(buffer: frame.data))")
            }
            var index = frame.txnr - firstTxnr
            if index < 0 { index += 999_999_999 }
            guard index >= 0 && index < answered.count && !answered[index] else { return 0 }
            answered[index] = true
            while prefix < answered.count && answered[prefix] { prefix += 1 }
            return 1
        case .serverclose:
            throw .closedByPeer
        default:
            throw .io("the receiver sent \(frame.command)")
        }
    }

    /// The receiver's next frame, read from the socket only when no whole frame is buffered;
    /// waits up to `write_timeout_ms` for it.
    private func nextFrame(_ session: BlockingTCPConnection) throws(BlockingTCPConnection.Failure) -> RELPFrame {
        let deadline = BlockingTCPConnection.deadline(after: configuration.writeTimeoutMilliseconds)
        while true {
            do {
                if let frame = try decoder.decode(buffer: &received) { return frame }
            } catch {
                throw .io("the receiver's answer is not RELP: \(error)")
            }
            try session.readSome(into: &received, deadline: deadline, stop: isStopped)
        }
    }

    /// The session, opened (connect, `open`, its answer) unless one is open or the backoff says wait.
    private func openSession() throws(SinkError) -> BlockingTCPConnection {
        if let connection { return connection }
        let now = BlockingTCPConnection.deadline(after: 0)
        if now < retryAt {
            throw SinkError(
                .backingOff, sink: name, reason: "reconnecting to \(configuration.host):\(configuration.port)",
                retryAfterMilliseconds: retryAt - now)
        }
        do throws(BlockingTCPConnection.Failure) {
            let session = try BlockingTCPConnection.connect(
                host: configuration.host, port: configuration.port,
                timeoutMilliseconds: configuration.connectTimeoutMilliseconds, stop: isStopped)
            received.clear()
            let open = Array("1 open \(RELPResponse.offers.utf8.count) \(RELPResponse.offers)\n".utf8)
            try session.writeAll(open, timeoutMilliseconds: configuration.writeTimeoutMilliseconds, stop: isStopped)
            nextTxnr = 2
            let frame = try nextFrame(session)
            let answer = String(buffer: frame.data)
            guard frame.command == .rsp, frame.txnr == 1, answer.hasPrefix("200"), answer.contains("syslog") else {
                throw .refused("the receiver refused the RELP session: \(answer)")
            }
            connection = session
            metrics.connects.increment()
            logger.info(
                "RELP session open",
                metadata: ["sink": "\(name)", "peer": "\(configuration.host):\(configuration.port)"])
            return session
        } catch {
            throw fail(error, delivered: 0, connecting: true)
        }
    }

    private func fail(_ failure: BlockingTCPConnection.Failure, delivered: Int, connecting: Bool = false) -> SinkError {
        connection?.close()
        connection = nil
        metrics.up.record(0)
        let delay = backoff.nextDelay()
        retryAt = BlockingTCPConnection.deadline(after: delay)
        let error: SinkError
        switch failure {
        case .stopped:
            return SinkError(
                .closed, sink: name, reason: "the sink is closed", retryAfterMilliseconds: 0,
                deliveredEvents: delivered)
        case .connect(let reason):
            error = SinkError(.connectFailed, sink: name, reason: reason, retryAfterMilliseconds: delay)
        case .timeout:
            error = SinkError(
                .writeTimeout, sink: name,
                reason: "no answer within \(configuration.writeTimeoutMilliseconds) ms",
                retryAfterMilliseconds: delay, deliveredEvents: delivered)
        case .closedByPeer:
            error = SinkError(
                connecting ? .connectFailed : .peerGone, sink: name, reason: "the receiver closed the session",
                retryAfterMilliseconds: delay, deliveredEvents: delivered)
        case .io(let reason), .refused(let reason):
            error = SinkError(
                connecting ? .connectFailed : .writeFailed, sink: name, reason: reason,
                retryAfterMilliseconds: delay, deliveredEvents: delivered)
        }
        metrics.countWriteError(error.code)
        return error
    }

    private func isStopped() -> Bool { stopped.load(ordering: .relaxed) }

    public func reopen() {}

    public func close() {
        stopped.store(true, ordering: .relaxed)
        lock.withLock {
            connection?.close()
            connection = nil
        }
        metrics.up.record(0)
    }
}
