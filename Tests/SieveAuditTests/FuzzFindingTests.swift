import Foundation
import SieveAudit
import Testing

/// Inputs the fuzz targets (Fuzz/, `make fuzz`) found, kept byte for byte in `Fixtures/fuzz/`, and
/// the smallest cases of the same bugs.
@Suite("fuzz findings")
struct FuzzFindingTests {
    static func input(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/fuzz"))
        return try [UInt8](Data(contentsOf: url))
    }

    static func chunks(_ bytes: [UInt8]) -> [(String, Bool)] {
        bytes.withUnsafeBytes { buffer in
            var chunks: [(String, Bool)] = []
            var offset = 0
            while let chunk = AuditRecordSplitter.nextChunk(in: buffer, from: offset) {
                #expect(chunk.next > offset && chunk.range.upperBound <= buffer.count)
                chunks.append((String(decoding: buffer[chunk.range], as: UTF8.self), chunk.unclosed))
                offset = chunk.next
            }
            return chunks
        }
    }

    /// The members a filter record keeps as they are, as one JSON object: must be valid JSON.
    static func extraObject(_ record: AuditRecord) -> [String: Any]? {
        guard String(validating: record.extraJSON, as: UTF8.self) != nil else { return nil }
        let object = Data("{".utf8) + Data(record.extraJSON.dropFirst()) + Data("}".utf8)
        return (try? JSONSerialization.jsonObject(with: object)) as? [String: Any]
    }

    @Test(
        "a pretty JSON record whose last line holds only its indentation is read to the end (the splitter read a byte past the input)"
    )
    func prettyJSONBlankLastLine() throws {
        let found = Self.chunks(try Self.input("splitter-pretty-json-indented-blank-last-line"))
        #expect(found.map(\.0) == ["{{{", "{\n\n \n\n "] && found.map(\.1) == [true, true])
        let smallest = Self.chunks(Array(" {\n ".utf8))
        #expect(smallest.map(\.0) == ["{\n "] && smallest.map(\.1) == [true])
    }

    @Test("invalid UTF-8 in a kept member's name or value becomes U+FFFD: the event stays UTF-8 JSON")
    func keptMembersInvalidUTF8() throws {
        let name = try parse(try Self.input("filter-json-invalid-utf8-member-name")).get()
        #expect(name.format == .auditFilterJSON)
        let object = try #require(Self.extraObject(name))
        #expect(object.keys.contains { $0.hasPrefix("ho\u{FFFD}\u{FFFD}") && $0.hasSuffix("st") })
        let file = try Self.input("filter-json-invalid-utf8-in-kept-array")
        file.withUnsafeBytes { buffer in
            var offset = 0
            while let chunk = AuditRecordSplitter.nextChunk(in: buffer, from: offset) {
                if case .success(let record) = AuditParser().parse(chunk, in: buffer) {
                    #expect(Self.extraObject(record) != nil, "\(String(decoding: record.extraJSON, as: UTF8.self))")
                }
                offset = chunk.next
            }
        }
        let smallest = try parse(
            [UInt8](#"{ "timestamp": "x", "id": 1, "k"#.utf8) + [0xFF] + Array(#"": "a"#.utf8) + [0xC3]
                + Array(#"b" }"#.utf8)
        ).get()
        #expect(String(decoding: smallest.extraJSON, as: UTF8.self) == ",\"k\u{FFFD}\":\"a\u{FFFD}b\"")
    }

    @Test(
        "a kept member whose value is no JSON (an unknown escape, a bare word, a leading zero) is a syntax error, not copied into the event"
    )
    func keptMembersInvalidJSON() throws {
        for value in [#""a\qb""#, #""\u12""#, "tru", "nan", "01", "1.", "-", "1e", "2-3"] {
            let result = parse(#"{ "timestamp": "x", "id": 1, "k": "# + value + " }")
            #expect(throws: AuditParseError.self, "\(value)") { try result.get() }
            if case .failure(let error) = result { #expect(error.code == .syntax) }
        }
        for value in [#""\u00e9\n\"\/""#, "true", "null", "-0", "1.5e+3", "12E-1", "[1,{\"a\":false}]"] {
            let record = try parse(#"{ "timestamp": "x", "id": 1, "k": "# + value + " }").get()
            #expect(
                String(decoding: record.extraJSON, as: UTF8.self) == #","k":"#
                    + value.replacingOccurrences(of: " ", with: ""))
        }
    }
}
