import NIOCore
import SieveEvent
import SieveSyslog
import Testing

@Suite("MessageSplitter")
struct MessageSplitterTests {
    static func split(_ text: String, framer: SyslogFramerConfiguration = .init()) -> [InputMessage] {
        MessageSplitter.split(Array(text.utf8), framer: framer)
    }

    static func texts(_ messages: [InputMessage]) -> [String] {
        messages.map { String(buffer: $0.bytes) }
    }

    static let json =
        #"{"audit_record":{"name":"Quit","record":"1","timestamp":"t","connection_id":"1","status":0,"user":"u","priv_user":"u","os_login":"","proxy_user":"","host":"h","ip":"","db":""}}"#

    @Test(
        "input that starts like syslog is framed; anything else is read as bare records",
        arguments: [
            ("<14>Nov 22 01:30:19 h t: x\n", true),
            ("\n\n  <14>Nov 22 01:30:19 h t: x\n", true),
            ("\r\n<1>x\n", true),
            ("27 <14>Nov 22 01:30:19 h t: x", true),
            ("<AUDIT_RECORD>\n<NAME>Query</NAME>\n</AUDIT_RECORD>\n", false),
            ("<AUDIT_RECORD\n  NAME=\"Quit\"\n/>\n", false),
            ("\"Query\",\"1\",\"t\"\n", false),
            ("{\"audit_record\":{}}\n", false),
            ("0 <14>x\n", false),
            ("27 x\n", false),
            ("<x>\n", false),
            ("\t<14>x\n", false),
            ("", false),
            ("<", false),
        ] as [(String, Bool)]
    )
    func detection(_ input: String, _ framed: Bool) {
        let messages = Self.split(input)
        #expect(messages.allSatisfy { $0.framed == framed }, "\(Self.texts(messages))")
    }

    @Test("LF-framed input: one message per line, CR before LF and empty lines dropped")
    func lfFrames() {
        let messages = Self.split("<14>Nov 22 01:30:19 h t: one\r\n\n<14>Nov 22 01:30:19 h t: two\n<14>three")
        #expect(Self.texts(messages) == ["<14>Nov 22 01:30:19 h t: one", "<14>Nov 22 01:30:19 h t: two", "<14>three"])
        #expect(messages.allSatisfy { $0.framed && !$0.unclosed && !$0.oversizeTruncated && !$0.dropped })
    }

    @Test("octet-counted input: each frame is exactly LEN bytes, raw LFs included")
    func octetCounted() {
        let first = "<14>Nov 22 01:30:19 h t: <AUDIT_RECORD>\n  <NAME>Query</NAME>\n</AUDIT_RECORD>\n"
        let second = "<14>Nov 22 01:30:19 h t: two"
        let input = "\(first.utf8.count) \(first)\(second.utf8.count) \(second)"
        let messages = Self.split(input)
        #expect(Self.texts(messages) == [String(first.dropLast()), second], "a trailing LF is not part of the message")
        #expect(messages.allSatisfy { $0.framed })
    }

    @Test("octet-counted and LF frames can be mixed, as a listener in auto mode reads them")
    func mixedFraming() {
        let counted = "<14>c d"
        let messages = Self.split("<14>a b\n\(counted.utf8.count) \(counted)<14>e f\n")
        #expect(Self.texts(messages) == ["<14>a b", "<14>c d", "<14>e f"])
    }

    @Test("lines starting with '#### ' are comments and removed, in syslog and in bare input")
    func comments() {
        let syslog = Self.split("#### note\n<14>Nov 22 01:30:19 h t: one\n#### another\n<14>Nov 22 01:30:19 h t: two\n")
        #expect(Self.texts(syslog) == ["<14>Nov 22 01:30:19 h t: one", "<14>Nov 22 01:30:19 h t: two"])
        let bare = Self.split("#### source: x\n\(Self.json)\n#### more\n\(Self.json)\n")
        #expect(Self.texts(bare) == [Self.json, Self.json])
        #expect(bare.allSatisfy { !$0.framed && !$0.unclosed })
    }

