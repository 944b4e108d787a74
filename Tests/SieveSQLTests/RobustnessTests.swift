@testable import SieveSQL
import Testing
import SieveTestSupport

@Suite("robustness")
struct RobustnessTests {
    @Test("nesting deeper than 512 levels is unparsed, without deep recursion")
    func deepNesting() {
        let depth = 600
        let nested =
            "SELECT * FROM t WHERE a IN " + String(repeating: "(SELECT a FROM t WHERE a IN ", count: depth)
            + "(1)" + String(repeating: ")", count: depth)
        #expect(TableExtractor.extract(nested, defaultDB: "app").status == .unparsed)
        let parentheses = String(repeating: "(", count: 100_000) + "SELECT 1" + String(repeating: ")", count: 100_000)
        #expect(TableExtractor.extract(parentheses, defaultDB: "app").status == .unparsed)
    }

    @Test("nesting up to the limit is read in full")
    func nestingAtTheLimit() {
        let depth = Lexer.maxNesting - 1
        let nested =
            "SELECT * FROM t0 WHERE a IN " + String(repeating: "(SELECT a FROM t1 WHERE a IN ", count: depth)
            + "(SELECT a FROM t2)" + String(repeating: ")", count: depth)
        let result = TableExtractor.extract(nested, defaultDB: "app")
        #expect(result.status == .complete)
        #expect(result.tables.map(\.name) == ["t0", "t1", "t2"])
        let derived =
            "SELECT * FROM " + String(repeating: "(SELECT * FROM ", count: depth) + "t"
            + String(repeating: ") AS d", count: depth)
        #expect(TableExtractor.extract(derived, defaultDB: "app").tables.map(\.name) == ["t"])
    }

    @Test(
        "a text of one-byte tokens fills its token buffer exactly, on the stack and on the heap, and is read in full",
        arguments: [1, Lexer.stackTextLimit - 16, Lexer.stackTextLimit + 1, 50_000])
    func oneByteTokens(length: Int) {
        // `;` after `;`: one token per byte, the most a text can hold (the buffer has one more, for `.end`).
        let separators = String(repeating: ";", count: length)
        #expect(TableExtractor.extract(separators, defaultDB: "app").status == .complete)
        let bytes = Array(separators.utf8)
        let (count, failure) = bytes.withUnsafeBufferPointer { text in
            Lexer.withTokenBuffer(forTextOf: text.count) { buffer in
                var lexer = Lexer(text: text.baseAddress!, count: text.count, options: SQLOptions(), buffer: buffer)
                lexer.run()
                return (lexer.tokens.count, lexer.failure)
            }
        }
        #expect(count == length + 1 && failure == nil)
        // A long run of one-byte tokens inside a statement (unary minus), and the statement still read.
        let padded = "SELECT 1 FROM shop.orders WHERE a = " + String(repeating: "-", count: length) + "1"
        let result = TableExtractor.extract(padded, defaultDB: "app")
        #expect(result.status == .complete && result.tables.map(\.description) == ["shop.orders"])
    }

    @Test("identifier bytes are exactly 0-9, A-Z, a-z, _, $ and every byte from 0x80")
    func identifierBytes() {
        for byte in UInt8.min...UInt8.max {
            let expected =
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == 0x5F || byte == 0x24 || byte >= 0x80
            #expect(byte.isIdentifierByte == expected, "byte \(byte)")
        }
    }

    @Test("statements that nest without parentheses stop at the recursion limit")
    func keywordNesting() {
        let routines = String(repeating: "CREATE PROCEDURE p() ", count: 50_000) + "SELECT 1"
        #expect(TableExtractor.extract(routines, defaultDB: "app").status == .unparsed)
    }

    @Test("random bytes never crash and always end with a status")
    func randomBytes() {
        var generator = SeededRandom(seed: 0x5EED)
        let pieces = [
            "SELECT", "FROM", "(", ")", ",", "'", "\"", "`", "/*", "*/", "/*!", "--", "#", "\n", " ", ".",
            "t1", "db", "JOIN", "ON", "WITH", "AS", "UNION", "INSERT", "INTO", "VALUES", "CREATE", "TABLE",
            "@", "?", "\\", ";", "{", "}", "é", "1", "0x", "X'", "LOCK", "HANDLER", "DELETE", "USING",
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
            let result = bytes.withUnsafeBytes { TableExtractor.extract($0, defaultDB: "app") }
            #expect(TableExtraction.Status.allCases.contains(result.status))
        }
    }

    @Test("every reported name occurs in the text as an identifier")
    func namesComeFromTheText() throws {
        for corpus in ["percona_toolkit"] + OracleAgreementTests.corpora {
            for row in try #require(CorpusRow.load(corpus)) {
                let result = row.extract()
                guard !result.tables.isEmpty, let rewriter = Rewriter(row.sql, options: row.options) else { continue }
                let identifiers = Set(
                    rewriter.spans.compactMap { span -> String? in
                        guard span.token.kind == .word || span.token.kind == .quotedIdentifier else { return nil }
                        let quote = span.token.kind == .quotedIdentifier ? span.token.byte : 0
                        let body = rewriter.bytes[Int(span.token.start)..<Int(span.token.end)]
                        let text = String(decoding: body, as: UTF8.self)
                        return quote == 0
                            ? text
                            : text.replacingAll(
                                String(UnicodeScalar(quote)) + String(UnicodeScalar(quote)),
                                with: String(UnicodeScalar(quote)))
                    })
                for table in result.tables {
                    #expect(identifiers.contains(table.name), "\(row.id): \(table.name) is not a token of \(row.sql)")
                }
            }
        }
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
