@testable import SieveSQL
import Testing

/// Rewrites that MySQL reads as the same statement must not change the set (over the labelled rows).
@Suite("metamorphic rewrites")
struct MetamorphicTests {
    static func labelledRows() -> [CorpusRow] {
        let rows = (CorpusRow.load("percona_toolkit") ?? []) + (CorpusRow.load("corner-cases") ?? [])
        return rows.filter { !$0.invalid }
    }

    private func check(_ name: String, _ rewrite: (Rewriter) -> String?) {
        var changed: [String] = []
        for row in Self.labelledRows() {
            guard let rewriter = Rewriter(row.sql, options: row.options), let rewritten = rewrite(rewriter) else {
                continue
            }
            let original = row.extract().tables
            let after = TableExtractor.extract(rewritten, defaultDB: row.defaultDB, options: row.options).tables
            if original != after { changed.append("\(row.id): \(rewritten)\n  \(original) became \(after)") }
        }
        #expect(changed.isEmpty, "\(name) changed the set:\n\(changed.joined(separator: "\n"))")
    }

    @Test("comments and whitespace between tokens")
    func commentsAndWhitespace() {
        check("comments") { rewriter in
            // Inside `/*! … */` a `*/` would close the versioned comment early.
            guard !rewriter.bytes.containsSubsequence(Array("/*!".utf8)) else { return nil }
            return rewriter.rewrite(
                token: { $1 },
                gap: { gap, before, after in
                    let separable =
                        !gap.isEmpty
                        || [before.token, after.token].contains {
                            $0.kind == .punctuation
                                && ($0.byte == UInt8(ascii: ",") || $0.byte == UInt8(ascii: "(")
                                    || $0.byte == UInt8(ascii: ")"))
                        }
                    guard separable else { return gap }
                    return gap + Array(" /* x */\n\t ".utf8)
                })
        }
    }

    @Test("reserved words in the other case")
    func keywordCase() {
        check("keyword case") { rewriter in
            rewriter.rewrite(
                token: { span, bytes in
                    guard span.token.kind == .word, span.token.flags.contains(.reserved) else { return bytes }
                    return bytes.map {
                        $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : ($0 >= 0x61 && $0 <= 0x7A ? $0 & 0xDF : $0)
                    }
                }, gap: { gap, _, _ in gap })
        }
    }

    @Test("unquoted identifiers in backticks")
    func requoting() {
        check("re-quoting") { rewriter in
            let spans = rewriter.spans
            return rewriter.rewrite(
                token: { span, bytes in
                    guard span.token.kind == .word, span.token.keyword == .none else { return bytes }
                    // `_utf8'x'`, `N'x'`, `X'0F'`: a word glued to a string is a prefix, not a name.
                    if let next = spans.first(where: { $0.range.lowerBound == span.range.upperBound }),
                        next.token.kind == .string
                    {
                        return bytes
                    }
                    return [UInt8(ascii: "`")] + bytes + [UInt8(ascii: "`")]
                }, gap: { gap, _, _ in gap })
        }
    }
}

extension Array where Element == UInt8 {
    func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard needle.count <= count else { return false }
        return (0...(count - needle.count)).contains { self[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