    @Test("only '#### ' at the start of a line is a comment")
    func notComments() {
        let messages = Self.split("<14>Nov 22 01:30:19 h t: SELECT 1 #### not a comment\n####no space\n")
        #expect(Self.texts(messages) == ["<14>Nov 22 01:30:19 h t: SELECT 1 #### not a comment", "####no space"])
    }

    @Test("bare records: XML records span lines, CSV values span lines, JSON is one line")
    func bareRecords() {
        let newXML = "<AUDIT_RECORD>\n  <NAME>Query</NAME>\n</AUDIT_RECORD>"
        let oldXML = "<AUDIT_RECORD\n  NAME=\"Quit\"\n  SQLTEXT=\"a/>b\"\n/>"
        let csv = "\"Query\",\"1\",\"t\",\"c\",\"1\",0,\"CREATE PROCEDURE p()\nBEGIN\nEND\",\"u\",\"h\",\"\",\"\",\"\""
        let messages = Self.split("\(newXML)\n\n\(oldXML)\n\(csv)\n\(Self.json)\n")
        #expect(Self.texts(messages) == [newXML, oldXML, csv, Self.json])
        #expect(messages.allSatisfy { !$0.framed && !$0.unclosed })
    }

    @Test("a bare XML record interrupted by a comment or a new record is unclosed; a JSON line with open braces too")
    func unclosed() {
        let messages = Self.split(
            "<AUDIT_RECORD>\n  <NAME>Query</NAME>\n#### cut\n<AUDIT_RECORD\n  NAME=\"Quit\"\n<AUDIT_RECORD\n/>\n{\"audit_record\":{\n\(Self.json)\n"
        )
        #expect(messages.map(\.unclosed) == [true, true, false, true, false])
        #expect(Self.texts(messages)[0] == "<AUDIT_RECORD>\n  <NAME>Query</NAME>")
    }

    @Test("a JSON line cut by the end of the input is not unclosed (the parser reports it truncated)")
    func cutAtEnd() {
        let messages = Self.split(String(Self.json.prefix(40)))
        #expect(messages.count == 1)
        #expect(messages.first?.unclosed == false)
    }

    @Test("a frame over max_message_bytes is truncated or dropped as configured")
    func oversize() {
        let long = "<14>" + String(repeating: "x", count: 100)
        let truncated = Self.split("\(long)\n<14>ok\n", framer: .init(maxMessageBytes: 20))
        #expect(Self.texts(truncated) == [String(long.prefix(20)), "<14>ok"])
        #expect(truncated.map(\.oversizeTruncated) == [true, false])
        let dropped = Self.split("\(long)\n<14>ok\n", framer: .init(maxMessageBytes: 20, oversize: .drop))
        #expect(dropped.map(\.dropped) == [true, false])
        #expect(Self.texts(dropped).last == "<14>ok")
    }

    @Test(
        "an octet count over max_frame_bytes: the rest of the input, from that frame on, is one bare message (shown as unknown, never lost)"
    )
    func frameTooLarge() {
        let bad = "99999999999 <14>Nov 22 01:30:19 h t: x\n"
        let messages = Self.split("<14>Nov 22 01:30:19 h t: first\n" + bad)
        #expect(messages.first.map { String(buffer: $0.bytes) } == "<14>Nov 22 01:30:19 h t: first")
        let last = messages.last
        #expect(last?.framed == false)
        #expect(last?.unclosed == false)
        #expect(messages.count == 2)
        #expect(last.map { String(buffer: $0.bytes) } == bad)
    }

    @Test("an input of only comments and blank lines has no messages")
    func empty() {
        #expect(Self.split("#### only a comment\n\n").isEmpty)
        #expect(Self.split("").isEmpty)
    }
}
