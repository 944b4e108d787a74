import SieveSQL

/// One allow-list entry: `db.table`, `db.*`, `*.table`, `*`, globs with `*`/`?` inside a part,
/// or `re:REGEX` over the text `db.table`. Parts may be backquoted (`` `my.db`.`t` ``) so names
/// holding dots can be written; a backquoted part is literal (no glob).
public struct TablePattern: Sendable {
    public enum Part: Sendable, Hashable {
        case any
        case literal(String)
        case glob(Glob)

        func matches(_ name: String, caseSensitive: Bool) -> Bool {
            switch self {
            case .any: true
            case .literal(let literal): caseSensitive ? name == literal : name.lowercased() == literal
            case .glob(let glob): glob.matches(name)
            }
        }
    }

    public enum Form: Sendable {
        case parts(db: Part, table: Part)
        case regex(RegexPattern)
    }

    /// The text as configured (what `explain` and events show).
    public let text: String
    public let form: Form
    public let caseSensitive: Bool

    public init(_ text: String, caseSensitive: Bool) throws(RulesError) {
        self.text = text
        self.caseSensitive = caseSensitive
        if text.hasPrefix("re:") {
            form = .regex(try RegexPattern(String(text.dropFirst(3)), caseSensitive: caseSensitive))
            return
        }
        let parts = try Self.split(text)
        if parts.count == 1, case .unquoted("*") = parts[0] {
            form = .parts(db: .any, table: .any)
            return
        }
        guard parts.count == 2 else {
            throw RulesError.badPattern(
                text, "write db.table, db.*, *.table or * (quote names holding dots with backticks)")
        }
        form = .parts(db: Self.part(parts[0], caseSensitive), table: Self.part(parts[1], caseSensitive))
    }

    public func matches(_ table: TableRef) -> Bool { match(table) == .match }

    /// A `re:` pattern (the costly kind, bounded per record by `TablePatternSet`).
    public var isRegex: Bool {
        if case .regex = form { return true }
        return false
    }

    /// `.limitExceeded` only for a `re:` pattern whose match reached PCRE2's limits.
    public func match(_ table: TableRef) -> RegexPattern.Outcome {
        switch form {
        case .parts(let db, let name):
            guard name.matches(table.name, caseSensitive: caseSensitive) else { return .noMatch }
            if case .any = db { return .match }
            guard let tableDB = table.db else { return .noMatch }
            return db.matches(tableDB, caseSensitive: caseSensitive) ? .match : .noMatch
        case .regex(let regex):
            return regex.match("\(table.db ?? "").\(table.name)")
        }
    }

    private enum RawPart: Equatable {
        case quoted(String)
        case unquoted(String)
    }

    private static func part(_ raw: RawPart, _ caseSensitive: Bool) -> Part {
        switch raw {
        case .quoted(let name):
            return .literal(caseSensitive ? name : name.lowercased())
        case .unquoted("*"):
            return .any
        case .unquoted(let name):
            let glob = Glob(name, caseSensitive: caseSensitive)
            return glob.isLiteral ? .literal(caseSensitive ? name : name.lowercased()) : .glob(glob)
        }
    }

    /// Splits at dots outside backquotes; a doubled backquote inside quotes is one backquote.
    private static func split(_ text: String) throws(RulesError) -> [RawPart] {
        var parts: [RawPart] = []
        var current = ""
        var quoted = false
        var wasQuoted = false
        var iterator = Array(text).makeIterator()
        var pending: Character? = nil
        while let character = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if character == "`" {
                    let next = iterator.next()
                    if next == "`" {
                        current.append("`")
                    } else {
                        quoted = false
                        pending = next
                    }
                } else {
                    current.append(character)
                }
            } else if character == "`" {
                guard current.isEmpty else { throw RulesError.badPattern(text, "a backquote must start a name part") }
                quoted = true
                wasQuoted = true
            } else if character == "." {
                guard !current.isEmpty || wasQuoted else { throw RulesError.badPattern(text, "empty name part") }
                parts.append(wasQuoted ? .quoted(current) : .unquoted(current))
                current = ""
                wasQuoted = false
            } else {
                guard !wasQuoted else { throw RulesError.badPattern(text, "text after a closing backquote") }
                current.append(character)
            }
        }
        guard !quoted else { throw RulesError.badPattern(text, "unterminated backquote") }
        guard !current.isEmpty || wasQuoted else { throw RulesError.badPattern(text, "empty name part") }
        parts.append(wasQuoted ? .quoted(current) : .unquoted(current))
        return parts
    }
}
