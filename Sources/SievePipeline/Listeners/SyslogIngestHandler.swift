import Logging
import NIOConcurrencyHelpers
import NIOCore
import SieveConfig
import SieveSyslog

/// The end of a TCP connection's pipeline: frames in, events out to the routing table in force, batched per read
/// burst. A framing error closes this connection only. When a queue it feeds is full and its
/// cluster says `when_full: block`, the connection stops reading (autoRead off) until every such
/// queue has room: the sender's kernel buffer and then its own disk queue take the load.
final class SyslogIngestHandler: ChannelInboundHandler {
    typealias InboundIn = SyslogFrame

    private var batcher: EventBatcher
    private let metrics: ListenerMetrics
    private let logger: Logger
    private var peer = "-"
    private var senderAddress: [UInt8]?
    private var paused = false
    private var releaseTimer = TableRecordReleaseTimer()

    private let activity: ConnectionActivity?
    /// Shared by the listener's connections: a sender repeating a mistake cannot flood the log.
    private let warnings: ListenerWarnings

    /// The listener's `source_identity` and `relays`, for a TLS client certificate's names.
    private let sourceIdentity: SourceIdentity
    private let relays: [String: [String]]

    init(
        ingest: IngestContext, metrics: ListenerMetrics, activity: ConnectionActivity? = nil, logger: Logger,
        warnings: ListenerWarnings, sourceIdentity: SourceIdentity = .header, relays: [String: [String]] = [:]
    ) {
        self.sourceIdentity = sourceIdentity
        self.relays = relays
        self.activity = activity
        self.batcher = EventBatcher(ingest: ingest, blockable: true)
        self.metrics = metrics
        self.logger = logger
        self.warnings = warnings
    }

    /// The client certificate's names, once the TLS handshake completed (before any message).
    func clientCertificate(names: [String]) {
        guard let first = names.first else { return }
        let source = sourceIdentity == .certificate ? CertifiedSource(names: names, relays: relays) : nil
        batcher.peerIdentity = PeerIdentity(
            certificateName: first, source: source, mismatches: metrics, warnings: warnings)
    }

    func channelActive(context: ChannelHandlerContext) {
        notePeer(context)
        context.fireChannelActive()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { notePeer(context) }
    }

    private func notePeer(_ context: ChannelHandlerContext) {
        peer = context.remoteAddress.map(PeerName.of) ?? "-"
        senderAddress = context.remoteAddress.flatMap(PeerName.addressBytes)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .message(let message, let info):
            metrics.frames.increment()
            if info.oversizeTruncated { metrics.oversizeTruncated.increment() }
            batcher.add(
                message: message, peer: peer, senderAddress: senderAddress, oversizeTruncated: info.oversizeTruncated
            )
        case .oversizeDropped(let length, _):
            metrics.frames.increment()
            metrics.oversizeDropped.increment()
            warnings.oversize.warning(
                "dropped an oversize message (oversize: drop)",
                metadata: ["peer": "\(peer)", "bytes": "\(length)"]
            )
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        batcher.flush()
        pauseIfFull(context: context)
        armReleaseTimer(context: context)
        context.fireChannelReadComplete()
    }

    /// Table records whose statement has not come go out once their time is up, even when the
    /// connection has fallen quiet.
    private func armReleaseTimer(context: ChannelHandlerContext) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        releaseTimer.arm(deadline: batcher.tableRecordDeadline, on: context.eventLoop) {
            let (handler, context) = bound.value
            handler.releaseTimer.fired()
            if handler.batcher.releaseExpiredTableRecords() {
                handler.batcher.flush()
                handler.pauseIfFull(context: context)
            }
            handler.armReleaseTimer(context: context)
        }
    }

    /// Stops reading while any queue this connection fed is full; resumes when all have room.
    private func pauseIfFull(context: ChannelHandlerContext) {
        let full = batcher.takePressured()
        guard !full.isEmpty, !paused else { return }
        paused = true
        activity?.paused.store(true, ordering: .relaxed)
        metrics.pauses.increment()
        try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: false)
        let waiting = NIOLockedValueBox(full.count)
        let resume = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        for queue in full {
            queue.whenRelieved {
                guard
                    waiting.withLockedValue({
                        $0 -= 1
                        return $0 == 0
                    })
                else { return }
                resume.eventLoop.execute {
                    let (handler, context) = resume.value
                    handler.paused = false
                    handler.activity?.paused.store(false, ordering: .relaxed)
                    try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: true)
                }
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        releaseTimer.cancel()
        batcher.releaseAllTableRecords()
        batcher.flush()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        batcher.releaseAllTableRecords()
        batcher.flush()
        if let framing = error as? SyslogFramingError {
            metrics.frameTooLarge.increment()
            warnings.framing.warning(
                "closing connection: \(framing)", metadata: ["peer": "\(peer)", "reason": "\(framing.code)"]
            )
        } else {
            metrics.connectionErrors.increment()
            logger.info("closing connection after an error", metadata: ["peer": "\(peer)", "error": "\(error)"])
        }
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension SyslogIngestHandler: Sendable {}
