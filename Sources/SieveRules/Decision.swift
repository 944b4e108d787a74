import SieveSQL

/// What the rules decided for one record, and why.
public struct Decision: Sendable, Equatable {
    public var kept: Bool
    public var step: DecisionStep
    /// The pattern or setting that decided (`billing.*`, `keep_connections: failed`, …).
    public var reason: String
    /// The tables that made `keep_tables` keep the record.
    public var matchedTables: [TableRef]
    /// A `re:` pattern reached the regex match limit while deciding (counted by the pipeline).
    public var regexLimitHit: Bool

    public init(
        kept: Bool, step: DecisionStep, reason: String, matchedTables: [TableRef] = [], regexLimitHit: Bool = false
    ) {
        self.kept = kept
        self.step = step
        self.reason = reason
        self.matchedTables = matchedTables
        self.regexLimitHit = regexLimitHit
    }
}
