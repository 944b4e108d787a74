import SieveSQL

/// A compiled list of table patterns. Exact `db.table` entries are a hash lookup, `db.*` and
/// `*.table` a lookup each; only globs and `re:` entries are tried one by one.
public struct TablePatternSet: Sendable {
    private struct Key: Hashable {
        var db: String
        var table: String
    }

    public let patterns: [TablePattern]
    public let caseSensitive: Bool
    private var exact: [Key: String] = [:]
    private var wholeDB: [String: String] = [:]
    private var anyDB: [String: String] = [:]
    private var matchAll: String?
    private var others: [TablePattern] = []

    public init(_ texts: [String], caseSensitive: Bool) throws(RulesError) {
        self.caseSensitive = caseSensitive
        var patterns: [TablePattern] = []
        for text in texts { patterns.append(try TablePattern(text, caseSensitive: caseSensitive)) }
        self.patterns = patterns
        for pattern in patterns {
            guard case .parts(let db, let table) = pattern.form else {
                others.append(pattern)
                continue
            }
            switch (db, table) {
            case (.literal(let d), .literal(let t)):
                exact[Key(db: d, table: t)] = exact[Key(db: d, table: t)] ?? pattern.text
            case (.literal(let d), .any): wholeDB[d] = wholeDB[d] ?? pattern.text
            case (.any, .literal(let t)): anyDB[t] = anyDB[t] ?? pattern.text
            case (.any, .any): matchAll = matchAll ?? pattern.text
            default: others.append(pattern)
            }
        }
    }

    public var isEmpty: Bool { patterns.isEmpty }

    /// `re:` matches one record may try across `drop_tables` and `keep_tables` (each bounded by the
    /// PCRE2 match limit); 1,024 covers a 32-table join against 32 regexes.
    public static let regexMatchesPerRecord = 1024

    /// What `.undecided` names when the record's regex budget, not one pattern, ran out.
    public static let budgetSpent = "the regex budget of \(regexMatchesPerRecord) matches per record was spent"

    /// What `lookup` found for one table.
    public enum Lookup: Sendable, Equatable {
        /// The text of the first pattern that matches.
        case matched(String)
        case unmatched
        /// No pattern matched, and the `re:` pattern named here reached the regex match limit, so
        /// whether it matches is unknown.
        case undecided(String)
    }

    /// The text of the first pattern that matches (hash entries before globs and regexes); nil
    /// when none does or one could not decide (see `lookup`).
    public func firstMatch(_ table: TableRef) -> String? {
        if case .matched(let text) = lookup(table) { return text }
        return nil
    }

    public func lookup(_ table: TableRef) -> Lookup {
        var budget = Int.max
        return lookup(table, regexBudget: &budget)
    }

    /// `lookup`, spending one unit of `regexBudget` per `re:` match tried. With the budget spent a
    /// table that no cheaper entry decides is `.undecided` (named `Self.budgetSpent`): the match
    /// limit bounds one match, this bounds a record naming thousands of crafted tables.
    public func lookup(_ table: TableRef, regexBudget: inout Int) -> Lookup {
        if let matchAll { return .matched(matchAll) }
        let name = caseSensitive ? table.name : table.name.lowercased()
        if let hit = anyDB[name] { return .matched(hit) }
        if let db = table.db {
            let folded = caseSensitive ? db : db.lowercased()
            if let hit = exact[Key(db: folded, table: name)] { return .matched(hit) }
            if let hit = wholeDB[folded] { return .matched(hit) }
        }
        var undecided: String?
        for pattern in others {
            if pattern.isRegex {
                guard regexBudget > 0 else { return .undecided(undecided ?? Self.budgetSpent) }
                regexBudget -= 1
            }
            switch pattern.match(table) {
            case .match: return .matched(pattern.text)
            case .noMatch: continue
            case .limitExceeded: undecided = undecided ?? pattern.text
            }
        }
        return undecided.map(Lookup.undecided) ?? .unmatched
    }
}
