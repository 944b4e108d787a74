extension Recognizer {
    /// CREATE TABLE/VIEW/INDEX/TRIGGER/PROCEDURE/FUNCTION/EVENT; other objects hold no tables.
    mutating func parseCreate() {
        advance()
        skipObjectPrefix()
        switch current.keyword {
        case .table:
            advance()
            skipIfExists()
            guard let name = readTableName() else { return }
            addTable(name, allowCTE: false)
            if accept(.like) {
                readTableName().map { addTable($0, allowCTE: false) }
            } else if at(punctuation: UInt8(ascii: "(")) && peek(1).keyword == .like {
                advance()
                advance()
                readTableName().map { addTable($0, allowCTE: false) }
                if !accept(punctuation: UInt8(ascii: ")")) { markUnparsed() }
            }
            skim(to: .tableDefinition)
        case .view:
            advance()
            skipIfExists()
            readTableName().map { addTable($0, allowCTE: false) }
            skim(to: .statement)
        case .index:
            parseIndexTarget()
        case .trigger:
            advance()
            skipIfExists()
            let trigger = readName()
            while !atStatementEnd && !at(.on) { advance() }
            guard accept(.on), let table = readTableName() else { return markUnparsed() }
            addTable(table, allowCTE: false)
            parseRoutineBody(schema: trigger?.database ?? table.database)
        case .procedure, .function:
            advance()
            skipIfExists()
            parseRoutineBody(schema: readName()?.database)
        case .event:
            advance()
            skipIfExists()
            let event = readName()
            while !atEnd && !at(.do) { advance() }
            parseRoutineBody(schema: event?.database)
        case .database, .schema, .user, .role, .server, .tablespace, .logfile, .resource, .undo:
            skipStatement()
        default:
            if !isWord("REFERENCE") { markPartial() }
            skipStatement()
        }
    }

    /// ALTER TABLE (RENAME, EXCHANGE … WITH TABLE, REFERENCES, UNION=) and ALTER VIEW; the rest hold no tables.
    mutating func parseAlter() {
        advance()
        skipObjectPrefix()
        switch current.keyword {
        case .table:
            advance()
            guard let name = readTableName() else { return }
            addTable(name, allowCTE: false)
            skim(to: .tableDefinition)
        case .view:
            advance()
            readTableName().map { addTable($0, allowCTE: false) }
            skim(to: .statement)
        case .event:
            advance()
            let event = readName()
            while !atEnd && !at(.do) { advance() }
            parseRoutineBody(schema: event?.database)
        case .database, .schema, .user, .role, .server, .tablespace, .logfile, .resource, .undo, .procedure,
            .function, .instance:
            skipStatement()
        default:
            markPartial()
            skipStatement()
        }
    }

    /// `DROP [TEMPORARY] TABLE|TABLES|VIEW [IF EXISTS] list`, `DROP INDEX i ON tbl`; other objects hold none.
    mutating func parseDrop() {
        advance()
        _ = accept(.temporary)
        switch current.keyword {
        case .table, .tables, .view:
            advance()
            skipIfExists()
            parseTableList()
            skim(to: .statement)
        case .index:
            parseIndexTarget()
        case .database, .schema, .user, .role, .server, .tablespace, .logfile, .resource, .undo, .procedure,
            .function, .event, .trigger, .prepare:
            skipStatement()
        default:
            markPartial()
            skipStatement()
        }
    }

    /// `RENAME TABLE a TO b [, c TO d]…`; RENAME USER holds no tables.
    mutating func parseRename() {
        advance()
        guard accept(.table) || accept(.tables) else {
            if !at(.user) { markPartial() }
            return skipStatement()
        }
        repeat {
            guard let from = readTableName() else { return }
            addTable(from, allowCTE: false)
            guard accept(.to) else { return markUnparsed() }
            guard let to = readTableName() else { return }
            addTable(to, allowCTE: false)
        } while accept(punctuation: UInt8(ascii: ","))
    }

    /// `OR REPLACE`, `TEMPORARY`, `ALGORITHM = x`, `DEFINER = user`, `SQL SECURITY x`, `UNIQUE`, `ONLINE`, …
    private mutating func skipObjectPrefix() {
        while true {
            switch current.keyword {
            case .or, .replace, .temporary, .unique, .fulltext, .spatial, .online, .offline, .ignore, .aggregate:
                advance()
            case .algorithm:
                advance()
                _ = accept(punctuation: UInt8(ascii: "="))
                advance()
            case .definer:
                advance()
                _ = accept(punctuation: UInt8(ascii: "="))
                let isCurrentUser = at(.currentUser)
                advance()
                if current.kind == .variable { advance() }
                if isCurrentUser && at(punctuation: UInt8(ascii: "(")) { skipParenthesized() }
            case .sql where peek(1).keyword == .security:
                advance()
                advance()
                advance()
            default:
                return
            }
        }
    }

    /// A stored program's body runs with its own schema as the default database.
    private mutating func parseRoutineBody(schema: Int?) {
        let outerDB = defaultDB
        if let schema { defaultDB = name(of: schema) }
        parseRoutineBody()
        defaultDB = outerDB
    }

    /// `IF [NOT] EXISTS`.
    private mutating func skipIfExists() {
        guard at(.if) else { return }
        advance()
        _ = accept(.not)
        _ = accept(.exists)
    }

    /// `CREATE|DROP INDEX name … ON tbl …`: the table after ON.
    private mutating func parseIndexTarget() {
        advance()
        while !atStatementEnd && !at(.on) { advance() }
        guard accept(.on) else { return markUnparsed() }
        readTableName().map { addTable($0, allowCTE: false) }
        skim(to: .statement)
    }
}
