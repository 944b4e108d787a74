import SieveSQL

/// What the rules said about an event: its cluster, the decision step that kept it, the pattern or
/// setting behind that step, and the tables that matched `keep_tables`.
public struct EventVerdict: Sendable, Equatable {
    public var cluster: String
    public var kept: Bool
    public var step: String
    public var reason: String
    public var matchedTables: [TableRef]

    public init(cluster: String, kept: Bool, step: String, reason: String, matchedTables: [TableRef] = []) {
        self.cluster = cluster
        self.kept = kept
        self.step = step
        self.reason = reason
        self.matchedTables = matchedTables
    }
}
