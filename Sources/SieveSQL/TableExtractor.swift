// PLACEHOLDER until the lexer and recognizer land: reports nothing as complete.
/// Extracts the tables a MySQL statement text touches.
public enum TableExtractor {
    /// `defaultDB` is the record's current database (`db` field; `nil` or empty when none);
    /// `USE db` inside the text changes it for what follows.
    public static func extract(_ sql: UnsafeRawBufferPointer, defaultDB: String?, options: SQLOptions = .init())
        -> TableExtraction
    {
        TableExtraction(tables: [], status: sql.isEmpty ? .complete : .partial)
    }

    public static func extract(_ sql: String, defaultDB: String?, options: SQLOptions = .init()) -> TableExtraction {
        var sql = sql
        return sql.withUTF8 { extract(UnsafeRawBufferPointer($0), defaultDB: defaultDB, options: options) }
    }
}
