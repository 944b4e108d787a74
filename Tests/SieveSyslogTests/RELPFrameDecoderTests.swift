import NIOCore
import SieveSyslog
import Testing

/// RELP frames as librelp 1.11 (rsyslog's omrelp, Debian 12) writes them, captured from a real
/// rsyslogd sending to a socket (the trailing LF of each message is its template's).
@Suite("RELP frame decoder")
struct RELPFrameDecoderTests {
    static let capture =
        "1 open 86 relp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog\n"
        + "2 syslog 71 <14>1 2026-12-06T15:55:59.238801+00:00 vm percona-audit - - -  hello 0\n\n"
        + "3 close 0\n"

    static func decodeAll(_ chunks: [String], maxFrameBytes: Int = 1 << 20) throws -> [RELPFrame] {
        var decoder = RELPFrameDecoder(maxFrameBytes: maxFrameBytes)
        var buffer = ByteBuffer()
        var frames: [RELPFrame] = []
        for chunk in chunks {
            buffer.writeString(chunk)
            while let frame = try decoder.decode(buffer: &buffer) { frames.append(frame) }
        }
        return frames
    }

    @Test("librelp's open, syslog and close, whole and fed one byte at a time")
    func capture() throws {
        for chunks in [[Self.capture], Self.capture.map { String($0) }] {
            let frames = try Self.decodeAll(chunks)
            #expect(frames.map(\.txnr) == [1, 2, 3])
            #expect(frames.map(\.command) == [.open, .syslog, .close])
            #expect(String(buffer: frames[0].data).hasSuffix("commands=syslog"))
            #expect(
                String(buffer: frames[1].data)
                    == "<14>1 2026-12-06T15:55:59.238801+00:00 vm percona-audit - - -  hello 0\n")
            #expect(frames[2].data.readableBytes == 0)
        }
    }

    @Test("DATA may hold LFs and digits; an unknown command is read as other")
    func dataAndOther() throws {
        let frames = try Self.decodeAll(["7 syslog 5 a\n1 2\n8 starttls 0\n"])
        #expect(frames.count == 2 && String(buffer: frames[0].data) == "a\n1 2" && frames[1].command == .other)
    }

    @Test(
        "a stream off the grammar throws",
        arguments: [
            "x open 0\n", "1234567890 syslog 1 a\n", "1 syslog 3 abcX", "1  syslog 0\n", "1 syslog x\n",
            "1 \(String(repeating: "a", count: 33)) 0\n", "1 syslog 1a\n",
        ])
    func malformed(_ text: String) {
        #expect(throws: RELPFramingError.self) { _ = try Self.decodeAll([text]) }
    }

    @Test("DATALEN above max_frame_bytes throws before the data is read")
    func tooLarge() {
        #expect(throws: RELPFramingError.frameTooLarge(count: 2000, limit: 1024)) {
            _ = try Self.decodeAll(["1 syslog 2000 "], maxFrameBytes: 1024)
        }
    }

    @Test("at the end of the stream a partial frame is dropped: the client still holds it")
    func partialAtEnd() throws {
        var decoder = RELPFrameDecoder(maxFrameBytes: 1024)
        var buffer = ByteBuffer(string: "1 syslog 10 abc")
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(try decoder.decodeLast(buffer: &buffer, seenEOF: true) == nil)
        #expect(buffer.readableBytes == 0)
    }

    @Test("the server's answers: rsp with and without data, serverclose")
    func responses() {
        var buffer = ByteBuffer()
        RELPResponse.write(txnr: 2, code: 200, text: "OK", into: &buffer)
        RELPResponse.write(txnr: 1, code: 200, text: "OK", extra: "commands=syslog", into: &buffer)
        RELPResponse.writeCloseAnswer(txnr: 3, into: &buffer)
        RELPResponse.writeServerClose(into: &buffer)
        #expect(
            String(buffer: buffer) == "2 rsp 6 200 OK\n1 rsp 22 200 OK\ncommands=syslog\n3 rsp 0\n0 serverclose 0\n")
    }
}
