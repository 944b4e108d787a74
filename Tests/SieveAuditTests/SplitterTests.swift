import SieveAudit
import Testing

@Suite("Splitting files of bare records")
struct SplitterTests {
    /// The chunks of `text`, as strings, with their unclosed flags.
    static func split(_ text: String) -> [(String, Bool)] {
        Array(text.utf8).withUnsafeBytes { buffer in
            var chunks: [(String, Bool)] = []
            var offset = 0
            while let chunk = AuditRecordSplitter.nextChunk(in: buffer, from: offset) {
                #expect(chunk.next > offset)
                chunks.append((String(decoding: buffer[chunk.range], as: UTF8.self), chunk.unclosed))
                offset = chunk.next
            }
            return chunks
        }
    }

    @Test("blank lines and #### comments are skipped; JSON is one line; ranges exclude the LF")
    func jsonLines() {
        let chunks = Self.split("#### note\n\n{\"audit_record\":{}}\n  \n{\"a\":1}\n")
        #expect(chunks.map(\.0) == ["{\"audit_record\":{}}", "{\"a\":1}"])
        #expect(chunks.allSatisfy { !$0.1 })
    }

    @Test("a NEW record runs to the end of the line holding </AUDIT_RECORD>")
    func newRecord() {
        let chunks = Self.split(
            "<AUDIT_RECORD>\n  <NAME>Ping</NAME>\n</AUDIT_RECORD>  \n<AUDIT_RECORD>\n</AUDIT_RECORD>")
        #expect(
            chunks.map(\.0) == [
                "<AUDIT_RECORD>\n  <NAME>Ping</NAME>\n</AUDIT_RECORD>  ", "<AUDIT_RECORD>\n</AUDIT_RECORD>",
            ])
    }

    @Test("an OLD record ends at the first /> outside double quotes")
    func oldRecord() {
        let chunks = Self.split("<AUDIT_RECORD\n  SQLTEXT=\"a/>b\"\n/>\nnext\n")
        #expect(chunks.map(\.0) == ["<AUDIT_RECORD\n  SQLTEXT=\"a/>b\"\n/>", "next"])
    }

    @Test("a CSV record continues across LFs inside quotes, doubled quotes included")
    func csvRecord() {
        let chunks = Self.split("\"Query\",\"a\n\"\"b\n\",0\n\"Ping\"\n")
        #expect(chunks.map(\.0) == ["\"Query\",\"a\n\"\"b\n\",0", "\"Ping\""])
    }

    @Test("an XML record interrupted by a new record or a comment is unclosed and ends before it")
    func interrupted() {
        let chunks = Self.split(
            "<AUDIT_RECORD>\n<NAME>a</NAME>\n<AUDIT_RECORD\n/>\n<AUDIT_RECORD\nNAME=\"x\"\n#### c\n<AUDIT_RECORD>\n")
        #expect(
            chunks.map(\.0) == [
                "<AUDIT_RECORD>\n<NAME>a</NAME>", "<AUDIT_RECORD\n/>", "<AUDIT_RECORD\nNAME=\"x\"", "<AUDIT_RECORD>",
            ])
        #expect(chunks.map(\.1) == [true, false, true, false])
    }

    @Test("an unbalanced JSON line is unclosed only when more input follows")
    func jsonUnclosed() {
        #expect(Self.split("{\"audit_record\":{\"name\":\"}\"\nmore\n").map(\.1) == [true, false])
        #expect(Self.split("{\"audit_record\":{\"name\":\"Q\"\n\n").map(\.1) == [false])
        #expect(Self.split("{\"a\":\"{\\\"\"}\nmore").map(\.1) == [false, false])
    }

    @Test("records cut by the end of the input are not unclosed")
    func cutAtEnd() {
        #expect(Self.split("<AUDIT_RECORD>\n<NAME>a</NAME>\n").map(\.1) == [false])
        #expect(Self.split("\"Query\",\"abc\ndef").map(\.0) == ["\"Query\",\"abc\ndef"])
        #expect(Self.split("\n\n#### only comments\n").isEmpty)
    }

    @Test("the sample files split into their documented record counts")
    func sampleCounts() throws {
        #expect(try Fixture.chunks("percona-plugin-json.txt").count == 12)
        #expect(try Fixture.chunks("percona-plugin-old-xml.txt").count == 4)
        #expect(try Fixture.chunks("percona-plugin-new-xml.txt").count == 1)
        #expect(try Fixture.chunks("percona-plugin-csv-mtr-masked.txt").count == 793)
    }
}
