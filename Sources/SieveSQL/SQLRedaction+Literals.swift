extension SQLRedaction {
    /// Every string literal (with its `_charset`, `N`, `X` or `B` prefix) and every number literal
    /// (with a unary `-` or `+` written before it: `= -5` is one literal, `a - 5` keeps its minus).
    static func literalRanges(in tokens: RedactionTokens) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        for index in tokens.tokens.indices {
            switch tokens.tokens[index].kind {
            case .string:
                ranges.append(tokens.literalSpan(index))
            case .number:
                let span = tokens.span(index)
                ranges.append((unarySign(before: index, in: tokens) ?? span.lowerBound)..<span.upperBound)
            default:
                continue
            }
        }
        return ranges
    }

    /// Where the sign before number `index` starts, when it is a sign rather than an operator: the
    /// token before it is no operand (`=`, `(`, `,`, a reserved word, the start) and only spaces
    /// lie between sign and number.
    private static func unarySign(before index: Int, in tokens: RedactionTokens) -> Int? {
        guard let sign = tokens[index - 1],
            sign.isPunctuation(UInt8(ascii: "-")) || sign.isPunctuation(UInt8(ascii: "+")),
            (Int(sign.end)..<Int(tokens.tokens[index].start)).allSatisfy({
                tokens.text[$0] == 0x20 || tokens.text[$0] == 0x09
            })
        else { return nil }
        guard let operand = tokens[index - 2] else { return Int(sign.start) }
        switch operand.kind {
        case .number, .string, .quotedIdentifier, .variable, .placeholder:
            return nil
        case .word:
            return operand.flags.contains(.reserved) && !operand.flags.contains(.afterDot) ? Int(sign.start) : nil
        case .punctuation:
            return operand.byte == UInt8(ascii: ")") ? nil : Int(sign.start)
        case .end:
            return Int(sign.start)
        }
    }
}
