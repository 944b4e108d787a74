import Logging
import NIOCore
import SieveConfig
import SieveDelivery
import SieveSyslog

/// The end of a RELP connection's pipeline (`listeners: - protocol: relp`): answers `open` with
/// this server's offers, reads each `syslog` frame's message like a TCP listener's (same batcher,
/// same rules and queues), and acknowledges it ("200 OK") only once it is safe by its queues'
/// durability (`DeliveryQueue.whenSafe`: spooled with `durability: disk`, queued with `memory`);
/// a filtered or dropped message is acknowledged at once, in frame order (`RELPAnswers`).
/// `close` is answered after every earlier answer, then the connection closes; a listener that
/// stops sends `serverclose` first. A frame the decoder cannot read closes the connection: the
/// client re-sends what was not acknowledged on its next session (at least once).
final class RELPSessionHandler: ChannelDuplexHandler {
    typealias InboundIn = [RELPFrame]
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// A burst is read once it holds this many messages, without waiting for its end.
    static let maxBurstFrames = 512
    /// Past this many answers owed, reading stops until half of them went out (librelp's client
    /// keeps at most its window, 128 by default, unanswered: only a client ignoring its own
    /// window gets here).
    static let maxOwed = 16_384

    private var batcher: EventBatcher
    private let metrics: ListenerMetrics
    private let logger: Logger
    private let warnings: ListenerWarnings
    private let framer: SyslogFramerConfiguration
    private let pause: ReadPause
    private var answers = RELPAnswers()
    private var frames: [EventBatcher.BurstFrame] = []
    private var opened = false
    /// `close` came: later frames are ignored, the connection closes after its answer.
    private var closing = false
    private var origin = ConnectionPeer()
    private var releaseTimer = TableRecordReleaseTimer()

    /// The listener's `source_identity` and `relays`, for a TLS client certificate's names.
    private let sourceIdentity: SourceIdentity
    private let relays: [String: [String]]

    init(
        ingest: IngestContext, metrics: ListenerMetrics, activity: ConnectionActivity?, logger: Logger,
        warnings: ListenerWarnings, framer: SyslogFramerConfiguration, sourceIdentity: SourceIdentity = .header,
        relays: [String: [String]] = [:]
    ) {
        self.sourceIdentity = sourceIdentity
        self.relays = relays
        var batcher = EventBatcher(ingest: ingest, blockable: true)
        batcher.collectsMarks = true
        self.batcher = batcher
        self.metrics = metrics
        self.logger = logger
        self.warnings = warnings
        self.framer = framer
        self.pause = ReadPause(activity: activity, metrics: metrics)
    }

    /// The client certificate's names, once the TLS handshake completed (before any message).
    func clientCertificate(names: [String]) {
        guard
            let identity = PeerIdentity.of(
                names: names, sourceIdentity: sourceIdentity, relays: relays, metrics: metrics, warnings: warnings)
        else { return }
        batcher.peerIdentity = identity
    }

    func channelActive(context: ChannelHandlerContext) {
        origin.note(context)
        context.fireChannelActive()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { origin.note(context) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let read = unwrapInboundIn(data)
        metrics.frames.increment(by: Int64(read.count))
        for frame in read where !closing {
            switch frame.command {
            case .syslog:
                guard opened else { return protocolError("a syslog frame before open", context: context) }
                answers.oweSyslog(txnr: frame.txnr)
                add(frame.data, context: context)
            case .open:
                guard !opened else {
                    answers.owe(.refused(txnr: frame.txnr, text: "session already open"))
                    continue
                }
                guard Self.offersSyslog(frame.data) else {
                    answers.owe(.refused(txnr: frame.txnr, text: "this server needs the syslog command"))
                    closing = true
                    continue
                }
                opened = true
                answers.owe(.opened(txnr: frame.txnr))
            case .close:
                readBurst(context: context)
                answers.owe(.closed(txnr: frame.txnr))
                closing = true
            case .rsp, .serverclose:
                return protocolError("a client sent \(frame.command)", context: context)
            case .other:
                answers.owe(.refused(txnr: frame.txnr, text: "command not supported"))
            }
        }
    }

    /// A `syslog` frame's message, as the TCP listener's framer would hand it on: the line end
    /// rsyslog's templates put at its end is not part of it; over `max_message_bytes` it is cut
    /// (`oversize: truncate`) or dropped and counted (`drop`; its answer is still "200 OK": it
    /// was read, and sending it again would not change its size).
    private func add(_ data: ByteBuffer, context: ChannelHandlerContext) {
        var message = data
        if message.readableBytes > 0, message.getInteger(at: message.writerIndex - 1, as: UInt8.self) == 0x0A {
            message.moveWriterIndex(to: message.writerIndex - 1)
            if message.readableBytes > 0, message.getInteger(at: message.writerIndex - 1, as: UInt8.self) == 0x0D {
                message.moveWriterIndex(to: message.writerIndex - 1)
            }
        }
        guard message.readableBytes > 0 else { return }
        var truncated = false
        if message.readableBytes > framer.maxMessageBytes {
            guard framer.oversize == .truncate else {
                metrics.oversizeDropped.increment()
                warnings.oversize.warning(
                    "dropped an oversize message (oversize: drop)",
                    metadata: ["peer": "\(origin.name)", "bytes": "\(message.readableBytes)"])
                return
            }
            message.moveWriterIndex(to: message.readerIndex + framer.maxMessageBytes)
            metrics.oversizeTruncated.increment()
            truncated = true
        }
        frames.append((message, truncated))
        if frames.count >= Self.maxBurstFrames { readBurst(context: context) }
    }

    /// The client's `open` offers `commands=…` with `syslog` among them.
    static func offersSyslog(_ offers: ByteBuffer) -> Bool {
        let text = String(decoding: offers.readableBytesView, as: UTF8.self)
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) where line.hasPrefix("commands=") {
            return line.dropFirst("commands=".count).split(separator: ",").contains { $0 == "syslog" }
        }
        return false
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        readBurst(context: context)
        pause.pause(for: batcher.takePressured(), context: context)
        armReleaseTimer(context: context)
        sendReady(context: context)
        context.fireChannelReadComplete()
    }

