import SieveAudit
import Testing
import SieveTestSupport

/// A record cut at any byte is either a truncated record whose complete fields are the original's
/// and whose cut field holds a prefix of the original value, or, before the recognizer is
/// complete, not an audit record.
@Suite("Records cut at every byte")
struct TruncationTests {
    static func samples() throws -> [[UInt8]] {
        let replay = try Fixture.syslogMessages("percona-plugin-syslog-replay-rsyslog-fwd.txt")
        let procedure = try Fixture.chunks("percona-plugin-csv-mtr-masked.txt").first {
            $0.text.contains("CREATE PROCEDURE p1()")
        }
        var random = SeededRandom(seed: 4)
        var values: [AuditField: [UInt8]] = [:]
        for field in AuditRecordKind.connection.fields {
            values[field] = RoundTripTests.plainValue(field, kind: .connection, using: &random)
        }
        values[.user] = Array("a\"b<c>&d\\e/f\n\t\u{1}é𦉘#012".utf8)
        values[.host] = Array("ก😀".utf8)
        var encoded: [[UInt8]] = []
        for format in PluginEncoder.Format.allCases {
            for transport in PluginEncoder.Transport.allCases {
                encoded.append(PluginEncoder.message(.connection, values, format: format, transport: transport))
            }
        }
        return try [
            Fixture.chunks("percona-plugin-json.txt")[0].bytes, Fixture.chunks("percona-plugin-json.txt")[10].bytes,
            Fixture.chunks("percona-plugin-new-xml.txt")[0].bytes,
            Fixture.chunks("percona-plugin-old-xml.txt")[2].bytes,
            Fixture.chunks("percona-plugin-csv.txt")[0].bytes, #require(procedure).bytes,
            replay[0], replay[1], replay[3],
        ] + encoded
    }

    @Test("every prefix of every sample is a faithful truncated record")
    func everyPrefix() throws {
        let parser = AuditParser()
        for sample in try Self.samples() {
            let original = try parser.parse(sample).get()
            let kind = try #require(original.kind)
            for cut in 0..<sample.count {
                let prefix = Array(sample[..<cut])
                let recognized = prefix.withUnsafeBytes { bytes in parser.dialects.contains { $0.recognizes(bytes) } }
                switch parser.parse(prefix) {
                case .failure(let error):
                    // CSV: a cut right after a closing quote reads as a record with fewer fields.
                    let csvShort =
                        original.format == .perconaCSV && error.code == .fields && prefix.last == UInt8(ascii: "\"")
                    #expect(!recognized && error.code == .notAnAuditRecord || csvShort, "cut at \(cut): \(error)")
                case .success(let record):
                    #expect(record.format == original.format)
                    Self.check(record, against: original, kind: kind, cut: cut)
                }
            }
        }
    }

    static func check(_ record: AuditRecord, against original: AuditRecord, kind: AuditRecordKind, cut: Int) {
        guard record.truncated else {
            // Only the trailing whitespace was cut.
            for field in kind.fields { #expect(record.value(field) == original.value(field), "cut at \(cut)") }
            return
        }
        if let field = record.truncatedField { #expect(kind.fields.contains(field)) }
        let nameComplete = record.has(.name) && record.truncatedField != .name
        #expect(record.kind == (nameComplete ? kind : nil), "cut at \(cut)")
        for field in record.order {
            let value = Array(record.value(field)!)
            let whole = Array(original.value(field)!)
            if field == record.truncatedField {
                #expect(!field.isNumeric, "a cut number is stored, cut at \(cut)")
                #expect(whole.starts(with: value), "\(field) is no prefix, cut at \(cut)")
            } else {
                #expect(value == whole, "\(field) differs, cut at \(cut)")
            }
        }
    }
}
