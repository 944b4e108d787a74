import SieveSinks
import SieveTestSupport
import Testing

/// docs/HOSTILE.md D12: `encoding: raw` keeps one event per line, reversibly.
@Suite("raw lines: one event per line, reversibly")
struct RawLineEscapingTests {
    static func line(_ message: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        RawLineEscaping.appendLine(message, to: &out)
        return out
    }

    @Test("a message without line breaks is written as it came, #012 text and all")
    func untouched() {
        for text in [
            "<14>Nov 22 01:02:03 db1 percona-audit: {\"a\":1}", "<14>x: tab#011and#012newline", "#", "##012", "",
        ] {
            #expect(Self.line(Array(text.utf8)) == Array(text.utf8))
        }
    }

    @Test("an embedded line break cannot forge a second line; the exact bytes come back")
    func forgedLine() {
        let message = Array(
            "<14>Nov 22 01:02:03 db1 percona-audit: {\"x\":1}\n<14>Nov 22 01:02:03 db-billing-1 percona-audit: {DROP TABLE} #012 done\r"
                .utf8)
        let line = Self.line(message)
        #expect(!line.contains(0x0A) && !line.contains(0x0D))
        #expect(line.starts(with: RawLineEscaping.marker))
        #expect(String(decoding: line, as: UTF8.self).contains("#012<14>Nov 22 01:02:03 db-billing-1"))
        #expect(String(decoding: line, as: UTF8.self).contains(" #043012 done#015"))
        #expect(RawLineEscaping.decode(line) == message)
    }

    @Test("a message that starts with the marker is escaped too, so every line decodes to its message")
    func markerInMessage() {
        let message = Array("#escaped:not really".utf8)
        let line = Self.line(message)
        #expect(line != message)
        #expect(RawLineEscaping.decode(line) == message)
    }

    @Test("random bytes round-trip and never hold a line break once written", arguments: 0..<4)
    func randomRoundTrip(seed: Int) {
        var random = SeededRandom(seed: UInt64(seed + 11))
        for _ in 0..<500 {
            let length = Int(random.next() % 64)
            let alphabet: [UInt8] = [
                0x0A, 0x0D, 0x0B, 0x0C, UInt8(ascii: "#"), UInt8(ascii: "0"), UInt8(ascii: "1"), UInt8(ascii: "7"),
                UInt8(ascii: "8"), UInt8(ascii: "x"), 0x00, 0xFF,
            ]
            var message = (0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            if random.next() % 7 == 0 { message = RawLineEscaping.marker + message }
            let line = Self.line(message)
            #expect(!line.contains(0x0A) && !line.contains(0x0D) && !line.contains(0x0B) && !line.contains(0x0C))
            #expect(RawLineEscaping.decode(line) == message, "\(message)")
        }
    }
}