    /// Hands the burst's messages to the batcher and its batches to the queues, then closes the
    /// burst's gate over the marks they got (unless the joiner holds table records: see `RELPAnswers`).
    private func readBurst(context: ChannelHandlerContext) {
        if !frames.isEmpty {
            batcher.add(frames, peer: origin.name, senderAddress: origin.address)
            frames.removeAll(keepingCapacity: true)
        }
        batcher.flush()
        closeGate(context: context)
    }

    private func closeGate(context: ChannelHandlerContext) {
        // Until the gate closes, the batcher keeps collecting marks (the highest per queue).
        guard answers.isCollecting, batcher.tableRecordDeadline == nil else { return }
        let marks = batcher.takeMarks()
        guard let gate = answers.close(waitingFor: marks.count) else { return }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        for (queue, mark) in marks {
            queue.whenSafe(through: mark) {
                bound.eventLoop.execute {
                    let (handler, context) = bound.value
                    handler.answers.markSafe(gate: gate)
                    handler.sendReady(context: context)
                }
            }
        }
    }

    /// Writes the answers that may go now; closes the connection after the answer to `close`.
    private func sendReady(context: ChannelHandlerContext) {
        let ready = answers.takeReady()
        if answers.owed > Self.maxOwed {
            holdingForWindow = true
        } else if answers.owed <= Self.maxOwed / 2 {
            holdingForWindow = false
        }
        pause.hold(holdingForWindow, context: context)
        guard !ready.isEmpty, context.channel.isActive else { return }
        var buffer = context.channel.allocator.buffer(capacity: ready.count * 16)
        var closeAfter = false
        for answer in ready {
            switch answer {
            case .ok(let txnr):
                RELPResponse.write(txnr: txnr, code: 200, text: "OK", into: &buffer)
            case .opened(let txnr):
                RELPResponse.write(txnr: txnr, code: 200, text: "OK", extra: RELPResponse.offers, into: &buffer)
            case .refused(let txnr, let text):
                RELPResponse.write(txnr: txnr, code: 500, text: text, into: &buffer)
            case .closed(let txnr):
                RELPResponse.writeCloseAnswer(txnr: txnr, into: &buffer)
                closeAfter = true
            }
        }
        if closeAfter || (closing && answers.owed == 0) {
            context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in context.close(promise: nil) }
        } else {
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        }
    }

    /// Reading stopped because too many answers are owed, until half of them went out.
    private var holdingForWindow = false

    /// Table records whose statement has not come go out once their time is up.
    private func armReleaseTimer(context: ChannelHandlerContext) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        releaseTimer.arm(deadline: batcher.tableRecordDeadline, on: context.eventLoop) {
            let (handler, context) = bound.value
            handler.releaseTimer.fired()
            if handler.batcher.releaseExpiredTableRecords() {
                handler.batcher.flush()
                handler.pause.pause(for: handler.batcher.takePressured(), context: context)
            }
            handler.closeGate(context: context)
            handler.sendReady(context: context)
            handler.armReleaseTimer(context: context)
        }
    }

    /// A listener that stops says `serverclose` before the connection closes.
    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode == .all, context.channel.isActive, opened, !closing {
            var buffer = context.channel.allocator.buffer(capacity: 16)
            RELPResponse.writeServerClose(into: &buffer)
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        }
        context.close(mode: mode, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        releaseTimer.cancel()
        // What was read is delivered even though it can no longer be acknowledged: the client
        // sends it again (a duplicate, never a loss).
        if !frames.isEmpty {
            batcher.add(frames, peer: origin.name, senderAddress: origin.address)
            frames.removeAll()
        }
        batcher.releaseAllTableRecords()
        batcher.flush()
        context.fireChannelInactive()
    }

    private func protocolError(_ problem: String, context: ChannelHandlerContext) {
        metrics.connectionErrors.increment()
        warnings.framing.warning(
            "closing RELP connection: \(problem)", metadata: ["peer": "\(origin.name)", "reason": "relp_protocol"])
        readBurst(context: context)
        closing = true
        context.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        readBurst(context: context)
        batcher.releaseAllTableRecords()
        batcher.flush()
        if let framing = error as? RELPFramingError {
            if case .frameTooLarge = framing {
                metrics.frameTooLarge.increment()
            } else {
                metrics.connectionErrors.increment()
            }
            warnings.framing.warning(
                "closing RELP connection: \(framing)",
                metadata: ["peer": "\(origin.name)", "reason": "\(framing.code)"])
        } else {
            metrics.connectionErrors.increment()
            logger.info("closing connection after an error", metadata: ["peer": "\(origin.name)", "error": "\(error)"])
        }
        closing = true
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension RELPSessionHandler: Sendable {}
