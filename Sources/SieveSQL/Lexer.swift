/// MySQL's lexical rules over raw bytes: comments (`#`, `-- `, `/* */`, versioned `/*!NNNNN */` read as
/// code when NNNNN ≤ the server version), strings with the sql_mode's quoting and escaping, backtick and
/// ANSI quoted identifiers, digit-leading identifiers, and a word after `.` always an identifier.
/// One pass; every byte is looked at a bounded number of times, counted in `steps`.
struct Lexer {
    enum Failure: Equatable {
        case unterminatedString
        case unterminatedIdentifier
        case unterminatedComment
        case unbalancedParentheses
        case nestedTooDeep
        /// `X'ABC'` (odd number of hex digits), `B'102'`.
        case malformedLiteral
        /// The token buffer is full: cannot happen with a buffer of `tokenCapacity(forTextOf:)`
        /// (every token but `.end` spans at least one byte); a guard for memory safety.
        case tooManyTokens
    }

    static let maxNesting = 512

    private let text: UnsafePointer<UInt8>
    private let count: Int
    private let options: SQLOptions
    /// Where the tokens go: a buffer of `tokenCapacity(forTextOf: count)` tokens the caller owns
    /// (`withTokenBuffer`), reused rather than allocated per statement.
    private let buffer: UnsafeMutableBufferPointer<Token>
    private var tokenCount = 0
    /// The tokens read so far (after `run`, ending with `.end`). Valid while the buffer is.
    var tokens: UnsafeBufferPointer<Token> { UnsafeBufferPointer(rebasing: buffer[0..<tokenCount]) }
    private(set) var failure: Failure?
    private(set) var steps = 0
    private var position = 0
    private var inVersionedComment = false
    private var nesting = 0
    /// The next word is an identifier because it follows `.`.
    private var afterDot = false
    /// Reading for `SQLRedaction`, which must see what any server could run: every `/*!…*/` and
    /// MariaDB's `/*M!…*/` is code whatever its version, and only an unterminated string,
    /// identifier or comment stops the lexer (a `)` without its `(`, nesting beyond the limit or a
    /// malformed `X'…'` do not). Off for table extraction.
    var forRedaction = false

    /// Where scanning stopped: at the opening quote of an unterminated string, identifier or
    /// comment, or just past the token that failed; `count` when the whole text was read.
    var stopOffset: Int { position }

    init(text: UnsafePointer<UInt8>, count: Int, options: SQLOptions, buffer: UnsafeMutableBufferPointer<Token>) {
        self.text = text
        self.count = count
        self.options = options
        self.buffer = buffer
    }

    /// Enough tokens for any text of `count` bytes: one per byte at most, and `.end`.
    static func tokenCapacity(forTextOf count: Int) -> Int { count + 1 }

    /// Texts up to this many bytes get their tokens on the stack (12 bytes a token: at most 48 KiB).
    static let stackTextLimit = 4096

    /// Calls `body` with a token buffer for a text of `count` bytes: on the stack for ordinary
    /// statements (no allocation), on the heap for long ones.
    static func withTokenBuffer<Result>(
        forTextOf count: Int, _ body: (UnsafeMutableBufferPointer<Token>) -> Result
    ) -> Result {
        let capacity = tokenCapacity(forTextOf: count)
        if count <= stackTextLimit {
            return withUnsafeTemporaryAllocation(of: Token.self, capacity: capacity, body)
        }
        let heap = UnsafeMutableBufferPointer<Token>.allocate(capacity: capacity)
        defer { heap.deallocate() }
        return body(heap)
    }

    /// Tokenizes the whole text, stopping at the first failure; always ends with an `.end` token.
    mutating func run() {
        while position < count && failure == nil {
            steps += 1
            scanToken()
        }
        if failure == nil && nesting != 0 { failure = .unbalancedParentheses }
        if failure == nil && inVersionedComment { failure = .unterminatedComment }
        let end = UInt32(truncatingIfNeeded: count)
        buffer.initializeElement(
            at: tokenCount, to: Token(start: end, end: end, kind: .end, keyword: .none, flags: [], byte: 0))
        tokenCount += 1
    }

    /// The last token emitted, if any.
    private var lastToken: Token? { tokenCount > 0 ? buffer[tokenCount - 1] : nil }

