/// A table (or routine) a statement names: database and name, unquoted, case as written.
/// `db` is `nil` for an unqualified name when the statement had no default database.
public struct TableRef: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var db: String?
    public var name: String

    public init(db: String?, name: String) {
        self.db = db
        self.name = name
    }

    public static func < (lhs: TableRef, rhs: TableRef) -> Bool {
        ((lhs.db ?? ""), lhs.name) < ((rhs.db ?? ""), rhs.name)
    }

    public var description: String { db.map { "\($0).\(name)" } ?? name }
}
