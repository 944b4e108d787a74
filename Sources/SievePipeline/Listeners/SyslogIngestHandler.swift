import Logging
import NIOCore
import SieveConfig
import SieveDelivery
import SieveSyslog

/// The end of a TCP connection's pipeline: frames in, events out to the routing table in force, batched per read
/// burst. A framing error closes this connection only. When a queue it feeds is full and its
/// cluster says `when_full: block`, the connection stops reading (autoRead off) until every such
/// queue has room: the sender's kernel buffer and then its own disk queue take the load.
///
/// Frames are read a burst at a time (what one wake-up of the event loop brought). When no other
/// event loop is busy and a helper thread is free, every other burst is read on the helper by a
/// second batcher while the event loop reads the next one itself; the helper's burst is handed
/// over first, so events reach their queues in the order they came (docs/ARCHITECTURE.md).
final class SyslogIngestHandler: ChannelInboundHandler {
    /// The frames of one read (`SyslogFramingHandler`).
    typealias InboundIn = [SyslogFrame]

    /// A burst is read once it holds this many frames, without waiting for its end.
    static let maxBurstFrames = 512

    private var batcher: EventBatcher
    private let ingest: IngestContext
    private let helpers: BurstHelpers
    /// The frames of the current read burst.
    private var frames: [EventBatcher.BurstFrame] = []
    /// The second batcher, made at the first burst handed to a helper.
    private var helperBurst: HelperBurst?
    /// Set while `helperBurst` reads a burst on a helper thread.
    private var helperTicket: BurstTicket?
    /// Queues the helper's last burst found full.
    private var helperPressured: [DeliveryQueue] = []
    /// This connection counts in `BurstHelpers`' busy event loops: from a burst's first frame to
    /// the end of its reading (a loop framing a burst has no core to spare either).
    private var countedBusy = false
    /// A burst was read on the event loop: the connection's format is known (the first burst is
    /// always read here, so a source with table records never has a burst on a helper).
    private var readOneBurst = false
    private let metrics: ListenerMetrics
    private let logger: Logger
    private var origin = ConnectionPeer()
    private let pause: ReadPause
    private var releaseTimer = TableRecordReleaseTimer()

    private let activity: ConnectionActivity?
    /// Shared by the listener's connections: a sender repeating a mistake cannot flood the log.
    private let warnings: ListenerWarnings

    /// The listener's `source_identity` and `relays`, for a TLS client certificate's names.
    private let sourceIdentity: SourceIdentity
    private let relays: [String: [String]]

    init(
        ingest: IngestContext, metrics: ListenerMetrics, activity: ConnectionActivity? = nil, logger: Logger,
        warnings: ListenerWarnings, sourceIdentity: SourceIdentity = .header, relays: [String: [String]] = [:],
        helpers: BurstHelpers = .shared
    ) {
        self.ingest = ingest
        self.helpers = helpers
        self.sourceIdentity = sourceIdentity
        self.relays = relays
        self.activity = activity
        self.batcher = EventBatcher(ingest: ingest, blockable: true)
        self.metrics = metrics
        self.logger = logger
        self.warnings = warnings
        self.pause = ReadPause(activity: activity, metrics: metrics)
    }

