extension Recognizer {
    /// Every statement of the text, `;`-separated. A statement that leaves tokens unread is `partial`
    /// and the rest of it is skipped.
    mutating func parseScript() {
        while !atEnd {
            if accept(punctuation: UInt8(ascii: ";")) { continue }
            let start = position
            parseStatement()
            if !atStatementEnd {
                markPartial()
                skipStatement()
            }
            if position == start { advance() }
        }
    }

    /// One statement, dispatched on its first keyword.
    mutating func parseStatement() {
        guard enter() else { return }
        defer { leave() }
        if at(punctuation: UInt8(ascii: "(")) {
            parseQueryExpression()
            return
        }
        switch current.keyword {
        case .select, .table, .values:
            parseQueryExpression()
        case .with:
            parseWithStatement()
        case .insert, .replace:
            parseInsert()
        case .update:
            parseUpdate()
        case .delete:
            parseDelete()
        case .load:
            parseLoad()
        case .call:
            parseCall()
        case .create:
            parseCreate()
        case .alter:
            parseAlter()
        case .drop:
            parseDrop()
        case .rename:
            parseRename()
        case .truncate:
            advance()
            _ = accept(.table)
            readTableName().map { addTable($0, allowCTE: false) }
        case .lock:
            parseLock()
        case .handler:
            advance()
            readTableName().map { addTable($0, allowCTE: false) }
            skim(to: .statement)
        case .analyze, .check, .checksum, .optimize, .repair, .backup, .restore:
            parseMaintenance()
        case .cache:
            parseCacheIndex()
        case .flush:
            parseFlush()
        case .show:
            parseShow()
        case .describe, .desc, .explain:
            parseExplain()
        case .grant, .revoke:
            parseGrant()
        case .use:
            advance()
            if current.canNameTable {
                defaultDB = name(of: position)
                advance()
            } else {
                markUnparsed()
            }
        case .set, .do, .signal, .resignal, .get, .kill, .begin, .start:
            advance()
            skim(to: .statement)
        case .prepare, .execute:
            markPartial()
            skipStatement()
        case .deallocate, .commit, .rollback, .savepoint, .release, .reset, .purge, .change,
            .stop, .install, .uninstall, .xa, .binlog, .help, .shutdown, .restart, .clone, .unlock, .import:
            skipStatement()
        default:
            markPartial()
            skipStatement()
        }
    }

    /// `WITH …` before SELECT, UPDATE or DELETE: the CTEs are visible to the whole statement.
    private mutating func parseWithStatement() {
        guard looksLikeCTEList() else { return markUnparsed() }
        let outerCTEs = visibleCTEs.count
        parseWithClause()
        if at(.with) { markUnparsed() }
        switch current.keyword {
        case .update: parseUpdate()
        case .delete: parseDelete()
        default: parseQueryExpression()
        }
        dropCTEs(keeping: outerCTEs)
    }

    /// The statements inside a trigger, routine or event body: every statement keyword met is parsed
    /// as a statement; control flow (`BEGIN … END`, `IF … THEN`, loops, DECLARE) is skipped.
    ///
    /// The body is one statement: `[label:] BEGIN … END` ends at the `END` that closes the outer
    /// BEGIN (`END IF`, `END LOOP`, `END WHILE`, `END REPEAT`, `END CASE` close other blocks), and a
    /// simple body ends at the `;` after its statement. What follows in a multi-statement text is
    /// not part of the body.
    mutating func parseRoutineBody() {
        var blocks = 0
        var sawStatement = false
        while !atEnd {
            let start = position
            let token = current
            if token.isPunctuation(UInt8(ascii: ";")) {
                if blocks == 0 && sawStatement { return }
            } else if token.keyword == .begin {
                blocks += 1
            } else if token.keyword == .end {
                if peek(1).keyword == .if || isWord("CASE", at: position + 1) || isWord("LOOP", at: position + 1)
                    || isWord("WHILE", at: position + 1) || isWord("REPEAT", at: position + 1)
                {
                    advance()
                } else if blocks > 0 {
                    blocks -= 1
                    if blocks == 0 {
                        advance()
                        return
                    }
                }
            } else if token.keyword == .use {
                markUnparsed()
            } else if token.kind == .word && startsBodyStatement(token.keyword) && !isFunctionCall(token.keyword) {
                parseStatement()
                sawStatement = true
            } else if token.keyword == .with && looksLikeCTEList() {
                parseStatement()
                sawStatement = true
            } else if blocks == 0 && isWord("RETURN") {
                sawStatement = true
            }
            if position == start { advance() }
        }
    }

    private func startsBodyStatement(_ keyword: Keyword) -> Bool {
        switch keyword {
        case .select, .insert, .replace, .update, .delete, .call, .create, .alter, .drop, .rename, .truncate, .load,
            .analyze, .optimize, .repair, .checksum, .flush, .show:
            true
        default:
            false
        }
    }
}
