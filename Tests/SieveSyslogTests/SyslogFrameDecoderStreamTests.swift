import NIOCore
import SieveSyslog
import Testing
import SieveTestSupport

@Suite("Framing: streams split anywhere, closed early, captured from rsyslog")
struct SyslogFrameDecoderStreamTests {
    static let oversizeInput =
        SyslogFrameDecoderTests.mixedInput + "<14>" + String(repeating: "L", count: 40) + "\r\n"
        + octetFrame("<14>" + String(repeating: "O", count: 40) + "\n")
        + octetFrame("<14>" + String(repeating: "o", count: 13) + "\r\n")
        + "<14>" + String(repeating: "l", count: 13) + "\r\n" + "<14>end\n"

    static let configurations = [framer(), framer(maxMessageBytes: 16), framer(maxMessageBytes: 16, oversize: .drop)]

    @Test("frames come out the same when fed one byte at a time", arguments: configurations)
    func oneByteAtATime(configuration: SyslogFramerConfiguration) throws {
        let input = Array(Self.oversizeInput.utf8)
        let whole = try decodeFrames(input, configuration)
        #expect(decodeFrames(input.map { [$0] }, configuration).frames == whole)
    }

    @Test("frames come out the same at every 2-way split of the input", arguments: configurations)
    func everySplit(configuration: SyslogFramerConfiguration) throws {
        let input = Array(Self.oversizeInput.utf8)
        let whole = try decodeFrames(input, configuration)
        for split in 0...input.count {
            let result = decodeFrames([Array(input[..<split]), Array(input[split...])], configuration)
            #expect(result.frames == whole, "split at \(split)")
        }
    }

    @Test("a long line drip-fed one byte at a time comes out whole")
    func longDripFedLine() throws {
        let line = "<14>" + String(repeating: "d", count: 100_000)
        let processor = NIOSingleStepByteToMessageProcessor(SyslogFrameDecoder(framer()))
        var frames: [SyslogFrame] = []
        for byte in (line + "\n").utf8 {
            try processor.process(buffer: ByteBuffer(integer: byte)) { frames.append($0) }
        }
        #expect(frames == [message(line, .lf)])
    }

    @Test("the mixed input frames as expected when split anywhere")
    func mixedSplit() {
        let input = Array(SyslogFrameDecoderTests.mixedInput.utf8)
        for split in 0...input.count {
            let result = decodeFrames([Array(input[..<split]), Array(input[split...])])
            #expect(result.frames == SyslogFrameDecoderTests.mixedFrames, "split at \(split)")
        }
    }

