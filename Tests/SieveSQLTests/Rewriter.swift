@testable import SieveSQL

/// Rewrites a statement token by token for metamorphic tests, using the module's own lexer to find
/// token boundaries (so the rewrites exercise the recognizer, not a second lexer).
struct Rewriter {
    struct Span {
        var range: Range<Int>
        var token: Token
    }

    let bytes: [UInt8]
    let spans: [Span]

    init?(_ sql: String, options: SQLOptions) {
        let bytes = Array(sql.utf8)
        guard !bytes.isEmpty else { return nil }
        let tokens: [Token] = bytes.withUnsafeBufferPointer { buffer in
            Lexer.withTokenBuffer(forTextOf: buffer.count) { tokenBuffer in
                var lexer = Lexer(text: buffer.baseAddress!, count: buffer.count, options: options, buffer: tokenBuffer)
                lexer.run()
                return lexer.failure == nil ? Array(lexer.tokens.dropLast()) : []
            }
        }
        guard !tokens.isEmpty else { return nil }
        self.bytes = bytes
        self.spans = tokens.map { token in
            let quoted = token.kind == .quotedIdentifier || token.kind == .string
            let start = Int(token.start) - (quoted ? 1 : 0)
            let end = Int(token.end) + (quoted ? 1 : 0)
            return Span(range: start..<end, token: token)
        }
    }

    /// The text with `transform` applied to each token and `separator` to each gap between tokens
    /// (the gap's original bytes, the tokens before and after).
    func rewrite(
        token transform: (Span, [UInt8]) -> [UInt8],
        gap separator: ([UInt8], Span, Span) -> [UInt8]
    ) -> String {
        var output: [UInt8] = Array(bytes[0..<spans[0].range.lowerBound])
        for (index, span) in spans.enumerated() {
            output += transform(span, Array(bytes[span.range]))
            let gapEnd = index + 1 < spans.count ? spans[index + 1].range.lowerBound : bytes.count
            let gap = Array(bytes[span.range.upperBound..<max(span.range.upperBound, gapEnd)])
            output += index + 1 < spans.count ? separator(gap, span, spans[index + 1]) : gap
        }
        return String(decoding: output, as: UTF8.self)
    }
}
