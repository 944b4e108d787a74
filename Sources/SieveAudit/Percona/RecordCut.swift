/// Where a message that ends inside a field, or between two fields, ended: what the Percona
/// parsers' per-field steps return (a small value; returning the record itself from every field
/// cost a copy of the whole record per field). `PerconaRecordBuilder.truncated(at:)` makes the
/// truncated record from it.
enum RecordCut {
    case inside(AuditField, at: Int)
    case betweenFields(at: Int)
}
