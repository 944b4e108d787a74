import SieveRules
import SieveSQL

/// What one `/tail` client asked to see, from its query: `cluster=NAME`, `table=PATTERN` (a table
/// pattern as in `keep_tables`, matched case-insensitively; repeated: any of them) and
/// `user=GLOB` (over the record's `user` field, e.g. `app[app] @ web1 [10.0.0.5]`). Every
/// parameter given must match; none given: every kept event.
public struct TailFilter: Sendable {
    public static let parameterNames = ["cluster", "table", "user"]

    public var cluster: String?
    public var tables: TablePatternSet?
    public var user: Glob?

    public init(cluster: String? = nil, tables: TablePatternSet? = nil, user: Glob? = nil) {
        self.cluster = cluster
        self.tables = tables
        self.user = user
    }

    /// A message for the client (answered with 400) when a parameter is unknown or a pattern bad.
    public init(parameters: [(name: String, value: String)]) throws(TailFilterError) {
        var tablePatterns: [String] = []
        for (name, value) in parameters {
            switch name {
            case "cluster": cluster = value
            case "table": tablePatterns.append(value)
            case "user": user = Glob(value)
            default:
                throw TailFilterError(
                    "unknown parameter '\(name)'; /tail takes \(Self.parameterNames.joined(separator: ", "))"
                )
            }
        }
        if !tablePatterns.isEmpty {
            do {
                tables = try TablePatternSet(tablePatterns, caseSensitive: false)
            } catch {
                throw TailFilterError("\(error)")
            }
        }
    }

    public func matches(_ event: TailEvent) -> Bool { evaluate(event).matches }

    /// Whether the event matches; a `re:` table pattern that reaches the regex match limit counts
    /// as no match for that table, and is reported.
    public func evaluate(_ event: TailEvent) -> (matches: Bool, regexLimitHit: Bool) {
        if let cluster, cluster != event.cluster { return (false, false) }
        if let user {
            guard let name = event.user, user.matches(name) else { return (false, false) }
        }
        guard let tables else { return (true, false) }
        var limitHit = false
        for table in event.tables {
            switch tables.lookup(table) {
            case .matched: return (true, limitHit)
            case .unmatched: continue
            case .undecided: limitHit = true
            }
        }
        return (false, limitHit)
    }
}