    private mutating func scanToken() {
        let byte = text[position]
        switch byte {
        case 0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C:
            position += 1
        case UInt8(ascii: "#"):
            skipLine()
        case UInt8(ascii: "-")
        where at(position + 1) == UInt8(ascii: "-") && (position + 2 == count || at(position + 2) <= 0x20):
            skipLine()
        case UInt8(ascii: "/") where at(position + 1) == UInt8(ascii: "*"):
            scanComment()
        case UInt8(ascii: "*") where inVersionedComment && at(position + 1) == UInt8(ascii: "/"):
            inVersionedComment = false
            position += 2
        case UInt8(ascii: "'"):
            scanString(quote: byte)
        case UInt8(ascii: "\""):
            if options.ansiQuotes { scanQuotedIdentifier(quote: byte) } else { scanString(quote: byte) }
        case UInt8(ascii: "`"):
            scanQuotedIdentifier(quote: byte)
        case UInt8(ascii: "@"):
            scanVariable()
        case UInt8(ascii: "?"):
            emit(.placeholder, from: position, to: position + 1)
            position += 1
        case UInt8(ascii: "."):
            scanDot()
        default:
            if byte.isIdentifierByte {
                scanWord()
            } else {
                scanPunctuation(byte)
            }
        }
    }

    @inline(__always)
    private func at(_ index: Int) -> UInt8 { index < count ? text[index] : 0 }

    private mutating func emit(
        _ kind: Token.Kind, from start: Int, to end: Int, keyword: Keyword = .none,
        flags: Token.Flags = [], byte: UInt8 = 0
    ) {
        // One slot stays free for `.end`.
        guard tokenCount < buffer.count - 1 else {
            failure = .tooManyTokens
            return
        }
        buffer.initializeElement(
            at: tokenCount,
            to: Token(
                start: UInt32(truncatingIfNeeded: start), end: UInt32(truncatingIfNeeded: end),
                kind: kind, keyword: keyword, flags: flags, byte: byte))
        tokenCount += 1
        afterDot = false
    }

    private mutating func skipLine() {
        while position < count && text[position] != 0x0A {
            position += 1
            steps += 1
        }
    }

    /// `/* … */`, `/*+ hint */`, `/*!NNNNN code */`. MariaDB's `/*M! … */` is a comment to MySQL.
    private mutating func scanComment() {
        let mariaDB = forRedaction && at(position + 2) | 0x20 == UInt8(ascii: "m")
        if at(position + (mariaDB ? 3 : 2)) == UInt8(ascii: "!") && !inVersionedComment {
            var cursor = position + (mariaDB ? 4 : 3)
            var version = 0
            var digits = 0
            while digits < (mariaDB ? 6 : 5) && at(cursor).isDigit {
                version = version * 10 + Int(at(cursor) - UInt8(ascii: "0"))
                cursor += 1
                digits += 1
            }
            if forRedaction || digits == 0 || (digits == 5 && version <= options.serverVersion) {
                position = cursor
                inVersionedComment = true
                return
            }
        }
        var cursor = position + 2
        while cursor + 1 < count {
            steps += 1
            if text[cursor] == UInt8(ascii: "*") && text[cursor + 1] == UInt8(ascii: "/") {
                position = cursor + 2
                return
            }
            cursor += 1
        }
        failure = .unterminatedComment
    }

    private mutating func scanString(quote: UInt8) {
        let start = position
        var cursor = position + 1
        let escapes = !options.noBackslashEscapes
        while cursor < count {
            steps += 1
            let byte = text[cursor]
            if byte == UInt8(ascii: "\\") && escapes {
                cursor += 2
            } else if byte == quote {
                if at(cursor + 1) == quote {
                    cursor += 2
                } else {
                    checkPrefixedLiteral(start: start, end: cursor)
                    emit(.string, from: start + 1, to: cursor, byte: quote)
                    position = cursor + 1
                    return
                }
            } else {
                cursor += 1
            }
        }
        failure = .unterminatedString
    }

