import NIOCore
import SieveSyslog
import Testing

@Suite("Framing: size limits")
struct SyslogFrameDecoderLimitTests {
    /// Sixteen bytes, and a tail that looks like frames of its own.
    static let head = "<14>0123456789AB"
    static let tail = "\n3 <1>\n<14>x\n"

    @Test("truncate keeps the first maxMessageBytes of an LF frame; the rest is never a message")
    func truncateLine() throws {
        let input = Self.head + "12 <14>bogus\r\n" + "<14>next\n"
        #expect(
            try decodeFrames(input, framer(maxMessageBytes: 16)) == [
                message(Self.head, .lf, truncated: true), message("<14>next", .lf),
            ]
        )
    }

    @Test("truncate keeps the first maxMessageBytes of an octet-counted frame; the rest is never a message")
    func truncateOctets() throws {
        let input = octetFrame(Self.head + Self.tail) + "<14>next\n"
        #expect(
            try decodeFrames(input, framer(maxMessageBytes: 16)) == [
                message(Self.head, .octetCounted, truncated: true), message("<14>next", .lf),
            ]
        )
    }

    @Test("drop reports an LF frame once, with the bytes before its line end")
    func dropLine() throws {
        let input = Self.head + "12 <14>bogus\r\n" + "<14>" + String(repeating: "z", count: 100) + "\n<14>next\n"
        #expect(
            try decodeFrames(input, framer(maxMessageBytes: 16, oversize: .drop)) == [
                .oversizeDropped(length: 28, framing: .lf), .oversizeDropped(length: 104, framing: .lf),
                message("<14>next", .lf),
            ]
        )
    }

    @Test("drop reports an octet-counted frame once, with its count")
    func dropOctets() throws {
        let input = octetFrame(Self.head + Self.tail) + octetFrame("<14>next")
        #expect(
            try decodeFrames(input, framer(maxMessageBytes: 16, oversize: .drop)) == [
                .oversizeDropped(length: (Self.head + Self.tail).utf8.count, framing: .octetCounted),
                message("<14>next", .octetCounted),
            ]
        )
    }

    @Test("a message of exactly maxMessageBytes is whole, its line end not counted")
    func exactlyAtLimit() throws {
        let input = Self.head + "\r\n" + octetFrame(Self.head + "\r\n") + Self.head + "\n"
        for oversize in OversizePolicy.allCases {
            #expect(
                try decodeFrames(input, framer(maxMessageBytes: 16, oversize: oversize)) == [
                    message(Self.head, .lf), message(Self.head, .octetCounted), message(Self.head, .lf),
                ]
            )
        }
    }

    @Test("one byte over the limit is oversize")
    func oneOver() throws {
        let input = Self.head + "C\r\n" + octetFrame(Self.head + "C\n")
        #expect(
            try decodeFrames(input, framer(maxMessageBytes: 16)) == [
                message(Self.head, .lf, truncated: true), message(Self.head, .octetCounted, truncated: true),
            ]
        )
        #expect(
            try decodeFrames(input, framer(maxMessageBytes: 16, oversize: .drop)) == [
                .oversizeDropped(length: 17, framing: .lf), .oversizeDropped(length: 18, framing: .octetCounted),
            ]
        )
    }

    @Test("truncate emits as soon as the message is known to be too long, without waiting for its end")
    func truncateEarly() throws {
        for (input, framing) in [(Self.head + "C", SyslogFraming.lf), ("30 " + Self.head, .octetCounted)] {
            let processor = NIOSingleStepByteToMessageProcessor(SyslogFrameDecoder(framer(maxMessageBytes: 16)))
            var frames: [SyslogFrame] = []
            try processor.process(buffer: ByteBuffer(string: input)) { frames.append($0) }
            #expect(frames == [message(Self.head, framing, truncated: true)])
        }
    }

    @Test("a count of 2^40 closes the connection")
    func countOf2To40() {
        for framing in [SyslogFraming.auto, .octetCounted] {
            let result = decodeFrames([Array("<14>a\n1099511627776 <14>x\n".utf8)], framer(framing))
            #expect(result.frames == [message("<14>a", .lf)])
            #expect(result.error == .frameTooLarge(count: 1_099_511_627_776, limit: 64 * 1024 * 1024))
        }
    }

    @Test("a count of more than ten digits closes the connection, even when it fits the limit as a number")
    func elevenDigitCount() {
        let result = decodeFrames([Array("00000000001 <14>x\n10000000000 <14>x\n".utf8)], framer(maxFrameBytes: .max))
        #expect(result.frames == [message("00000000001 <14>x", .lf)])
        #expect(result.error == .frameTooLarge(count: 10_000_000_000, limit: .max))
    }

    @Test("a count above maxFrameBytes closes the connection")
    func countAboveLimit() {
        let result = decodeFrames([Array("1001 <14>x".utf8)], framer(maxFrameBytes: 1000))
        #expect(result.frames.isEmpty)
        #expect(result.error == .frameTooLarge(count: 1001, limit: 1000))
        #expect(
            decodeFrames(
                [Array(octetFrame("<14>" + String(repeating: "x", count: 996)).utf8)], framer(maxFrameBytes: 1000)
            ).error == nil)
    }

    @Test(
        "a 10 MB message with maxMessageBytes 256 KiB keeps the buffered bytes bounded",
        arguments: OversizePolicy.allCases)
    func tenMegabytes(oversize: OversizePolicy) throws {
        let limit = 256 * 1024
        let chunk = 64 * 1024
        let body = 10 * 1024 * 1024
        for framing in [SyslogFraming.lf, .octetCounted] {
            let processor = NIOSingleStepByteToMessageProcessor(
                SyslogFrameDecoder(framer(maxMessageBytes: limit, oversize: oversize)),
                maximumBufferSize: limit + chunk + 16
            )
            var frames: [SyslogFrame] = []
            var maxBuffered = 0
            try processor.process(buffer: ByteBuffer(string: framing == .lf ? "<14>" : "\(body + 4) <14>")) {
                frames.append($0)
            }
            let filler = ByteBuffer(repeating: UInt8(ascii: "a"), count: chunk)
            for _ in 0..<(body / chunk) {
                try processor.process(buffer: filler) { frames.append($0) }
                maxBuffered = max(maxBuffered, processor.unprocessedBytes)
            }
            try processor.process(buffer: ByteBuffer(string: framing == .lf ? "\n<14>next\n" : "<14>next\n")) {
                frames.append($0)
            }
            try processor.finishProcessing(seenEOF: true) { frames.append($0) }

            #expect(maxBuffered <= limit + 2)
            let dropped = SyslogFrame.oversizeDropped(length: body + 4, framing: framing)
            let kept = message("<14>" + String(repeating: "a", count: limit - 4), framing, truncated: true)
            #expect(frames == [oversize == .drop ? dropped : kept, message("<14>next", .lf)])
        }
    }
}
