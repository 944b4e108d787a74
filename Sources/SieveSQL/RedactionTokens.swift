/// A whole text's tokens for `SQLRedaction`, read by the lexer in its redaction mode (every
/// executable comment is code; unbalanced parentheses and malformed `X'…'` do not stop it). An
/// unterminated string (or quoted identifier) becomes a last token running to the end of the
/// text, so a cut secret is still masked; an unterminated comment ends the tokens.
struct RedactionTokens {
    let text: UnsafePointer<UInt8>
    let count: Int
    /// Without the lexer's `.end` sentinel.
    private(set) var tokens: ContiguousArray<Token>

    init(text: UnsafePointer<UInt8>, count: Int, options: SQLOptions) {
        self.text = text
        self.count = count
        let (read, failure, stopOffset) = Lexer.withTokenBuffer(forTextOf: count) { buffer in
            var lexer = Lexer(text: text, count: count, options: options, buffer: buffer)
            lexer.forRedaction = true
            lexer.run()
            return (ContiguousArray(lexer.tokens.dropLast()), lexer.failure, lexer.stopOffset)
        }
        tokens = read
        let kind: Token.Kind? =
            switch failure {
            case .unterminatedString: .string
            case .unterminatedIdentifier: .quotedIdentifier
            default: nil
            }
        if let kind {
            let quote = stopOffset
            tokens.append(
                Token(
                    start: UInt32(truncatingIfNeeded: quote + 1), end: UInt32(truncatingIfNeeded: count),
                    kind: kind, keyword: .none, flags: [], byte: text[quote]))
        }
    }

    var isEmpty: Bool { tokens.isEmpty }

    subscript(index: Int) -> Token? { index >= 0 && index < tokens.count ? tokens[index] : nil }

    /// Whether token `index` is the unquoted word `upper` (given in upper case), in any case, and
    /// not a name after `.`.
    func isWord(_ index: Int, _ upper: StaticString) -> Bool {
        guard let token = self[index], token.kind == .word, !token.flags.contains(.afterDot),
            Int(token.end - token.start) == upper.utf8CodeUnitCount
        else { return false }
        return upper.withUTF8Buffer { expected in
            expected.indices.allSatisfy { text[Int(token.start) + $0].equalsIgnoringCase(expected[$0]) }
        }
    }

    /// Whether token `index` is a word ending in `suffix` (upper case), in any case.
    func isWord(_ index: Int, endingIn suffix: StaticString) -> Bool {
        guard let token = self[index], token.kind == .word, !token.flags.contains(.afterDot),
            Int(token.end - token.start) >= suffix.utf8CodeUnitCount
        else { return false }
        let start = Int(token.end) - suffix.utf8CodeUnitCount
        return suffix.withUTF8Buffer { expected in
            expected.indices.allSatisfy { text[start + $0].equalsIgnoringCase(expected[$0]) }
        }
    }

    func isPunctuation(_ index: Int, _ character: UInt8) -> Bool { self[index]?.isPunctuation(character) == true }

    /// A string or number literal.
    func isLiteral(_ index: Int) -> Bool { self[index].map { $0.kind == .string || $0.kind == .number } ?? false }

    /// The bytes token `index` covers: a string or quoted identifier with its quotes (an
    /// unterminated string up to the end of the text).
    func span(_ index: Int) -> Range<Int> {
        let token = tokens[index]
        switch token.kind {
        case .string, .quotedIdentifier: return Int(token.start) - 1..<min(Int(token.end) + 1, count)
        default: return Int(token.start)..<Int(token.end)
        }
    }

    /// A string literal's span with its prefix: `_charset` before it, or the `N`, `X` or `B`
    /// written against its quote (`N'…'`, `X'4142'`, `b'101'`).
    func literalSpan(_ index: Int) -> Range<Int> {
        let span = span(index)
        guard tokens[index].kind == .string, let previous = self[index - 1], previous.kind == .word,
            !previous.flags.contains(.afterDot)
        else { return span }
        if text[Int(previous.start)] == UInt8(ascii: "_") { return Int(previous.start)..<span.upperBound }
        let letter = text[Int(previous.start)] | 0x20
        if previous.end - previous.start == 1, Int(previous.end) == span.lowerBound,
            letter == UInt8(ascii: "n") || letter == UInt8(ascii: "x") || letter == UInt8(ascii: "b")
        {
            return Int(previous.start)..<span.upperBound
        }
        return span
    }
}