    /// The client certificate's names, once the TLS handshake completed (before any message).
    func clientCertificate(names: [String]) {
        guard
            let identity = PeerIdentity.of(
                names: names, sourceIdentity: sourceIdentity, relays: relays, metrics: metrics, warnings: warnings)
        else { return }
        batcher.peerIdentity = identity
        helperBurst?.batcher.peerIdentity = batcher.peerIdentity
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
        for frame in read {
            switch frame {
            case .message(let message, let info):
                if info.oversizeTruncated { metrics.oversizeTruncated.increment() }
                if frames.isEmpty { markBusy(true) }
                frames.append((message, info.oversizeTruncated))
                if frames.count >= Self.maxBurstFrames { readBurst(context: context) }
            case .oversizeDropped(let length, _):
                metrics.oversizeDropped.increment()
                warnings.oversize.warning(
                    "dropped an oversize message (oversize: drop)",
                    metadata: ["peer": "\(origin.name)", "bytes": "\(length)"]
                )
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        readBurst(context: context)
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
            handler.settleHelper()
            if handler.batcher.releaseExpiredTableRecords() {
                handler.batcher.flush()
                handler.pauseIfFull(context: context)
            }
            handler.armReleaseTimer(context: context)
        }
    }

    /// Stops reading while any queue this connection fed is full; resumes when all have room.
    private func pauseIfFull(context: ChannelHandlerContext) {
        var full = batcher.takePressured()
        for queue in helperPressured where !full.contains(where: { $0 === queue }) { full.append(queue) }
        helperPressured.removeAll()
        pause.pause(for: full, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        releaseTimer.cancel()
        readBurst(context: context)
        markBusy(false)
        settleHelper()
        batcher.releaseAllTableRecords()
        batcher.flush()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        readBurst(context: context)
        settleHelper()
        batcher.releaseAllTableRecords()
        batcher.flush()
        if let framing = error as? SyslogFramingError {
            metrics.frameTooLarge.increment()
            warnings.framing.warning(
                "closing connection: \(framing)", metadata: ["peer": "\(origin.name)", "reason": "\(framing.code)"]
            )
        } else {
            metrics.connectionErrors.increment()
            logger.info("closing connection after an error", metadata: ["peer": "\(origin.name)", "error": "\(error)"])
        }
        context.close(promise: nil)
    }
}

extension SyslogIngestHandler {
    /// Reads the current burst: on a helper when that is worth it (see the type's comment),
    /// otherwise here, and then hands it over after the helper's burst, if one is running.
    private func readBurst(context: ChannelHandlerContext) {
        guard !frames.isEmpty else {
            if helperTicket == nil { batcher.flush() }
            return
        }
        defer { markBusy(false) }
        if helperTicket == nil, frames.count >= BurstHelpers.minimumMessages, mayShareBursts {
            let burst = helperBurst ?? makeHelperBurst()
            swap(&burst.frames, &frames)
            burst.peer = origin.name
            burst.senderAddress = origin.address
            // A queue the helper's burst finds full pauses the connection as soon as it is done,
            // not only at the next burst.
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let work: @Sendable () -> Void = {
                burst.run()
                guard burst.batcher.hasPressured else { return }
                bound.eventLoop.execute {
                    let (handler, context) = bound.value
                    handler.settleHelper()
                    handler.pauseIfFull(context: context)
                }
            }
            if let ticket = helpers.start(work) {
                helperTicket = ticket
                metrics.burstsOnHelper.increment()
                return
            }
            swap(&burst.frames, &frames)
        }
        // Events read here come after the helper's: none is handed over before it finished.
        batcher.holdsBatch = helperTicket != nil
        batcher.add(frames, peer: origin.name, senderAddress: origin.address)
        frames.removeAll(keepingCapacity: true)
        batcher.holdsBatch = false
        readOneBurst = true
        metrics.burstsOnEventLoop.increment()
        settleHelper()
        batcher.flush()
    }

    /// Bursts may be read out of sequence (and handed over in it) unless the connection sends a
    /// format with table records, which the joiner must see in one sequence.
    private var mayShareBursts: Bool {
        helpers.threads > 0 && readOneBurst && !batcher.sawTableRecordFormat
            && helperBurst?.batcher.sawTableRecordFormat != true
    }

    private func markBusy(_ busy: Bool) {
        guard busy != countedBusy else { return }
        countedBusy = busy
        helpers.loopBusy(busy)
    }

    private func makeHelperBurst() -> HelperBurst {
        var second = EventBatcher(ingest: ingest, blockable: true)
        second.peerIdentity = batcher.peerIdentity
        let burst = HelperBurst(batcher: second)
        helperBurst = burst
        return burst
    }

    /// Waits for the burst running on a helper, if any (its events are then in their queues).
    private func settleHelper() {
        guard let ticket = helperTicket, let burst = helperBurst else { return }
        ticket.wait()
        helperTicket = nil
        helperPressured += burst.batcher.takePressured()
    }
}

@available(*, unavailable)
extension SyslogIngestHandler: Sendable {}
