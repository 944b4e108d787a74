import NIOCore

/// Splits a RELP byte stream into frames (`TXNR SP COMMAND SP DATALEN [SP DATA] LF`; DATA is
/// present exactly when DATALEN > 0). The header is at most 9 + 1 + 32 + 1 + 9 + 1 bytes; a frame
/// is emitted once all of it is in, as a slice of the input (nothing is copied). Anything that
/// does not follow the grammar throws `RELPFramingError`: unlike syslog there is no resynchronising
/// in RELP, and the sender re-sends every unacknowledged frame on its next session.
public struct RELPFrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = RELPFrame

    /// The longest header: a 9-digit TXNR, a 32-letter command, a 9-digit DATALEN, their spaces.
    static let maxHeaderBytes = 9 + 1 + 32 + 1 + 9 + 1

    /// DATALEN above this throws `frameTooLarge`.
    public let maxFrameBytes: Int

    public init(maxFrameBytes: Int) {
        self.maxFrameBytes = maxFrameBytes
    }

    /// The header read so far: where DATA starts and how long it is, or nil when more is needed.
    private struct Header {
        var txnr: Int
        var command: RELPCommand
        var dataLength: Int
        /// Bytes from the frame's start to its DATA (or to its trailer when DATALEN is 0).
        var length: Int
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> RELPFrame? {
        guard let header = try readHeader(buffer) else { return nil }
        let total = header.length + header.dataLength + 1
        guard buffer.readableBytes >= total else { return nil }
        let start = buffer.readerIndex
        guard buffer.getInteger(at: start + total - 1, as: UInt8.self) == UInt8(ascii: "\n") else {
            throw RELPFramingError.malformed(
                "frame \(header.txnr) is not ended by LF after its \(header.dataLength) bytes")
        }
        let data = buffer.getSlice(at: start + header.length, length: header.dataLength) ?? ByteBuffer()
        buffer.moveReaderIndex(forwardBy: total)
        return RELPFrame(txnr: header.txnr, command: header.command, data: data)
    }

    /// At the end of the stream a partial frame is dropped: it was never acknowledged, so the
    /// sender still holds it.
    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> RELPFrame? {
        if let frame = try decode(buffer: &buffer) { return frame }
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        return nil
    }

    private func readHeader(_ buffer: ByteBuffer) throws -> Header? {
        try buffer.withUnsafeReadableBytes { bytes throws(RELPFramingError) -> Header? in
            var index = 0
            guard let txnr = try Self.number(bytes, &index, what: "TXNR") else { return nil }
            guard try Self.space(bytes, &index, after: "TXNR") else { return nil }
            let commandStart = index
            while index < bytes.count, index - commandStart <= 32, Self.isLetter(bytes[index]) { index += 1 }
            if index == bytes.count {
                return index - commandStart > 32 ? try Self.fail("a command over 32 letters") : nil
            }
            guard index > commandStart, index - commandStart <= 32 else {
                return try Self.fail(index == commandStart ? "a frame without a command" : "a command over 32 letters")
            }
            let command = RELPCommand.recognise(UnsafeRawBufferPointer(rebasing: bytes[commandStart..<index]))
            guard try Self.space(bytes, &index, after: "the command") else { return nil }
            guard let length = try Self.number(bytes, &index, what: "DATALEN") else { return nil }
            if length > maxFrameBytes { throw .frameTooLarge(count: length, limit: maxFrameBytes) }
            if length > 0 {
                guard try Self.space(bytes, &index, after: "DATALEN") else { return nil }
            }
            return Header(txnr: txnr, command: command, dataLength: length, length: index)
        }
    }

    /// Up to nine digits ended by a non-digit; nil when the buffer ends first.
    private static func number(_ bytes: UnsafeRawBufferPointer, _ index: inout Int, what: String)
        throws(RELPFramingError) -> Int?
    {
        var value = 0
        let start = index
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            guard index - start < 9 else { return try fail("\(what) has more than nine digits") }
            value = value * 10 + Int(bytes[index] &- UInt8(ascii: "0"))
            index += 1
        }
        if index == bytes.count { return nil }
        if index == start { return try fail("\(what) is not a number") }
        return value
    }

    /// One SP; false when the buffer ends first.
    private static func space(_ bytes: UnsafeRawBufferPointer, _ index: inout Int, after what: String)
        throws(RELPFramingError) -> Bool
    {
        guard index < bytes.count else { return false }
        guard bytes[index] == UInt8(ascii: " ") else { return try fail("no space after \(what)") }
        index += 1
        return true
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }

    private static func fail<T>(_ problem: String) throws(RELPFramingError) -> T {
        throw .malformed(problem)
    }
}
