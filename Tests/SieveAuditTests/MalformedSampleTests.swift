import SieveAudit
import Testing

/// Hand-edited documentation examples that are not valid plugin output: each must be a clear
/// failure, never a crash and never a record.
@Suite("Malformed documentation samples")
struct MalformedSampleTests {
    static func results() throws -> [(chunk: Fixture.Chunk, result: Result<AuditRecord, AuditParseError>)] {
        let file = try Fixture.bytes("percona-plugin-doc-malformed.txt")
        return file.withUnsafeBytes { buffer in
            var results: [(Fixture.Chunk, Result<AuditRecord, AuditParseError>)] = []
            var offset = 0
            while let chunk = AuditRecordSplitter.nextChunk(in: buffer, from: offset) {
                let bytes = Array(buffer[chunk.range])
                results.append(
                    (Fixture.Chunk(bytes: bytes, unclosed: chunk.unclosed), AuditParser().parse(chunk, in: buffer)))
                offset = chunk.next
            }
            return results
        }
    }

    @Test("every chunk of the file is a failure with a reason")
    func allFail() throws {
        let results = try Self.results()
        #expect(results.count == 10)
        for (chunk, result) in results {
            let error = try #require(result.error, "parsed: \(chunk.text)")
            #expect(!error.reason.isEmpty)
        }
    }

    @Test("quoted attribute names are a syntax error")
    func quotedNames() throws {
        let results = try Self.results()
        for index in 0..<3 {
            let error = try #require(results[index].result.error)
            #expect(error.code == .syntax)
            #expect(error.format == .perconaOldXML)
            #expect(error.reason == "attribute names must not be quoted")
        }
    }

    @Test("a NEW record missing </AUDIT_RECORD> before the next comment is an unclosed chunk")
    func missingCloser() throws {
        let (chunk, result) = try Self.results()[3]
        #expect(chunk.unclosed)
        #expect(chunk.text.hasSuffix("<DB></DB>"))
        #expect(result.error?.code == .unclosed)
        #expect(result.error?.format == .perconaNewXML)
    }

    @Test("';;' annotations inside an OLD record are a syntax error")
    func annotations() throws {
        let error = try #require(try Self.results()[4].result.error)
        #expect(error.code == .syntax)
        #expect(error.reason == "expected an attribute name or '/>', found ';'")
    }

    @Test("hard-wrapped JSON fails: its first line is unclosed, the rest are not records")
    func hardWrappedJSON() throws {
        let results = try Self.results()
        #expect(results[5].chunk.unclosed)
        #expect(results[5].result.error?.code == .unclosed)
        #expect(results[5].result.error?.format == .perconaJSON)
        for index in 6...8 {
            #expect(results[index].result.error?.code == .notAnAuditRecord)
        }
        // Parsed on its own, the first line alone would read as a record cut in its timestamp.
        let alone = try parse(results[5].chunk.bytes).get()
        #expect(alone.truncated && alone.truncatedField == .timestamp)
    }

    @Test("hard-wrapped pre-DB CSV has 11 fields, not 12")
    func hardWrappedCSV() throws {
        let (chunk, result) = try Self.results()[9]
        #expect(!chunk.unclosed)
        let error = try #require(result.error)
        #expect(error.code == .fields)
        #expect(error.reason == "CSV Query record has 11 fields, expected 12")
    }
}
