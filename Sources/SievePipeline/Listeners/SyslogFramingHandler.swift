import NIOCore
import SieveSyslog

/// Drives a frame decoder (`SyslogFrameDecoder`, or `RELPFrameDecoder` on a RELP listener) over a TCP connection's bytes and reports the memory its
/// unfinished frame pins (the buffer's capacity) to the process-wide `FrameBufferBudget`. Instead of NIO's
/// `ByteToMessageHandler` because the budget must see the buffer: once no unfinished frame is
/// left the buffer is released (a connection that once sent a large frame does not keep its
/// storage while idle), and what stays is counted.
///
/// The frames of one read go on as one array (one trip through the pipeline per read, not per
/// frame: for ~450-byte records that trip cost about 4 % of the receiver's CPU).
final class SyslogFramingHandler<Decoder: NIOSingleStepByteToMessageDecoder>: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = [Decoder.InboundOut]

    private var decoder: Decoder
    private let activity: ConnectionActivity
    private let budget: FrameBufferBudget
    /// More than this left after decoding means the decoder broke its bound: an error.
    private let maximumBufferSize: Int
    private var buffer: ByteBuffer?
    /// Re-entrancy: a handler further on may close the channel while frames are being handed on.
    private var decoding = false
    private var finished = false

    init(decoder: Decoder, maximumBufferSize: Int, activity: ConnectionActivity, budget: FrameBufferBudget) {
        self.decoder = decoder
        self.maximumBufferSize = maximumBufferSize
        self.activity = activity
        self.budget = budget
    }

    func handlerAdded(context: ChannelHandlerContext) {
        budget.register(activity)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        buffer = nil
        budget.unregister(activity)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished else { return }
        var incoming = unwrapInboundIn(data)
        if var held = buffer, held.readableBytes > 0 {
            buffer = nil  // one owner while writing: no copy-on-write
            held.writeBuffer(&incoming)
            buffer = held
        } else {
            buffer = incoming
        }
        decode(context: context, last: false)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !decoding { decode(context: context, last: true) }
        finished = true
        budget.update(activity, to: 0)
        context.fireChannelInactive()
    }

    private func decode(context: ChannelHandlerContext, last: Bool) {
        guard !finished, var held = buffer else {
            if last, !finished { finishEmpty(context: context) }
            return
        }
        buffer = nil
        decoding = true
        defer { decoding = false }
        var frames: [Decoder.InboundOut] = []
        // Asked once: nothing is handed on while decoding, so nothing can close the channel meanwhile.
        let open = last || context.channel.isActive
        do {
            while open, let frame = try decoder.decode(buffer: &held) {
                frames.append(frame)
            }
            if last {
                var guardCount = 0
                while guardCount < 4, let frame = try decoder.decodeLast(buffer: &held, seenEOF: true) {
                    frames.append(frame)
                    guardCount += 1
                }
                held.moveReaderIndex(forwardBy: held.readableBytes)
            }
            if held.readableBytes > maximumBufferSize { throw ByteToMessageDecoderError.PayloadTooLargeError() }
        } catch {
            held.moveReaderIndex(forwardBy: held.readableBytes)
            keep(held)
            // The frames before the error are messages like any other.
            if !frames.isEmpty { context.fireChannelRead(wrapInboundOut(frames)) }
            context.fireErrorCaught(error)
            return
        }
        keep(held)
        if !frames.isEmpty { context.fireChannelRead(wrapInboundOut(frames)) }
    }

    /// The connection ended with nothing buffered: a decoder mid-skip may still report a drop.
    private func finishEmpty(context: ChannelHandlerContext) {
        var empty = ByteBuffer()
        if let frame = try? decoder.decodeLast(buffer: &empty, seenEOF: true) {
            context.fireChannelRead(wrapInboundOut([frame]))
        }
    }

    /// Keeps what is left of the buffer (nothing: the storage goes), and reports the memory it
    /// pins to the budget. A small remainder of a large buffer (the tail of a read burst, a
    /// large frame's storage) moves to a buffer of its own size, so an idle connection holding a
    /// few bytes of a frame does not pin a whole read buffer.
    private func keep(_ held: ByteBuffer) {
        var held = held
        if held.readableBytes == 0 {
            buffer = nil
        } else if held.capacity > max(16 << 10, 4 * held.readableBytes) {
            var compact = ByteBufferAllocator().buffer(capacity: held.readableBytes)
            compact.writeBuffer(&held)
            buffer = compact
        } else {
            if held.readerIndex > 0 && held.readerIndex >= held.readableBytes { held.discardReadBytes() }
            buffer = held
        }
        budget.update(activity, to: buffer?.capacity ?? 0)
    }
}

@available(*, unavailable)
extension SyslogFramingHandler: Sendable {}
