import SieveSQL
import SieveTestSupport
import Testing

/// What holds for every text `SQLRedaction` reads: the corpora's statements and random bytes.
@Suite("redaction properties")
struct RedactionPropertyTests {
    static let corpora = ["percona_toolkit", "corner-cases"] + OracleAgreementTests.corpora

    @Test("masking literals keeps every table a statement names (tables stay auditable)")
    func literalsKeepTables() throws {
        var compared = 0
        var changed: [String] = []
        for corpus in Self.corpora {
            for row in try #require(CorpusRow.load(corpus)) {
                let before = row.extract()
                guard before.status == .complete,
                    let masked = SQLRedaction.maskingLiterals(in: row.sql, options: row.options)
                else { continue }
                compared += 1
                let after = TableExtractor.extract(masked, defaultDB: row.defaultDB, options: row.options)
                if after.tables != before.tables { changed.append("\(row.id): \(row.sql) → \(masked)") }
            }
        }
        #expect(compared > 3_000)
        #expect(changed.isEmpty, "\(changed.count) of \(compared): \(changed.prefix(10).joined(separator: "\n"))")
    }

    @Test("masked text holds no literal any more, and passwords keep the tables too")
    func idempotent() throws {
        for corpus in Self.corpora {
            for row in try #require(CorpusRow.load(corpus)) {
                if let masked = SQLRedaction.maskingLiterals(in: row.sql, options: row.options) {
                    #expect(
                        SQLRedaction.maskingLiterals(in: masked, options: row.options) == nil, "\(row.id): \(masked)")
                }
                if let masked = SQLRedaction.maskingPasswords(in: row.sql, options: row.options) {
                    let before = row.extract()
                    let after = TableExtractor.extract(masked, defaultDB: row.defaultDB, options: row.options)
                    #expect(after.tables == before.tables, "\(row.id): \(row.sql) → \(masked)")
                }
            }
        }
    }

    @Test("random bytes never crash either redaction")
    func randomBytes() {
        var generator = SeededRandom(seed: 0x5EC2E7)
        let pieces = [
            "IDENTIFIED", "BY", "WITH", "AS", "USING", "PASSWORD", "(", ")", "SET", "=", ";", "'", "\"", "`",
            "\\", "/*", "*/", "/*!", "/*M!", "--", "#", "\n", " ", "-", "+", "1", "0x", "X'", "_utf8", "N",
            "CHANGE", "MASTER_PASSWORD", "CREATE", "SERVER", "OPTIONS", "REPLACE", "RANDOM", "é", ".",
        ]
        for _ in 0..<5_000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(generator.next() % 40) {
                if generator.next() % 4 == 0 {
                    bytes.append(UInt8(truncatingIfNeeded: generator.next()))
                } else {
                    bytes += Array(pieces[Int(generator.next() % UInt64(pieces.count))].utf8)
                    bytes.append(UInt8(ascii: " "))
                }
            }
            bytes.withUnsafeBytes { text in
                if let masked = SQLRedaction.maskingPasswords(in: text) { #expect(masked != Array(text)) }
                if let masked = SQLRedaction.maskingLiterals(in: text) { #expect(masked.count <= text.count + 1) }
            }
        }
    }
}
