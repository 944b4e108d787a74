import NIOCore
import NIOEmbedded
import NIOTestUtils
import SieveSyslog
import Testing

@Suite("Framing: LF and octet-counted frames")
struct SyslogFrameDecoderTests {
    @Test("LF frames end at LF and lose a CR before it")
    func lfFrames() throws {
        #expect(
            try decodeFrames("<14>a one\n<14>b two\r\n<14>c \rthree\r\r\n") == [
                message("<14>a one", .lf), message("<14>b two", .lf), message("<14>c \rthree\r", .lf),
            ]
        )
    }

    @Test("empty lines between frames are skipped")
    func emptyLines() throws {
        #expect(try decodeFrames("\n\r\n<14>a\n\n\n\r\n<14>b\n\r\n") == [message("<14>a", .lf), message("<14>b", .lf)])
    }

    @Test("an octet-counted frame is exactly LEN bytes, LF or CRLF at its end stripped")
    func octetCountedFrames() throws {
        let input =
            octetFrame("<14>a multi\nline") + octetFrame("<14>b\n") + octetFrame("<14>c\r\n")
            + octetFrame("<14>d\n\n")
        #expect(
            try decodeFrames(input) == [
                message("<14>a multi\nline", .octetCounted), message("<14>b", .octetCounted),
                message("<14>c", .octetCounted), message("<14>d\n", .octetCounted),
            ]
        )
    }

    @Test("an octet count that lies skips exactly N bytes")
    func lyingCount() throws {
        // The first count is 3 short: its last 3 bytes start the next frame, which is then an LF frame.
        let input = "9 <14>hello! x\n" + octetFrame("<14>next")
        #expect(
            try decodeFrames(input) == [
                message("<14>hello", .octetCounted), message("! x", .lf), message("<14>next", .octetCounted),
            ]
        )
        // A count that is too long swallows the start of the next frame.
        #expect(try decodeFrames("10 <14>a\n<14>b\n") == [message("<14>a\n<14>", .octetCounted), message("b", .lf)])
    }

    @Test("LF messages that start with digits are LF frames")
    func digitLines() throws {
        let lines = [
            "2026-11-22 something", "123 abc", "12345678901 x", "1", "12 ", "5<14>x", "0 <14>x", "42 abc <14>",
        ]
        let input = lines.map { $0 + "\n" }.joined()
        #expect(try decodeFrames(input) == lines.map { message($0, .lf) })
    }

    @Test("both framings mix on one connection")
    func mixedFramings() throws {
        #expect(try decodeFrames(Self.mixedInput) == Self.mixedFrames)
    }

    @Test("lf framing never reads a count")
    func lfMode() throws {
        #expect(
            try decodeFrames("5 <14>abc\n" + octetFrame("<14>x\n"), framer(.lf)) == [
                message("5 <14>abc", .lf), message("6 <14>x", .lf),
            ]
        )
    }

    @Test("octet-counted framing needs no PRI and reads other frames as LF frames")
    func octetCountedMode() throws {
        #expect(
            try decodeFrames("5 hello<14>x\n2026-11-22 y\n\n" + octetFrame("<14>z"), framer(.octetCounted)) == [
                message("hello", .octetCounted), message("<14>x", .lf), message("2026-11-22 y", .lf),
                message("<14>z", .octetCounted),
            ]
        )
    }

    @Test("an octet frame holding only a line end is no message")
    func emptyOctetFrame() throws {
        #expect(try decodeFrames("1 \n2 \r\n3 abc", framer(.octetCounted)) == [message("abc", .octetCounted)])
    }

    @Test("the NIO decoder verifier accepts it: whole, drip-fed and many at once")
    func verifier() throws {
        let pairs: [(String, [SyslogFrame])] = [
            ("<14>a one\n", [message("<14>a one", .lf)]),
            ("<14>b two\r\n\r\n", [message("<14>b two", .lf)]),
            (octetFrame("<14>c three\n"), [message("<14>c three", .octetCounted)]),
            (
                octetFrame("<14>d\nfour") + "123 five\n",
                [message("<14>d\nfour", .octetCounted), message("123 five", .lf)]
            ),
            (
                "<14>" + String(repeating: "x", count: 40) + "\n",
                [message("<14>" + String(repeating: "x", count: 12), .lf, truncated: true)]
            ),
            (
                octetFrame("<14>" + String(repeating: "y", count: 40)),
                [.oversizeDropped(length: 44, framing: .octetCounted)]
            ),
        ]
        try ByteToMessageDecoderVerifier.verifyDecoder(stringInputOutputPairs: Array(pairs[0..<5])) {
            SyslogFrameDecoder(framer(maxMessageBytes: 16))
        }
        try ByteToMessageDecoderVerifier.verifyDecoder(stringInputOutputPairs: Array(pairs[0..<4] + pairs[5...])) {
            SyslogFrameDecoder(framer(maxMessageBytes: 16, oversize: .drop))
        }
    }

    @Test("in a channel pipeline, a frame cut by the close arrives marked incomplete")
    func embeddedChannel() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(SyslogFrameDecoder(framer())))
        try channel.writeInbound(ByteBuffer(string: "<14>a\n20 <14>b"))
        #expect(try channel.readInbound(as: SyslogFrame.self) == message("<14>a", .lf))
        #expect(try channel.readInbound(as: SyslogFrame.self) == nil)
        try channel.writeInbound(ByteBuffer(string: " partial"))
        _ = try channel.finish()
        #expect(
            try channel.readInbound(as: SyslogFrame.self) == message("<14>b partial", .octetCounted, incomplete: true))
    }

    static let mixedInput =
        "<14>a one\n" + octetFrame("<14>b two\n") + "\r\n" + octetFrame("<14>c three\r\n") + "2026-11-22 four\r\n"
        + octetFrame("<14>d multi\nline") + "123 abc\n" + "\n" + octetFrame("<14>e five")

    static let mixedFrames = [
        message("<14>a one", .lf), message("<14>b two", .octetCounted), message("<14>c three", .octetCounted),
        message("2026-11-22 four", .lf), message("<14>d multi\nline", .octetCounted), message("123 abc", .lf),
        message("<14>e five", .octetCounted),
    ]
}
