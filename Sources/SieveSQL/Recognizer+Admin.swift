extension Recognizer {
    /// `LOCK TABLE[S] tbl [[AS] alias] lock_type, …`; LOCK INSTANCE holds no tables.
    mutating func parseLock() {
        advance()
        guard accept(.tables) || accept(.table) else {
            if !at(.instance) { markPartial() }
            return skipStatement()
        }
        repeat {
            guard let name = readTableName() else { return }
            addTable(name, allowCTE: false)
            skim(to: .listItem)
        } while accept(punctuation: UInt8(ascii: ","))
    }

    /// `ANALYZE|CHECK|CHECKSUM|OPTIMIZE|REPAIR [NO_WRITE_TO_BINLOG|LOCAL] TABLE[S] list …`, `BACKUP|RESTORE TABLE`.
    mutating func parseMaintenance() {
        advance()
        while at(.noWriteToBinlog) || at(.local) { advance() }
        if !accept(.table) && !accept(.tables) {
            markPartial()
            guard current.canNameTable else { return skipStatement() }
        }
        parseTableList()
        skim(to: .statement)
    }

    /// `CACHE INDEX tbl [[INDEX|KEY] (…)], … IN cache`.
    mutating func parseCacheIndex() {
        advance()
        guard accept(.index) else {
            markPartial()
            return skipStatement()
        }
        parseIndexCacheList()
    }

    /// `tbl [PARTITION (…)] [{INDEX|KEY} (…)] [IGNORE LEAVES], …` of CACHE INDEX and LOAD INDEX INTO CACHE.
    mutating func parseIndexCacheList() {
        repeat {
            guard let name = readTableName() else { return }
            addTable(name, allowCTE: false)
            skim(to: .listItem)
        } while accept(punctuation: UInt8(ascii: ","))
        skim(to: .statement)
    }

    /// `FLUSH [NO_WRITE_TO_BINLOG|LOCAL] TABLE[S] [list] [WITH READ LOCK|FOR EXPORT]`; other flushes hold none.
    mutating func parseFlush() {
        advance()
        while at(.noWriteToBinlog) || at(.local) { advance() }
        guard accept(.tables) || accept(.table) else { return skipStatement() }
        if current.canNameTable { parseTableList() }
        skipStatement()
    }

    /// `SHOW [FULL|EXTENDED] {COLUMNS|FIELDS|INDEX|INDEXES|KEYS} {FROM|IN} tbl [{FROM|IN} db]`,
    /// `SHOW CREATE {TABLE|VIEW} tbl`; other SHOWs are about databases or the server.
    mutating func parseShow() {
        advance()
        while at(.full) || at(.extended) { advance() }
        switch current.keyword {
        case .columns, .fields, .index, .indexes, .keys:
            advance()
            guard accept(.from) || accept(.in) else { return markUnparsed() }
            guard var name = readTableName() else { return }
            if (at(.from) || at(.in)) && peek(1).canNameTable {
                advance()
                name.database = position
                advance()
            }
            addTable(name, allowCTE: false)
            skim(to: .statement)
        case .create where peek(1).keyword == .table || peek(1).keyword == .view:
            advance()
            advance()
            readTableName().map { addTable($0, allowCTE: false) }
        default:
            skim(to: .statement)
        }
    }

    /// `DESCRIBE|DESC|EXPLAIN tbl [col]`, or `EXPLAIN [ANALYZE|EXTENDED|PARTITIONS|FORMAT=x] statement`.
    mutating func parseExplain() {
        advance()
        while true {
            switch current.keyword {
            case .analyze, .extended, .partitions:
                advance()
            case .format where peek(1).isPunctuation(UInt8(ascii: "=")):
                advance()
                advance()
                advance()
            default:
                if at(.for) { return skipStatement() }
                switch current.keyword {
                case .select, .with, .table, .values, .insert, .replace, .update, .delete:
                    return parseStatement()
                default:
                    if at(punctuation: UInt8(ascii: "(")) { return parseStatement() }
                    readTableName().map { addTable($0, allowCTE: false) }
                    return skipStatement()
                }
            }
        }
    }

    /// `GRANT|REVOKE privileges ON [TABLE] db.tbl …`: a table unless the level is `*`, `db.*`, a routine
    /// or a proxy; role grants have no ON.
    mutating func parseGrant() {
        advance()
        if at(.proxy) { return skipStatement() }
        var level = 0
        while !atStatementEnd {
            if at(punctuation: UInt8(ascii: "(")) { level += 1 }
            if at(punctuation: UInt8(ascii: ")")) { level -= 1 }
            if level == 0 && (at(.on) || at(.to) || at(.from)) { break }
            advance()
        }
        guard accept(.on) else { return skipStatement() }
        _ = accept(.table)
        if at(.procedure) || at(.function) || at(punctuation: UInt8(ascii: "*")) { return skipStatement() }
        if peek(1).isPunctuation(UInt8(ascii: ".")) && peek(2).isPunctuation(UInt8(ascii: "*")) {
            return skipStatement()
        }
        readTableName().map { addTable($0, allowCTE: false) }
        skipStatement()
    }
}
