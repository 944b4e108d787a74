import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Splits a syslog TCP byte stream into messages, choosing the RFC 6587 framing afresh for every frame
/// (rules in ``SyslogFrameStart``):
///
///     | 9 <14>a b\n<1 | 4>c d\r\n\r\n11 <14>e f\r\n |   →   | <14>a b | <14>c d | <14>e f |
///
/// Guarantees:
/// - An octet-counted frame is exactly LEN bytes after `LEN SP`; an LF or CRLF ending those bytes is not
///   part of the message. A count that lies frames wrongly but consumes exactly LEN bytes, and the next
///   frame is detected afresh.
/// - An LF frame ends at LF; a CR right before the LF is not part of the message. Empty messages (empty
///   lines, octet frames holding only a line end) are skipped.
/// - A message longer than `maxMessageBytes` is, under `truncate`, emitted as its first `maxMessageBytes`
///   bytes (`oversizeTruncated`) as soon as it is known to be longer: for an LF frame once one more byte
///   that is neither CR nor LF has arrived, for an octet-counted frame of LEN > `maxMessageBytes + 2` once
///   `maxMessageBytes` bytes have (a frame at most two bytes longer is read whole first: its end may be
///   the CRLF that is not part of the message).
///   Under `drop` it is reported once as `.oversizeDropped` (length: LEN for octet-counted frames, the bytes
///   before the line end for LF frames). Either way the rest of the frame is skipped and never read as a
///   message, and the decoder never holds more than `maxMessageBytes + 2` bytes of one frame.
/// - An octet count above `maxFrameBytes`, or of more than ten digits, throws
///   ``SyslogFramingError/frameTooLarge(count:limit:)``: the caller closes the connection.
/// - At close, a partial frame is emitted with `incomplete: true` (a partial `LEN` header as an LF frame);
///   bytes being skipped are not, though a dropped LF frame cut by the close is still reported.
///
/// Messages are slices of the input buffer: framing copies nothing, and a drip-fed frame is scanned once.
public final class SyslogFrameDecoder: ByteToMessageDecoder, NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = SyslogFrame

    private enum State {
        /// Between frames: the next bytes decide the framing.
        case frameStart
        /// In an LF frame, searched for LF up to `lastScanOffset`.
        case lineFrame
        /// After `LEN SP`, waiting for the message.
        case octetFrame(length: Int)
        /// Skipping the rest of an oversize octet-counted frame.
        case skippingOctets(remaining: Int)
        /// Skipping an oversize LF frame up to its LF; `dropped` when it is to be reported at the end.
        case skippingLine(dropped: DroppedLine?)
    }

    /// How much of a dropped LF frame has gone by.
    private struct DroppedLine {
        var length: Int
        var endsInCarriageReturn: Bool
    }

    private enum Step {
        case emit(SyslogFrame)
        case proceed
        case needMoreData
    }

    private let framing: SyslogFraming
    private let maxMessageBytes: Int
    private let oversize: OversizePolicy
    private let maxFrameBytes: Int
    private var state = State.frameStart
    /// How far past the reader index the current LF frame has been searched, so that a drip-fed line is
    /// scanned once.
    private var lastScanOffset = 0

    /// A `maxMessageBytes` below 1 is taken as 1.
    public init(_ configuration: SyslogFramerConfiguration) {
        self.framing = configuration.framing
        self.maxMessageBytes = max(1, configuration.maxMessageBytes)
        self.oversize = configuration.oversize
        self.maxFrameBytes = configuration.maxFrameBytes
    }

    /// The longest LF frame (message, CR, LF) that is read whole before it is known to be oversize.
    private var lineWindow: Int { self.maxMessageBytes + 2 }

    public func decode(buffer: inout ByteBuffer) throws -> SyslogFrame? {
        while true {
            let step: Step
            switch self.state {
            case .frameStart: step = try self.startFrame(&buffer)
            case .lineFrame: step = self.decodeLine(&buffer)
            case .octetFrame(let length): step = self.decodeOctetFrame(length: length, &buffer)
            case .skippingOctets(let remaining): step = self.skipOctets(remaining: remaining, &buffer)
            case .skippingLine(let dropped): step = self.skipLine(dropped: dropped, &buffer)
            }
            switch step {
            case .emit(let frame): return frame
            case .proceed: continue
            case .needMoreData: return nil
            }
        }
    }

    public func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> SyslogFrame? {
        if let frame = try self.decode(buffer: &buffer) {
            return frame
        }
        let state = self.state
        self.state = .frameStart
        self.lastScanOffset = 0
        switch state {
        case .frameStart, .lineFrame:
            let length = buffer.readableBytes
            return self.takeFrame(&buffer, messageBytes: length, frameBytes: length, framing: .lf, incomplete: true)
        case .octetFrame(let length):
            return self.takeFrame(
                &buffer, messageBytes: buffer.readableBytes, frameBytes: buffer.readableBytes,
                framing: .octetCounted, reportedLength: length, incomplete: true
            )
        case .skippingOctets, .skippingLine(dropped: nil):
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            return nil
        case .skippingLine(let dropped?):
            return .oversizeDropped(length: dropped.length, framing: .lf)
        }
    }

    private func startFrame(_ buffer: inout ByteBuffer) throws -> Step {
        switch SyslogFrameStart.detect(in: buffer, framing: self.framing) {
        case .needMoreBytes:
            return .needMoreData
        case .lineFrame:
            self.state = .lineFrame
            self.lastScanOffset = 0
            return .proceed
        case .octetCounted(let length, let headerBytes):
            guard length <= self.maxFrameBytes else {
                throw SyslogFramingError.frameTooLarge(count: length, limit: self.maxFrameBytes)
            }
            buffer.moveReaderIndex(forwardBy: headerBytes)
            self.state = .octetFrame(length: length)
            return .proceed
        case .tooLarge(let count):
            throw SyslogFramingError.frameTooLarge(count: count, limit: self.maxFrameBytes)
        }
    }

    private func decodeLine(_ buffer: inout ByteBuffer) -> Step {
        // Bytes read with `getInteger`, not through a `readableBytesView` (which retains the
        // buffer's storage: a reference count per frame).
        let start = buffer.readerIndex
        let window = min(buffer.readableBytes, self.lineWindow)
        if let lineBytes = Self.offsetOfLineFeed(in: buffer, from: self.lastScanOffset, to: window) {
            let endsInCarriageReturn =
                lineBytes > 0 && buffer.getInteger(at: start + lineBytes - 1, as: UInt8.self) == ASCII.carriageReturn
            self.state = .frameStart
            self.lastScanOffset = 0
            let frame = self.takeFrame(
                &buffer, messageBytes: endsInCarriageReturn ? lineBytes - 1 : lineBytes, frameBytes: lineBytes + 1,
                framing: .lf
            )
            return frame.map(Step.emit) ?? .proceed
        }
        // Without an LF, the message is known to be oversize once `maxMessageBytes + 1` bytes have arrived
        // and the last of them is no CR (or once that CR is not followed by LF).
        let oversizeKnown =
            window == self.lineWindow
            || (window > self.maxMessageBytes
                && buffer.getInteger(at: start + self.maxMessageBytes, as: UInt8.self) != ASCII.carriageReturn)
        guard oversizeKnown else {
            self.lastScanOffset = window
            return .needMoreData
        }
        self.lastScanOffset = 0
        switch self.oversize {
        case .truncate:
            let message = buffer.readSlice(length: self.maxMessageBytes)!
            self.state = .skippingLine(dropped: nil)
            return .emit(.message(message, SyslogFrameInfo(framing: .lf, oversizeTruncated: true)))
        case .drop:
            let endsInCarriageReturn = buffer.getInteger(at: start + window - 1, as: UInt8.self) == ASCII.carriageReturn
            buffer.moveReaderIndex(forwardBy: window)
            self.state = .skippingLine(
                dropped: DroppedLine(length: window, endsInCarriageReturn: endsInCarriageReturn)
            )
            return .proceed
        }
    }

    /// The offset of the first LF in the readable bytes `[from, to)`, found with `memchr` (wide
    /// steps over the message's plain bytes, not a byte-by-byte walk of the buffer view).
    private static func offsetOfLineFeed(in buffer: ByteBuffer, from start: Int, to end: Int) -> Int? {
        guard end > start else { return nil }
        return buffer.withUnsafeReadableBytes { bytes -> Int? in
            guard let base = bytes.baseAddress, let hit = memchr(base + start, Int32(ASCII.lineFeed), end - start)
            else {
                return nil
            }
            return base.distance(to: UnsafeRawPointer(hit))
        }
    }

    private func decodeOctetFrame(length: Int, _ buffer: inout ByteBuffer) -> Step {
        if length <= self.lineWindow {
            guard buffer.readableBytes >= length else {
                return .needMoreData
            }
            let view = buffer.readableBytesView
            var messageBytes = length
            if messageBytes > 0, view[view.startIndex + messageBytes - 1] == ASCII.lineFeed {
                messageBytes -= 1
                if messageBytes > 0, view[view.startIndex + messageBytes - 1] == ASCII.carriageReturn {
                    messageBytes -= 1
                }
            }
            self.state = .frameStart
            let frame = self.takeFrame(
                &buffer, messageBytes: messageBytes, frameBytes: length, framing: .octetCounted,
                reportedLength: length
            )
            return frame.map(Step.emit) ?? .proceed
        }
        switch self.oversize {
        case .truncate:
            guard let message = buffer.readSlice(length: self.maxMessageBytes) else {
                return .needMoreData
            }
            self.state = .skippingOctets(remaining: length - self.maxMessageBytes)
            return .emit(.message(message, SyslogFrameInfo(framing: .octetCounted, oversizeTruncated: true)))
        case .drop:
            self.state = .skippingOctets(remaining: length)
            return .emit(.oversizeDropped(length: length, framing: .octetCounted))
        }
    }

    private func skipOctets(remaining: Int, _ buffer: inout ByteBuffer) -> Step {
        let skipped = min(remaining, buffer.readableBytes)
        buffer.moveReaderIndex(forwardBy: skipped)
        guard skipped == remaining else {
            self.state = .skippingOctets(remaining: remaining - skipped)
            return .needMoreData
        }
        self.state = .frameStart
        return .proceed
    }

    private func skipLine(dropped: DroppedLine?, _ buffer: inout ByteBuffer) -> Step {
        let view = buffer.readableBytesView
        let lineFeed = view.firstIndex(of: ASCII.lineFeed)
        let skipped = (lineFeed ?? view.endIndex) - view.startIndex
        var dropped = dropped
        if skipped > 0 {
            dropped?.length += skipped
            dropped?.endsInCarriageReturn = view[view.startIndex + skipped - 1] == ASCII.carriageReturn
        }
        guard lineFeed != nil else {
            buffer.moveReaderIndex(forwardBy: skipped)
            self.state = .skippingLine(dropped: dropped)
            return .needMoreData
        }
        buffer.moveReaderIndex(forwardBy: skipped + 1)
        self.state = .frameStart
        guard let dropped else {
            return .proceed
        }
        let length = dropped.endsInCarriageReturn ? dropped.length - 1 : dropped.length
        return .emit(.oversizeDropped(length: length, framing: .lf))
    }

    /// Consumes a frame of `frameBytes` bytes whose message is its first `messageBytes`, and returns the
    /// message, cut or dropped when oversize; `nil` when the message is empty.
    private func takeFrame(
        _ buffer: inout ByteBuffer, messageBytes: Int, frameBytes: Int, framing: SyslogFraming,
        reportedLength: Int? = nil, incomplete: Bool = false
    ) -> SyslogFrame? {
        defer { buffer.moveReaderIndex(forwardBy: frameBytes) }
        guard messageBytes > 0 else {
            return nil
        }
        guard messageBytes > self.maxMessageBytes else {
            let message = buffer.getSlice(at: buffer.readerIndex, length: messageBytes)!
            return .message(message, SyslogFrameInfo(framing: framing, incomplete: incomplete))
        }
        switch self.oversize {
        case .truncate:
            let message = buffer.getSlice(at: buffer.readerIndex, length: self.maxMessageBytes)!
            return .message(
                message, SyslogFrameInfo(framing: framing, oversizeTruncated: true, incomplete: incomplete)
            )
        case .drop:
            return .oversizeDropped(length: reportedLength ?? messageBytes, framing: framing)
        }
    }
}

@available(*, unavailable)
extension SyslogFrameDecoder: Sendable {}
