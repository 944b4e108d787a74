import NIOCore
import SieveAudit
import SieveEvent
import Testing

@Suite("EventRawEncoder")
struct EventRawEncoderTests {
    @Test("writes the original message bytes, untouched, then LF")
    func originalBytes() {
        let messages: [[UInt8]] = [
            Array("<14>Nov 22 01:30:19 db1 percona-audit: {\"audit_record\":{}}".utf8),
            Array("<14>Nov 22 01:30:19 vm percona-audit: \"Query\",\"a#012b\"".utf8),
            [0x3C, 0x31, 0x34, 0x3E, 0x00, 0xFF, 0xC0, 0x80, 0x0A, 0x0D, 0x22, 0x5C],  // invalid UTF-8, controls
            Array("  leading spaces and a trailing space ".utf8),
            [],
        ]
        for message in messages {
            var out: [UInt8] = []
            EventRawEncoder.encode(event(message), into: &out)
            #expect(out == message + [0x0A])
        }
    }

    @Test("the raw bytes are the whole message, header included, even for a truncated or unknown event")
    func wholeMessage() {
        let message = Array("<14>Nov 22 01:30:19 db1 percona-audit: {\"audit_record\":{\"name\":\"Qu".utf8)
        var out: [UInt8] = []
        EventRawEncoder.encode(event(message, oversizeTruncated: true), into: &out)
        #expect(out == message + [0x0A])
    }

    @Test("appends to the buffer: one message after another")
    func appends() {
        var out: [UInt8] = Array("x".utf8)
        EventRawEncoder.encode(event("<14>a"), into: &out)
        EventRawEncoder.encode(event("<14>b"), into: &out)
        #expect(out.text == "x<14>a\n<14>b\n")
    }

    @Test("only the readable bytes of the event's buffer are written")
    func readableBytesOnly() {
        var buffer = ByteBuffer(string: "JUNK<14>Nov 22 01:30:19 db1 app: hello")
        buffer.moveReaderIndex(forwardBy: 4)
        let event = AuditEvent(
            message: buffer, peer: "-", receivedAt: EventTime(seconds: 0, microseconds: 0), parser: AuditParser())
        var out: [UInt8] = []
        EventRawEncoder.encode(event, into: &out)
        #expect(out.text == "<14>Nov 22 01:30:19 db1 app: hello\n")
        let json = try? OrderedJSON.parse(encodeJSON(event))
        #expect(json?["raw"] == .string("hello"))
    }
}
