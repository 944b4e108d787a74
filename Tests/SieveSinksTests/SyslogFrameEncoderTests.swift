import NIOCore
import SieveEvent
import SieveSinks
import SieveSyslog
import SieveTestSupport
import Testing

@Suite("outbound syslog frames")
struct SyslogFrameEncoderTests {
    static let time = EventTime(seconds: 1_795_000_000, microseconds: 123_456)
    static let event = Array(#"{"format":"percona-json","sqltext":"SELECT 1"}"#.utf8) + [0x0A]

    /// Frames go through our own framer and header parser: what we send is what a receiver reads.
    static func roundTrip(_ bytes: [UInt8]) throws -> [(SyslogMessage, [UInt8])] {
        var frames: [(SyslogMessage, [UInt8])] = []
        let processor = NIOSingleStepByteToMessageProcessor(SyslogFrameDecoder(SyslogFramerConfiguration()))
        try processor.process(buffer: ByteBuffer(bytes: bytes)) { frame in
            guard case .message(let buffer, _) = frame else { return }
            let message = Array(buffer.readableBytesView)
            frames.append((SyslogHeaderParser.parse(message), message))
        }
        return frames
    }

    @Test("RFC 5424, octet-counted: the count is the frame's bytes, the header parses, the event is intact")
    func rfc5424OctetCounted() throws {
        var out: [UInt8] = []
        let encoder = SyslogFrameEncoder(hostname: "recv1")
        encoder.encode(Self.event, at: Self.time, into: &out)
        encoder.encode(Self.event, at: Self.time, into: &out)
        let frames = try Self.roundTrip(out)
        #expect(frames.count == 2)
        let (header, message) = try #require(frames.first)
        #expect(header.headerFormat == .rfc5424)
        #expect(header.facility == 1 && header.severity == 6)
        #expect(String(decoding: message[header.hostname!], as: UTF8.self) == "recv1")
        #expect(String(decoding: message[header.appName!], as: UTF8.self) == "auditsieve")
        #expect(String(decoding: message[header.timestamp!], as: UTF8.self) == "2026-11-18T11:06:40.123456Z")
        #expect(Array(message[header.msg]) == Array(Self.event.dropLast()))
    }

    @Test("RFC 3164 with LF framing: one line per event, line breaks inside escaped as rsyslog does")
    func rfc3164LF() throws {
        var out: [UInt8] = []
        let encoder = SyslogFrameEncoder(header: .rfc3164, framing: .lf, hostname: "recv1")
        encoder.encode(Array("line one\nline two".utf8), at: Self.time, into: &out)
        #expect(out.filter { $0 == 0x0A }.count == 1)
        let frames = try Self.roundTrip(out)
        let (header, message) = try #require(frames.first)
        #expect(header.headerFormat == .rfc3164)
        #expect(String(decoding: message[header.appName!], as: UTF8.self) == "auditsieve")
        #expect(String(decoding: message[header.msg], as: UTF8.self) == "line one#012line two")
    }

    @Test("a cut to max_message_bytes happens before the octet count is written")
    func countAfterTruncation() throws {
        var out: [UInt8] = []
        let encoder = SyslogFrameEncoder(hostname: "recv1", maxMessageBytes: 150)
        encoder.encode([UInt8](repeating: UInt8(ascii: "x"), count: 5000), at: Self.time, into: &out)
        encoder.encode(Self.event, at: Self.time, into: &out)
        #expect(out.starts(with: Array("150 <14>1 ".utf8)))
        let frames = try Self.roundTrip(out)
        #expect(frames.count == 2)
        #expect(frames.first?.1.count == 150)
        #expect(frames.last.map { Array($0.1[$0.0.msg]) } == Array(Self.event.dropLast()))
    }

    /// The frames in `bytes`, read strictly: `LEN SP` and exactly LEN bytes, or up to each LF.
    static func split(_ bytes: [UInt8], _ framing: SyslogFrameEncoder.Framing) -> [[UInt8]]? {
        var frames: [[UInt8]] = []
        var rest = bytes[...]
        while !rest.isEmpty {
            switch framing {
            case .lf:
                guard let end = rest.firstIndex(of: 0x0A) else { return nil }
                frames.append(Array(rest[..<end]))
                rest = rest[(end + 1)...]
            case .octetCounted:
                guard let space = rest.firstIndex(of: 0x20),
                    let length = Int(String(decoding: rest[..<space], as: UTF8.self)),
                    rest.distance(from: space, to: rest.endIndex) > length
                else { return nil }
                let start = space + 1
                frames.append(Array(rest[start..<(start + length)]))
                rest = rest[(start + length)...]
            }
        }
        return frames
    }

    @Test(
        "every header, framing and cut: each frame is exactly the header and the (escaped, cut) event; octet counts exact"
    )
    func framesReadBack() throws {
        let messages: [[UInt8]] = [
            Self.event, Array("no trailing LF".utf8), Array("CR\rand LF\ninside\r\n".utf8), [0x0A], [],
            Array(String(repeating: "0123456789", count: 40).utf8),
        ]
        for header in SyslogFrameEncoder.Header.allCases {
            for framing in SyslogFrameEncoder.Framing.allCases {
                for cut in [0, 20, 60, 100, 5000] {
                    let encoder = SyslogFrameEncoder(
                        header: header, framing: framing, hostname: "recv1", maxMessageBytes: cut)
                    let prefix = encoder.header(at: Self.time)
                    var out: [UInt8] = []
                    for message in messages { encoder.encode(message, header: prefix, into: &out) }
                    let label = "\(header) \(framing) cut \(cut)"
                    let frames = try #require(Self.split(out, framing), "\(label)")
                    #expect(frames.count == messages.count, "\(label)")
                    for (message, frame) in zip(messages, frames) {
                        var body = message
                        while body.last == 0x0A || body.last == 0x0D { body.removeLast() }
                        var expected = prefix + body
                        if framing == .lf {
                            expected = Array(
                                String(decoding: expected, as: UTF8.self)
                                    .replacingOccurrences(of: "\n", with: "#012").replacingOccurrences(
                                        of: "\r", with: "#015"
                                    ).utf8)
                        }
                        if cut > 0 { expected = Array(expected.prefix(cut)) }
                        #expect(frame == expected, "\(label): \(String(decoding: frame, as: UTF8.self))")
                    }
                    if framing == .lf {
                        #expect(out.filter { $0 == 0x0A }.count == messages.count, "\(label): one LF per frame")
                    }
                    var single: [UInt8] = []
                    for message in messages { encoder.encode(message, at: Self.time, into: &single) }
                    #expect(single == out, "\(label): the per-event and per-batch header give the same bytes")
                }
            }
        }
    }
}

@Suite("reconnect backoff")
struct ReconnectBackoffTests {
    @Test("100 ms doubling to the maximum, reset after a success")
    func doubling() {
        var backoff = ReconnectBackoff(maximumMilliseconds: 2000, jitter: 0)
        var generator = SeededRandom(seed: 1)
        let delays = (0..<7).map { _ in backoff.nextDelay(using: &generator) }
        #expect(delays == [100, 200, 400, 800, 1600, 2000, 2000])
        backoff.reset()
        #expect(backoff.nextDelay(using: &generator) == 100)
    }

    @Test("jitter stays within ±20 % and actually varies")
    func jitter() {
        var generator = SeededRandom(seed: 42)
        var seen = Set<Int>()
        for _ in 0..<200 {
            var backoff = ReconnectBackoff(maximumMilliseconds: 2000)
            for base in [100, 200, 400, 800, 1600, 2000, 2000] {
                let delay = backoff.nextDelay(using: &generator)
                #expect(Double(delay) >= Double(base) * 0.8 - 0.5 && Double(delay) <= Double(base) * 1.2 + 0.5)
                if base == 2000 { seen.insert(delay) }
            }
        }
        #expect(seen.count > 50)
    }
}
