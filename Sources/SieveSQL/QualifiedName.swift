/// A possibly qualified name as token indices: `table` alone, or `database . table`.
struct QualifiedName {
    var database: Int?
    var table: Int
}
