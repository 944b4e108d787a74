/// Masks what a statement's text must not carry past auditsieve, reading it with the lexer that
/// reads its tables (never a regex): `maskingPasswords` replaces the secrets of the statements that
/// set or carry a password with `'***'`, `maskingLiterals` every string and number literal with
/// `?`. Identifiers, keywords, comments and the statement's shape stay, so the text stays auditable.
///
/// Fail closed: every `/*!…*/` and `/*M!…*/` is read as code whatever its version; an unterminated
/// string (a cut record) is a literal up to the end of the text; a `)` without its `(`, nesting
/// beyond the lexer's limit or a malformed `X'…'` do not stop the reading. Only an unterminated
/// comment ends it (the rest is the comment).
public enum SQLRedaction {
    /// What replaces a password: a string literal, so the statement still reads as SQL.
    public static let passwordMarker: [UInt8] = Array("'***'".utf8)
    /// What replaces each literal, as a placeholder of a prepared statement would.
    public static let literalMarker: [UInt8] = [UInt8(ascii: "?")]

    /// `text` with every password secret replaced by `passwordMarker`; `nil` when it holds none.
    public static func maskingPasswords(in text: UnsafeRawBufferPointer, options: SQLOptions = .init()) -> [UInt8]? {
        // Every form names IDENTIFIED or a word ending in PASSWORD: a text with neither (nearly
        // every statement) is not lexed at all.
        guard mentionsPassword(text) else { return nil }
        return redact(text, options: options, marker: passwordMarker) { passwordRanges(in: $0) }
    }

    /// `text` with every string and number literal replaced by `literalMarker`; `nil` when it holds none.
    public static func maskingLiterals(in text: UnsafeRawBufferPointer, options: SQLOptions = .init()) -> [UInt8]? {
        redact(text, options: options, marker: literalMarker) { literalRanges(in: $0) }
    }

    public static func maskingPasswords(in text: String, options: SQLOptions = .init()) -> String? {
        on(text) { maskingPasswords(in: $0, options: options) }
    }

    public static func maskingLiterals(in text: String, options: SQLOptions = .init()) -> String? {
        on(text) { maskingLiterals(in: $0, options: options) }
    }

    private static func on(_ text: String, _ body: (UnsafeRawBufferPointer) -> [UInt8]?) -> String? {
        var text = text
        return text.withUTF8 { body(UnsafeRawBufferPointer($0)) }.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether `PASSWORD` or `IDENTIFIED` occurs anywhere in `text`, in any case: one pass.
    static func mentionsPassword(_ text: UnsafeRawBufferPointer) -> Bool {
        func at(_ index: Int, _ word: StaticString) -> Bool {
            guard index + word.utf8CodeUnitCount <= text.count else { return false }
            return word.withUTF8Buffer { expected in
                expected.indices.allSatisfy { text[index + $0] | 0x20 == expected[$0] }
            }
        }
        for index in text.indices {
            switch text[index] | 0x20 {
            case UInt8(ascii: "p") where at(index, "password"): return true
            case UInt8(ascii: "i") where at(index, "identified"): return true
            default: continue
            }
        }
        return false
    }

    private static func redact(
        _ text: UnsafeRawBufferPointer, options: SQLOptions, marker: [UInt8],
        ranges find: (RedactionTokens) -> [Range<Int>]
    ) -> [UInt8]? {
        guard let base = text.baseAddress?.assumingMemoryBound(to: UInt8.self), !text.isEmpty else { return nil }
        let ranges = find(RedactionTokens(text: base, count: text.count, options: options))
        guard !ranges.isEmpty else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var copied = 0
        for range in ranges {
            out.append(contentsOf: text[copied..<range.lowerBound])
            out.append(contentsOf: marker)
            copied = range.upperBound
        }
        out.append(contentsOf: text[copied...])
        return out
    }
}
