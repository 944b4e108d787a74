import SieveSQL

/// What the decision needs to know about a record (the pipeline fills it from the event).
public struct RecordFacts: Sendable {
    public enum Kind: Sendable {
        case audit, connection, general
        /// Not an audit record (`format: unknown`).
        case unrecognized
    }

    public var kind: Kind
    /// The record's STATUS (connection records: non-zero is a failed login).
    public var status: Int
    /// The record's COMMAND_CLASS (`create_user`, `grant`, …); empty when none.
    public var commandClass: String
    /// The statement sets the audit log itself (`SET GLOBAL audit_log…`).
    public var setsAuditLog: Bool
    /// The tables its SQL names; `nil` when the record carries no SQL.
    public var extraction: TableExtraction?
    /// The sender cut the record short.
    public var truncated: Bool

    public init(
        kind: Kind, status: Int = 0, commandClass: String = "", setsAuditLog: Bool = false,
        extraction: TableExtraction? = nil, truncated: Bool = false
    ) {
        self.kind = kind
        self.status = status
        self.commandClass = commandClass
        self.setsAuditLog = setsAuditLog
        self.extraction = extraction
        self.truncated = truncated
    }
}
