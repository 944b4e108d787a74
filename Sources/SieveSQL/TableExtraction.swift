/// What a statement's text says about the tables it touches.
public struct TableExtraction: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        /// Every table position was recognized.
        case complete
        /// Valid-looking text with a construct not modelled, or names whose tables cannot be seen
        /// (CALL, views' bodies, …). The tables found so far are reported.
        case partial
        /// Not valid MySQL: a lexical error, or a token that cannot be a table name where one is required.
        case unparsed
    }

    /// Sorted, without duplicates.
    public var tables: [TableRef]
    /// `CALL db.proc` and the like: routines whose bodies are invisible. Sorted, without duplicates.
    public var routines: [TableRef]
    public var status: Status

    public init(tables: [TableRef], routines: [TableRef] = [], status: Status) {
        self.tables = tables
        self.routines = routines
        self.status = status
    }
}
