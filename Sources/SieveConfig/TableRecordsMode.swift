/// A cluster's `table_records`: how the table records joined to a statement are delivered.
public enum TableRecordsMode: String, Sendable, CaseIterable {
    /// The statement's event lists them in `table_records`; they are no events of their own.
    case merge
    /// Each is its own event, before its statement's, with its statement's decision.
    case separate
}