    /// `X'…'` holds an even number of hex digits, `B'…'` only binary digits.
    private mutating func checkPrefixedLiteral(start: Int, end: Int) {
        guard !forRedaction, let prefix = lastToken, prefix.kind == .word, Int(prefix.end) == start,
            prefix.end - prefix.start == 1
        else { return }
        let body = start + 1..<end
        switch text[start - 1] | 0x20 {
        case UInt8(ascii: "x"):
            if body.count % 2 != 0 || !body.allSatisfy({ text[$0].isHexDigit }) { failure = .malformedLiteral }
        case UInt8(ascii: "b"):
            if !body.allSatisfy({ text[$0] == UInt8(ascii: "0") || text[$0] == UInt8(ascii: "1") }) {
                failure = .malformedLiteral
            }
        default:
            break
        }
    }

    private mutating func scanQuotedIdentifier(quote: UInt8) {
        var cursor = position + 1
        var flags: Token.Flags = afterDot ? [.afterDot] : []
        while cursor < count {
            steps += 1
            if text[cursor] == quote {
                if at(cursor + 1) == quote {
                    flags.insert(.escaped)
                    cursor += 2
                    continue
                }
                emit(.quotedIdentifier, from: position + 1, to: cursor, flags: flags, byte: quote)
                position = cursor + 1
                return
            }
            cursor += 1
        }
        failure = .unterminatedIdentifier
    }

    /// `@name`, `@'name'`, `` @`name` ``, `@@global.name`: one token, never a table.
    private mutating func scanVariable() {
        let start = position
        position += 1
        if at(position) == UInt8(ascii: "@") { position += 1 }
        let next = at(position)
        if next == UInt8(ascii: "'") || next == UInt8(ascii: "\"") || next == UInt8(ascii: "`") {
            scanString(quote: next)
            if failure != nil { return }
            tokenCount -= 1
        } else {
            while position < count && (text[position].isIdentifierByte || text[position] == UInt8(ascii: ".")) {
                position += 1
                steps += 1
            }
        }
        emit(.variable, from: start, to: position)
    }

    /// `.` after a name qualifies it (`db . tbl`, `temp.5`); elsewhere `.5` is a number and `.tbl` means the
    /// default database.
    private mutating func scanDot() {
        let previous = lastToken
        let followsName =
            previous.map {
                $0.kind == .quotedIdentifier || ($0.kind == .word && !$0.flags.contains(.reserved))
            } ?? false
        if !followsName && !afterDot && at(position + 1).isDigit {
            scanNumber(from: position)
            return
        }
        emit(.punctuation, from: position, to: position + 1, byte: UInt8(ascii: "."))
        position += 1
        afterDot = true
    }

    private mutating func scanWord() {
        let start = position
        var hash = KeywordTable.seed
        var cursor = position
        while cursor < count && text[cursor].isIdentifierByte {
            hash = KeywordTable.mix(hash, text[cursor])
            cursor += 1
        }
        steps += cursor - start
        if afterDot {
            position = cursor
            emit(.word, from: start, to: cursor, flags: .afterDot)
            return
        }
        if text[start].isDigit && NumberShape.isNumber(text, start: start, end: cursor, count: count) {
            scanNumber(from: start)
            return
        }
        position = cursor
        var keyword = Keyword.none
        var flags: Token.Flags = []
        if cursor - start <= KeywordTable.maxLength,
            // Read in place: a copy of the table in each lexer cost six reference counts per
            // statement on arrays every connection's thread shares.
            let entry = KeywordTable.shared.lookup(text, start: start, end: cursor, hash: hash)
        {
            keyword = entry.keyword
            switch entry.reservation {
            case .reserved: flags = .reserved
            case .softReserved: flags = .softReserved
            case .unreserved: break
            }
        }
        emit(.word, from: start, to: cursor, keyword: keyword, flags: flags)
    }

    private mutating func scanNumber(from start: Int) {
        position = NumberShape.end(text, start: start, count: count)
        steps += position - start
        emit(.number, from: start, to: position)
    }

    private mutating func scanPunctuation(_ byte: UInt8) {
        if byte == UInt8(ascii: "(") && !forRedaction {
            nesting += 1
            if nesting > Self.maxNesting { failure = .nestedTooDeep }
        } else if byte == UInt8(ascii: ")") && !forRedaction {
            nesting -= 1
            if nesting < 0 { failure = .unbalancedParentheses }
        }
        emit(.punctuation, from: position, to: position + 1, byte: byte)
        position += 1
    }
}
