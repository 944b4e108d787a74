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
    private var received: [UInt8] = []
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
        var firstTxnr = nextTxnr
        do {
            let header = encoder.header(at: .now())
            var out: [UInt8] = []
            out.reserveCapacity(64 << 10)
            var unanswered = 0
            for index in 0..<batch.count {
                if index == 0 { firstTxnr = nextTxnr }
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
                if unanswered >= configuration.window && !last {
                    while unanswered > configuration.window / 2 {
                        unanswered -= try readAnswers(
                            session, firstTxnr: firstTxnr, answered: &answered, prefix: &answeredPrefix)
                    }
                }
            }
            while unanswered > 0 {
                unanswered -= try readAnswers(
                    session, firstTxnr: firstTxnr, answered: &answered, prefix: &answeredPrefix)
            }
        } catch let failure as BlockingTCPConnection.Failure {
            throw fail(failure, delivered: answeredPrefix)
        } catch let error as SinkError {
            connection?.close()
            connection = nil
            metrics.up.record(0)
            retryAt = BlockingTCPConnection.deadline(after: error.retryAfterMilliseconds)
            metrics.countWriteError(error.code)
            throw error
        } catch {
            throw fail(.io("\(error)"), delivered: answeredPrefix)
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

    /// Reads answers until at least one came; returns how many frames of the batch were answered.
    private func readAnswers(
        _ session: BlockingTCPConnection, firstTxnr: Int, answered: inout [Bool], prefix: inout Int
    ) throws -> Int {
        let deadline = BlockingTCPConnection.deadline(after: configuration.writeTimeoutMilliseconds)
        var count = 0
        while count == 0 {
            try session.readSome(into: &received, deadline: deadline, stop: isStopped)
            var buffer = ByteBuffer(bytes: received)
            var decoder = RELPFrameDecoder(maxFrameBytes: 1 << 20)
            while let frame = try decoder.decode(buffer: &buffer) {
                switch frame.command {
                case .rsp:
                    let data = String(buffer: frame.data)
                    guard data.hasPrefix("200") else {
                        throw SinkError(
                            .writeFailed, sink: name, reason: "the receiver refused frame \(frame.txnr): \(data)",
                            retryAfterMilliseconds: backoff.nextDelay(), deliveredEvents: prefix)
                    }
                    var index = frame.txnr - firstTxnr
                    if index < 0 { index += 999_999_999 }
                    if index >= 0 && index < answered.count && !answered[index] {
                        answered[index] = true
                        count += 1
                        while prefix < answered.count && answered[prefix] { prefix += 1 }
                    }
                case .serverclose:
                    throw BlockingTCPConnection.Failure.closedByPeer
                default:
                    throw BlockingTCPConnection.Failure.io("the receiver sent \(frame.command)")
                }
            }
            received.removeFirst(received.count - buffer.readableBytes)
        }
        return count
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
        do {
            let session = try BlockingTCPConnection.connect(
                host: configuration.host, port: configuration.port,
                timeoutMilliseconds: configuration.connectTimeoutMilliseconds, stop: isStopped)
            received.removeAll()
            nextTxnr = 1
            var open: [UInt8] = []
            let offers = "relp_version=0\nrelp_software=auditsieve\ncommands=syslog"
            open.append(contentsOf: "1 open \(offers.utf8.count) \(offers)\n".utf8)
            try session.writeAll(open, timeoutMilliseconds: configuration.writeTimeoutMilliseconds, stop: isStopped)
            nextTxnr = 2
            let deadline = BlockingTCPConnection.deadline(after: configuration.writeTimeoutMilliseconds)
            while true {
                try session.readSome(into: &received, deadline: deadline, stop: isStopped)
                var buffer = ByteBuffer(bytes: received)
                var decoder = RELPFrameDecoder(maxFrameBytes: 1 << 20)
                guard let frame = try? decoder.decode(buffer: &buffer) else { continue }
                received.removeFirst(received.count - buffer.readableBytes)
                let answer = String(buffer: frame.data)
                guard frame.command == .rsp, frame.txnr == 1, answer.hasPrefix("200"),
                    answer.contains("syslog")
                else {
                    throw BlockingTCPConnection.Failure.connect("the receiver refused the RELP session: \(answer)")
                }
                break
            }
            connection = session
            metrics.connects.increment()
            logger.info(
                "RELP session open",
                metadata: ["sink": "\(name)", "peer": "\(configuration.host):\(configuration.port)"])
            return session
        } catch let failure as BlockingTCPConnection.Failure {
            throw fail(failure, delivered: 0, connecting: true)
        } catch {
            throw fail(.io("\(error)"), delivered: 0, connecting: true)
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
        case .io(let reason):
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
