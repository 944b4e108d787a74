extension Recognizer {
    /// Skips an expression or clause up to `end` at depth 0, an unmatched `)`, `;` or the end of the text,
    /// recursing into every query met on the way (scalar, IN, EXISTS, ANY/ALL, derived, `TABLE t`).
    mutating func skim(to end: ClauseEnd) {
        var level = 0
        while true {
            let token = current
            switch token.kind {
            case .end:
                return
            case .punctuation:
                switch token.byte {
                case UInt8(ascii: ";"):
                    return
                case UInt8(ascii: "("), UInt8(ascii: "{"):
                    level += 1
                case UInt8(ascii: ")"), UInt8(ascii: "}"):
                    if level == 0 { return }
                    level -= 1
                case UInt8(ascii: ","):
                    if level == 0 && end.stopsAtComma { return }
                default:
                    break
                }
                advance()
            case .word:
                let keyword = token.keyword
                if keyword == .none {
                    advance()
                    continue
                }
                if level == 0 && end.stops(at: keyword) && !isFunctionCall(keyword) { return }
                if !skimKeyword(keyword, in: end) { advance() }
            default:
                advance()
            }
        }
    }

    /// Handles a keyword met while skimming; false when it is just skipped.
    private mutating func skimKeyword(_ keyword: Keyword, in end: ClauseEnd) -> Bool {
        switch keyword {
        case .select:
            parseQueryExpression()
            return true
        case .where, .having:
            advance()
            let next = current
            if next.kind == .end || next.isPunctuation(UInt8(ascii: ";")) || next.isPunctuation(UInt8(ascii: ")")) {
                markUnparsed()
            }
            return true
        case .with where looksLikeCTEList():
            parseQueryExpression()
            return true
        case .table where peek(1).canNameTable && previousOpensQuery:
            advance()
            readTableName().map { addTable($0) }
            return true
        case .references where end == .tableDefinition:
            advance()
            readTableName().map { addTable($0, allowCTE: false) }
            return true
        case .union
        where end == .tableDefinition
            && (peek(1).isPunctuation(UInt8(ascii: "="))
                || (peek(1).isPunctuation(UInt8(ascii: "(")) && peek(2).canNameTable)):
            advance()
            _ = accept(punctuation: UInt8(ascii: "="))
            parseParenthesizedTableList()
            return true
        case .rename where end == .tableDefinition:
            advance()
            switch current.keyword {
            case .column, .index, .key: return true
            default: break
            }
            if !accept(.to) { _ = accept(.as) }
            readTableName().map { addTable($0, allowCTE: false) }
            return true
        case .with where end == .tableDefinition && peek(1).keyword == .table:
            advance()
            advance()
            readTableName().map { addTable($0, allowCTE: false) }
            return true
        default:
            return false
        }
    }

    /// Whether the token before the current one lets a query start here: `(`, a set operator, `AS`.
    var previousOpensQuery: Bool {
        guard position > 0 else { return true }
        let previous = tokens[position - 1]
        switch previous.keyword {
        case .union, .intersect, .except, .all, .distinct, .as: return true
        default: return previous.isPunctuation(UInt8(ascii: "("))
        }
    }

    /// `LEFT(…)`, `RIGHT(…)`, `INSERT(…)`, `REPLACE(…)`, `TRUNCATE(…)`: functions spelled like keywords.
    @inline(__always)
    func isFunctionCall(_ keyword: Keyword) -> Bool {
        switch keyword {
        case .left, .right, .insert, .replace, .truncate, .if, .values, .database, .schema:
            return peek(1).isPunctuation(UInt8(ascii: "("))
        default:
            return false
        }
    }

    /// At `WITH`: `WITH [RECURSIVE] name [(cols)] AS (` opens a CTE list (not `WITH ROLLUP`, `WITH CHECK OPTION`…).
    func looksLikeCTEList() -> Bool {
        var offset = 1
        if peek(offset).keyword == .recursive { return true }
        guard peek(offset).canNameTable else { return false }
        offset += 1
        return peek(offset).keyword == .as || peek(offset).isPunctuation(UInt8(ascii: "("))
    }

    /// At `(`: whether the first token after the run of `(` starts a query (bounded by the nesting limit).
    func parenthesisOpensQuery() -> Bool {
        var offset = 0
        while peek(offset).isPunctuation(UInt8(ascii: "(")) && offset <= Lexer.maxNesting { offset += 1 }
        switch peek(offset).keyword {
        case .select, .values, .table: return true
        case .with: return true
        default: return false
        }
    }

    /// Skips a balanced `( … )` (recursing into queries inside); no-op when not at `(`.
    mutating func skipParenthesized() {
        guard accept(punctuation: UInt8(ascii: "(")) else { return }
        skim(to: .statement)
        if !accept(punctuation: UInt8(ascii: ")")) { markUnparsed() }
    }

    /// Skips to the end of the statement without looking at what is there.
    mutating func skipStatement() {
        while !atStatementEnd { advance() }
    }

    /// `( tbl, … )`.
    mutating func parseParenthesizedTableList() {
        guard accept(punctuation: UInt8(ascii: "(")) else { return markUnparsed() }
        parseTableList()
        if !accept(punctuation: UInt8(ascii: ")")) { markUnparsed() }
    }

    /// `tbl [, tbl]…`, each a table.
    mutating func parseTableList() {
        repeat {
            guard let name = readTableName() else { return }
            addTable(name, allowCTE: false)
        } while accept(punctuation: UInt8(ascii: ","))
    }

    /// A possibly qualified name (`db.tbl`, `db . tbl`, `.tbl`), or nil (and the cursor unmoved).
    mutating func readName() -> QualifiedName? {
        if at(punctuation: UInt8(ascii: ".")) && peek(1).canNameTable {
            advance()
            let table = position
            advance()
            return QualifiedName(database: nil, table: table)
        }
        guard current.canNameTable else { return nil }
        let first = position
        advance()
        if at(punctuation: UInt8(ascii: ".")) && (peek(1).kind == .word || peek(1).kind == .quotedIdentifier) {
            advance()
            let second = position
            advance()
            return QualifiedName(database: first, table: second)
        }
        if at(punctuation: UInt8(ascii: ".")) && !peek(1).isPunctuation(UInt8(ascii: "*")) { markUnparsed() }
        return QualifiedName(database: nil, table: first)
    }

    /// A name where MySQL requires a table: anything else makes the text `unparsed`.
    mutating func readTableName() -> QualifiedName? {
        guard let name = readName() else {
            markUnparsed()
            return nil
        }
        return name
    }
}
