import NIOCore
import SieveSyslog
import Testing

@Suite("Header: PRI, no header, real captures")
struct SyslogHeaderParserTests {
    @Test("PRI gives facility pri/8 and severity pri%8", arguments: [(0, 0, 0), (7, 0, 7), (14, 1, 6), (191, 23, 7)])
    func priority(pri: Int, facility: Int, severity: Int) {
        let parsed = SyslogHeaderParser.parse(Array("<\(pri)>Nov 22 01:30:19 vm tag: m".utf8))
        #expect(parsed.facility == facility)
        #expect(parsed.severity == severity)
        #expect(parsed.headerFormat == .rfc3164)
    }

    @Test(
        "an invalid or missing PRI leaves the whole message as MSG",
        arguments: [
            "<192>x", "<00>x", "<014>x", "<1234>x", "<>x", "<14", "14>x", "<-1>x", "<1a>x", "", "  plain text ",
            "Nov 22 01:30:19 vm tag: m",
        ]
    )
    func invalidPriority(input: String) {
        #expect(header(input) == Header(format: .none, msg: input))
    }

    @Test("a ByteBuffer's ranges count from its reader index")
    func byteBuffer() {
        var buffer = ByteBuffer(string: "junk<14>Nov 22 01:30:19 vm tag: m")
        buffer.moveReaderIndex(forwardBy: 4)
        let parsed = SyslogHeaderParser.parse(buffer)
        #expect(parsed.hostname == 20..<22)
        #expect(parsed.msg == 28..<29)
    }

    @Test("every glibc syslog(3) datagram in the capture has a tag and no hostname")
    func devlogCapture() throws {
        let lines = try Fixture.bytes("mariadb-server-audit-syslog-devlog").split(separator: UInt8(ascii: "\n"))
        #expect(lines.count == 118)
        for line in lines {
            let parsed = header(Array(line))
            #expect(parsed.format == .rfc3164)
            #expect(parsed.hostname == nil)
            #expect(parsed.appName == "mysql-server_auditing")
            #expect(parsed.msg.hasPrefix("vm,"))
        }
    }

    @Test("the RFC 3164 and RFC 5424 captures of one run carry the same MSG, host and app")
    func forwardCaptures() throws {
        let traditional = try decodeFrames(Fixture.bytes("mariadb-server-audit-rsyslog-fwd-rfc3164-tcp"))
        let protocol23 = try decodeFrames(Fixture.bytes("mariadb-server-audit-rsyslog-fwd-rfc5424-octet-counted"))
        #expect(traditional.count == protocol23.count)
        for (old, new) in zip(traditional, protocol23) {
            guard case .message(let oldBuffer, _) = old, case .message(let newBuffer, _) = new else {
                Issue.record("not messages: \(old), \(new)")
                continue
            }
            let oldHeader = header(Array(oldBuffer.readableBytesView))
            let newHeader = header(Array(newBuffer.readableBytesView))
            #expect(oldHeader.format == .rfc3164)
            #expect(newHeader.format == .rfc5424)
            #expect(oldHeader.msg == newHeader.msg)
            #expect(oldHeader.hostname == "vm")
            #expect(oldHeader.hostname == newHeader.hostname)
            #expect(oldHeader.appName == newHeader.appName)
            #expect(oldHeader.facility == newHeader.facility)
        }
    }

    @Test("the Percona replay through rsyslog has host vm and the plugin's tag")
    func perconaReplay() throws {
        let frames = try decodeFrames(Fixture.bytes("percona-plugin-syslog-replay-rsyslog-fwd"))
        #expect(frames.count == 8)
        for case .message(let buffer, _) in frames {
            let parsed = header(Array(buffer.readableBytesView))
            #expect(parsed.hostname == "vm")
            #expect(parsed.appName == "percona-audit" || parsed.appName == "mysqld")
            #expect(parsed.timestamp?.hasPrefix("Nov 22 01:30:") == true)
        }
    }
}
