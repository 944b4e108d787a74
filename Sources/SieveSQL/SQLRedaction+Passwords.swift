extension SQLRedaction {
    /// The secrets of the statements that set or carry a password, found on tokens (keywords in any
    /// case, comments anywhere between them, any quoting):
    /// - `IDENTIFIED BY s`, `IDENTIFIED WITH plugin BY s`, `IDENTIFIED WITH plugin AS s`, MariaDB's
    ///   `IDENTIFIED VIA plugin USING s`, the old `IDENTIFIED BY PASSWORD 'hash'`, and a
    ///   `REPLACE 'current'` after any of them (CREATE/ALTER USER, GRANT);
    /// - every literal inside `PASSWORD(…)` and `OLD_PASSWORD(…)`, wherever they are;
    /// - `SET PASSWORD [FOR user] = s [REPLACE 'current']` as a statement;
    /// - `…PASSWORD = s` in CHANGE MASTER / CHANGE REPLICATION SOURCE (`MASTER_PASSWORD`,
    ///   `SOURCE_PASSWORD`) and START SLAVE / REPLICA / GROUP_REPLICATION (`PASSWORD`);
    /// - `PASSWORD s` in CREATE / ALTER SERVER … OPTIONS (…).
    /// The secret is the token after the keyword, whatever it is (a string, a number, a quoted or
    /// bare word: a statement the server refused is audited too), unless it is `RANDOM PASSWORD`
    /// or a `PASSWORD(…)` call. A column named `password` matches none of these.
    static func passwordRanges(in tokens: RedactionTokens) -> [Range<Int>] {
        var finder = PasswordFinder(tokens: tokens)
        finder.run()
        return finder.ranges.sorted { $0.lowerBound < $1.lowerBound }.reduce(into: []) { merged, range in
            if let last = merged.last, range.lowerBound < last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
    }
}

/// One pass over a text's tokens, noting the spans of secrets (`SQLRedaction.passwordRanges`).
private struct PasswordFinder {
    enum Statement {
        /// CHANGE MASTER / CHANGE REPLICATION SOURCE, START SLAVE / REPLICA / GROUP_REPLICATION.
        case replication
        /// CREATE [OR REPLACE] SERVER, ALTER SERVER.
        case server
        case other
    }

    let tokens: RedactionTokens
    var ranges: [Range<Int>] = []

    mutating func run() {
        var statementStart = 0
        var statement = classify(at: 0)
        for index in tokens.tokens.indices {
            if tokens.isPunctuation(index, UInt8(ascii: ";")) {
                statementStart = index + 1
                statement = classify(at: statementStart)
                continue
            }
            if tokens.isWord(index, "IDENTIFIED") {
                identified(at: index)
            } else if isPasswordFunction(index) {
                functionArguments(openingAt: index + 1)
            } else if tokens.isWord(index, "SET"), tokens.isWord(index + 1, "PASSWORD"),
                index == statementStart || beginsCompoundStatement(index - 1)
            {
                setPassword(at: index + 1)
            }
            switch statement {
            case .replication:
                if tokens.isWord(index, endingIn: "PASSWORD"), tokens.isPunctuation(index + 1, UInt8(ascii: "=")) {
                    secret(at: index + 2)
                }
            case .server:
                if tokens.isWord(index, "PASSWORD"), !tokens.isPunctuation(index + 1, UInt8(ascii: "(")) {
                    secret(at: index + 1)
                }
            case .other:
                break
            }
        }
    }

    private func classify(at index: Int) -> Statement {
        if tokens.isWord(index, "CHANGE") || tokens.isWord(index, "START") { return .replication }
        if tokens.isWord(index, "ALTER"), tokens.isWord(index + 1, "SERVER") { return .server }
        if tokens.isWord(index, "CREATE") {
            let next = tokens.isWord(index + 1, "OR") && tokens.isWord(index + 2, "REPLACE") ? index + 3 : index + 1
            if tokens.isWord(next, "SERVER") { return .server }
        }
        return .other
    }

    /// `SET` inside a compound statement (MariaDB's `BEGIN NOT ATOMIC … END`, IF/CASE branches, events).
    private func beginsCompoundStatement(_ index: Int) -> Bool {
        tokens.isWord(index, "BEGIN") || tokens.isWord(index, "ATOMIC") || tokens.isWord(index, "THEN")
            || tokens.isWord(index, "ELSE") || tokens.isWord(index, "DO")
    }

    private func isPasswordFunction(_ index: Int) -> Bool {
        (tokens.isWord(index, "PASSWORD") || tokens.isWord(index, "OLD_PASSWORD"))
            && tokens.isPunctuation(index + 1, UInt8(ascii: "("))
    }

    /// `IDENTIFIED [WITH|VIA plugin] BY|AS|USING secret`.
    private mutating func identified(at index: Int) {
        var next = index + 1
        if tokens.isWord(next, "WITH") || tokens.isWord(next, "VIA") {
            next += 1
            if !isSecretKeyword(next) { next += 1 }  // the plugin's name
        }
        if isSecretKeyword(next) { secret(at: next + 1) }
    }

    private func isSecretKeyword(_ index: Int) -> Bool {
        tokens.isWord(index, "BY") || tokens.isWord(index, "AS") || tokens.isWord(index, "USING")
    }

    /// `SET PASSWORD [FOR user] = secret`: the first `=` of the statement, after the user.
    private mutating func setPassword(at index: Int) {
        var next = index + 1
        while let token = tokens[next], !token.isPunctuation(UInt8(ascii: ";")) {
            if token.isPunctuation(UInt8(ascii: "=")) {
                secret(at: next + 1)
                return
            }
            next += 1
        }
    }

    /// Every literal between `(` at `index` and its `)`.
    private mutating func functionArguments(openingAt index: Int) {
        var depth = 0
        var next = index
        while let token = tokens[next], !token.isPunctuation(UInt8(ascii: ";")) {
            if token.isPunctuation(UInt8(ascii: "(")) {
                depth += 1
            } else if token.isPunctuation(UInt8(ascii: ")")) {
                depth -= 1
                if depth == 0 { return }
            } else if token.kind == .string || token.kind == .number {
                ranges.append(tokens.literalSpan(next))
            }
            next += 1
        }
    }

    /// The secret at `index`, and a `REPLACE 'current'` after it.
    private mutating func secret(at index: Int) {
        guard let token = tokens[index], token.kind != .punctuation, token.kind != .variable, token.kind != .placeholder
        else { return }
        if tokens.isWord(index, "RANDOM") && tokens.isWord(index + 1, "PASSWORD") { return }
        if isPasswordFunction(index) { return }  // its arguments are masked on their own
        var last = index
        if tokens.isWord(index, "PASSWORD"), let hash = tokens[index + 1],
            hash.kind == .string || hash.kind == .number || hash.kind == .quotedIdentifier
        {
            last = value(at: index + 1)  // IDENTIFIED BY PASSWORD '*hash'
        } else {
            last = value(at: index)
        }
        if tokens.isWord(last + 1, "REPLACE"), tokens[last + 2].map({ $0.kind != .punctuation }) == true {
            _ = value(at: last + 2)
        }
    }

    /// Masks the value at `index` (a prefixed string `_utf8'…'`, `X'…'` as one); returns the
    /// index of its last token.
    private mutating func value(at index: Int) -> Int {
        if let token = tokens[index], token.kind == .word, tokens[index + 1]?.kind == .string,
            tokens.literalSpan(index + 1).lowerBound == Int(token.start)
        {
            ranges.append(tokens.literalSpan(index + 1))
            return index + 1
        }
        ranges.append(tokens.tokens[index].kind == .string ? tokens.literalSpan(index) : tokens.span(index))
        return index
    }
}
