import SieveSQL

/// One cluster's rules, compiled: which records it keeps and where they go. A class: the hot path
/// hands it around per event, and a reference costs one retain where a struct would copy them all.
public final class ClusterPolicy: Sendable {
    public enum ConnectionPolicy: String, Sendable, CaseIterable {
        case all, failed, none
    }

    public static let defaultAlwaysKeepCommands: [String] = [
        "create_user", "drop_user", "alter_user", "rename_user", "grant", "revoke", "set_password", "install_plugin",
        "uninstall_plugin",
    ]

    public let name: String
    /// `nil` for the default cluster (it takes what no other cluster matches).
    public let match: ClusterMatch?
    public let keepTables: TablePatternSet
    public let dropTables: TablePatternSet
    public let caseSensitive: Bool
    public let keepConnections: ConnectionPolicy
    public let keepOther: Bool
    public let keepUnparsed: Bool
    public let keepUnrecognized: Bool
    public let alwaysKeepCommands: Set<String>
    public let sinks: [String]
    /// Decision reasons, built once: the hot path hands out these strings, it does not format them.
    private let reasons: Reasons

    private struct Reasons: Sendable {
        var unrecognized: String
        var connections: String
        var keepAllTables: String
        var unparsed: String
        var truncated: String
        var other: String
        var alwaysKeep: [String: String]
        /// A bit per (first byte, length) of the `alwaysKeep` commands: most records' command class
        /// (`select`, `insert`, …) misses it, and their look-up costs no hashing.
        var alwaysKeepFilter: UInt64
    }

    /// The bit of `Reasons.alwaysKeepFilter` a command class falls on.
    @inline(__always)
    private static func filterBit(_ command: String) -> UInt64 {
        1 << ((UInt64(command.utf8.first ?? 0) &* 31 &+ UInt64(command.utf8.count)) & 63)
    }

    public init(
        name: String, match: ClusterMatch? = nil, keepTables: [String] = [], dropTables: [String] = [],
        caseSensitive: Bool = true, keepConnections: ConnectionPolicy = .all, keepOther: Bool = true,
        keepUnparsed: Bool = true, keepUnrecognized: Bool = true,
        alwaysKeepCommands: [String] = ClusterPolicy.defaultAlwaysKeepCommands, sinks: [String]
    ) throws(RulesError) {
        self.name = name
        self.match = match
        self.keepTables = try TablePatternSet(keepTables, caseSensitive: caseSensitive)
        self.dropTables = try TablePatternSet(dropTables, caseSensitive: caseSensitive)
        self.caseSensitive = caseSensitive
        self.keepConnections = keepConnections
        self.keepOther = keepOther
        self.keepUnparsed = keepUnparsed
        self.keepUnrecognized = keepUnrecognized
        self.alwaysKeepCommands = Set(alwaysKeepCommands)
        self.sinks = sinks
        self.reasons = Reasons(
            unrecognized: "keep_unrecognized: \(keepUnrecognized)",
            connections: "keep_connections: \(keepConnections.rawValue)",
            keepAllTables: "keep_tables: [] (every table)",
            unparsed: "keep_unparsed: \(keepUnparsed) (tables not fully read)",
            truncated: "keep_unparsed: \(keepUnparsed) (truncated record)",
            other: "keep_other: \(keepOther)",
            alwaysKeep: Dictionary(
                alwaysKeepCommands.map { ($0, "always_keep_commands: \($0)") }, uniquingKeysWith: { first, _ in first }
            ),
            alwaysKeepFilter: alwaysKeepCommands.reduce(0) { $0 | Self.filterBit($1) }
        )
    }

    /// The decision, step by step in the documented order; the first step that decides wins.
    public func decide(_ facts: RecordFacts) -> Decision {
        switch facts.kind {
        case .audit:
            return Decision(kept: true, step: .auditRecord, reason: "audit log switched on or off")
        case .unrecognized:
            return Decision(kept: keepUnrecognized, step: .unrecognized, reason: reasons.unrecognized)
        case .connection, .general:
            break
        }
        if reasons.alwaysKeepFilter & Self.filterBit(facts.commandClass) != 0,
            let reason = reasons.alwaysKeep[facts.commandClass]
        {
            return Decision(kept: true, step: .alwaysKeepCommand, reason: reason)
        }
        if facts.setsAuditLog {
            return Decision(kept: true, step: .alwaysKeepCommand, reason: "SET GLOBAL audit_log")
        }
        if facts.kind == .connection {
            let kept = keepConnections == .all || (keepConnections == .failed && facts.status != 0)
            return Decision(kept: kept, step: .connection, reason: reasons.connections)
        }
        let tables = facts.extraction?.tables ?? []
        // A `re:` pattern that reached its match limit cannot say whether a table matches: such a
        // table counts as not fully read (step 6) unless another table decides before.
        var undecided: String?
        var remaining: [TableRef] = []
        var regexBudget = TablePatternSet.regexMatchesPerRecord
        if dropTables.isEmpty {
            remaining = tables
        } else {
            for table in tables {
                switch dropTables.lookup(table, regexBudget: &regexBudget) {
                case .matched: continue
                case .unmatched: remaining.append(table)
                case .undecided(let pattern): undecided = undecided ?? pattern
                }
            }
        }
        if !remaining.isEmpty {
            if keepTables.isEmpty {
                return Decision(
                    kept: true, step: .keepTables, reason: reasons.keepAllTables, matchedTables: remaining,
                    regexLimitHit: undecided != nil
                )
            }
            var matched: [TableRef] = []
            var firstPattern: String?
            for table in remaining {
                switch keepTables.lookup(table, regexBudget: &regexBudget) {
                case .matched(let pattern):
                    matched.append(table)
                    firstPattern = firstPattern ?? pattern
                case .unmatched: break
                case .undecided(let pattern): undecided = undecided ?? pattern
                }
            }
            if let firstPattern {
                return Decision(
                    kept: true, step: .keepTables, reason: firstPattern, matchedTables: matched,
                    regexLimitHit: undecided != nil
                )
            }
        }
        if let undecided {
            return Decision(
                kept: keepUnparsed, step: .unparsed,
                reason:
                    "keep_unparsed: \(keepUnparsed) (\(undecided == TablePatternSet.budgetSpent ? undecided : "\(undecided) reached the regex match limit"))",
                regexLimitHit: true
            )
        }
        let status = facts.extraction?.status
        if status == .unparsed || status == .partial || facts.truncated {
            return Decision(
                kept: keepUnparsed, step: .unparsed, reason: facts.truncated ? reasons.truncated : reasons.unparsed
            )
        }
        if !tables.isEmpty {
            let dropped = tables.count - remaining.count
            let reason = dropped == tables.count ? "every table matches drop_tables" : "no table matches keep_tables"
            return Decision(kept: false, step: .tablesFiltered, reason: reason)
        }
        return Decision(kept: keepOther, step: .other, reason: reasons.other)
    }
}
