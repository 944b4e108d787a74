extension Recognizer {
    /// `INSERT|REPLACE [LOW_PRIORITY|DELAYED|HIGH_PRIORITY] [IGNORE] [INTO] tbl [PARTITION (…)] [(cols)]`
    /// then `VALUES|VALUE|SET|SELECT|TABLE|WITH|(`; the rest (ON DUPLICATE KEY UPDATE too) is skimmed.
    mutating func parseInsert() {
        advance()
        while at(.lowPriority) || at(.delayed) || at(.highPriority) || at(.ignore) { advance() }
        _ = accept(.into)
        guard let target = readTableName() else { return }
        addTable(target, allowCTE: false)
        if accept(.partition) { skipParenthesized() }
        if at(punctuation: UInt8(ascii: "(")) && !parenthesisOpensQuery() { skipParenthesized() }
        switch current.keyword {
        case .table:
            parseQueryExpression()
        case .values, .value, .set, .select, .with:
            break
        default:
            if !at(punctuation: UInt8(ascii: "(")) { return markUnparsed() }
        }
        skim(to: .statement)
    }

    /// `UPDATE [LOW_PRIORITY] [IGNORE] table_references SET …`.
    mutating func parseUpdate() {
        advance()
        while at(.lowPriority) || at(.ignore) { advance() }
        parseTableReferences()
        guard accept(.set) else { return markUnparsed() }
        skim(to: .beforeLimit)
        checkRowCountLimit()
    }

    /// `DELETE [LOW_PRIORITY] [QUICK] [IGNORE]` then `FROM tbl …` (single table), `FROM t1[.*], … USING refs`
    /// or `t1[.*], … FROM refs`. Multi-table targets name tables or aliases of the references, so the
    /// references alone give the set.
    mutating func parseDelete() {
        advance()
        while at(.lowPriority) || at(.ignore) || at(.quick) { advance() }
        if accept(.from) {
            guard let first = readTableName() else { return }
            let single =
                !at(punctuation: UInt8(ascii: ",")) && !at(punctuation: UInt8(ascii: "."))
                && !at(.using)
            if single {
                addTable(first)
                if accept(.as) { advance() } else if current.canBeBareAlias { advance() }
                if accept(.partition) { skipParenthesized() }
                skim(to: .beforeLimit)
                checkRowCountLimit()
                return
            }
            skipDeleteTargets()
            guard accept(.using) else { return markUnparsed() }
        } else {
            guard readTableName() != nil else { return }
            skipDeleteTargets()
            guard accept(.from) else { return markUnparsed() }
        }
        parseTableReferences()
        skim(to: .statement)
    }

    /// The rest of `t1[.*], t2[.*]` after the first name.
    private mutating func skipDeleteTargets() {
        while true {
            if at(punctuation: UInt8(ascii: ".")) && peek(1).isPunctuation(UInt8(ascii: "*")) {
                advance()
                advance()
            }
            guard accept(punctuation: UInt8(ascii: ",")) else { return }
            guard readTableName() != nil else { return }
        }
    }

    /// Single-table UPDATE and DELETE take `LIMIT row_count` only (no offset).
    private mutating func checkRowCountLimit() {
        guard accept(.limit) else { return }
        switch current.kind {
        case .number, .placeholder, .variable, .word: advance()
        default: return markUnparsed()
        }
        if at(punctuation: UInt8(ascii: ",")) || at(.offset) { return markUnparsed() }
        skim(to: .statement)
    }

    /// `LOAD DATA|XML … INTO TABLE tbl …`, `LOAD INDEX INTO CACHE tbl_index_list`.
    mutating func parseLoad() {
        advance()
        if at(.index) {
            while !atStatementEnd && !at(.cache) { advance() }
            _ = accept(.cache)
            parseIndexCacheList()
            return
        }
        while !atStatementEnd && !at(.into) { advance() }
        guard accept(.into), accept(.table) else { return markUnparsed() }
        readTableName().map { addTable($0, allowCTE: false) }
        skim(to: .statement)
    }

    /// `CALL db.proc(…)`: the routine is reported apart, and its body is invisible, so `partial`.
    mutating func parseCall() {
        advance()
        guard let name = readName() else { return markUnparsed() }
        addRoutine(name)
        markPartial()
        skim(to: .statement)
    }

    /// Whether the current token is the unquoted word `upper` (ASCII case ignored).
    func isWord(_ upper: StaticString) -> Bool { isWord(upper, at: position) }

    /// Whether the token at `index` is the unquoted word `upper` (ASCII case ignored).
    func isWord(_ upper: StaticString, at index: Int) -> Bool {
        let token = tokens[min(index, tokens.count - 1)]
        guard token.kind == .word, Int(token.end - token.start) == upper.utf8CodeUnitCount else { return false }
        let spelling = upper.utf8Start
        for offset in 0..<upper.utf8CodeUnitCount
        where !text[Int(token.start) + offset].equalsIgnoringCase(spelling[offset]) {
            return false
        }
        return true
    }
}
