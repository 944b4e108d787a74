import NIOCore

/// A connection's second batcher and the burst it reads on a helper thread. Only one thread
/// touches it at a time: the helper between `BurstHelpers.start` and `BurstTicket.finish`, the
/// connection's event loop otherwise (after `BurstTicket.wait`).
final class HelperBurst: @unchecked Sendable {
    var batcher: EventBatcher
    var frames: [EventBatcher.BurstFrame] = []
    var peer = "-"
    var senderAddress: [UInt8]?

    init(batcher: EventBatcher) {
        self.batcher = batcher
    }

    /// Reads the burst and hands its events to their queues (it is the connection's earliest
    /// burst not handed over yet).
    func run() {
        batcher.add(frames, peer: peer, senderAddress: senderAddress)
        frames.removeAll(keepingCapacity: true)
        // The first table record of a connection can come in a helper's burst; later bursts are
        // read on the event loop, so what this batcher holds goes out now, alone.
        batcher.releaseAllTableRecords()
        batcher.flush()
    }
}