    @Test("oversize frames are cut or dropped the same way however they arrive")
    func oversizeExpectations() throws {
        let l40 = "<14>" + String(repeating: "L", count: 40)
        let truncated = try decodeFrames(Self.oversizeInput, framer(maxMessageBytes: 16)).suffix(5)
        #expect(
            Array(truncated) == [
                message(String(l40.prefix(16)), .lf, truncated: true),
                message("<14>" + String(repeating: "O", count: 12), .octetCounted, truncated: true),
                message("<14>" + String(repeating: "o", count: 12), .octetCounted, truncated: true),
                message("<14>" + String(repeating: "l", count: 12), .lf, truncated: true), message("<14>end", .lf),
            ]
        )
        let dropped = try decodeFrames(Self.oversizeInput, framer(maxMessageBytes: 16, oversize: .drop)).suffix(5)
        #expect(
            Array(dropped) == [
                .oversizeDropped(length: 44, framing: .lf), .oversizeDropped(length: 45, framing: .octetCounted),
                .oversizeDropped(length: 19, framing: .octetCounted), .oversizeDropped(length: 17, framing: .lf),
                message("<14>end", .lf),
            ]
        )
    }

    @Test(
        "a partial frame at close is the last message, marked incomplete",
        arguments: [
            ("<14>a\n<14>no line feed", [message("<14>a", .lf), message("<14>no line feed", .lf, incomplete: true)]),
            ("20 <14>short", [message("<14>short", .octetCounted, incomplete: true)]),
            ("12", [message("12", .lf, incomplete: true)]),
            ("12 ", [message("12 ", .lf, incomplete: true)]),
            ("<14>a\r", [message("<14>a\r", .lf, incomplete: true)]),
            ("20 <", [message("<", .octetCounted, incomplete: true)]),
        ]
    )
    func partialAtClose(input: String, expected: [SyslogFrame]) throws {
        #expect(try decodeFrames(input) == expected)
    }

    @Test("a partial count at close in octet-counted framing")
    func partialCountAtClose() throws {
        #expect(try decodeFrames("12", framer(.octetCounted)) == [message("12", .lf, incomplete: true)])
        #expect(try decodeFrames("12 ", framer(.octetCounted)).isEmpty)
    }

    @Test("bytes being skipped at close are not a message; a dropped LF frame is still reported")
    func skippingAtClose() throws {
        let long = "<14>" + String(repeating: "x", count: 30)
        #expect(
            try decodeFrames(long, framer(maxMessageBytes: 16)) == [
                message(String(long.prefix(16)), .lf, truncated: true)
            ])
        #expect(
            try decodeFrames(long, framer(maxMessageBytes: 16, oversize: .drop)) == [
                .oversizeDropped(length: 34, framing: .lf)
            ])
        #expect(
            try decodeFrames("40 " + long, framer(maxMessageBytes: 16)) == [
                message(String(long.prefix(16)), .octetCounted, truncated: true)
            ])
        #expect(
            try decodeFrames("40 " + long, framer(maxMessageBytes: 16, oversize: .drop)) == [
                .oversizeDropped(length: 40, framing: .octetCounted)
            ])
        #expect(
            try decodeFrames("18 " + long.prefix(17), framer(maxMessageBytes: 16)) == [
                message(String(long.prefix(16)), .octetCounted, truncated: true, incomplete: true)
            ])
    }

    @Test(
        "rsyslog captures frame into one message per record",
        arguments: [
            (
                "mariadb-server-audit-rsyslog-fwd-rfc5424-octet-counted", SyslogFraming.auto,
                SyslogFraming.octetCounted, 119
            ),
            ("mariadb-server-audit-rsyslog-fwd-rfc5424-octet-counted", .octetCounted, .octetCounted, 119),
            ("mariadb-server-audit-rsyslog-fwd-rfc3164-tcp", .auto, .lf, 119),
            ("mariadb-server-audit-rsyslog-fwd-rfc3164-tcp", .lf, .lf, 119),
            ("mariadb-server-audit-syslog-devlog", .auto, .lf, 118),
            ("percona-plugin-syslog-replay-rsyslog-fwd", .auto, .lf, 8),
        ]
    )
    func captures(name: String, framing: SyslogFraming, expected: SyslogFraming, count: Int) throws {
        let input = try Fixture.bytes(name)
        let frames = try decodeFrames(input, framer(framing))
        #expect(frames.count == count)
        for frame in frames {
            guard case .message(let buffer, let info) = frame else {
                Issue.record("not a message: \(frame)")
                continue
            }
            #expect(info == SyslogFrameInfo(framing: expected))
            #expect(buffer.readableBytesView.first == UInt8(ascii: "<"))
            #expect(buffer.readableBytesView.last != UInt8(ascii: "\n"))
        }
        let chunked = stride(from: 0, to: input.count, by: 1000).map { Array(input[$0..<min($0 + 1000, input.count)]) }
        #expect(decodeFrames(chunked, framer(framing)).frames == frames)
    }

    @Test("random bytes in random pieces never crash, and framing does not depend on the pieces")
    func fuzz() {
        var random = SeededRandom(seed: 0x5359_534C_4F47)
        let alphabet = Array("0123456789 <>\n\r\n1 <14>x".utf8)
        for _ in 0..<400 {
            let input = (0..<Int.random(in: 0...600, using: &random)).map { _ in
                Bool.random(using: &random)
                    ? alphabet.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
            }
            let configuration = framer(
                SyslogFraming.allCases.randomElement(using: &random)!,
                maxMessageBytes: Int.random(in: 1...40, using: &random),
                oversize: OversizePolicy.allCases.randomElement(using: &random)!,
                maxFrameBytes: Int.random(in: 1...200, using: &random)
            )
            var pieces: [[UInt8]] = []
            var start = 0
            while start < input.count {
                let end = min(input.count, start + Int.random(in: 1...50, using: &random))
                pieces.append(Array(input[start..<end]))
                start = end
            }
            let whole = decodeFrames([input], configuration)
            let piecewise = decodeFrames(pieces, configuration)
            #expect(piecewise.frames == whole.frames)
            #expect(piecewise.error == whole.error)
            var messageBytes = 0
            for case .message(let buffer, _) in whole.frames {
                #expect(buffer.readableBytes <= configuration.maxMessageBytes)
                #expect(buffer.readableBytes > 0)
                messageBytes += buffer.readableBytes
            }
            #expect(messageBytes <= input.count)
        }
    }
}
