extension Recognizer {
    /// `[WITH …] term {UNION|INTERSECT|EXCEPT [ALL|DISTINCT] term}…`, where a term is a SELECT block,
    /// `TABLE t`, `VALUES …` or a parenthesized query expression with its own ORDER BY/LIMIT.
    /// Stops at an unmatched `)`, `;` or the end.
    mutating func parseQueryExpression() {
        guard enter() else { return }
        defer { leave() }
        let outerCTEs = visibleCTEs.count
        if at(.with) {
            parseWithClause()
            if at(.with) { markUnparsed() }
        }
        while true {
            parseQueryTerm()
            guard at(.union) || at(.intersect) || at(.except) else { break }
            advance()
            if !accept(.all) { _ = accept(.distinct) }
        }
        dropCTEs(keeping: outerCTEs)
    }

    private mutating func parseQueryTerm() {
        switch current.keyword {
        case .select:
            advance()
            skim(to: .selectList)
            if accept(.from) {
                parseTableReferences()
                checkClauseFollowsFrom()
                skim(to: .queryTail)
            }
        case .table:
            advance()
            readTableName().map { addTable($0) }
            skim(to: .queryTail)
        case .values:
            advance()
            skim(to: .queryTail)
        case .with:
            parseQueryExpression()
        default:
            parseParenthesizedQuery()
            skim(to: .queryTail)
        }
    }

    /// After a FROM list only a clause, a set operator or the end of the query may come (`FROM t1 --x`
    /// is `t1 - -x`, not a comment).
    private mutating func checkClauseFollowsFrom() {
        let token = current
        switch token.kind {
        case .end:
            return
        case .punctuation:
            if token.byte != UInt8(ascii: ";") && token.byte != UInt8(ascii: ")") && token.byte != UInt8(ascii: "}") {
                markUnparsed()
            }
        case .word:
            switch token.keyword {
            case .where, .group, .having, .window, .order, .limit, .union, .intersect, .except, .for, .lock, .into,
                .procedure, .on, .with, .end:
                return
            default:
                markUnparsed()
            }
        default:
            markUnparsed()
        }
    }

    /// `( query_expression )`, without what may follow the `)`.
    mutating func parseParenthesizedQuery() {
        guard accept(punctuation: UInt8(ascii: "(")) else { return markUnparsed() }
        parseQueryExpression()
        if !accept(punctuation: UInt8(ascii: ")")) {
            markPartial()
            skim(to: .statement)
            _ = accept(punctuation: UInt8(ascii: ")"))
        }
    }

    /// `WITH [RECURSIVE] name [(cols)] AS (query), …`: each name is visible to the CTEs after it (and to its
    /// own body when RECURSIVE) and to the rest of the query expression; the caller drops them.
    mutating func parseWithClause() {
        advance()
        let recursive = accept(.recursive)
        repeat {
            guard current.canNameTable else { return markUnparsed() }
            let name = position
            advance()
            if at(punctuation: UInt8(ascii: "(")) { skipParenthesized() }
            guard accept(.as) else { return markUnparsed() }
            if recursive { declareCTE(name) }
            parseParenthesizedQuery()
            if !recursive { declareCTE(name) }
        } while accept(punctuation: UInt8(ascii: ","))
    }

    /// `table_reference [, table_reference]…` of FROM, UPDATE, DELETE … USING.
    mutating func parseTableReferences() {
        repeat {
            parseTableReference()
        } while accept(punctuation: UInt8(ascii: ","))
    }

    /// A table factor and the joins after it, with their ON/USING conditions.
    private mutating func parseTableReference() {
        parseTableFactor()
        while true {
            switch current.keyword {
            case .join, .straightJoin:
                advance()
                parseTableFactor()
            case .inner, .cross, .natural, .outer, .left, .right:
                while at(.inner) || at(.cross) || at(.natural) || at(.outer) || at(.left) || at(.right) { advance() }
                guard at(.join) || at(.straightJoin) else { return markUnparsed() }
            case .on:
                advance()
                skim(to: .joinCondition)
            case .using:
                advance()
                skipParenthesized()
            default:
                return
            }
        }
    }

    /// `name [PARTITION (…)] [[AS] alias] [index hints]`, `[LATERAL] (query) [AS] alias [(cols)]`,
    /// `( table_references )`, `{ OJ … }`, `JSON_TABLE(…) alias`, `DUAL`.
    mutating func parseTableFactor() {
        guard enter() else { return }
        defer { leave() }
        switch current.keyword {
        case .lateral:
            advance()
            parseDerivedTable()
            return
        case .jsonTable where peek(1).isPunctuation(UInt8(ascii: "(")):
            advance()
            skipParenthesized()
            skipAlias()
            return
        case .dual:
            advance()
            return
        default:
            break
        }
        if at(punctuation: UInt8(ascii: "(")) {
            switch peek(1).keyword {
            case .select, .with, .values, .table: parseDerivedTable()
            default: parseParenthesizedReferences()
            }
            return
        }
        if at(punctuation: UInt8(ascii: "{")) {
            advance()
            if current.kind == .word && !current.flags.contains(.reserved) { advance() }
            parseTableReferences()
            if !accept(punctuation: UInt8(ascii: "}")) { markUnparsed() }
            return
        }
        guard let name = readTableName() else { return }
        addTable(name)
        if accept(.partition) { skipParenthesized() }
        skipAlias()
        skipIndexHints()
        if at(punctuation: UInt8(ascii: "(")) { markUnparsed() }
    }

    /// `( table_references )`, or a parenthesized query that starts with a parenthesized query:
    /// `((SELECT …) UNION (SELECT …)) AS d` reads as references until its set operator or ORDER/LIMIT.
    private mutating func parseParenthesizedReferences() {
        advance()
        parseTableReferences()
        if at(.union) || at(.intersect) || at(.except) || at(.order) || at(.limit) {
            skim(to: .queryTail)
            while accept(.union) || accept(.intersect) || accept(.except) {
                if !accept(.all) { _ = accept(.distinct) }
                parseQueryTerm()
            }
            if !accept(punctuation: UInt8(ascii: ")")) { return markUnparsed() }
        } else if !accept(punctuation: UInt8(ascii: ")")) {
            return markUnparsed()
        }
        skipAlias()
        if at(punctuation: UInt8(ascii: "(")) { skipParenthesized() }
    }

    private mutating func parseDerivedTable() {
        parseParenthesizedQuery()
        skipAlias()
        if at(punctuation: UInt8(ascii: "(")) { skipParenthesized() }
    }

    /// `[AS] alias`; a bare alias cannot be a reserved word.
    mutating func skipAlias() {
        if accept(.as) {
            if current.canNameTable || current.kind == .string { advance() } else { markUnparsed() }
        } else if current.canBeBareAlias || current.kind == .string {
            advance()
        }
    }

    /// `{USE|IGNORE|FORCE} {INDEX|KEY} [FOR {JOIN|ORDER BY|GROUP BY}] (…)`, comma-separated.
    private mutating func skipIndexHints() {
        while true {
            var offset = 0
            if at(punctuation: UInt8(ascii: ",")) { offset = 1 }
            switch peek(offset).keyword {
            case .use, .ignore, .force:
                let kind = peek(offset + 1).keyword
                guard kind == .index || kind == .key else { return }
            default:
                return
            }
            for _ in 0..<(offset + 2) { advance() }
            if accept(.for) {
                advance()
                _ = accept(.by)
            }
            skipParenthesized()
        }
    }
}
