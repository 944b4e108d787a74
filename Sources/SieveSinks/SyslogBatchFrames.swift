import NIOCore
import SieveEvent

/// The buffers a `SyslogSink` encodes each batch into, reused from batch to batch (no
/// allocation, and no fresh pages to fault in, once they have grown to a batch's size). One
/// frame per event, all in one buffer, so the batch is a single write.
struct SyslogBatchFrames: Sendable {
    /// A batch goes out in pieces of about this many bytes (whole frames): what a failed or cut
    /// write can send twice on retry.
    static let chunkBytes = 64 << 10

    /// Where each piece of the last encoded batch ends in the buffer, and how many events the
    /// pieces up to it hold (see `SyslogConnection.write`).
    private(set) var chunkEnds: [Int] = []
    private var eventsAtChunkEnd: [Int] = []
    private var scratch: [UInt8] = []
    private var frameBuffer = ByteBuffer()

    /// The frames of `batch`, with one header for the whole batch. The previous batch's write
    /// must have completed (the sink waits for it), so the buffer's storage is ours alone again
    /// and `clear()` keeps it.
    mutating func encode(_ batch: EventBatch, with encoder: SyslogFrameEncoder) -> ByteBuffer {
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
        frameBuffer.clear()
        frameBuffer.writeBytes(scratch)
        return frameBuffer
    }

    /// How many events the first `pieces` pieces of the last batch hold.
    func events(inPieces pieces: Int) -> Int {
        pieces == 0 ? 0 : eventsAtChunkEnd[pieces - 1]
    }
}
