/// The step of the decision that kept or filtered a record, in the documented order (the first
/// step that decides wins; `auditRecord` and `unrecognized` depend on the record's kind alone and
/// are tried first, see `ClusterPolicy.decide`). The raw value appears in events, `explain` and metrics.
public enum DecisionStep: String, Sendable, CaseIterable {
    /// Audit/NoAudit records: the audit log switched on or off. Always kept.
    case auditRecord = "audit_record"
    /// `command_class` in `always_keep_commands`, or `SET GLOBAL audit_log…`. Kept.
    case alwaysKeepCommand = "always_keep_command"
    /// Connect, Quit, Change user, per `keep_connections`.
    case connection
    /// Messages that are not audit records, per `keep_unrecognized`.
    case unrecognized
    /// A table (after `drop_tables`) matched `keep_tables`. Kept, with `matched_tables`.
    case keepTables = "keep_tables"
    /// Tables could not be read fully (unparsed, partial, truncated), per `keep_unparsed`.
    case unparsed
    /// Every table was dropped or unmatched. Filtered.
    case tablesFiltered = "tables_filtered"
    /// The statement names no table (SET, SELECT NOW(), Ping), per `keep_other`.
    case other
}
